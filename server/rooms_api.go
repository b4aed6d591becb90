package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// CreateRoomRequest is the body of POST /api/rooms (optional): the
// scenario of the library to start from; without it, the room starts
// from a copy of the default room's current cluster.
type CreateRoomRequest struct {
	Scenario string `json:"scenario,omitempty"`
}

// ResetResult is the answer to POST /r/{id}/api/reset.
type ResetResult struct {
	OK       bool           `json:"ok"`
	Scenario ScenarioMeta   `json:"scenario"`
	State    model.Snapshot `json:"state"`
}

// createRoom answers POST /api/rooms: a new room whose presenter is the
// caller. The answer is the only place the token ever appears.
func (d *deps) createRoom(w http.ResponseWriter, req *http.Request) {
	log := loggerFrom(req.Context())
	var in CreateRoomRequest
	if err := decodeOptionalBody(w, req, &in); err != nil {
		writeError(w, log, err)
		return
	}
	var sc model.Scenario
	var meta ScenarioMeta
	if in.Scenario != "" {
		loaded, _, err := d.cfg.Catalog.Load(in.Scenario)
		if err != nil {
			writeError(w, log, err)
			return
		}
		source := scenarios.SourceDir
		if slices.Contains(scenarios.Names(), in.Scenario) {
			source = scenarios.SourceBuiltin
		}
		sc, meta = loaded, MetaOf(loaded, source)
	} else {
		local, _ := d.rooms.get(LocalRoomID)
		var err error
		if sc, meta, err = copyOf(req.Context(), local); err != nil {
			writeError(w, log, err)
			return
		}
	}
	info, err := d.openRoom(sc, meta, "")
	if err != nil {
		writeError(w, log, err)
		return
	}
	log.Info("room created", "room", info.ID, "scenario", meta.Name)
	writeJSON(w, http.StatusOK, info)
}

// forkRoom answers POST /r/{id}/api/fork: a new room from a copy of
// rm's current cluster, whose presenter is the caller (a follower who
// wants to explore). The new room remembers rm as its parent.
func (d *deps) forkRoom(rm *room) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		log := loggerFrom(req.Context())
		sc, meta, err := copyOf(req.Context(), rm)
		if err != nil {
			writeError(w, log, err)
			return
		}
		info, err := d.openRoom(sc, meta, rm.id)
		if err != nil {
			writeError(w, log, err)
			return
		}
		log.Info("room forked", "room", info.ID, "from", rm.id)
		writeJSON(w, http.StatusOK, info)
	}
}

// copyOf is rm's current cluster as a scenario (every change included).
func copyOf(ctx context.Context, rm *room) (model.Scenario, ScenarioMeta, error) {
	sc, meta, err := rm.runner.ExportScenario(ctx)
	if err != nil {
		return model.Scenario{}, ScenarioMeta{}, err
	}
	if sc.Name == "" {
		sc.Name = scenarios.ExportedName
	}
	meta.Name = sc.Name
	return sc, meta, nil
}

// openRoom builds, registers and starts a room around a new cluster
// built from sc, with a new presenter token.
func (d *deps) openRoom(sc model.Scenario, meta ScenarioMeta, parent string) (RoomInfo, error) {
	if d.rooms.full() {
		return RoomInfo{}, d.rooms.fullError()
	}
	sim, err := model.New(sc)
	if err != nil {
		return RoomInfo{}, fmt.Errorf("server: scenario %q: %w", sc.Name, err)
	}
	if err := d.cfg.Limits.checkCluster(sim); err != nil {
		return RoomInfo{}, err
	}
	base, err := scenarioBase(sc)
	if err != nil {
		return RoomInfo{}, err
	}
	token, hash := newToken()
	id := d.rooms.freeID()
	file := roomFile{ID: id, Parent: parent, Created: d.cfg.Clock.Now().UTC(), Scenario: meta, Base: base, Seed: sim.Seed(), Clock: ClockState{Speed: 1}}
	rm := d.newRoom(roomSpec{file: file, sim: sim, hash: hash})
	if err := d.rooms.add(rm); err != nil {
		d.store.remove(id)
		return RoomInfo{}, err
	}
	d.rooms.created.Add(1)
	info := rm.info(rolePresenter)
	info.Token = token
	return info, nil
}

// resetRoom answers POST /r/{id}/api/reset (presenter only): the room's
// cluster as it was loaded, before any command, at virtual time 0.
func (d *deps) resetRoom(rm *room) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		log := loggerFrom(req.Context())
		base, seed, meta := rm.journal.base()
		sim, err := buildBase(base, seed, d.cfg.Catalog)
		if err != nil {
			writeError(w, log, fmt.Errorf("%w: the room's scenario cannot be rebuilt: %v", model.ErrConflict, err))
			return
		}
		rm.touch()
		snap, err := rm.runner.Replace(req.Context(), cluster{sim: sim, meta: meta, base: base, walk: walkOf(base, d.cfg.Catalog)}, nil)
		if err != nil {
			writeError(w, log, err)
			return
		}
		writeJSON(w, http.StatusOK, ResetResult{OK: true, Scenario: meta, State: snap})
	}
}

// SetClock is POST /api/clock for the room: it counts as activity.
func (rm *room) SetClock(ctx context.Context, change ClockChange) (ClockState, error) {
	rm.touch()
	return rm.runner.SetClock(ctx, change)
}

// full reports whether no other room fits.
func (g *registry) full() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.rooms) >= g.max
}

func (g *registry) fullError() error {
	return fmt.Errorf("%w: %d rooms exist, the most this server holds; try again when one has expired (after %s without clients)", errBusy, g.max, g.idle)
}

// decodeOptionalBody is decodeBody for a body that may be empty.
func decodeOptionalBody(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return decodeError(err)
	}
	if len(data) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return decodeBody(w, r, v)
}
