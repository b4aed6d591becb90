package server

import (
	"compress/flate"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get fetches path with Accept-Encoding (none when ""), and returns the
// answer and its body as sent (not decoded).
func (h *harness) get(path, encoding string) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.http.URL+path, nil)
	require.NoError(h.t, err)
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding) // the client no longer decodes it for us
	}
	resp, err := h.http.Client().Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return resp, body
}

// The page, its scripts and styles and the JSON API are gzipped (or
// deflated) for a client that asks; the bytes decode to the plain
// answer.
func TestHTMLJSCSSAndJSONAreCompressed(t *testing.T) {
	h := newHarness(t)
	h.clock.Tick(1)
	h.post("/api/clock", `{"paused":true}`) // the same state for both reads
	for _, path := range []string{"/", "/static/app.css", "/api/state", "/api/room", "/healthz"} {
		t.Run(path, func(t *testing.T) {
			plainResp, plain := h.get(path, "")
			require.Equal(t, http.StatusOK, plainResp.StatusCode)
			assert.Empty(t, plainResp.Header.Get("Content-Encoding"), "nothing asked, nothing compressed")

			for enc, reader := range map[string]func(io.Reader) (io.Reader, error){
				"gzip":    func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
				"deflate": func(r io.Reader) (io.Reader, error) { return flate.NewReader(r), nil },
			} {
				resp, body := h.get(path, enc)
				require.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Equal(t, enc, resp.Header.Get("Content-Encoding"), enc)
				assert.Contains(t, resp.Header.Values("Vary"), "Accept-Encoding")
				r, err := reader(strings.NewReader(string(body)))
				require.NoError(t, err)
				decoded, err := io.ReadAll(r)
				require.NoError(t, err, enc)
				assert.Equal(t, string(plain), string(decoded), enc)
			}
		})
	}
}

// The WebSocket is not touched by the middleware: it deflates each
// message itself (permessage-deflate).
func TestTheWebSocketIsNotCompressedByTheMiddleware(t *testing.T) {
	h := newHarness(t)
	dialer := &websocket.Dialer{EnableCompression: true}
	conn, wsResp, err := dialer.Dial("ws"+strings.TrimPrefix(h.http.URL, "http")+"/ws", http.Header{"Accept-Encoding": {"gzip"}})
	require.NoError(t, err)
	defer conn.Close()
	assert.Equal(t, http.StatusSwitchingProtocols, wsResp.StatusCode)
	assert.Empty(t, wsResp.Header.Get("Content-Encoding"))
	assert.Contains(t, wsResp.Header.Get("Sec-Websocket-Extensions"), "permessage-deflate")
	readSnapshot(t, conn)
}
