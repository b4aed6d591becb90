package server

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// Persistence. Each room has one state file, <state-dir>/<id>.json: how
// its cluster was built (the scenario as YAML, or a walkthrough step),
// the seed, and every accepted command with the virtual time it was
// applied at, plus the clock. The model is deterministic, so replaying
// the commands at their times on the same scenario and seed rebuilds the
// same state (TestRestoreReplaysToTheLiveState).
//
// Writes are crash-safe: a temporary file in the same directory,
// fsync, rename over the old file, fsync of the directory. A change is
// written at most coalesceWrites after it was accepted; on SIGTERM every
// room is written before the process exits; after a kill -9 at most the
// changes of the last coalesceWrites are lost, and the virtual time goes
// back by at most clockSaveEvery.

const (
	stateFileVersion = 1
	// coalesceWrites is the longest an accepted change waits to be
	// written; changes within it share one write.
	coalesceWrites = 200 * time.Millisecond
	// clockSaveEvery is how often a room whose virtual time moved is
	// written, so that a restart goes on from about where it was.
	clockSaveEvery = 5 * time.Second
	// replayChunkMs is the step of a replay's fast-forward.
	replayChunkMs = 1000
	// maxReplayIdleMs caps the virtual time a restore replays after the
	// last command: a default room left running for days comes back in
	// a second, with every change, at most an hour after its last one.
	maxReplayIdleMs = 3_600_000
)

// Kinds of roomBase.
const (
	baseScenario    = "scenario"
	baseWalkthrough = "walkthrough"
)

// roomBase says how a room's cluster was built, before its commands.
type roomBase struct {
	Kind string `json:"kind"`
	// YAML is the scenario (scenarios.Export), for Kind "scenario".
	YAML string `json:"yaml,omitempty"`
	// Walkthrough, Step and Awaiting name a walkthrough step
	// (scenarios.BuildStep), for Kind "walkthrough"; Answered are the
	// prompts answered so far.
	Walkthrough string      `json:"walkthrough,omitempty"`
	Step        int         `json:"step,omitempty"`
	Awaiting    bool        `json:"awaiting,omitempty"`
	Answered    map[int]int `json:"answered,omitempty"`
}

// scenarioBase is the base of a cluster built by model.New(sc).
func scenarioBase(sc model.Scenario) (roomBase, error) {
	data, err := scenarios.Export(sc)
	if err != nil {
		return roomBase{}, fmt.Errorf("server: export scenario %q for the state file: %w", sc.Name, err)
	}
	return roomBase{Kind: baseScenario, YAML: string(data)}, nil
}

// roomChange is one accepted change, as the runner reports it on its loop:
// a command, a clock change, or a new cluster (base).
type roomChange struct {
	atMs    int64
	command []byte
	clock   *ClockChange
	base    *roomBase
	meta    ScenarioMeta
	seed    uint64
	state   ClockState // the clock after the change
}

// logEntry is one line of a state file's log.
type logEntry struct {
	AtMs    int64           `json:"atMs"`
	Command json.RawMessage `json:"command,omitempty"`
	Clock   *ClockChange    `json:"clock,omitempty"`
}

// roomFile is the content of a state file.
type roomFile struct {
	Version int    `json:"version"`
	ID      string `json:"id"`
	Parent  string `json:"parent,omitempty"`
	// TokenHash is the hex sha256 of the presenter token; empty for the
	// default room. The token itself is never stored.
	TokenHash string       `json:"tokenHash,omitempty"`
	Created   time.Time    `json:"created"`
	Updated   time.Time    `json:"updated"`
	Scenario  ScenarioMeta `json:"scenario"`
	Base      roomBase     `json:"base"`
	Seed      uint64       `json:"seed"`
	Log       []logEntry   `json:"log"`
	Clock     ClockState   `json:"clock"`
}

// journal is a room's state file in memory.
//
// Ownership: mu guards file and dirty. The room's runner loop calls
// record; the store's goroutine writes.
type journal struct {
	mu      sync.Mutex
	file    roomFile
	dirty   bool
	written int64 // the virtual time of the last write
	timeMs  func() int64
	store   *stateStore
}

// record adds an accepted change; it runs on the runner's loop and only
// appends under the mutex.
func (j *journal) record(c roomChange) {
	j.mu.Lock()
	switch {
	case c.base != nil:
		base := *c.base
		base.Answered = maps.Clone(base.Answered)
		j.file.Base, j.file.Scenario, j.file.Seed = base, c.meta, c.seed
		j.file.Log = nil
		j.file.Clock.TimeMs = 0
	case j.store == nil:
		// Not persisted: only the base is kept (for reset).
	case c.command != nil:
		j.file.Log = append(j.file.Log, logEntry{AtMs: c.atMs, Command: json.RawMessage(c.command)})
	case c.clock != nil:
		cl := *c.clock
		j.file.Log = append(j.file.Log, logEntry{AtMs: c.atMs, Clock: &cl})
		j.file.Clock.Paused, j.file.Clock.Speed = c.state.Paused, c.state.Speed
	}
	j.dirty = true
	j.mu.Unlock()
	if j.store != nil {
		j.store.poke()
	}
}

// base is how the room's current cluster was built, and its seed.
func (j *journal) base() (roomBase, uint64, ScenarioMeta) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.file.Base, j.file.Seed, j.file.Scenario
}

// stateStore writes the rooms' state files and reads them back.
//
// Ownership: mu guards journals; writeMu serialises file writes and
// removals; the counters are atomic.
type stateStore struct {
	dir string
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	journals map[string]*journal
	writeMu  sync.Mutex
	wake     chan struct{}

	writes, writeErrors, corrupt atomic.Uint64
}

func newStateStore(dir string, now func() time.Time, log *slog.Logger) (*stateStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("server: state directory: %w", err)
	}
	return &stateStore{dir: dir, log: log, now: now, journals: map[string]*journal{}, wake: make(chan struct{}, 1)}, nil
}

func (s *stateStore) path(id string) string { return filepath.Join(s.dir, id+".json") }

// exists reports whether a state file for id exists.
func (s *stateStore) exists(id string) bool {
	if s == nil {
		return false
	}
	_, err := os.Stat(s.path(id))
	return err == nil
}

// newJournal makes the journal of a room; with a store, it is written
// once at once and then after every change.
func newJournal(file roomFile, timeMs func() int64, s *stateStore) *journal {
	j := &journal{file: file, dirty: true, timeMs: timeMs, written: -1}
	if s != nil {
		j.store = s
		s.attach(j)
	}
	return j
}

// attach adds j to the rooms written, and writes it.
func (s *stateStore) attach(j *journal) {
	file := j.file
	s.mu.Lock()
	s.journals[file.ID] = j
	s.mu.Unlock()
	s.write(j)
}

// remove forgets a room and deletes its file.
func (s *stateStore) remove(id string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	delete(s.journals, id)
	s.mu.Unlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Error("remove state file", "room", id, "err", err)
	}
}

func (s *stateStore) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run writes changed rooms, coalesced, until ctx is done.
func (s *stateStore) run(ctx context.Context) {
	clock := time.NewTicker(clockSaveEvery)
	defer clock.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			s.flush(false)
			// Changes that come meanwhile wait for the next write.
			select {
			case <-ctx.Done():
				return
			case <-time.After(coalesceWrites):
			}
		case <-clock.C:
			s.flush(true)
		}
	}
}

// flushAll writes every room (at shutdown).
func (s *stateStore) flushAll() { s.flush(true) }

// flush writes the rooms with changes; with clockToo also those whose
// virtual time moved.
func (s *stateStore) flush(clockToo bool) {
	s.mu.Lock()
	list := make([]*journal, 0, len(s.journals))
	for _, j := range s.journals {
		list = append(list, j)
	}
	s.mu.Unlock()
	for _, j := range list {
		j.mu.Lock()
		due := j.dirty || (clockToo && j.timeMs() != j.written)
		j.mu.Unlock()
		if due {
			s.write(j)
		}
	}
}

// write writes j's file crash-safely.
func (s *stateStore) write(j *journal) {
	j.mu.Lock()
	file := j.file // the log is append-only: this copy's entries do not change
	file.Log = file.Log[:len(file.Log):len(file.Log)]
	file.Clock.TimeMs = max(j.timeMs(), file.Clock.TimeMs)
	file.Updated = s.now().UTC()
	j.dirty = false
	j.mu.Unlock()

	data, err := json.Marshal(file)
	if err == nil {
		s.writeMu.Lock()
		s.mu.Lock()
		_, live := s.journals[file.ID]
		s.mu.Unlock()
		if live {
			err = writeFileAtomic(s.dir, file.ID+".json", data)
		}
		s.writeMu.Unlock()
	}
	if err != nil {
		s.writeErrors.Add(1)
		s.log.Error("write state file", "room", file.ID, "err", err)
		j.mu.Lock()
		j.dirty = true // try again with the next write
		j.mu.Unlock()
		return
	}
	s.writes.Add(1)
	j.mu.Lock()
	j.written = file.Clock.TimeMs
	j.mu.Unlock()
}

// writeFileAtomic writes data to dir/name: a temporary file in dir,
// fsync, rename, fsync of dir.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// restored is a room read back from its file.
type restored struct {
	file roomFile
	sim  *model.Sim
	hash [32]byte
}

// load reads every state file. A file that cannot be read, decoded or
// replayed is renamed to <name>.corrupt-<unix>, logged and counted; it
// never stops the server. Leftover temporary files are removed.
func (s *stateStore) loadAll(catalog *scenarios.Catalog) []restored {
	if s == nil {
		return nil
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		s.log.Error("read state directory", "dir", s.dir, "err", err)
		return nil
	}
	var out []restored
	for _, e := range entries {
		name := e.Name()
		if strings.Contains(name, ".json.tmp-") {
			_ = os.Remove(filepath.Join(s.dir, name))
			continue
		}
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		rs, err := s.restore(name, catalog)
		if err != nil {
			s.setAside(name, err)
			continue
		}
		out = append(out, rs)
	}
	return out
}

// restore reads one file and replays it.
func (s *stateStore) restore(name string, catalog *scenarios.Catalog) (restored, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		return restored{}, err
	}
	var f roomFile
	if err := json.Unmarshal(data, &f); err != nil {
		return restored{}, fmt.Errorf("decode: %w", err)
	}
	if f.Version != stateFileVersion {
		return restored{}, fmt.Errorf("version %d; this server reads %d", f.Version, stateFileVersion)
	}
	if f.ID+".json" != name || (f.ID != LocalRoomID && !roomIDPattern.MatchString(f.ID)) {
		return restored{}, fmt.Errorf("id %q does not match the file name", f.ID)
	}
	var hash [32]byte
	if f.ID != LocalRoomID {
		b, err := hex.DecodeString(f.TokenHash)
		if err != nil || len(b) != len(hash) {
			return restored{}, errors.New("tokenHash: want 64 hex digits")
		}
		copy(hash[:], b)
	}
	sim, err := replay(f, catalog)
	if err != nil {
		return restored{}, err
	}
	return restored{file: f, sim: sim, hash: hash}, nil
}

// setAside renames a bad state file out of the way and reports it.
func (s *stateStore) setAside(name string, cause error) {
	s.corrupt.Add(1)
	to := fmt.Sprintf("%s.corrupt-%d", name, s.now().Unix())
	err := os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, to))
	s.log.Error("state file set aside", "file", name, "moved_to", to, "cause", cause, "rename_err", err)
}

// replay rebuilds a room's cluster: the base, then every command at its
// virtual time (decoded by the command registry, as when it was
// accepted), then the clock's time.
func replay(f roomFile, catalog *scenarios.Catalog) (*model.Sim, error) {
	sim, err := buildBase(f.Base, f.Seed, catalog)
	if err != nil {
		return nil, err
	}
	for i, e := range f.Log {
		if e.Command == nil {
			continue
		}
		if e.AtMs < sim.Now() {
			return nil, fmt.Errorf("log %d: time %d is before %d", i, e.AtMs, sim.Now())
		}
		advanceQuietly(sim, e.AtMs)
		cmd, err := scenarios.DecodeCommand(e.Command)
		if err != nil {
			return nil, fmt.Errorf("log %d: %w", i, err)
		}
		if err := sim.Apply(cmd); err != nil {
			return nil, fmt.Errorf("log %d: %w", i, err)
		}
	}
	advanceQuietly(sim, min(f.Clock.TimeMs, sim.Now()+maxReplayIdleMs))
	sim.Drain()
	return sim, nil
}

// buildBase builds a room's cluster as it was before its commands.
func buildBase(base roomBase, seed uint64, catalog *scenarios.Catalog) (*model.Sim, error) {
	switch base.Kind {
	case baseScenario:
		sc, _, err := scenarios.Parse([]byte(base.YAML))
		if err != nil {
			return nil, fmt.Errorf("base scenario: %w", err)
		}
		sc.Settings.Seed = seed
		sim, err := model.New(sc)
		if err != nil {
			return nil, fmt.Errorf("base scenario: %w", err)
		}
		return sim, nil
	case baseWalkthrough:
		sc, steps, err := catalog.Walkthrough(base.Walkthrough)
		if err != nil {
			return nil, fmt.Errorf("base walkthrough: %w", err)
		}
		sim, err := scenarios.BuildStep(sc, steps, base.Step, base.Awaiting)
		if err != nil {
			return nil, fmt.Errorf("base walkthrough: %w", err)
		}
		return sim, nil
	}
	return nil, fmt.Errorf("base: unknown kind %q", base.Kind)
}

// advanceQuietly moves sim to t in steps, dropping what it produced.
func advanceQuietly(sim *model.Sim, t int64) {
	for sim.Now() < t {
		sim.AdvanceTo(min(sim.Now()+replayChunkMs, t))
		sim.Drain()
	}
}
