package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

const shopURL = "https://shop.apps.demo.example.com/"

func TestHealthzAndSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	resp, err := h.http.Client().Get(h.http.URL + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "same-origin", resp.Header.Get("Referrer-Policy"))
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'self'")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.NotContains(t, csp, "unsafe-inline")
}

func TestPageRendersTheLiveState(t *testing.T) {
	h := newHarness(t)
	h.clock.Tick(2)
	resp, err := h.http.Client().Get(h.http.URL + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.NotEmpty(t, resp.Header.Get("Content-Security-Policy"))
	assert.Equal(t, h.state().TimeMs, h.page.state.TimeMs)
	assert.Equal(t, ClockState{TimeMs: h.page.state.TimeMs, Speed: 1}, h.page.clock)

	status, body := h.call(http.MethodGet, "/static/app.css", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "body{}", string(body))
}

func TestTraceAndLoadRunOnACopy(t *testing.T) {
	h := newHarness(t)
	before := h.stateJSON()

	var trace model.TraceResult
	decode(t, h.post("/api/trace", `{"url":"`+shopURL+`","client":"curl"}`), &trace)
	assert.Equal(t, 200, trace.Status)
	assert.True(t, strings.HasPrefix(trace.Pod, "shop/shop-"), trace.Pod)
	assert.NotEmpty(t, trace.Hops)

	var load model.LoadResult
	decode(t, h.post("/api/load", `{"url":"`+shopURL+`","count":400,"client":"curl"}`), &load)
	assert.Equal(t, 400, load.Count)
	assert.Equal(t, 400, load.StatusCodes["200"])
	assert.Len(t, load.ByPod, 4)

	assert.JSONEq(t, string(before), string(h.stateJSON()), "trace and load leave the live state alone")
}

func TestClockPauseSpeedAndAdvance(t *testing.T) {
	h := newHarness(t)
	h.clock.Tick(3)
	start := h.state().TimeMs
	require.Positive(t, start)

	var clock ClockState
	decode(t, h.post("/api/clock", `{"paused":true}`), &clock)
	assert.Equal(t, ClockState{TimeMs: start, Paused: true, Speed: 1}, clock)
	h.clock.Tick(10)
	assert.Equal(t, start, h.state().TimeMs, "a paused clock does not move")

	decode(t, h.post("/api/clock", `{"advanceMs":5000}`), &clock)
	assert.Equal(t, ClockState{TimeMs: start + 5000, Paused: true, Speed: 1}, clock, "advance works while paused")
	assert.Equal(t, start+5000, h.state().TimeMs)

	decode(t, h.post("/api/clock", `{"paused":false,"speed":10}`), &clock)
	assert.Equal(t, ClockState{TimeMs: start + 5000, Speed: 10}, clock)
	h.clock.Tick(3) // 3 × 1/30 s × 10
	assert.InDelta(t, start+6000, h.state().TimeMs, 1)
}

// TestSameInputsSameStream runs one script twice: every frame and the
// final state match byte for byte.
func TestSameInputsSameStream(t *testing.T) {
	script := func() ([]string, string) {
		h := newHarness(t)
		conn := h.dial()
		snap, _ := readSnapshot(t, conn)
		sent := []string{string(snap.raw)}
		steps := []func(){
			func() { h.clock.Tick(10) },
			func() { h.post("/api/clock", `{"paused":true}`) },
			func() { h.clock.Tick(5) },
			func() { h.post("/api/clock", `{"advanceMs":2500}`) },
			func() { h.post("/api/commands", fmt.Sprintf(scaleShop, 6)) },
			func() { h.post("/api/clock", `{"paused":false,"speed":2.5}`) },
			func() { h.clock.Tick(30) },
		}
		for _, step := range steps {
			step()
			for seq := snap.Seq; seq < h.lastSeq(); seq++ {
				m, _ := readFrame(t, conn)
				sent = append(sent, string(m.raw))
				snap = m
			}
		}
		return sent, string(h.stateJSON())
	}
	framesA, stateA := script()
	framesB, stateB := script()
	require.Equal(t, len(framesA), len(framesB))
	for i := range framesA {
		require.Equal(t, framesA[i], framesB[i], "message %d", i)
	}
	assert.Equal(t, stateA, stateB)
}

// TestBadInputIsRejectedAndChangesNothing sends bad input to every
// endpoint: each answer is a 4xx {"error": …} naming the problem, and
// neither the state nor the clock moves.
func TestBadInputIsRejectedAndChangesNothing(t *testing.T) {
	big := `{"type":"scale","namespace":"shop","deployment":"shop","replicas":6,"pad":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []badInput{
		{"negative replicas", "POST", "/api/commands", fmt.Sprintf(scaleShop, -1), 400, "replicas"},
		{"too many replicas", "POST", "/api/commands", fmt.Sprintf(scaleShop, 1000000), 400, "replicas"},
		{"unknown deployment", "POST", "/api/commands", `{"type":"scale","namespace":"shop","deployment":"nope","replicas":2}`, 404, "nope"},
		{"unknown namespace", "POST", "/api/commands", `{"type":"scale","namespace":"nope","deployment":"shop","replicas":2}`, 404, "nope"},
		{"malformed command", "POST", "/api/commands", `{"type":"scale",`, 400, "malformed"},
		{"not JSON", "POST", "/api/commands", `scale shop 6`, 400, "malformed"},
		{"empty command", "POST", "/api/commands", ``, 400, "empty"},
		{"null command", "POST", "/api/commands", `null`, 400, "null"},
		{"unknown command type", "POST", "/api/commands", `{"type":"explode"}`, 400, "explode"},
		{"command without type", "POST", "/api/commands", `{"replicas":3}`, 400, "type"},
		{"unknown command field", "POST", "/api/commands", `{"type":"scale","namespace":"shop","deployment":"shop","replicas":3,"force":true}`, 400, "force"},
		{"wrong field type", "POST", "/api/commands", `{"type":"scale","namespace":"shop","deployment":"shop","replicas":"six"}`, 400, "replicas"},
		{"trailing data", "POST", "/api/commands", fmt.Sprintf(scaleShop, 3) + ` {}`, 400, "after the JSON value"},
		{"oversized command", "POST", "/api/commands", big, 413, "too large"},
		{"GET commands", "GET", "/api/commands", ``, 405, "GET"},
		{"DELETE state", "DELETE", "/api/state", ``, 405, "DELETE"},
		{"POST state", "POST", "/api/state", `{}`, 405, "POST"},
		{"POST healthz", "POST", "/healthz", ``, 405, "POST"},
		{"POST ws", "POST", "/ws", ``, 405, "POST"},
		{"unknown route", "GET", "/api/nope", ``, 404, "/api/nope"},
		{"speed 0", "POST", "/api/clock", `{"speed":0}`, 400, "speed"},
		{"speed 11", "POST", "/api/clock", `{"speed":11}`, 400, "speed"},
		{"advanceMs -5", "POST", "/api/clock", `{"advanceMs":-5}`, 400, "advanceMs"},
		{"advanceMs too big", "POST", "/api/clock", `{"advanceMs":3600001}`, 400, "advanceMs"},
		{"bad field beside a good one", "POST", "/api/clock", `{"paused":true,"speed":11}`, 400, "speed"},
		{"empty clock change", "POST", "/api/clock", `{}`, 400, "paused, speed, advanceMs"},
		{"unknown clock field", "POST", "/api/clock", `{"pause":true}`, 400, "pause"},
		{"paused not a bool", "POST", "/api/clock", `{"paused":"yes"}`, 400, "paused"},
		{"malformed clock", "POST", "/api/clock", `{"paused":tru}`, 400, "malformed"},
		{"GET clock", "GET", "/api/clock", ``, 405, "GET"},
		{"malformed trace", "POST", "/api/trace", `{"url":`, 400, "malformed"},
		{"unknown trace field", "POST", "/api/trace", `{"url":"` + shopURL + `","verbose":true}`, 400, "verbose"},
		{"load count 0", "POST", "/api/load", `{"url":"` + shopURL + `","count":0}`, 400, "count"},
		{"load count too big", "POST", "/api/load", `{"url":"` + shopURL + `","count":1000001}`, 400, "count"},
		{"unknown load field", "POST", "/api/load", `{"url":"` + shopURL + `","count":5,"n":5}`, 400, "n: unknown field"},
		{"oversized load", "POST", "/api/load", big, 413, "too large"},
	}
	cases = append(cases, moreBadInputs...) // badinput_test.go

	h := newHarness(t, func(c *Config) { c.Limits.APIRate = -1 }) // many requests at once
	h.clock.Tick(2)
	h.post("/api/clock", `{"paused":true}`) // nothing moves unless bad input moves it
	state, clock := h.stateJSON(), h.clockState()

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := h.errorOf(t, tc.method, tc.path, tc.body, tc.status)
			assert.Contains(t, e.Error, tc.want)
			assert.Equal(t, tc.status, statusOfCode(e.Code), "code %q", e.Code)

			assert.JSONEq(t, string(state), string(h.stateJSON()), "the state did not change")
			assert.Equal(t, clock, h.clockState(), "the clock did not change")
		})
	}
}
