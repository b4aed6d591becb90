package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
)

// Why a client was dropped (podpath_clients_dropped_total{reason}).
const (
	dropSlow       = iota // its send buffer was full
	dropTooBig            // it sent a message over maxMessageSize
	dropWriteError        // a write failed or timed out
	dropTimeout           // no pong (or message) within pongWait
	numDropReasons
)

var dropReasons = [numDropReasons]string{"slow", "message_too_big", "write_error", "timeout"}

// Where a command came from and what became of it
// (podpath_commands_total{source,result}).
const (
	sourceHTTP = iota
	sourceWS
	numSources
)

const (
	resultAccepted = iota
	resultRejected
	resultRateLimited
	numResults
)

var (
	sourceNames = [numSources]string{"http", "ws"}
	resultNames = [numResults]string{"accepted", "rejected", "rate_limited"}
)

// streamStats counts what one live cluster's stream did: the runner,
// the hub and the connections of that cluster add to it. It holds only
// atomics, so any goroutine may add and /metrics may read at any time.
// When there are rooms, each room has one.
type streamStats struct {
	framesBroadcast atomic.Uint64 // frames the runner encoded for the hub
	messagesSent    atomic.Uint64 // messages written to sockets
	bytesSent       atomic.Uint64
	dropped         [numDropReasons]atomic.Uint64
	commands        [numSources][numResults]atomic.Uint64
	joinsSnapshot   atomic.Uint64 // connections that started with a snapshot
	joinsResumed    atomic.Uint64 // connections that resumed after ?since=
	simRequests     atomic.Int64  // simulated requests so far (model.Metrics.Requests)
	virtualMs       atomic.Int64  // the Sim's virtual time
}

func (s *streamStats) drop(reason int) { s.dropped[reason].Add(1) }

// add adds o's counts to s (totals over rooms; rooms that expired).
func (s *streamStats) add(o *streamStats) {
	s.framesBroadcast.Add(o.framesBroadcast.Load())
	s.messagesSent.Add(o.messagesSent.Load())
	s.bytesSent.Add(o.bytesSent.Load())
	for i := range s.dropped {
		s.dropped[i].Add(o.dropped[i].Load())
	}
	for src := range s.commands {
		for res := range s.commands[src] {
			s.commands[src][res].Add(o.commands[src][res].Load())
		}
	}
	s.joinsSnapshot.Add(o.joinsSnapshot.Load())
	s.joinsResumed.Add(o.joinsResumed.Load())
	s.simRequests.Add(o.simRequests.Load())
}

// command counts one command by source and outcome.
func (s *streamStats) command(source int, err error) {
	switch {
	case err == nil:
		s.commands[source][resultAccepted].Add(1)
	case statusOf(err) == http.StatusTooManyRequests:
		s.commands[source][resultRateLimited].Add(1)
	default:
		s.commands[source][resultRejected].Add(1)
	}
}

// countCommands wraps the step of POST /api/commands to count its
// outcomes.
func countCommands(stats *streamStats, step func(context.Context, json.RawMessage) (CommandResult, error)) func(context.Context, json.RawMessage) (CommandResult, error) {
	return func(ctx context.Context, raw json.RawMessage) (CommandResult, error) {
		res, err := step(ctx, raw)
		stats.command(sourceHTTP, err)
		return res, err
	}
}

// serverStats counts what the server as a whole did (not one cluster).
// Atomics only.
type serverStats struct {
	httpByClass     [6]atomic.Uint64 // index status/100; 0 for anything odd
	rejectedFull    atomic.Uint64    // WebSocket upgrades refused: MaxClients reached
	rateLimitedHTTP atomic.Uint64    // 429s of the per-IP API limit
}

func (s *serverStats) countHTTP(status int) {
	class := status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	s.httpByClass[class].Add(1)
}

// metricsHandler answers GET /metrics in the Prometheus text exposition
// format (version 0.0.4), written by hand.
//
// Stream counters are totals over every room, those that expired
// included; podpath_virtual_time_seconds is the default room's.
type metricsHandler struct {
	server *serverStats
	rooms  *registry
	store  *stateStore // nil without a state directory
}

func (h *metricsHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	p := promWriter{w: bw}
	st := h.server
	s := &streamStats{}
	s.add(&h.rooms.retired)
	clients := 0
	rooms := h.rooms.list()
	for _, rm := range rooms {
		s.add(rm.hub.stats)
		clients += rm.hub.count()
		if rm.id == LocalRoomID {
			s.virtualMs.Store(rm.hub.stats.virtualMs.Load())
		}
	}

	p.family("podpath_rooms", "gauge", "Rooms on this server, the default one included.")
	p.sample("podpath_rooms", "", float64(len(rooms)))
	p.family("podpath_rooms_created_total", "counter", "Rooms created with POST /api/rooms or a fork.")
	p.sample("podpath_rooms_created_total", "", float64(h.rooms.created.Load()))
	p.family("podpath_rooms_expired_total", "counter", "Rooms removed after being idle.")
	p.sample("podpath_rooms_expired_total", "", float64(h.rooms.expired.Load()))
	if h.store != nil {
		p.family("podpath_state_writes_total", "counter", "State files written.")
		p.sample("podpath_state_writes_total", "", float64(h.store.writes.Load()))
		p.family("podpath_state_write_errors_total", "counter", "State file writes that failed (retried with the next change).")
		p.sample("podpath_state_write_errors_total", "", float64(h.store.writeErrors.Load()))
		p.family("podpath_state_files_corrupt_total", "counter", "State files that could not be restored and were set aside.")
		p.sample("podpath_state_files_corrupt_total", "", float64(h.store.corrupt.Load()))
	}
	p.family("podpath_clients_connected", "gauge", "WebSocket clients subscribed to the stream.")
	p.sample("podpath_clients_connected", "", float64(clients))
	p.family("podpath_clients_dropped_total", "counter", "WebSocket clients the server disconnected, by reason.")
	for i, reason := range dropReasons {
		p.sample("podpath_clients_dropped_total", label("reason", reason), float64(s.dropped[i].Load()))
	}
	p.family("podpath_clients_refused_total", "counter", "WebSocket upgrades refused because MaxClients were connected.")
	p.sample("podpath_clients_refused_total", "", float64(st.rejectedFull.Load()))
	p.family("podpath_joins_total", "counter", "WebSocket connections by how they started: a snapshot, or resumed after ?since=.")
	p.sample("podpath_joins_total", label("kind", "snapshot"), float64(s.joinsSnapshot.Load()))
	p.sample("podpath_joins_total", label("kind", "resumed"), float64(s.joinsResumed.Load()))
	p.family("podpath_frames_broadcast_total", "counter", "Frames the runner encoded and handed to the hub.")
	p.sample("podpath_frames_broadcast_total", "", float64(s.framesBroadcast.Load()))
	p.family("podpath_messages_sent_total", "counter", "WebSocket messages written to clients (snapshots, frames, errors).")
	p.sample("podpath_messages_sent_total", "", float64(s.messagesSent.Load()))
	p.family("podpath_bytes_sent_total", "counter", "Bytes of WebSocket messages written to clients (before compression and framing).")
	p.sample("podpath_bytes_sent_total", "", float64(s.bytesSent.Load()))
	p.family("podpath_commands_total", "counter", "Commands received, by source and result.")
	for src, name := range sourceNames {
		for res, result := range resultNames {
			p.sample("podpath_commands_total", label("source", name)+","+label("result", result), float64(s.commands[src][res].Load()))
		}
	}
	p.family("podpath_http_requests_total", "counter", "HTTP requests answered, by status class.")
	for class := 1; class <= 5; class++ {
		p.sample("podpath_http_requests_total", label("code", fmt.Sprintf("%dxx", class)), float64(st.httpByClass[class].Load()))
	}
	p.family("podpath_http_rate_limited_total", "counter", "HTTP requests refused with 429 by the per-address API limit.")
	p.sample("podpath_http_rate_limited_total", "", float64(st.rateLimitedHTTP.Load()))
	p.family("podpath_simulated_requests_total", "counter", "Requests the simulation has run (model metrics.requests).")
	p.sample("podpath_simulated_requests_total", "", float64(s.simRequests.Load()))
	p.family("podpath_virtual_time_seconds", "gauge", "The simulation's virtual time.")
	p.sample("podpath_virtual_time_seconds", "", float64(s.virtualMs.Load())/1000)

	p.family("go_goroutines", "gauge", "Goroutines that currently exist.")
	p.sample("go_goroutines", "", float64(runtime.NumGoroutine()))
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(heap)
	if heap[0].Value.Kind() == metrics.KindUint64 {
		p.family("go_heap_objects_bytes", "gauge", "Bytes of live and not yet swept heap objects.")
		p.sample("go_heap_objects_bytes", "", float64(heap[0].Value.Uint64()))
	}
}

// promWriter writes the text exposition format.
type promWriter struct{ w *bufio.Writer }

func (p promWriter) family(name, typ, help string) {
	fmt.Fprintf(p.w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// sample writes one line; labels is `k="v",…` without braces, or "".
func (p promWriter) sample(name, labels string, v float64) {
	if labels != "" {
		fmt.Fprintf(p.w, "%s{%s} %g\n", name, labels, v)
		return
	}
	fmt.Fprintf(p.w, "%s %g\n", name, v)
}

// label formats k="v"; the values here are constants without quotes,
// backslashes or newlines, so nothing needs escaping.
func label(k, v string) string { return k + `="` + v + `"` }
