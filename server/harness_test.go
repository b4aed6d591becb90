package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// readTimeout only guards against a hung test, and tickWait is how
// often a test polls; no test measures time.
const (
	readTimeout = 10 * time.Second
	tickWait    = 5 * time.Millisecond
)

// staticFS stands in for package static's files.
var staticFS = fstest.MapFS{"static/app.css": {Data: []byte("body{}")}}

// harness is a real server around the real shop scenario, on a real
// httptest.Server, driven by a fake clock.
type harness struct {
	t     *testing.T
	clock *fakeClock
	srv   *Server
	http  *httptest.Server
	page  *fakePage
	stop  func() // ends the runner loop and waits for it
}

// fakePage records what GET / renders.
type fakePage struct {
	state model.Snapshot
	clock ClockState
	room  PageRoom
}

func (p *fakePage) RenderPage(_ context.Context, w io.Writer, state model.Snapshot, clock ClockState, room PageRoom) error {
	p.state, p.clock, p.room = state, clock, room
	_, err := io.WriteString(w, "<!doctype html><title>podpath</title>")
	return err
}

func newHarness(t *testing.T, configure ...func(*Config)) *harness {
	t.Helper()
	sc, _, err := scenarios.Load("shop")
	require.NoError(t, err)
	sim, err := model.New(sc)
	require.NoError(t, err)
	h := &harness{t: t, clock: newFakeClock(), page: &fakePage{}}
	cfg := Config{
		Sim:    sim,
		Clock:  h.clock,
		Page:   h.page,
		Static: http.FileServerFS(staticFS),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Epoch:  "test", // fixed, so that two runs send the same bytes
	}
	for _, c := range configure {
		c(&cfg)
	}
	h.srv, err = New(cfg)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		h.srv.Run(ctx)
	}()
	h.stop = func() {
		cancel()
		<-stopped
	}
	h.http = httptest.NewServer(h.srv)
	t.Cleanup(func() {
		h.stop()
		h.http.Close()
	})
	return h
}

// call sends one HTTP request and returns the status and body.
func (h *harness) call(method, path, body string) (int, []byte) {
	h.t.Helper()
	return h.callAs("", method, path, body)
}

// callAs sends one HTTP request with a bearer token (none when "").
func (h *harness) callAs(token, method, path, body string) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.http.URL+path, strings.NewReader(body))
	require.NoError(h.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.http.Client().Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return resp.StatusCode, data
}

// post sends body to path and requires 200.
func (h *harness) post(path, body string) []byte {
	h.t.Helper()
	status, data := h.call(http.MethodPost, path, body)
	require.Equal(h.t, http.StatusOK, status, "POST %s %s: %s", path, body, data)
	return data
}

// stateJSON is GET /api/state's body.
func (h *harness) stateJSON() []byte {
	h.t.Helper()
	status, data := h.call(http.MethodGet, "/api/state", "")
	require.Equal(h.t, http.StatusOK, status, string(data))
	return data
}

// state is GET /api/state, decoded.
func (h *harness) state() model.Snapshot {
	h.t.Helper()
	var snap model.Snapshot
	require.NoError(h.t, json.Unmarshal(h.stateJSON(), &snap))
	return snap
}

// clockState is the runner's clock, asked on its loop.
func (h *harness) clockState() ClockState {
	h.t.Helper()
	_, clock, err := h.srv.runner.State(context.Background())
	require.NoError(h.t, err)
	return clock
}

// lastSeq is the seq of the last frame, asked on the loop.
func (h *harness) lastSeq() uint64 {
	h.t.Helper()
	var seq uint64
	require.NoError(h.t, h.srv.runner.do(context.Background(), func() { seq = h.srv.runner.seq }))
	return seq
}

// dial opens a WebSocket to /ws.
func (h *harness) dial() *websocket.Conn {
	h.t.Helper()
	return h.dialWith(websocket.DefaultDialer, nil)
}

func (h *harness) dialWith(d *websocket.Dialer, header http.Header) *websocket.Conn {
	h.t.Helper()
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(h.http.URL, "http")+"/ws", header)
	require.NoError(h.t, err)
	resp.Body.Close()
	h.t.Cleanup(func() { conn.Close() })
	return conn
}

// message is a received envelope with its payload still raw.
type message struct {
	Type    string          `json:"type"`
	Seq     uint64          `json:"seq"`
	T       int64           `json:"t"`
	Payload json.RawMessage `json:"payload"`
	raw     []byte
}

// read reads the next envelope from conn.
func read(t *testing.T, conn *websocket.Conn) message {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(readTimeout)))
	_, data, err := conn.ReadMessage()
	require.NoError(t, err)
	var m message
	require.NoError(t, json.Unmarshal(data, &m))
	m.raw = data
	return m
}

// readFrame reads the next envelope and requires a frame.
func readFrame(t *testing.T, conn *websocket.Conn) (message, FramePayload) {
	t.Helper()
	return readAs[FramePayload](t, conn, TypeFrame)
}

// readSnapshot reads the next envelope and requires a snapshot.
func readSnapshot(t *testing.T, conn *websocket.Conn) (message, SnapshotPayload) {
	t.Helper()
	return readAs[SnapshotPayload](t, conn, TypeSnapshot)
}

// readAs reads the next envelope, requires its type and decodes its
// payload.
func readAs[P any](t *testing.T, conn *websocket.Conn, typ string) (message, P) {
	t.Helper()
	m := read(t, conn)
	require.Equal(t, typ, m.Type, string(m.raw))
	var payload P
	require.NoError(t, json.Unmarshal(m.Payload, &payload))
	return m, payload
}

// decode unmarshals data into v.
func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(data, v), string(data))
}

// deployment finds namespace/name in snap.
func deployment(t *testing.T, snap model.Snapshot, namespace, name string) model.DeploymentView {
	t.Helper()
	for _, d := range snap.Deployments {
		if d.Namespace == namespace && d.Name == name {
			return d
		}
	}
	require.Failf(t, "no deployment", "%s/%s", namespace, name)
	return model.DeploymentView{}
}

// appPods counts the non-router pods of namespace that are not terminating.
func appPods(snap model.Snapshot, namespace string) int {
	n := 0
	for _, p := range snap.Pods {
		if p.Namespace == namespace && !p.Router && !p.Terminating {
			n++
		}
	}
	return n
}

// nextState ticks and reads frames until one carries the state: the
// runner sends the state at most statesPerSecond times a second, so a
// change that follows another one closely comes a few frames later.
func (h *harness) nextState(conn *websocket.Conn) model.Snapshot {
	h.t.Helper()
	for range 2 * DefaultFrameRate / statesPerSecond {
		h.clock.Tick(1)
		if _, f := readFrame(h.t, conn); f.State != nil {
			return *f.State
		}
	}
	require.FailNow(h.t, "no frame carried the state")
	return model.Snapshot{}
}
