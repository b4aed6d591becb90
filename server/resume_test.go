package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dialQuery opens /ws?query and returns the connection (nil when it was
// refused) and the HTTP answer's status (101 when it opened).
func dialQuery(t *testing.T, h *harness, query string, header http.Header) (*websocket.Conn, int) {
	t.Helper()
	url := "ws" + strings.TrimPrefix(h.http.URL, "http") + "/ws"
	if query != "" {
		url += "?" + query
	}
	conn, resp, err := websocket.DefaultDialer.Dial(url, header)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		resp.Body.Close()
	}
	if err != nil {
		return nil, status
	}
	t.Cleanup(func() { conn.Close() })
	return conn, status
}

// readFramesTo reads frames up to seq, requiring each to follow the
// one before, starting after from.
func readFramesTo(t *testing.T, conn *websocket.Conn, from, seq uint64) {
	t.Helper()
	for want := from + 1; want <= seq; want++ {
		m, _ := readFrame(t, conn)
		require.Equal(t, want, m.Seq, "frames follow without a gap")
	}
}

// epochOf is the epoch of a snapshot envelope.
func epochOf(t *testing.T, m message) string {
	t.Helper()
	var e struct {
		Epoch string `json:"epoch"`
	}
	decode(t, m.raw, &e)
	return e.Epoch
}

func TestResumeSendsTheMissedFramesInsteadOfASnapshot(t *testing.T) {
	h := newHarness(t)
	conn := h.dial()
	snap, _ := readSnapshot(t, conn)
	require.Equal(t, "test", epochOf(t, snap), "the snapshot names the server run")
	h.clock.Tick(3)
	readFramesTo(t, conn, snap.Seq, snap.Seq+3)
	last := snap.Seq + 3
	conn.Close()

	// While the page is away, the stream goes on (and a command changes
	// the state: its frame must not be lost).
	require.Eventually(t, func() bool { return h.srv.runner.hub.empty() }, readTimeout, tickWait)
	h.clock.Tick(2)
	h.post("/api/commands", fmt.Sprintf(scaleShop, 6))
	h.clock.Tick(3)

	again, status := dialQuery(t, h, fmt.Sprintf("since=%d&epoch=test", last), nil)
	require.Equal(t, http.StatusSwitchingProtocols, status)
	sawState := false
	for want := last + 1; want <= h.lastSeq(); want++ {
		m, f := readFrame(t, again) // a frame, not a snapshot
		require.Equal(t, want, m.Seq)
		if f.State != nil {
			sawState = true
			assert.Equal(t, 6, deployment(t, *f.State, "shop", "shop").Replicas)
		}
	}
	assert.True(t, sawState, "the missed frame with the new state was replayed")

	// Then live frames, still without a gap.
	seq := h.lastSeq()
	h.clock.Tick(2)
	readFramesTo(t, again, seq, seq+2)
	assert.Equal(t, uint64(1), h.srv.runner.hub.stats.joinsResumed.Load())
}

func TestResumeFallsBackToASnapshot(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Limits.ResumeWindow = 200 * time.Millisecond }) // 6 frames at 30/s
	conn := h.dial()
	snap, _ := readSnapshot(t, conn)
	h.clock.Tick(20)
	readFramesTo(t, conn, snap.Seq, snap.Seq+20)
	now := h.lastSeq()

	cases := map[string]string{
		"too old":       fmt.Sprintf("since=%d&epoch=test", now-10),
		"another epoch": fmt.Sprintf("since=%d&epoch=0123456789abcdef", now-1),
		"no epoch":      fmt.Sprintf("since=%d", now-1),
		"ahead":         fmt.Sprintf("since=%d&epoch=test", now+100),
		"not a number":  "since=abc&epoch=test",
		"negative":      "since=-1&epoch=test",
	}
	for name, query := range cases {
		t.Run(name, func(t *testing.T) {
			c, status := dialQuery(t, h, query, nil)
			require.Equal(t, http.StatusSwitchingProtocols, status)
			m, _ := readSnapshot(t, c)
			assert.Equal(t, now, m.Seq)
			assert.Equal(t, "test", epochOf(t, m))
		})
	}

	t.Run("in the window", func(t *testing.T) {
		c, _ := dialQuery(t, h, fmt.Sprintf("since=%d&epoch=test", now-3), nil)
		readFramesTo(t, c, now-3, now)
	})
}

func TestResumeAfterEveryoneLeftOnlyWithinTheWindow(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Limits.ResumeWindow = time.Second })
	conn := h.dial()
	snap, _ := readSnapshot(t, conn)
	conn.Close()
	require.Eventually(t, func() bool { return h.srv.runner.hub.empty() }, readTimeout, tickWait)

	h.clock.Tick(10) // a third of the window: frames are still kept
	c, _ := dialQuery(t, h, fmt.Sprintf("since=%d&epoch=test", snap.Seq), nil)
	readFramesTo(t, c, snap.Seq, snap.Seq+10)
	c.Close()
	require.Eventually(t, func() bool { return h.srv.runner.hub.empty() }, readTimeout, tickWait)

	h.clock.Tick(45) // past the window with nobody watching: no frames kept
	c, _ = dialQuery(t, h, fmt.Sprintf("since=%d&epoch=test", snap.Seq+10), nil)
	m, _ := readSnapshot(t, c)
	assert.Equal(t, h.lastSeq(), m.Seq)
}

func TestFrameRingKeepsConsecutiveFramesWithinBounds(t *testing.T) {
	frame := func(seq uint64, size int) *encoded { return &encoded{seq: seq, size: size} }
	seqs := func(frames []*encoded) []uint64 {
		var out []uint64
		for _, f := range frames {
			out = append(out, f.seq)
		}
		return out
	}

	r := newFrameRing(4, 1000)
	for seq := uint64(1); seq <= 6; seq++ {
		r.push(frame(seq, 10))
	}
	got, ok := r.after(3, 6)
	require.True(t, ok)
	assert.Equal(t, []uint64{4, 5, 6}, seqs(got))
	got, ok = r.after(2, 6) // frame 3 is the oldest kept: 3..6 can be sent
	require.True(t, ok)
	assert.Equal(t, []uint64{3, 4, 5, 6}, seqs(got))
	_, ok = r.after(1, 6) // frame 2 is gone
	assert.False(t, ok)
	got, ok = r.after(6, 6)
	assert.True(t, ok)
	assert.Empty(t, got)
	_, ok = r.after(7, 6)
	assert.False(t, ok, "ahead of the server")
	_, ok = r.after(4, 7)
	assert.False(t, ok, "the ring does not reach the runner's last frame")

	r.push(frame(9, 10)) // a gap: start over
	_, ok = r.after(5, 9)
	assert.False(t, ok)
	got, ok = r.after(8, 9)
	require.True(t, ok)
	assert.Equal(t, []uint64{9}, seqs(got))

	r = newFrameRing(100, 250) // bytes bound
	for seq := uint64(1); seq <= 10; seq++ {
		r.push(frame(seq, 100))
	}
	assert.Equal(t, 2, r.n)
	assert.Equal(t, 200, r.bytes)
	r.push(frame(11, 1000)) // bigger than the bound on its own: kept alone
	assert.Equal(t, 1, r.n)
}
