package server

import (
	"encoding/json"
	"fmt"

	"github.com/gorilla/websocket"
	"github.com/podpath/podpath/model"
)

// frameHistoryPoints is how many of the newest Metrics.History points a
// frame's metrics carry: a few seconds of overlap, so a missed frame
// leaves no hole.
const frameHistoryPoints = 5

// sendFrame turns pending into one frame, encodes it once and hands it
// to the hub. It runs on the loop.
func (r *runner) sendFrame(command bool) {
	r.seq++
	requests, k := sample(r.pending.Requests, r.maxRequests)
	strings, wire := encodeRequests(requests)
	payload := FramePayload{
		Clock:    r.clockState(),
		Strings:  strings,
		Requests: wire,
		Log:      r.takeLog(),
		Commands: r.takeCommands(),
		Sampled:  k,
	}
	r.pending.Requests = nil

	r.sinceMetrics++
	// A changed state spends a token (runner.go statesPerSecond); the
	// cluster's own changes keep one back for a command's state.
	need := 2.0
	if command {
		need = 1
	}
	stateChanged := r.sim.StateVersion() != r.sentVersion && r.stateTokens >= need-tokenSlack
	metricsDue := r.sinceMetrics >= r.metricsDue
	if stateChanged || metricsDue {
		snap := r.sim.Snapshot()
		// Frames carry the newest history points only, in their state as
		// in their metrics; the page merges them into the history its
		// snapshot brought (docs/api.md).
		h := snap.Metrics.History
		snap.Metrics.History = h[max(0, len(h)-frameHistoryPoints):]
		if stateChanged {
			r.sentVersion = r.sim.StateVersion()
			r.stateTokens--
			payload.State = &snap
		}
		if metricsDue {
			r.sinceMetrics = 0
			m := snap.Metrics
			payload.Metrics = &m
			r.hub.stats.simRequests.Store(snap.Metrics.Requests)
		}
	}

	if r.hub.empty() {
		// Nobody to encode for. Frames are still kept for a while, for
		// clients that reconnect with ?since=; after that the ring
		// starts over and the next joiner gets a snapshot.
		if r.lastWall.Sub(r.lastListener) > r.resumeWindow {
			r.ring.reset()
			return
		}
	} else {
		r.lastListener = r.lastWall
	}
	msg, err := prepare(Envelope{Type: TypeFrame, Seq: r.seq, T: r.sim.Now(), Wall: r.lastWall.UnixMilli(), Payload: payload})
	if err != nil {
		r.log.Error("encode frame", "seq", r.seq, "err", err)
		return
	}
	msg.seq = r.seq
	r.ring.push(msg)
	r.hub.stats.framesBroadcast.Add(1)
	r.hub.broadcast(msg)
}

// takeLog returns and forgets the pending log events, led by a summary
// when some were dropped.
func (r *runner) takeLog() []model.LogEvent {
	events := make([]model.LogEvent, 0, len(r.pending.Log)+1)
	if r.skippedLog > 0 {
		events = append(events, model.LogEvent{
			TimeMs:  r.sim.Now(),
			Kind:    "command",
			Object:  "clock",
			Message: fmt.Sprintf("%d earlier events not shown", r.skippedLog),
		})
		r.skippedLog = 0
	}
	events = append(events, r.pending.Log...)
	r.pending.Log = nil
	return events
}

// sample keeps at most about limit requests: with k = ⌈n/limit⌉, the
// requests whose id is a multiple of k. It returns them and k.
func sample(requests []model.Request, limit int) ([]model.Request, int) {
	if len(requests) <= limit {
		if requests == nil {
			requests = []model.Request{} // JSON [], not null
		}
		return requests, 1
	}
	k := (len(requests) + limit - 1) / limit
	kept := make([]model.Request, 0, limit)
	for _, req := range requests {
		if req.ID%uint64(k) == 0 {
			kept = append(kept, req)
		}
	}
	return kept, k
}

// prepare encodes an envelope once for every client.
func prepare(e Envelope) (*encoded, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", e.Type, err)
	}
	msg, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", e.Type, err)
	}
	return &encoded{msg: msg, size: len(data)}, nil
}
