package server

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/podpath/podpath/model"
)

// Limits of the runner's clock and frames.
const (
	MinSpeed     = 0.1
	MaxSpeed     = 10
	MaxAdvanceMs = 3_600_000

	// maxTickGap caps the wall time one tick may cover, so that a
	// machine waking from sleep does not fast-forward by hours.
	maxTickGap = 250 * time.Millisecond
	// advanceChunkMs is the step of a fast-forward: finished requests
	// are dropped after each step, so memory stays small.
	advanceChunkMs = 1000
	// maxLogPerFrame caps the log events of one frame; older ones are
	// summarised in one event.
	maxLogPerFrame = 200
	// metricsPerSecond is how often frames carry metrics.
	metricsPerSecond = 4
	// statesPerSecond is how often, on average, frames carry the whole
	// state: a burst of commands shares one state, which bounds the bytes
	// a command storm sends to every client. The budget is a token bucket
	// of stateBurst tokens; the cluster's own changes leave one token for
	// a command, so a click's state goes out at once even while pods
	// are starting.
	statesPerSecond = 10
	stateBurst      = 3
	tokenSlack      = 1e-6 // a frame is 33,333,333 ns: three of them refill 0.99999999 tokens
)

// ErrStopped is returned by calls to a runner whose loop has ended.
var ErrStopped = errors.New("server: runner stopped")

// ClockChange is the body of POST /api/clock. Nil fields are left as
// they are; pause and speed apply before the fast-forward.
type ClockChange struct {
	Paused    *bool    `json:"paused,omitempty"`
	Speed     *float64 `json:"speed,omitempty"`
	AdvanceMs *int64   `json:"advanceMs,omitempty"`
}

// Validate checks every field before anything changes.
func (c ClockChange) Validate() error {
	if c.Paused == nil && c.Speed == nil && c.AdvanceMs == nil {
		return invalidf("body", "set at least one of paused, speed, advanceMs")
	}
	if c.Speed != nil && (*c.Speed < MinSpeed || *c.Speed > MaxSpeed) {
		return invalidf("speed", "%g is out of range; allowed %g to %g", *c.Speed, float64(MinSpeed), float64(MaxSpeed))
	}
	if c.AdvanceMs != nil && (*c.AdvanceMs < 1 || *c.AdvanceMs > MaxAdvanceMs) {
		return invalidf("advanceMs", "%d is out of range; allowed 1 to %d", *c.AdvanceMs, MaxAdvanceMs)
	}
	return nil
}

// call is work for the loop goroutine: the loop runs fn, then closes done.
type call struct {
	fn   func()
	done chan struct{}
}

// runner steps the live simulation in real time and turns what it
// produces into frames for the hub.
//
// Ownership: the goroutine running Run owns the *model.Sim and every
// field below "owned by the loop". Other goroutines reach them only
// through calls (Apply, SetClock, State, Trace, Load, join), which the
// loop runs one at a time between ticks. No mutex guards the Sim.
type runner struct {
	clock       Clock
	frameEvery  time.Duration
	metricsDue  int // frames between two frames with metrics
	maxRequests int
	hub         *hub
	log         *slog.Logger

	calls   chan call
	stopped chan struct{} // closed when Run returns

	// owned by the loop
	sim          *model.Sim
	paused       bool
	speed        float64
	lastWall     time.Time
	carryMs      float64 // virtual ms not yet applied (below 1 ms)
	seq          uint64  // seq of the last frame
	sentVersion  uint64  // StateVersion of the last state sent
	sinceMetrics int     // frames since the last metrics
	stateTokens  float64 // states that may be sent now (the token bucket)
	pending      model.Output
	skippedLog   int       // log events dropped from pending
	st           loopState // generation, scenario, walkthrough, votes (runner_state.go)

	// record is told every accepted change, on the loop (persist.go);
	// nil when the room is not persisted. Set before Run.
	record func(roomChange)

	// the resumable stream (resume.go); set by enableResume before Run
	epoch        string        // this server run, sent in snapshots
	resumeWindow time.Duration // how long frames are kept without clients
	ring         *frameRing    // recent frames, owned by the loop
	lastListener time.Time     // when a client was last subscribed
}

func newRunner(sim *model.Sim, clock Clock, frameRate, maxRequests int, h *hub, log *slog.Logger) *runner {
	return &runner{
		clock:       clock,
		frameEvery:  time.Second / time.Duration(frameRate),
		metricsDue:  max(1, frameRate/metricsPerSecond),
		stateTokens: stateBurst,
		maxRequests: maxRequests,
		hub:         h,
		log:         log,
		calls:       make(chan call),
		stopped:     make(chan struct{}),
		sim:         sim,
		speed:       1,
		sentVersion: sim.StateVersion(),
	}
}

// Run is the loop: it owns the Sim until ctx is done, then closes every
// WebSocket client. Call it once.
func (r *runner) Run(ctx context.Context) {
	defer close(r.stopped)
	defer r.hub.closeAll()
	ticker := r.clock.NewTicker(r.frameEvery)
	defer ticker.Stop()
	r.lastWall = r.clock.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticker.C():
			r.tick(now, false)
		case c := <-r.calls:
			c.fn()
			close(c.done)
		}
	}
}

// do runs fn on the loop goroutine and waits for it.
func (r *runner) do(ctx context.Context, fn func()) error {
	c := call{fn: fn, done: make(chan struct{})}
	select {
	case r.calls <- c:
	case <-ctx.Done():
		return ctx.Err()
	case <-r.stopped:
		return ErrStopped
	}
	<-c.done // the loop runs fn right away
	return nil
}

// apply applies cmd to the live Sim and returns the new state and the
// command's oc equivalent; raw is its JSON, for the room's state file. A
// rejected command changes nothing. check, when set, may refuse the
// command first (the room's object limits, counted on the live Sim).
func (r *runner) apply(ctx context.Context, cmd model.Command, raw []byte, check func(*model.Sim, model.Command) error) (model.Snapshot, string, error) {
	var snap model.Snapshot
	var oc string
	var applyErr error
	if err := r.do(ctx, func() {
		if check != nil {
			if applyErr = check(r.sim, cmd); applyErr != nil {
				return
			}
		}
		if applyErr = r.sim.Apply(cmd); applyErr == nil {
			r.collect()
			snap = r.sim.Snapshot()
			oc = r.accepted(cmd, raw) // runner_state.go: echoed in the next frame
			r.hub.stats.virtualMs.Store(r.sim.Now())
			if r.record != nil {
				r.record(roomChange{atMs: r.sim.Now(), command: raw})
			}
			r.flushState()
		}
	}); err != nil {
		return model.Snapshot{}, "", err
	}
	return snap, oc, applyErr
}

// flushState ticks at once when the state changed and a state token is
// left, so that a command's result reaches every viewer without waiting
// for the next tick. Commands in a burst still share one state: without a
// token, the change waits for the next frame that has one.
func (r *runner) flushState() {
	if r.sim.StateVersion() != r.sentVersion && r.stateTokens >= 1-tokenSlack {
		r.tick(r.clock.Now(), true)
	}
}

// SetClock validates and applies a clock change and returns the clock.
func (r *runner) SetClock(ctx context.Context, change ClockChange) (ClockState, error) {
	if err := change.Validate(); err != nil {
		return ClockState{}, err
	}
	var state ClockState
	err := r.do(ctx, func() {
		if change.Paused != nil {
			r.paused = *change.Paused
		}
		if change.Speed != nil {
			r.speed = *change.Speed
		}
		if change.AdvanceMs != nil {
			r.advance(*change.AdvanceMs)
		}
		state = r.clockState()
		r.hub.stats.virtualMs.Store(r.sim.Now())
		if r.record != nil {
			r.record(roomChange{atMs: r.sim.Now(), clock: &change, state: state})
		}
	})
	return state, err
}

// State returns the current state and clock.
func (r *runner) State(ctx context.Context) (model.Snapshot, ClockState, error) {
	var snap model.Snapshot
	var clock ClockState
	err := r.do(ctx, func() {
		snap = r.sim.Snapshot()
		clock = r.clockState()
	})
	return snap, clock, err
}

// StateWithEnv is the snapshot with the environment of the named pods.
func (r *runner) StateWithEnv(ctx context.Context, pods []string) (model.Snapshot, error) {
	var snap model.Snapshot
	var snapErr error
	if err := r.do(ctx, func() { snap, snapErr = r.sim.SnapshotWithEnv(pods) }); err != nil {
		return model.Snapshot{}, err
	}
	return snap, snapErr
}

// Trace runs one explained request on a copy of the live state.
func (r *runner) Trace(ctx context.Context, req model.TraceRequest) (model.TraceResult, error) {
	var res model.TraceResult
	var traceErr error
	if err := r.do(ctx, func() { res, traceErr = r.sim.Trace(req) }); err != nil {
		return model.TraceResult{}, err
	}
	return res, traceErr
}

// Load runs many requests on a copy of the live state. The copy is made
// on the loop and the requests run on the caller's goroutine, so a big
// load does not stall the frames.
func (r *runner) Load(ctx context.Context, req model.LoadRequest) (model.LoadResult, error) {
	var copied *model.Sim
	if err := r.do(ctx, func() { copied = r.sim.Clone() }); err != nil {
		return model.LoadResult{}, err
	}
	return copied.Load(req)
}

func (r *runner) clockState() ClockState {
	return ClockState{TimeMs: r.sim.Now(), Paused: r.paused, Speed: r.speed}
}

// tick advances virtual time by the wall time since the last tick times
// the speed, unless paused, and sends one frame; command is set when a
// command's state asks for it (flushState).
func (r *runner) tick(now time.Time, command bool) {
	dt := min(now.Sub(r.lastWall), maxTickGap)
	r.lastWall = now
	if dt > 0 {
		r.stateTokens = min(stateBurst, r.stateTokens+dt.Seconds()*statesPerSecond)
	}
	if !r.paused && dt > 0 {
		r.carryMs += float64(dt) / float64(time.Millisecond) * r.speed
		whole := int64(r.carryMs)
		r.carryMs -= float64(whole)
		if whole > 0 {
			r.sim.AdvanceTo(r.sim.Now() + whole)
		}
	}
	r.collect()
	r.hub.stats.virtualMs.Store(r.sim.Now())
	r.sendFrame(command)
}

// advance fast-forwards virtual time by ms in steps, keeping only the
// requests still in flight at the end and the latest log events.
func (r *runner) advance(ms int64) {
	target := r.sim.Now() + ms
	for t := r.sim.Now(); t < target; {
		t = min(t+advanceChunkMs, target)
		r.sim.AdvanceTo(t)
		r.collect()
	}
}

// collect drains the Sim into pending, dropping requests that already
// finished and log events beyond maxLogPerFrame (counted in skippedLog).
func (r *runner) collect() {
	out := r.sim.Drain()
	now := r.sim.Now()
	inFlight := r.pending.Requests[:0]
	for _, batch := range [][]model.Request{r.pending.Requests, out.Requests} {
		for _, req := range batch {
			if req.EndMs > now {
				inFlight = append(inFlight, req)
			}
		}
	}
	r.pending.Requests = inFlight
	r.pending.Log = append(r.pending.Log, out.Log...)
	if extra := len(r.pending.Log) - maxLogPerFrame; extra > 0 {
		r.skippedLog += extra
		r.pending.Log = append(r.pending.Log[:0], r.pending.Log[extra:]...)
	}
}
