package server

import (
	"context"
	"fmt"
	"maps"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// The room's state beside the Sim, owned by the runner's loop like the
// Sim itself: which cluster is live (a generation number, counted up by
// every Replace), what it was loaded from, the walkthrough step it was
// built as and the followers' votes on its prompt, and the commands
// accepted since the last frame. Handlers reach it only through the
// calls below, which run on the loop one at a time: no mutex, and no
// handler holds a *model.Sim to compare. runner.go keeps the hooks
// (the field st, accepted, takeCommands).

// loopState is the runner's state for the API; the loop owns it.
type loopState struct {
	// gen names the live cluster: Replace counts it up, so a walkthrough
	// (or any caller) that read gen knows whether the cluster it read is
	// still the live one.
	gen uint64
	// scenario is what the live cluster was loaded from.
	scenario ScenarioMeta
	// walk is the walkthrough step played last, walkGen the generation
	// it built; the live cluster is that step while walkGen == gen.
	walk    *walkState
	walkGen uint64
	// votes are the followers' answers to walk's waiting prompt, by voter
	// id; nil after every Replace.
	votes map[string]int
	// echoes are the commands accepted since the last frame.
	echoes []CommandEcho
}

// walkState is one walkthrough step as it was built. It does not change
// once handed to the runner (a new step or answer is a new walkState),
// so a handler may render it off the loop.
type walkState struct {
	name     string
	sc       model.Scenario
	steps    []scenarios.Step
	step     int
	awaiting bool
	answered map[int]int // step → the choice made
}

// cluster is a new live cluster for Replace: the Sim (the runner takes
// it), what it was loaded from, how to build it again (the state file),
// and the walkthrough step it is, if any.
type cluster struct {
	sim  *model.Sim
	meta ScenarioMeta
	base roomBase
	walk *walkState
}

// accepted notes a command the live Sim took: its oc equivalent goes
// out with the next frame to every viewer, and is returned. It runs on
// the loop.
func (r *runner) accepted(cmd model.Command, raw []byte) string {
	oc := scenarios.OC(cmd, raw, r.sim)
	r.st.echoes = append(r.st.echoes, CommandEcho{Type: cmd.CommandType(), OC: oc})
	return oc
}

// takeCommands returns and forgets the commands accepted since the last
// frame (nil when there were none). It runs on the loop.
func (r *runner) takeCommands() []CommandEcho {
	out := r.st.echoes
	r.st.echoes = nil
	return out
}

// OC is the oc equivalent of cmd on the live cluster, without applying
// it (POST /api/oc: the route editor's preview).
func (r *runner) OC(ctx context.Context, cmd model.Command, raw []byte) (string, error) {
	var oc string
	err := r.do(ctx, func() { oc = scenarios.OC(cmd, raw, r.sim) })
	return oc, err
}

// errStale refuses a change computed from a cluster that is no longer
// the live one.
var errStale = fmt.Errorf("%w: the room's cluster changed meanwhile (another load, reset or step); try again", model.ErrConflict)

// Replace swaps the live Sim for c.sim, a new cluster, and sends every
// viewer a fresh snapshot (its seq is one past the last frame, so frames
// continue without a gap) under a new resume epoch. Pause and speed are
// kept. The generation counts up; the votes start over. With ifGen set,
// the swap happens only while the live cluster is still generation
// *ifGen (else errStale). The runner takes ownership of c.sim.
func (r *runner) Replace(ctx context.Context, c cluster, ifGen *uint64) (model.Snapshot, error) {
	var snap model.Snapshot
	var sendErr, stale error
	if err := r.do(ctx, func() {
		if ifGen != nil && *ifGen != r.st.gen {
			stale = errStale
			return
		}
		r.sim = c.sim
		r.st.gen++
		r.st.scenario = c.meta
		r.st.votes = nil
		if c.walk != nil {
			r.st.walk, r.st.walkGen = c.walk, r.st.gen
		}
		r.pending = model.Output{}
		r.skippedLog = 0
		r.carryMs = 0
		r.lastWall = r.clock.Now()
		r.sinceMetrics = 0
		r.seq++
		// Frames of the old cluster cannot be resumed into the new one:
		// a new epoch sends a reconnecting client a snapshot.
		if r.ring != nil {
			r.ring.reset()
		}
		if r.epoch != "" {
			r.epoch = newEpoch()
		}
		snap = r.sim.Snapshot()
		r.sentVersion = r.sim.StateVersion()
		r.hub.stats.virtualMs.Store(r.sim.Now())
		if r.record != nil {
			r.record(roomChange{base: &c.base, meta: c.meta, seed: c.sim.Seed()})
		}
		msg, err := prepare(Envelope{Type: TypeSnapshot, Seq: r.seq, T: r.sim.Now(), Epoch: r.epoch, Payload: SnapshotPayload{State: snap, Clock: r.clockState()}})
		if err != nil {
			sendErr = err // viewers catch up on their next reconnect
			return
		}
		r.hub.broadcast(msg)
	}); err != nil {
		return model.Snapshot{}, err
	}
	if stale != nil {
		return model.Snapshot{}, stale
	}
	if sendErr != nil {
		r.log.Error("encode snapshot after a scenario load", "err", sendErr)
	}
	return snap, nil
}

// walkNow is what the loop says of the walkthrough: the step played
// last, whether it is the live cluster (and which generation that is),
// the votes' tally while its prompt waits, and what the live cluster was
// loaded from.
type walkNow struct {
	walk  *walkState // nil before any step
	live  bool
	gen   uint64
	tally []int
	meta  ScenarioMeta
}

// Walkthrough reads the walkthrough's state on the loop.
func (r *runner) Walkthrough(ctx context.Context) (walkNow, error) {
	var now walkNow
	err := r.do(ctx, func() {
		now = walkNow{walk: r.st.walk, gen: r.st.gen, meta: r.st.scenario}
		now.live = r.st.walk != nil && r.st.walkGen == r.st.gen
		if now.live && now.walk.awaiting {
			now.tally = r.tally()
		}
	})
	return now, err
}

// Vote records a follower's answer to the waiting prompt of the live
// walkthrough step and returns the tally. It changes nothing in the
// cluster.
func (r *runner) Vote(ctx context.Context, voter string, choice *int) (VoteResult, error) {
	var res VoteResult
	var voteErr error
	err := r.do(ctx, func() {
		st := r.st.walk
		if st == nil || r.st.walkGen != r.st.gen || !st.awaiting {
			voteErr = errNoPrompt
			return
		}
		p := st.steps[st.step-1].Predict
		if choice == nil || *choice < 0 || *choice >= len(p.Choices) {
			voteErr = invalidf("choice", "required: the index of a choice, 0 to %d", len(p.Choices)-1)
			return
		}
		if r.st.votes == nil {
			r.st.votes = map[string]int{}
		}
		if _, ok := r.st.votes[voter]; !ok && len(r.st.votes) >= maxVoters {
			voteErr = fmt.Errorf("%w: %d votes are in, the most one prompt takes", errRateLimited, maxVoters)
			return
		}
		r.st.votes[voter] = *choice
		res = VoteResult{OK: true, Tally: r.tally()}
	})
	if err != nil {
		return VoteResult{}, err
	}
	return res, voteErr
}

// tally counts the votes per choice of the live step's prompt. It runs
// on the loop.
func (r *runner) tally() []int {
	st := r.st.walk
	p := st.steps[st.step-1].Predict
	if p == nil {
		return nil
	}
	out := make([]int, len(p.Choices))
	for _, c := range r.st.votes {
		out[c]++
	}
	return out
}

// CurrentScenario says what the live cluster was loaded from.
func (r *runner) CurrentScenario(ctx context.Context) (ScenarioMeta, error) {
	var meta ScenarioMeta
	err := r.do(ctx, func() { meta = r.st.scenario })
	return meta, err
}

// ExportScenario is the live cluster as a scenario, with every change
// made since it was loaded, named after what it was loaded from, and
// that, read in the same call.
func (r *runner) ExportScenario(ctx context.Context) (model.Scenario, ScenarioMeta, error) {
	var sc model.Scenario
	var meta ScenarioMeta
	err := r.do(ctx, func() {
		meta = r.st.scenario
		sc = r.sim.Scenario()
		sc.Name, sc.Title, sc.Description = meta.Name, meta.Title, meta.Description
	})
	return sc, meta, err
}

// Rename records that the live cluster was saved under a new name.
func (r *runner) Rename(ctx context.Context, name, source string) {
	_ = r.do(ctx, func() { r.st.scenario.Name, r.st.scenario.Source = name, source })
}

// cloneSim copies the live Sim on the loop; the copy is the caller's.
func (r *runner) cloneSim(ctx context.Context) (*model.Sim, error) {
	var copied *model.Sim
	if err := r.do(ctx, func() { copied = r.sim.Clone() }); err != nil {
		return nil, err
	}
	return copied, nil
}

// restoreState sets what a restored room's state file says: what its
// cluster was loaded from and, for a walkthrough step, that step (live).
// Call it before Run.
func (r *runner) restoreState(meta ScenarioMeta, walk *walkState) {
	r.st.scenario = meta
	r.st.walk, r.st.walkGen = walk, r.st.gen
}

// walkOf is the walkthrough step a room base names, or nil when it is
// not one (or its scenario no longer has that step).
func walkOf(base roomBase, catalog *scenarios.Catalog) *walkState {
	if base.Kind != baseWalkthrough {
		return nil
	}
	sc, steps, err := catalog.Walkthrough(base.Walkthrough)
	if err != nil || base.Step < 1 || base.Step > len(steps) {
		return nil
	}
	answered := maps.Clone(base.Answered)
	if answered == nil {
		answered = map[int]int{}
	}
	return &walkState{name: base.Walkthrough, sc: sc, steps: steps, step: base.Step, awaiting: base.Awaiting, answered: answered}
}
