package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime/metrics"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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

// metricsCollector exposes the counters above to Prometheus
// (github.com/prometheus/client_golang): it reads them at every scrape,
// so the counting stays lock-free atomics and the exposition (format,
// escaping, content negotiation, gzip) is the library's.
//
// Stream counters are totals over every room, those that expired
// included; podpath_virtual_time_seconds is the default room's.
type metricsCollector struct {
	server *serverStats
	rooms  *registry
	store  *stateStore // nil without a state directory
}

// metric is one family: its name, help, type and labels.
type metric struct {
	desc *prometheus.Desc
	typ  prometheus.ValueType
}

func newMetric(name, help string, typ prometheus.ValueType, labels ...string) metric {
	return metric{desc: prometheus.NewDesc(name, help, labels, nil), typ: typ}
}

// The families, names and meanings as docs/api.md lists them.
var (
	mRooms         = newMetric("podpath_rooms", "Rooms on this server, the default one included.", prometheus.GaugeValue)
	mRoomsCreated  = newMetric("podpath_rooms_created_total", "Rooms created with POST /api/rooms or a fork.", prometheus.CounterValue)
	mRoomsExpired  = newMetric("podpath_rooms_expired_total", "Rooms removed after being idle.", prometheus.CounterValue)
	mStateWrites   = newMetric("podpath_state_writes_total", "State files written.", prometheus.CounterValue)
	mStateErrors   = newMetric("podpath_state_write_errors_total", "State file writes that failed (retried with the next change).", prometheus.CounterValue)
	mStateCorrupt  = newMetric("podpath_state_files_corrupt_total", "State files that could not be restored and were set aside.", prometheus.CounterValue)
	mClients       = newMetric("podpath_clients_connected", "WebSocket clients subscribed to the stream.", prometheus.GaugeValue)
	mDropped       = newMetric("podpath_clients_dropped_total", "WebSocket clients the server disconnected, by reason.", prometheus.CounterValue, "reason")
	mRefused       = newMetric("podpath_clients_refused_total", "WebSocket upgrades refused because MaxClients were connected.", prometheus.CounterValue)
	mJoins         = newMetric("podpath_joins_total", "WebSocket connections by how they started: a snapshot, or resumed after ?since=.", prometheus.CounterValue, "kind")
	mFrames        = newMetric("podpath_frames_broadcast_total", "Frames the runner encoded and handed to the hub.", prometheus.CounterValue)
	mMessages      = newMetric("podpath_messages_sent_total", "WebSocket messages written to clients (snapshots, frames, errors).", prometheus.CounterValue)
	mBytes         = newMetric("podpath_bytes_sent_total", "Bytes of WebSocket messages written to clients (before compression and framing).", prometheus.CounterValue)
	mCommands      = newMetric("podpath_commands_total", "Commands received, by source and result.", prometheus.CounterValue, "source", "result")
	mHTTP          = newMetric("podpath_http_requests_total", "HTTP requests answered, by status class.", prometheus.CounterValue, "code")
	mHTTPLimited   = newMetric("podpath_http_rate_limited_total", "HTTP requests refused with 429 by the per-address API limit.", prometheus.CounterValue)
	mSimRequests   = newMetric("podpath_simulated_requests_total", "Requests the simulation has run (model metrics.requests).", prometheus.CounterValue)
	mVirtualTime   = newMetric("podpath_virtual_time_seconds", "The simulation's virtual time.", prometheus.GaugeValue)
	mHeapObjects   = newMetric("go_heap_objects_bytes", "Bytes of live and not yet swept heap objects.", prometheus.GaugeValue)
	metricFamilies = []metric{mRooms, mRoomsCreated, mRoomsExpired, mStateWrites, mStateErrors, mStateCorrupt, mClients, mDropped, mRefused, mJoins, mFrames, mMessages, mBytes, mCommands, mHTTP, mHTTPLimited, mSimRequests, mVirtualTime, mHeapObjects}
)

// Describe implements prometheus.Collector.
func (c *metricsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range metricFamilies {
		ch <- m.desc
	}
}

// Collect implements prometheus.Collector: one reading of every counter.
func (c *metricsCollector) Collect(ch chan<- prometheus.Metric) {
	put := func(m metric, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(m.desc, m.typ, v, labels...)
	}
	count := func(m metric, v uint64, labels ...string) { put(m, float64(v), labels...) }
	st := c.server
	s := &streamStats{}
	s.add(&c.rooms.retired)
	clients := 0
	rooms := c.rooms.list()
	for _, rm := range rooms {
		s.add(rm.hub.stats)
		clients += rm.hub.count()
		if rm.id == LocalRoomID {
			s.virtualMs.Store(rm.hub.stats.virtualMs.Load())
		}
	}

	put(mRooms, float64(len(rooms)))
	count(mRoomsCreated, c.rooms.created.Load())
	count(mRoomsExpired, c.rooms.expired.Load())
	if c.store != nil {
		count(mStateWrites, c.store.writes.Load())
		count(mStateErrors, c.store.writeErrors.Load())
		count(mStateCorrupt, c.store.corrupt.Load())
	}
	put(mClients, float64(clients))
	for i, reason := range dropReasons {
		count(mDropped, s.dropped[i].Load(), reason)
	}
	count(mRefused, st.rejectedFull.Load())
	count(mJoins, s.joinsSnapshot.Load(), "snapshot")
	count(mJoins, s.joinsResumed.Load(), "resumed")
	count(mFrames, s.framesBroadcast.Load())
	count(mMessages, s.messagesSent.Load())
	count(mBytes, s.bytesSent.Load())
	for src, name := range sourceNames {
		for res, result := range resultNames {
			count(mCommands, s.commands[src][res].Load(), name, result)
		}
	}
	for class := 1; class <= 5; class++ {
		count(mHTTP, st.httpByClass[class].Load(), fmt.Sprintf("%dxx", class))
	}
	count(mHTTPLimited, st.rateLimitedHTTP.Load())
	put(mSimRequests, float64(s.simRequests.Load()))
	put(mVirtualTime, float64(s.virtualMs.Load())/1000)
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(heap)
	if heap[0].Value.Kind() == metrics.KindUint64 {
		count(mHeapObjects, heap[0].Value.Uint64())
	}
}

// metricsHandler answers GET /metrics in the Prometheus text exposition
// format: the counters above and the Go runtime's (go_goroutines and the
// rest of client_golang's Go collector).
func metricsHandler(c *metricsCollector) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c, collectors.NewGoCollector())
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
