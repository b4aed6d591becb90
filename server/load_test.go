package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// TestLoad: many real WebSocket clients on loopback read the live
// stream of the real shop scenario while commands arrive at a steady
// rate, over HTTP and over the sockets. It checks that no client of
// normal speed is dropped, that frames arrive soon after they were made
// (p99 of receive time − the frame's wall stamp), that goroutines come
// back to their baseline and that memory stays bounded, and prints the
// figures. docs/reliability.md records them.
//
// By default it is a short smoke run (20 clients, 3 s). The full run:
//
//	PODPATH_LOAD=1 go test -run TestLoad -v -count=1 ./server
//
// with PODPATH_LOAD_CLIENTS (default 500), PODPATH_LOAD_SECONDS
// (default 60) and PODPATH_LOAD_CPS (commands per second, default 50).
// Run the full one without -race: the race detector slows everything
// tenfold and the latency bound is for the real binary.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	full := os.Getenv("PODPATH_LOAD") == "1"
	clients, seconds, cps := 20, 3, 10
	if full {
		clients, seconds, cps = envInt(t, "PODPATH_LOAD_CLIENTS", 500), envInt(t, "PODPATH_LOAD_SECONDS", 60), envInt(t, "PODPATH_LOAD_CPS", 50)
	}
	require.LessOrEqual(t, clients, 5000, "bounded")
	require.LessOrEqual(t, seconds, 3600, "bounded")

	sc, _, err := scenarios.Load("shop")
	require.NoError(t, err)
	sim, err := model.New(sc)
	require.NoError(t, err)
	srv, err := New(Config{
		Sim:    sim,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limits: Limits{APIRate: -1}, // one test process is every HTTP client
	})
	require.NoError(t, err)

	runtime.GC()
	baseline := runtime.NumGoroutine()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		srv.Run(ctx)
	}()
	ts := httptest.NewServer(srv) // 127.0.0.1 only
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"

	// The clients: each reads every message and notes how late it is.
	readers := make([]*loadReader, clients)
	var wg sync.WaitGroup
	for i := range readers {
		conn, resp, err := websocket.DefaultDialer.Dial(url, nil)
		require.NoError(t, err, "client %d", i)
		resp.Body.Close()
		readers[i] = &loadReader{conn: conn}
		wg.Add(1)
		go func() {
			defer wg.Done()
			readers[i].run()
		}()
	}
	require.Eventually(t, func() bool { return srv.runner.hub.count() == clients }, 30*time.Second, 10*time.Millisecond)
	t.Logf("%d clients connected", clients)

	// The commands: cps per second, alternating HTTP and WebSocket,
	// scaling shop between 4 and 8 and changing the traffic.
	commands := []string{
		fmt.Sprintf(scaleShop, 8),
		`{"type":"setTraffic","rps":40,"clients":20}`,
		fmt.Sprintf(scaleShop, 4),
		`{"type":"setTraffic","rps":8,"clients":6}`,
	}
	var sent, failed atomic.Int64
	var peakHeap uint64
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	tick := time.NewTicker(time.Second / time.Duration(cps))
	sample := time.NewTicker(500 * time.Millisecond)
	for n := 0; time.Now().Before(deadline); {
		select {
		case <-sample.C:
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peakHeap = max(peakHeap, m.HeapAlloc)
			continue
		case <-tick.C:
		}
		body := commands[n%len(commands)]
		if n%2 == 0 {
			resp, err := ts.Client().Post(ts.URL+"/api/commands", "application/json", strings.NewReader(body))
			if err != nil || resp.StatusCode != http.StatusOK {
				failed.Add(1)
			}
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		} else if err := readers[n%clients].command(body); err != nil {
			failed.Add(1)
		}
		sent.Add(1)
		n++
	}
	tick.Stop()
	sample.Stop()
	stats := srv.runner.hub.stats
	dropped := uint64(0)
	for i := range stats.dropped {
		dropped += stats.dropped[i].Load()
	}
	connected := srv.runner.hub.count()

	// Stop: the server closes every socket, the readers end.
	cancel()
	<-stopped
	wg.Wait()
	ts.Close()

	var delays []time.Duration
	var frames, gaps, errs int64
	for _, r := range readers {
		delays = append(delays, r.delays...)
		frames += r.frames
		gaps += r.gaps
		errs += r.errors
	}
	slices.Sort(delays)
	p := func(q float64) time.Duration {
		if len(delays) == 0 {
			return 0
		}
		return delays[min(len(delays)-1, int(q*float64(len(delays))))]
	}

	goroutines := runtime.NumGoroutine()
	for i := 0; i < 100 && goroutines > baseline+2; i++ {
		time.Sleep(50 * time.Millisecond)
		goroutines = runtime.NumGoroutine()
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	t.Logf("load: %d clients, %d s, %d commands sent (%d failed), %d error answers",
		clients, seconds, sent.Load(), failed.Load(), errs)
	t.Logf("frames: %d broadcast, %d received in all (%.0f/s), %d gaps, %d clients dropped, %d connected at the end",
		stats.framesBroadcast.Load(), frames, float64(frames)/float64(seconds), gaps, dropped, connected)
	t.Logf("frame delay (receive − wall stamp): p50 %v, p90 %v, p99 %v, max %v",
		p(0.50).Round(time.Microsecond), p(0.90).Round(time.Microsecond), p(0.99).Round(time.Microsecond), p(1).Round(time.Microsecond))
	t.Logf("bytes sent: %.1f MB (%.1f MB/s); heap: %.1f MB before, peak %.1f MB, %.1f MB after GC; goroutines: %d before, %d after",
		float64(stats.bytesSent.Load())/1e6, float64(stats.bytesSent.Load())/1e6/float64(seconds),
		float64(before.HeapAlloc)/1e6, float64(peakHeap)/1e6, float64(after.HeapAlloc)/1e6, baseline, goroutines)

	assert.Zero(t, dropped, "no client of normal speed is dropped")
	assert.Equal(t, clients, connected)
	assert.Zero(t, gaps, "no client missed a frame")
	assert.Zero(t, failed.Load(), "every command was delivered")
	assert.LessOrEqual(t, goroutines, baseline+2, "goroutines back to baseline")
	assert.Less(t, after.HeapAlloc, before.HeapAlloc+64<<20, "memory bounded")
	if full {
		assert.Less(t, p(0.99), 250*time.Millisecond, "p99 frame delay")
		assert.Less(t, peakHeap, uint64(1<<30), "peak heap under 1 GB")
	}
}

// loadReader is one client of TestLoad. Its goroutine alone reads conn;
// command writes are serialised by mu.
type loadReader struct {
	conn *websocket.Conn
	mu   sync.Mutex // for writes

	// owned by run, read after it returned
	lastSeq uint64
	frames  int64
	gaps    int64
	errors  int64
	delays  []time.Duration
}

// run reads until the connection closes. It decodes only the head of
// each envelope (type, seq, wall) and discards the rest unread into
// memory, as a light client would: the test measures the server.
func (r *loadReader) run() {
	head := make([]byte, 160)
	for {
		_, rd, err := r.conn.NextReader()
		if err != nil {
			return
		}
		n, _ := io.ReadFull(rd, head)
		got := time.Now()
		if _, err := io.Copy(io.Discard, rd); err != nil {
			return
		}
		var env struct {
			Type string `json:"type"`
			Seq  uint64 `json:"seq"`
			Wall int64  `json:"wall"`
		}
		if i := bytes.Index(head[:n], []byte(`,"payload":`)); i > 0 {
			_ = json.Unmarshal(append(head[:i:i], '}'), &env)
		}
		switch env.Type {
		case TypeSnapshot:
			r.lastSeq = env.Seq
		case TypeFrame:
			if env.Seq != r.lastSeq+1 {
				r.gaps++
			}
			r.lastSeq = env.Seq
			r.frames++
			if env.Wall > 0 {
				r.delays = append(r.delays, got.Sub(time.UnixMilli(env.Wall)))
			}
		case TypeError:
			r.errors++
		}
	}
}

func (r *loadReader) command(payload string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return r.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"command","payload":`+payload+`}`))
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, name)
	require.Positive(t, n, name)
	return n
}
