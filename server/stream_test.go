package server

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

const scaleShop = `{"type":"scale","namespace":"shop","deployment":"shop","replicas":%d}`

func TestStreamSendsSnapshotThenFramesInOrder(t *testing.T) {
	h := newHarness(t)
	h.clock.Tick(3) // frames before the client joins are not its business
	conn := h.dial()

	snapMsg, snap := readSnapshot(t, conn)
	assert.Equal(t, deployment(t, h.state(), "shop", "shop"), deployment(t, snap.State, "shop", "shop"))
	assert.Equal(t, snap.State.TimeMs, snap.Clock.TimeMs)
	assert.Equal(t, 1.0, snap.Clock.Speed)
	assert.False(t, snap.Clock.Paused)

	// 60 frames are 2 s of virtual time: at 8 req/s, requests are certain.
	const frames = 60
	h.clock.Tick(frames)
	seq, timeMs := snapMsg.Seq, snapMsg.T
	sawRequests := false
	for range frames {
		m, f := readFrame(t, conn)
		assert.Equal(t, seq+1, m.Seq, "frames follow the snapshot without a gap")
		assert.Greater(t, m.T, timeMs, "virtual time moves on every frame")
		assert.Equal(t, m.T, f.Clock.TimeMs)
		assert.Equal(t, 1, f.Sampled)
		for _, r := range f.Requests {
			assert.Greater(t, r.EndMs(), m.T, "a frame carries only requests still in flight")
			sawRequests = true
		}
		seq, timeMs = m.Seq, m.T
	}
	assert.True(t, sawRequests, "the shop scenario generates traffic")
}

func TestScaleThroughAPIShowsInStream(t *testing.T) {
	h := newHarness(t)
	conn := h.dial()
	readSnapshot(t, conn)

	var reply CommandResult
	decode(t, h.post("/api/commands", fmt.Sprintf(scaleShop, 6)), &reply)
	assert.True(t, reply.OK)
	require.NotNil(t, reply.State, "the answer carries the new state")
	assert.Equal(t, 6, deployment(t, *reply.State, "shop", "shop").Replicas)

	// The frame carrying the new state goes out at once, not at the next tick.
	_, f := readFrame(t, conn)
	require.NotNil(t, f.State, "the frame after a command carries the new state")
	assert.Equal(t, 6, deployment(t, *f.State, "shop", "shop").Replicas)
	assert.Equal(t, 6, appPods(*f.State, "shop"))

	// New pods turn ready within a minute of virtual time. The state
	// comes at most 10 times a second: within a few frames.
	h.post("/api/clock", `{"advanceMs":60000}`)
	state := h.nextState(conn)
	assert.Equal(t, 6, deployment(t, state, "shop", "shop").ReadyReplicas)
}

func TestCommandOverWebSocket(t *testing.T) {
	h := newHarness(t)
	conn := h.dial()
	readSnapshot(t, conn)
	before := h.stateJSON()

	bad := map[string]string{
		`{"type":"hello"}`:   "type",
		`{"type":"command"}`: "payload",
		`{"type":"command","payload":{"type":"scale","namespace":"shop","deployment":"shop","replicas":-1}}`: "replicas",
		`{"type":"command","payload":{"type":"explode"}}`:                                                    "explode",
		`{"type":"command","payload":{}, "extra":1}`:                                                         "extra",
		`{"type":"command"`: "malformed",
	}
	for msg, want := range bad {
		require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(msg)))
		m := read(t, conn)
		require.Equal(t, TypeError, m.Type, "%s → %s", msg, m.raw)
		var e ErrorPayload
		decode(t, m.Payload, &e)
		assert.Contains(t, e.Error, want, msg)
	}
	assert.JSONEq(t, string(before), string(h.stateJSON()), "bad messages change nothing")

	require.NoError(t, conn.WriteJSON(map[string]any{"type": "command", "payload": map[string]any{
		"type": "scale", "namespace": "shop", "deployment": "shop", "replicas": 5,
	}}))
	require.Eventually(t, func() bool { return deployment(t, h.state(), "shop", "shop").Replicas == 5 }, readTimeout, tickWait)
	h.clock.Tick(1)
	_, f := readFrame(t, conn)
	require.NotNil(t, f.State)
	assert.Equal(t, 5, deployment(t, *f.State, "shop", "shop").Replicas)
}

func TestWebSocketChecksOrigin(t *testing.T) {
	h := newHarness(t)
	url := "ws" + strings.TrimPrefix(h.http.URL, "http") + "/ws"

	_, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"https://evil.example"}})
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp.Body.Close()

	conn := h.dialWith(websocket.DefaultDialer, http.Header{"Origin": {h.http.URL}})
	readSnapshot(t, conn)
}

func TestSlowClientIsDroppedWithoutDelayingOthers(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ClientBuffer = 8 })
	// The slow client never reads, and its socket buffers are tiny, so
	// the server's writes to it stall and its send buffer fills.
	slowDialer := &websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		conn, err := net.Dial(network, addr)
		if err == nil {
			err = conn.(*net.TCPConn).SetReadBuffer(1024)
		}
		return conn, err
	}}
	h.dialWith(slowDialer, nil)
	fast := h.dial()
	_, _ = readSnapshot(t, fast)
	require.Eventually(t, func() bool { return h.srv.runner.hub.count() == 2 }, readTimeout, tickWait, "both clients joined")

	var seq uint64
	for i := 0; h.srv.runner.hub.count() == 2; i++ {
		require.Less(t, i, 20000, "the slow client was never dropped")
		h.clock.Tick(1)
		m, _ := readFrame(t, fast)
		if seq != 0 {
			require.Equal(t, seq+1, m.Seq, "the fast client misses nothing")
		}
		seq = m.Seq
	}
	assert.Equal(t, 1, h.srv.runner.hub.count())

	// The fast client goes on as before.
	h.clock.Tick(5)
	for range 5 {
		m, _ := readFrame(t, fast)
		require.Equal(t, seq+1, m.Seq)
		seq = m.Seq
	}
}

func TestShutdownClosesSockets(t *testing.T) {
	h := newHarness(t)
	conn := h.dial()
	readSnapshot(t, conn)
	h.stop()

	_, _, err := conn.ReadMessage()
	var closeErr *websocket.CloseError
	require.ErrorAs(t, err, &closeErr)
	assert.Equal(t, websocket.CloseGoingAway, closeErr.Code)

	status, body := h.call(http.MethodGet, "/api/state", "")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, string(body), "runner stopped")
}

func TestFastForwardSendsOnlyWhatIsStillInFlight(t *testing.T) {
	h := newHarness(t)
	conn := h.dial()
	readSnapshot(t, conn)
	h.post("/api/clock", `{"paused":true}`)
	h.post("/api/commands", fmt.Sprintf(scaleShop, 8))
	start := h.state().TimeMs

	var clock ClockState
	decode(t, h.post("/api/clock", fmt.Sprintf(`{"advanceMs":%d}`, MaxAdvanceMs)), &clock)
	assert.Equal(t, start+MaxAdvanceMs, clock.TimeMs)
	h.clock.Tick(1)
	readFramesTo(t, conn, 0, h.lastSeq()-1) // the scale's own frame
	m, f := readFrame(t, conn)
	assert.Equal(t, start+MaxAdvanceMs, m.T)
	assert.LessOrEqual(t, len(f.Log), maxLogPerFrame+1, "an hour of events is summarised")
	for _, r := range f.Requests {
		assert.Greater(t, r.EndMs(), m.T, "finished requests are not sent")
	}
	state := f.State // this frame, or within a few frames when no state token was left
	if state == nil {
		s := h.nextState(conn)
		state = &s
	}
	assert.Equal(t, 8, deployment(t, *state, "shop", "shop").ReadyReplicas)
}

func TestSamplingKeepsOneRequestInK(t *testing.T) {
	requests := make([]model.Request, 1000)
	for i := range requests {
		requests[i].ID = uint64(i + 1)
	}
	kept, k := sample(requests, 400)
	assert.Equal(t, 3, k)
	assert.Len(t, kept, 333)
	for _, r := range kept {
		assert.Zero(t, r.ID%3)
	}

	kept, k = sample(requests[:400], 400)
	assert.Equal(t, 1, k)
	assert.Len(t, kept, 400)

	kept, k = sample(nil, 400)
	assert.Equal(t, 1, k)
	assert.NotNil(t, kept, "an empty frame has requests: [], not null")
}

// Snapshots carry the whole latency history; frames only its newest
// points, which the page merges by t.
func TestFramesCarryTheNewestHistoryPoints(t *testing.T) {
	h := newHarness(t)
	h.post("/api/clock", `{"advanceMs":20000}`)
	conn := h.dial()
	_, snap := readSnapshot(t, conn)
	require.GreaterOrEqual(t, len(snap.State.Metrics.History), 20)

	h.post("/api/commands", fmt.Sprintf(scaleShop, 5)) // a frame with the state
	h.clock.Tick(30)                                   // 1 s of virtual time: metrics come about 4 times a second
	var last []model.MetricsPoint
	states := 0
	for range 31 {
		_, f := readFrame(t, conn)
		if f.Metrics != nil {
			last = f.Metrics.History
			assert.LessOrEqual(t, len(last), frameHistoryPoints)
		}
		if f.State != nil {
			states++
			assert.LessOrEqual(t, len(f.State.Metrics.History), frameHistoryPoints, "a frame's state carries the newest points too")
		}
	}
	require.Positive(t, states, "a frame carried the state")
	require.NotEmpty(t, last, "a frame carried metrics")
	full := h.state().Metrics.History
	i := slices.IndexFunc(full, func(p model.MetricsPoint) bool { return p.T == last[0].T })
	require.GreaterOrEqual(t, i, len(full)-frameHistoryPoints-2, "points of the last seconds")
	assert.Equal(t, full[i:i+len(last)], last, "the newest points, oldest first")
}

// ?state=none answers without the state; any other value is refused
// before the command runs.
func TestCommandAnswerWithoutState(t *testing.T) {
	h := newHarness(t)
	code, body := h.call("POST", "/api/commands?state=none", fmt.Sprintf(scaleShop, 5))
	require.Equal(t, 200, code, string(body))
	assert.JSONEq(t, `{"ok":true,"oc":"oc scale deployment/shop -n shop --replicas=5"}`, string(body))
	assert.Equal(t, 5, deployment(t, h.state(), "shop", "shop").Replicas)

	before := h.stateJSON()
	for _, q := range []string{"state=full", "state=", "state=none&state=full", "state=none&state=none"} {
		code, body = h.call("POST", "/api/commands?"+q, fmt.Sprintf(scaleShop, 7))
		assert.Equal(t, 400, code, q)
		assert.Contains(t, string(body), "state", q)
		assert.Contains(t, string(body), "none", q)
	}
	assert.JSONEq(t, string(before), string(h.stateJSON()), "nothing changed")
}

// A command's state goes out at once while the state budget (a bucket of
// stateBurst tokens, statesPerSecond a second) has a token; a burst beyond
// it shares the next frame that has one. The cluster's own changes keep a
// token back for commands.
func TestCommandStatesSpendTheStateBudget(t *testing.T) {
	h := newHarness(t)
	conn := h.dial()
	readSnapshot(t, conn)
	h.post("/api/clock", `{"paused":true}`)
	seq := h.lastSeq()
	for i := range stateBurst + 1 {
		h.post("/api/commands", fmt.Sprintf(scaleShop, 5+i))
	}
	assert.Equal(t, seq+stateBurst, h.lastSeq(), "one frame per command while tokens last, none for the fourth")
	for range stateBurst {
		_, f := readFrame(t, conn)
		require.NotNil(t, f.State)
	}
	// The fourth command's state waits for a token: 1/statesPerSecond = 3 frames.
	state := h.nextState(conn)
	assert.Equal(t, 5+stateBurst, deployment(t, state, "shop", "shop").Replicas)
}
