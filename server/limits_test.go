package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNegativeRateTurnsALimitOff(t *testing.T) {
	off := newLimiter(-1, 0)
	for range 100 {
		require.True(t, off.Allow(), "a negative rate turns the limit off")
	}
	on := newLimiter(2, 3)
	start := time.Unix(0, 0)
	for i := range 3 {
		assert.True(t, on.AllowN(start, 1), "burst %d", i)
	}
	assert.False(t, on.AllowN(start, 1), "the burst is spent")
	assert.True(t, on.AllowN(start.Add(500*time.Millisecond), 1), "1 token after half a second at 2/s")
}

func TestIPLimiterKeepsOneBucketPerAddress(t *testing.T) {
	now := time.Unix(0, 0)
	l := newIPLimiter(1, 2, func() time.Time { return now })
	assert.True(t, l.allow("a"))
	assert.True(t, l.allow("a"))
	assert.False(t, l.allow("a"))
	assert.True(t, l.allow("b"), "another address has its own limiter")

	// Memory stays bounded: idle buckets are forgotten when the map is full.
	for i := range maxTrackedIPs {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255))
	}
	assert.False(t, l.allow("new"), "every tracked address is busy")
	now = now.Add(time.Minute)
	assert.True(t, l.allow("new"), "idle buckets were swept")
	assert.Len(t, l.limiters, 1)
}

func TestClientKey(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.7:5555":              "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:443":  "2001:db8:1:2::/64",
		"[2001:db8:1:2:ff::1]:80":     "2001:db8:1:2::/64",
		"not-an-address":              "not-an-address",
		"[::ffff:192.0.2.7]:1":        "192.0.2.7",
		"unix-socket-peer-without-ip": "unix-socket-peer-without-ip",
	} {
		r := &http.Request{RemoteAddr: remote}
		assert.Equal(t, want, clientKey(r), remote)
	}
}

func TestWebSocketCommandRateLimitAnswersWithoutClosing(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Limits.CommandRate = 0.001; c.Limits.CommandBurst = 5 })
	conn := h.dial()
	readSnapshot(t, conn)
	// setNetwork without fields is a valid command that changes nothing
	// and is answered by nothing: only refusals come back.
	for range 8 {
		require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"command","payload":{"type":"setNetwork"}}`)))
	}
	for n := 0; n < 3; {
		m := read(t, conn)
		if m.Type == TypeFrame {
			continue // the first accepted command's state goes out at once
		}
		n++
		require.Equal(t, TypeError, m.Type, string(m.raw))
		var e ErrorPayload
		decode(t, m.Payload, &e)
		assert.Contains(t, e.Error, "rate limit: at most 0.001 commands per second on one connection (bursts of 5)")
	}
	// The connection is still open and streaming.
	seq := h.lastSeq()
	h.clock.Tick(1)
	m, _ := readFrame(t, conn)
	assert.Equal(t, seq+1, m.Seq)

	stats := h.srv.runner.hub.stats
	assert.Equal(t, uint64(5), stats.commands[sourceWS][resultAccepted].Load())
	assert.Equal(t, uint64(3), stats.commands[sourceWS][resultRateLimited].Load())
}

func TestWebSocketMessageTooBigCloses1009WithAReason(t *testing.T) {
	h := newHarness(t)
	conn := h.dial()
	readSnapshot(t, conn)
	other := h.dial()
	readSnapshot(t, other)

	big := `{"type":"command","payload":{"pad":"` + strings.Repeat("x", maxMessageSize) + `"}}`
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(big)))
	var closeErr *websocket.CloseError
	for i := 0; ; i++ {
		require.Less(t, i, 1000, "the connection was never closed")
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(readTimeout)))
		_, _, err := conn.ReadMessage()
		if err != nil {
			require.ErrorAs(t, err, &closeErr)
			break
		}
	}
	assert.Equal(t, websocket.CloseMessageTooBig, closeErr.Code)
	assert.Equal(t, fmt.Sprintf("message too big: the limit is %d bytes", maxMessageSize), closeErr.Text)
	require.Eventually(t, func() bool { return h.srv.runner.hub.count() == 1 }, readTimeout, tickWait)
	assert.Equal(t, uint64(1), h.srv.runner.hub.stats.dropped[dropTooBig].Load())

	// The other client goes on.
	seq := h.lastSeq()
	h.clock.Tick(1)
	readFramesTo(t, other, seq, seq+1)
}

func TestAPIRateLimitPerAddressAnswers429(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Limits.APIRate = 0.001; c.Limits.APIBurst = 3 })
	for range 3 {
		h.post("/api/commands", `{"type":"setNetwork"}`)
	}
	for range 5 {
		status, _ := h.call(http.MethodGet, "/api/state", "")
		require.Equal(t, http.StatusOK, status, "reads are not limited")
	}
	req, err := http.NewRequest(http.MethodPost, h.http.URL+"/api/commands", strings.NewReader(fmt.Sprintf(scaleShop, 7)))
	require.NoError(t, err)
	resp, err := h.http.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var e ErrorPayload
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	assert.Equal(t, "server: rate limit: at most 0.001 API requests per second from one address (bursts of 3); slow down", e.Error)

	status, _ := h.call(http.MethodGet, "/healthz", "")
	assert.Equal(t, http.StatusOK, status, "only /api/* is limited")
	var snap json.RawMessage
	_, snap = h.call(http.MethodGet, "/metrics", "")
	assert.Contains(t, string(snap), "podpath_http_rate_limited_total 1\n")
	_, clock, err := h.srv.runner.State(t.Context())
	require.NoError(t, err)
	assert.False(t, clock.Paused)
	st, _, err := h.srv.runner.State(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 4, deployment(t, st, "shop", "shop").Replicas, "the refused command was not applied")
}

func TestMaxClientsRefusesWith503BeforeTheUpgrade(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Limits.MaxClients = 2 })
	first := h.dial()
	readSnapshot(t, first)
	second := h.dial()
	readSnapshot(t, second)

	url := "ws" + strings.TrimPrefix(h.http.URL, "http") + "/ws"
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	var e ErrorPayload
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	assert.Equal(t, "server: busy: 2 WebSocket clients are connected, the most this server takes; try again later", e.Error)

	first.Close()
	require.Eventually(t, func() bool {
		c, status := dialQuery(t, h, "", nil)
		if c != nil {
			c.Close()
		}
		return status == http.StatusSwitchingProtocols
	}, readTimeout, 20*time.Millisecond, "a place is free again")
}

func TestLoadsAtOnceGate(t *testing.T) {
	g := newGate(2)
	assert.True(t, g.enter())
	assert.True(t, g.enter())
	assert.False(t, g.enter())
	g.leave()
	assert.True(t, g.enter())

	blocked := make(chan struct{})
	release := make(chan struct{})
	handler := limitLoads(newGate(1), 1, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(blocked)
		<-release
		w.WriteHeader(http.StatusOK)
	}))
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/load", nil))
		done <- rec.Code
	}()
	<-blocked
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/load", nil))
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Contains(t, rec.Body.String(), "1 loads are running, the most at once")
	close(release)
	assert.Equal(t, http.StatusOK, <-done)
}
