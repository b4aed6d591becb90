package server

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// Defaults for Config.
const (
	DefaultFrameRate           = 30
	DefaultMaxRequestsPerFrame = 400
	DefaultClientBuffer        = 256 // about 8 s of frames at 30/s
)

// Config is what New needs. Only Sim is required.
type Config struct {
	// Sim is the live simulation; the server's runner takes ownership of
	// it, and nothing else may touch it afterwards.
	Sim *model.Sim
	// Clock drives the frames; RealClock when nil.
	Clock Clock
	// FrameRate is frames per second, 10 to 60 (default 30).
	FrameRate int
	// MaxRequestsPerFrame caps the requests of one frame; beyond it they
	// are sampled (default 400).
	MaxRequestsPerFrame int
	// ClientBuffer is how many messages may wait for one WebSocket
	// client before it is dropped as too slow (default 256).
	ClientBuffer int
	// Page renders GET /; when nil, / is not served.
	Page PageRenderer
	// Static serves /static/*; when nil, it is not served.
	Static http.Handler
	// Logger logs; slog.Default() when nil.
	Logger *slog.Logger
	// Limits protect the server (limits.go); zero fields take defaults.
	Limits Limits
	// Epoch names this run of the server in snapshots, so that a page
	// that reconnects after a restart takes a fresh snapshot; random
	// when empty.
	Epoch string
	// Catalog lists and loads the scenarios of /api/scenarios and saves
	// into its directory; the built-ins alone when nil.
	Catalog *scenarios.Catalog
	// Scenario names what Sim was loaded from (for /api/scenarios and the
	// export's metadata).
	Scenario ScenarioMeta
	// Initial is the scenario Sim was built from, for the default room's
	// state file; Sim.Scenario() at start when nil.
	Initial *model.Scenario
	// StateDir is where every room's state file is written (persist.go);
	// no persistence when empty.
	StateDir string
	// ResumeLocal restores the default room from its state file, when
	// there is one, instead of Sim (main: no -scenario or -seed given).
	ResumeLocal bool
}

// Server is the HTTP side of podpath: the routes, the rooms (each one
// runner that owns its Sim, and one WebSocket hub), and their state
// files. Start it with Run and serve requests with ServeHTTP.
type Server struct {
	runner  *runner // the default room's
	rooms   *registry
	handler http.Handler
}

// New builds a server whose default room runs cfg.Sim, and restores the
// rooms of cfg.StateDir.
func New(cfg Config) (*Server, error) {
	if cfg.Sim == nil {
		return nil, errors.New("server: Config.Sim is nil")
	}
	if cfg.FrameRate == 0 {
		cfg.FrameRate = DefaultFrameRate
	}
	if cfg.FrameRate < 10 || cfg.FrameRate > 60 {
		return nil, fmt.Errorf("server: FrameRate %d is out of range; allowed 10 to 60", cfg.FrameRate)
	}
	if cfg.MaxRequestsPerFrame == 0 {
		cfg.MaxRequestsPerFrame = DefaultMaxRequestsPerFrame
	}
	if cfg.MaxRequestsPerFrame < 1 {
		return nil, fmt.Errorf("server: MaxRequestsPerFrame %d must be at least 1", cfg.MaxRequestsPerFrame)
	}
	if cfg.ClientBuffer == 0 {
		cfg.ClientBuffer = DefaultClientBuffer
	}
	if cfg.ClientBuffer < 1 {
		return nil, fmt.Errorf("server: ClientBuffer %d must be at least 1", cfg.ClientBuffer)
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Catalog == nil {
		cfg.Catalog = scenarios.NewCatalog("")
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.Epoch == "" {
		cfg.Epoch = newEpoch()
	}
	d := &deps{
		cfg:   cfg,
		stats: &serverStats{},
		ips:   newIPLimiter(cfg.Limits.APIRate, cfg.Limits.APIBurst, time.Now),
		loads: newGate(cfg.Limits.LoadsAtOnce),
		conns: newGate(cfg.Limits.MaxClients),
	}
	reg := &registry{rooms: map[string]*room{}, max: cfg.Limits.MaxRooms, idle: cfg.Limits.RoomIdle, now: cfg.Clock.Now, log: cfg.Logger}
	d.rooms = reg
	if cfg.StateDir != "" {
		store, err := newStateStore(cfg.StateDir, cfg.Clock.Now, cfg.Logger)
		if err != nil {
			return nil, err
		}
		reg.store = store
		d.store = store
	}

	var local *room
	for _, rs := range reg.store.loadAll(cfg.Catalog) {
		if rs.file.ID == LocalRoomID && !cfg.ResumeLocal {
			continue // a fresh default room replaces it
		}
		rm := d.newRoom(roomSpec{file: rs.file, sim: rs.sim, hash: rs.hash, restored: true})
		if err := reg.add(rm); err != nil {
			cfg.Logger.Error("restore room", "room", rs.file.ID, "err", err)
			continue
		}
		cfg.Logger.Info("room restored", "room", rs.file.ID, "commands", len(rs.file.Log), "virtual_ms", rs.sim.Now())
		if rm.id == LocalRoomID {
			local = rm
		}
	}
	if local == nil {
		sc := cfg.Sim.Scenario()
		if cfg.Initial != nil {
			sc = *cfg.Initial
		}
		base, err := scenarioBase(sc)
		if err != nil {
			return nil, err
		}
		file := roomFile{ID: LocalRoomID, Created: cfg.Clock.Now().UTC(), Scenario: cfg.Scenario, Base: base, Seed: cfg.Sim.Seed(), Clock: ClockState{TimeMs: cfg.Sim.Now(), Speed: 1}}
		local = d.newRoom(roomSpec{file: file, sim: cfg.Sim})
		if err := reg.add(local); err != nil {
			return nil, err
		}
	}
	s := &Server{runner: local.runner, rooms: reg}
	s.handler = routes(d, local)
	return s, nil
}

// Run runs every room's loop until ctx is done, then closes every
// WebSocket connection and writes every room's state file. Call it
// once, before or while serving.
func (s *Server) Run(ctx context.Context) { s.rooms.run(ctx) }

// ServeHTTP serves the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// deps are what every room's routes share: the config, the server's
// counters and limits, and the rooms.
type deps struct {
	cfg   Config
	stats *serverStats
	ips   *ipLimiter
	loads *gate // POST /api/load runs, the whole server
	conns *gate // WebSocket connections, the whole server
	rooms *registry
	store *stateStore // nil without a state directory
}

// roomSpec is what a room is made from.
type roomSpec struct {
	file     roomFile // id, parent, created, scenario, base, seed, log, clock
	sim      *model.Sim
	hash     [32]byte
	restored bool
}

// newRoom builds a room's runner, hub, handlers and journal around
// spec.sim; it does not start it (registry.add does).
func (d *deps) newRoom(spec roomSpec) *room {
	cfg := d.cfg
	f := spec.file
	f.Version = stateFileVersion
	log := cfg.Logger
	if f.ID != LocalRoomID {
		log = log.With("room", f.ID)
	}
	h := newHub()
	r := newRunner(spec.sim, cfg.Clock, cfg.FrameRate, cfg.MaxRequestsPerFrame, h, log)
	r.enableResume(cfg.Epoch, cfg.Limits.ResumeWindow, cfg.Limits.ResumeBytes)
	r.restoreState(f.Scenario, walkOf(f.Base, cfg.Catalog))
	r.paused = f.Clock.Paused
	if f.Clock.Speed >= MinSpeed && f.Clock.Speed <= MaxSpeed {
		r.speed = f.Clock.Speed
	}
	f.Clock = ClockState{TimeMs: spec.sim.Now(), Paused: r.paused, Speed: r.speed}
	h.stats.virtualMs.Store(spec.sim.Now())
	rm := &room{
		id:        f.ID,
		parent:    f.Parent,
		created:   f.Created,
		open:      f.ID == LocalRoomID,
		tokenHash: spec.hash,
		runner:    r,
		hub:       h,
		limits:    cfg.Limits,
		now:       cfg.Clock.Now,
		commands:  newLimiter(cfg.Limits.RoomCommandRate, cfg.Limits.RoomCommandBurst),
	}
	if !rm.open {
		f.TokenHash = hex.EncodeToString(spec.hash[:])
	}
	rm.walk = &walkthroughHandlers{runner: r, catalog: cfg.Catalog, log: log}
	rm.scenarios = &scenarioHandlers{runner: r, catalog: cfg.Catalog, check: cfg.Limits.checkCluster, log: log}
	rm.quiz = newQuizHandlers(r, cfg.Clock.Now, log)
	rm.journal = newJournal(f, h.stats.virtualMs.Load, d.store)
	r.record = rm.journal.record
	rm.handler = roomRoutes(d, rm)
	return rm
}
