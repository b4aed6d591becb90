package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryAnswerCarriesTheSecurityHeaders asks every kind of route and
// every kind of error, and checks the headers on each answer.
func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Limits.MaxClients = 1 })
	big := `{"type":"setNetwork","pad":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	cases := []struct {
		name, method, path, body string
		header                   http.Header
		status                   int
	}{
		{"page", "GET", "/", "", nil, 200},
		{"static file", "GET", "/static/app.css", "", nil, 200},
		{"static 404", "GET", "/static/nope.js", "", nil, 404},
		{"healthz", "GET", "/healthz", "", nil, 200},
		{"state", "GET", "/api/state", "", nil, 200},
		{"metrics", "GET", "/metrics", "", nil, 200},
		{"command", "POST", "/api/commands", `{"type":"setNetwork"}`, nil, 200},
		{"400", "POST", "/api/clock", `{}`, nil, 400},
		{"404", "GET", "/nope", "", nil, 404},
		{"405", "PUT", "/api/state", "", nil, 405},
		{"413", "POST", "/api/commands", big, nil, 413},
		{"ws without upgrade", "GET", "/ws", "", nil, 400},
		{"ws cross-origin", "GET", "/ws", "", http.Header{
			"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"},
			"Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}, "Origin": {"https://evil.example"},
		}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, h.http.URL+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			for k, v := range tc.header {
				req.Header[k] = v
			}
			resp, err := h.http.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
			requireSecurityHeaders(t, resp.Header)
		})
	}

	// 503: the server is full (MaxClients 1).
	conn := h.dial()
	readSnapshot(t, conn)
	url := "ws" + strings.TrimPrefix(h.http.URL, "http") + "/ws"
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	require.Error(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	requireSecurityHeaders(t, resp.Header)
}

func requireSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'self'")
	assert.Contains(t, csp, "script-src 'self'")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.Contains(t, csp, "object-src 'none'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.NotContains(t, csp, "unsafe-eval")
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "same-origin", h.Get("Referrer-Policy"))
	assert.Equal(t, "DENY", h.Get("X-Frame-Options"))
	assert.Contains(t, h.Get("Permissions-Policy"), "camera=()")
	assert.Regexp(t, `^[0-9a-f]{16}$`, h.Get("X-Request-Id"))
}

func TestCrossOriginWebSocketIsRefused(t *testing.T) {
	h := newHarness(t)
	url := "ws" + strings.TrimPrefix(h.http.URL, "http") + "/ws"
	host := strings.TrimPrefix(h.http.URL, "http://")
	for _, origin := range []string{
		"https://evil.example",
		"null",                             // a sandboxed iframe or a file:// page
		"http://" + host + ".evil.example", // the host as a prefix
		"http://localhost:1",               // same machine, other port
		"http://user@evil.example",         // userinfo
		"::::",                             // not a URL
	} {
		_, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {origin}})
		require.Error(t, err, origin)
		require.NotNil(t, resp, origin)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, origin)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Contains(t, string(body), "origin", origin)
	}
	assert.Zero(t, h.srv.runner.hub.count(), "no cross-origin client joined")
}

// TestErrorsNeverEchoRawHTML sends markup where the API echoes input:
// JSON answers escape it.
func TestErrorsNeverEchoRawHTML(t *testing.T) {
	h := newHarness(t)
	const evil = "<script>alert(1)</script>"
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/api/" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E", ""},
		{"POST", "/api/commands", `{"type":"` + evil + `"}`},
		{"POST", "/api/commands", `{"type":"scale","namespace":"` + evil + `","deployment":"shop","replicas":2}`},
		{"POST", "/api/commands", `{"type":"setZoneDown","zone":"` + evil + `","down":true}`},
		{"POST", "/api/clock", `{"` + evil + `":1}`},
		{"POST", "/api/trace", `{"url":"` + evil + `"}`},
	} {
		status, body := h.call(tc.method, tc.path, tc.body)
		assert.GreaterOrEqual(t, status, 400, tc.body)
		assert.NotContains(t, string(body), "<script>", "%s %s → %s", tc.method, tc.path, body)
		assert.NotContains(t, string(body), "</script>")
	}
}

func TestAccessLogAndRequestIDs(t *testing.T) {
	var logs syncBuffer
	h := newHarness(t, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })

	req, err := http.NewRequest(http.MethodGet, h.http.URL+"/api/state", nil)
	require.NoError(t, err)
	req.Header.Set("X-Request-Id", "class-42.a_b")
	resp, err := h.http.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "class-42.a_b", resp.Header.Get("X-Request-Id"), "a plain id is kept")

	req, err = http.NewRequest(http.MethodPost, h.http.URL+"/api/clock", strings.NewReader(`{"speed":99}`))
	require.NoError(t, err)
	req.Header.Set("X-Request-Id", `forged" level=ERROR msg="owned`)
	resp, err = h.http.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	assert.Regexp(t, `^[0-9a-f]{16}$`, id, "a forged id is replaced")

	// The access line is written after the answer: the client may read
	// the answer first…
	require.Eventually(t, func() bool { return len(logs.lines()) >= 2 }, readTimeout, tickWait, logs.String())
	// …and the two lines may come in either order.
	lines := logs.lines()
	if strings.Contains(lines[0], `"/api/clock"`) {
		lines[0], lines[1] = lines[1], lines[0]
	}
	assert.Regexp(t, `"level":"INFO","msg":"http request","request_id":"class-42.a_b","method":"GET","path":"/api/state","status":200,"duration_ms":[0-9.e-]+,"bytes":[1-9][0-9]*`, lines[0])
	assert.Regexp(t, `"msg":"http request","request_id":"`+id+`","method":"POST","path":"/api/clock","status":400,.*"err":"server: invalid: speed: 99 is out of range; allowed 0.1 to 10"`, lines[1])
}

func TestMetricsInPrometheusTextFormat(t *testing.T) {
	h := newHarness(t)
	conn := h.dial()
	readSnapshot(t, conn)
	h.post("/api/commands", fmt.Sprintf(scaleShop, 5))
	h.call(http.MethodPost, "/api/commands", fmt.Sprintf(scaleShop, -1))
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"command","payload":{"type":"setNetwork"}}`)))
	require.Eventually(t, func() bool { return h.srv.runner.hub.stats.commands[sourceWS][resultAccepted].Load() == 1 }, readTimeout, tickWait)
	h.clock.Tick(10)
	// The scale's and the setNetwork's states went out at once, each in a
	// frame of its own (two of the bucket's three state tokens); then 10 ticks.
	require.Equal(t, uint64(12), h.lastSeq())
	readFramesTo(t, conn, 0, 12)
	require.Eventually(t, func() bool { return h.srv.runner.hub.stats.messagesSent.Load() == 13 }, readTimeout, tickWait)

	status, body := h.call(http.MethodGet, "/metrics", "")
	require.Equal(t, http.StatusOK, status)

	// The Prometheus text parser reads it all: every family has its TYPE
	// and HELP, every sample its labels.
	parser := expfmt.NewTextParser(prommodel.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	require.NoError(t, err, string(body))
	value := func(name string, labels ...string) float64 {
		t.Helper()
		f := families[name]
		require.NotNil(t, f, "no family %s", name)
		assert.NotEmpty(t, f.GetHelp(), name)
	next:
		for _, m := range f.GetMetric() {
			for i := 0; i < len(labels); i += 2 {
				found := false
				for _, l := range m.GetLabel() {
					found = found || l.GetName() == labels[i] && l.GetValue() == labels[i+1]
				}
				if !found {
					continue next
				}
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue()
			}
		}
		require.Failf(t, "no sample", "%s %v", name, labels)
		return 0
	}
	for _, want := range []struct {
		name   string
		labels []string
		value  float64
	}{
		{"podpath_clients_connected", nil, 1},
		{"podpath_commands_total", []string{"source", "http", "result", "accepted"}, 1},
		{"podpath_commands_total", []string{"source", "http", "result", "rejected"}, 1},
		{"podpath_commands_total", []string{"source", "ws", "result", "accepted"}, 1},
		{"podpath_clients_dropped_total", []string{"reason", "slow"}, 0},
		{"podpath_joins_total", []string{"kind", "snapshot"}, 1},
		{"podpath_frames_broadcast_total", nil, 12},
		{"podpath_messages_sent_total", nil, 13},                    // the snapshot and 12 frames
		{"podpath_http_requests_total", []string{"code", "2xx"}, 1}, // POST commands; this GET is not counted yet
		{"podpath_http_requests_total", []string{"code", "4xx"}, 1},
		{"podpath_virtual_time_seconds", nil, 0.333},
		{"podpath_rooms", nil, 1},
	} {
		assert.Equal(t, want.value, value(want.name, want.labels...), "%s %v", want.name, want.labels)
	}
	for name, typ := range map[string]dto.MetricType{
		"podpath_simulated_requests_total": dto.MetricType_COUNTER,
		"podpath_bytes_sent_total":         dto.MetricType_COUNTER,
		"podpath_rooms_created_total":      dto.MetricType_COUNTER,
		"go_goroutines":                    dto.MetricType_GAUGE,
		"go_heap_objects_bytes":            dto.MetricType_GAUGE,
	} {
		require.Contains(t, families, name)
		assert.Equal(t, typ, families[name].GetType(), name)
	}
	assert.Positive(t, value("go_goroutines"))
	// The exact lines of the text format, as scripts grep them.
	assert.Contains(t, string(body), "podpath_clients_connected 1\n")
	assert.Contains(t, string(body), `podpath_commands_total{result="accepted",source="ws"} 1`+"\n")
}

// syncBuffer is a bytes.Buffer that a logger may write from many
// goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines are the log lines written so far.
func (b *syncBuffer) lines() []string {
	return strings.Split(strings.TrimSpace(b.String()), "\n")
}
