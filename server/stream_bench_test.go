package server

// Benchmarks of the stream and of the JSON API on the built-in `large`
// scenario (200 pods, 20 Routes, 6 workers, 3 routers), against the real
// server on a real httptest.Server with real gorilla/websocket clients on
// loopback. scripts/bench.sh runs them and turns their metrics into the
// table of docs/benchmarks.md.
//
// The fan-out benchmarks (BenchmarkStreamClients) run the WebSocket
// clients in a child process — this test binary again, running
// TestStreamClientsChild — so that getrusage in this process counts the
// server's CPU alone. Each run is bounded: it dials, warms up for a
// second, measures for PODPATH_BENCH_STREAM_SECONDS (default 5) and stops,
// whatever b.N is; run them with -benchtime 1x.

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// benchScenario is the built-in scenario the stream benchmarks run.
const benchScenario = "large"

// benchRPS is the simulated request rate of the stream benchmarks.
const benchRPS = 1000

// benchSim builds a built-in scenario with traffic at rps (0 keeps the
// scenario's own rate).
func benchSim(tb testing.TB, name string, rps float64) *model.Sim {
	tb.Helper()
	sc, _, err := scenarios.Load(name)
	if err != nil {
		tb.Fatal(err)
	}
	if rps > 0 {
		sc.Settings.Traffic.RPS = rps
	}
	sim, err := model.New(sc)
	if err != nil {
		tb.Fatal(err)
	}
	return sim
}

// benchServer serves sim on a real httptest.Server with clock driving the
// frames. The runner and the listener stop when the benchmark ends.
func benchServer(tb testing.TB, sim *model.Sim, clock Clock) (*Server, *httptest.Server) {
	tb.Helper()
	srv, err := New(Config{
		Sim:    sim,
		Clock:  clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// Room for the largest client count of BenchmarkStreamClients;
		// the default cap (DefaultMaxClients) would refuse it.
		Limits: Limits{MaxClients: 10_000},
	})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		srv.Run(ctx)
	}()
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		cancel()
		<-stopped
		ts.Close()
	})
	return srv, ts
}

func wsURL(ts *httptest.Server) string {
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws"
}

// BenchmarkSnapshotJSONLarge encodes the snapshot envelope a joining
// client gets first (json.Marshal of the state of `large`), and reports
// its size.
func BenchmarkSnapshotJSONLarge(b *testing.B) {
	sim := benchSim(b, benchScenario, 0)
	sim.AdvanceTo(10_000)
	env := Envelope{Type: TypeSnapshot, T: sim.Now(), Payload: SnapshotPayload{State: sim.Snapshot(), Clock: ClockState{TimeMs: sim.Now(), Speed: 1}}}
	var size int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data, err := json.Marshal(env)
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "bytes")
}

// BenchmarkAPILoad100k is POST /api/load with 100,000 requests through
// the real routes of a running server (the copy of the live Sim, the run,
// and the JSON both ways).
func BenchmarkAPILoad100k(b *testing.B) {
	_, ts := benchServer(b, benchSim(b, benchScenario, 0), RealClock{})
	body := `{"url":"https://web-retail.apps.demo.example.com/","count":100000,"rps":10000}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := ts.Client().Post(ts.URL+"/api/load", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("POST /api/load: %d %s", resp.StatusCode, data)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/load")
}

// BenchmarkStreamFrames drives the runner as fast as it goes at 1,000
// simulated requests per second, with one WebSocket client reading every
// frame: one op is one frame stepped, encoded, sent and read. It reports
// the frames per second that pipeline sustains and the bytes per frame.
func BenchmarkStreamFrames(b *testing.B) {
	clock := newFakeClock()
	_, ts := benchServer(b, benchSim(b, benchScenario, benchRPS), clock)
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL(ts), nil)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	defer conn.Close()

	var bytesRead, frames, requests atomic.Int64
	var lastSeq atomic.Uint64
	readErr := make(chan error, 1)
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				readErr <- err
				return
			}
			var m struct {
				Type    string `json:"type"`
				Seq     uint64 `json:"seq"`
				Payload struct {
					Requests []json.RawMessage `json:"requests"`
				} `json:"payload"`
			}
			if err := json.Unmarshal(data, &m); err != nil {
				readErr <- err
				return
			}
			if m.Type == TypeFrame {
				bytesRead.Add(int64(len(data)))
				frames.Add(1)
				requests.Add(int64(len(m.Payload.Requests)))
			}
			lastSeq.Store(m.Seq)
		}
	}()
	// Ten seconds of virtual time first, so that the frames are in the
	// steady state of 1,000 requests per second.
	clock.Tick(300)
	waitSeq := func(seq uint64) {
		for lastSeq.Load() < seq {
			select {
			case err := <-readErr:
				b.Fatal(err)
			default:
				time.Sleep(50 * time.Microsecond)
			}
		}
	}
	waitSeq(300)
	bytesRead.Store(0)
	frames.Store(0)
	requests.Store(0)

	b.ResetTimer()
	// Batches of at most 64 frames keep the client far from its send
	// buffer (256), where the hub would drop it as too slow.
	for done := 0; done < b.N; {
		n := min(64, b.N-done)
		clock.Tick(n)
		done += n
		waitSeq(uint64(300 + done))
	}
	b.StopTimer()
	n := float64(frames.Load())
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(float64(bytesRead.Load())/n, "B/frame")
	b.ReportMetric(float64(requests.Load())/n, "req/frame")
}

// BenchmarkFrameDeflate compresses one frame of `large` at 1,000
// simulated requests per second as permessage-deflate would (flate level
// 1, gorilla/websocket's default, no context takeover): what enabling
// compression would cost once per frame (a PreparedMessage compresses
// once for every client) and what it would save on every delivery.
func BenchmarkFrameDeflate(b *testing.B) {
	sim := benchSim(b, benchScenario, benchRPS)
	sim.AdvanceTo(10_000)
	sim.Drain()
	sim.AdvanceTo(10_033)
	out := sim.Drain()
	var inFlight []model.Request
	for _, r := range out.Requests {
		if r.EndMs > sim.Now() {
			inFlight = append(inFlight, r)
		}
	}
	strs, wire := encodeRequests(inFlight)
	data, err := json.Marshal(Envelope{Type: TypeFrame, Seq: 300, T: sim.Now(), Payload: FramePayload{Clock: ClockState{TimeMs: sim.Now(), Speed: 1}, Strings: strs, Requests: wire, Log: out.Log, Sampled: 1}})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		w.Reset(&buf)
		if _, err := w.Write(data); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "B/frame")
	b.ReportMetric(float64(buf.Len()), "deflated-B/frame")
	b.ReportMetric(float64(len(data))/float64(buf.Len()), "ratio")
}

// schedClock is the wall clock with a ticker whose k-th tick is due at
// start + k·every: frame seq k is due then, so a client in another
// process can tell how late it got it. A tick the runner is too busy to
// take is late, never skipped.
type schedClock struct {
	start   time.Time
	started chan struct{}
}

func newSchedClock() *schedClock { return &schedClock{started: make(chan struct{})} }

func (c *schedClock) Now() time.Time { return time.Now() }

func (c *schedClock) NewTicker(every time.Duration) Ticker {
	t := &schedTicker{c: make(chan time.Time), stop: make(chan struct{})}
	c.start = time.Now()
	close(c.started)
	go func(start time.Time) {
		for k := 1; ; k++ {
			due := start.Add(time.Duration(k) * every)
			if wait := time.Until(due); wait > 0 {
				timer := time.NewTimer(wait)
				select {
				case <-timer.C:
				case <-t.stop:
					timer.Stop()
					return
				}
			}
			select {
			case t.c <- due:
			case <-t.stop:
				return
			}
		}
	}(c.start)
	return t
}

type schedTicker struct {
	c    chan time.Time
	stop chan struct{}
	once sync.Once
}

func (t *schedTicker) C() <-chan time.Time { return t.c }
func (t *schedTicker) Stop()               { t.once.Do(func() { close(t.stop) }) }

// streamChildEnv carries a streamChild to the child process.
const streamChildEnv = "PODPATH_STREAM_CHILD"

// streamChild is what the child process dials and measures.
type streamChild struct {
	URL     string `json:"url"`
	Clients int    `json:"clients"`
	StartNs int64  `json:"startNs"` // when the runner's ticker started (Unix ns)
	EveryNs int64  `json:"everyNs"` // the frame interval
	Seconds int    `json:"seconds"` // how long to measure after "GO"
}

// streamResult is what the child process measured.
type streamResult struct {
	Connected int `json:"connected"`
	// Dropped clients were closed by the server (too slow) or lost
	// their connection during the run.
	Dropped int `json:"dropped"`
	// Frames received per client per second, mean over clients.
	FPS float64 `json:"fps"`
	// Receive lag: receipt of frame k (all of it read) minus when frame
	// k was due, over every client and frame of the measured window.
	LagP50Ms float64 `json:"lagP50Ms"`
	LagP99Ms float64 `json:"lagP99Ms"`
	LagMaxMs float64 `json:"lagMaxMs"`
	// WorstClientP99Ms is the highest of the clients' own p99 lags.
	WorstClientP99Ms float64 `json:"worstClientP99Ms"`
	BytesPerFrame    float64 `json:"bytesPerFrame"`
	// ClientCPU is the child process's CPU over the window, in cores:
	// what reading the frames costs on this same machine.
	ClientCPU float64 `json:"clientCpu"`
	Error     string  `json:"error,omitempty"`
}

// TestStreamClientsChild is the client side of BenchmarkStreamClients; it
// runs only in the child process the benchmark starts.
func TestStreamClientsChild(t *testing.T) {
	raw := os.Getenv(streamChildEnv)
	if raw == "" {
		t.Skip("the child process of BenchmarkStreamClients")
	}
	var cfg streamChild
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	res := runStreamChild(cfg, bufio.NewReader(os.Stdin), os.Stdout)
	out, _ := json.Marshal(res)
	fmt.Printf("RESULT %s\n", out)
}

// streamReader is one client of the child process.
type streamReader struct {
	conn    *websocket.Conn
	lags    []int64 // ns, frames received inside the window
	bytes   int64
	dropped atomic.Bool
	done    chan struct{}
}

// runStreamChild dials every client (each reads its snapshot), says
// READY, waits for GO on in, records for cfg.Seconds and returns.
func runStreamChild(cfg streamChild, in *bufio.Reader, out io.Writer) streamResult {
	// Clients ask for permessage-deflate, as every browser does: the
	// server then sends each frame compressed once for all of them.
	dialer := &websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 64 << 10, EnableCompression: true}
	readers := make([]*streamReader, cfg.Clients)
	var from, until atomic.Int64
	from.Store(1<<63 - 1)
	start, every := cfg.StartNs, cfg.EveryNs
	prefix := []byte(`{"type":"frame","seq":`)

	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	var dialErr atomic.Value
	for i := range readers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, resp, err := dialer.Dial(cfg.URL, nil)
			if err != nil {
				dialErr.Store(err.Error())
				return
			}
			resp.Body.Close()
			if _, _, err := conn.ReadMessage(); err != nil { // the snapshot
				dialErr.Store(err.Error())
				conn.Close()
				return
			}
			readers[i] = &streamReader{conn: conn, done: make(chan struct{})}
		}()
	}
	wg.Wait()
	res := streamResult{}
	if e, ok := dialErr.Load().(string); ok {
		res.Error = "dial: " + e
	}
	for _, r := range readers {
		if r == nil {
			continue
		}
		res.Connected++
		go func() {
			defer close(r.done)
			head := make([]byte, 48)
			for {
				_, msg, err := r.conn.NextReader()
				if err != nil {
					if time.Now().UnixNano() < until.Load() || until.Load() == 0 {
						r.dropped.Store(true)
					}
					return
				}
				n, _ := io.ReadFull(msg, head)
				rest, _ := io.Copy(io.Discard, msg)
				now := time.Now().UnixNano()
				if now < from.Load() || now > until.Load() || !bytes.HasPrefix(head[:n], prefix) {
					continue
				}
				digits := head[len(prefix):n]
				end := bytes.IndexByte(digits, ',')
				if end < 0 {
					continue
				}
				seq, err := strconv.ParseInt(string(digits[:end]), 10, 64)
				if err != nil {
					continue
				}
				r.lags = append(r.lags, now-(start+seq*every))
				r.bytes += int64(n) + rest
			}
		}()
	}
	fmt.Fprintln(out, "READY")
	if _, err := in.ReadString('\n'); err != nil {
		res.Error = "stdin: " + err.Error()
		return res
	}
	window := time.Duration(cfg.Seconds) * time.Second
	var ru0, ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	now := time.Now()
	until.Store(now.Add(window).UnixNano())
	from.Store(now.UnixNano())
	time.Sleep(window)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	res.ClientCPU = (cpuTime(ru1) - cpuTime(ru0)).Seconds() / time.Since(now).Seconds()
	time.Sleep(300 * time.Millisecond)

	var all []int64
	var frames, totalBytes int64
	for _, r := range readers {
		if r == nil {
			continue
		}
		r.conn.Close()
		<-r.done
		if r.dropped.Load() {
			res.Dropped++
		}
		frames += int64(len(r.lags))
		totalBytes += r.bytes
		if len(r.lags) > 0 {
			slices.Sort(r.lags)
			res.WorstClientP99Ms = max(res.WorstClientP99Ms, ms(quantile(r.lags, 0.99)))
		}
		all = append(all, r.lags...)
	}
	if len(all) > 0 {
		slices.Sort(all)
		res.LagP50Ms = ms(quantile(all, 0.50))
		res.LagP99Ms = ms(quantile(all, 0.99))
		res.LagMaxMs = ms(all[len(all)-1])
		res.BytesPerFrame = float64(totalBytes) / float64(frames)
	}
	if res.Connected > 0 {
		res.FPS = float64(frames) / float64(res.Connected) / window.Seconds()
	}
	return res
}

// behindLag is the p99 receive lag beyond which a fan-out step counts as
// behind.
const behindLag = 250 * time.Millisecond

// quantile of sorted values (nearest rank).
func quantile(sorted []int64, q float64) int64 {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

// BenchmarkStreamClients fans the frames of one room (`large` at 1,000
// simulated requests per second, 30 frames per second) out to N
// WebSocket clients in a child process, and reports the server's CPU
// (user+sys from getrusage over the window ÷ the window, in cores), its
// RSS, and the clients' receive lag. A run is "behind" when a client was
// dropped or never connected, when clients received fewer than 95% of
// the frames (under 28.5 a second), or when the p99 lag exceeds
// behindLag (the frame delay issue #7 allows).
//
// It runs at two rates: 1,000 simulated requests per second (frames of
// about 14 KB, 5 KB deflated) and the scenario's own 40 (frames of a few KB).
func BenchmarkStreamClients(b *testing.B) {
	for _, rps := range []float64{benchRPS, 0} {
		for _, n := range []int{100, 250, 500, 1000, 2000} {
			name := fmt.Sprintf("rps=%g/clients=%d", rps, n)
			if rps == 0 {
				name = fmt.Sprintf("rps=default/clients=%d", n)
			}
			b.Run(name, func(b *testing.B) {
				streamClients(b, n, rps)
			})
		}
	}
}

func streamClients(b *testing.B, clients int, rps float64) {
	seconds := 5
	if s, err := strconv.Atoi(os.Getenv("PODPATH_BENCH_STREAM_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	// Earlier steps' garbage out of the RSS this step reports.
	runtime.GC()
	debug.FreeOSMemory()
	clock := newSchedClock()
	srv, ts := benchServer(b, benchSim(b, benchScenario, rps), clock)
	<-clock.started
	every := time.Second / DefaultFrameRate

	cfg, _ := json.Marshal(streamChild{URL: wsURL(ts), Clients: clients, StartNs: clock.start.UnixNano(), EveryNs: int64(every), Seconds: seconds})
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds)*time.Second+3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStreamClientsChild$", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), streamChildEnv+"="+string(cfg))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	expect := func(prefix string) string {
		for lines.Scan() {
			if line := lines.Text(); strings.HasPrefix(line, prefix) {
				return strings.TrimPrefix(line, prefix)
			}
		}
		b.Fatalf("child process: no %q line; stderr: %s", prefix, stderr.String())
		return ""
	}
	expect("READY")
	time.Sleep(time.Second) // warm up with everyone connected

	b.ResetTimer()
	ru0, wall0 := rusage(b), time.Now()
	if _, err := io.WriteString(stdin, "GO\n"); err != nil {
		b.Fatal(err)
	}
	time.Sleep(time.Duration(seconds) * time.Second)
	ru1, wall := rusage(b), time.Since(wall0)
	rss, hwm := procStatusMB("VmRSS"), procStatusMB("VmHWM")
	subscribed := srv.runner.hub.count()
	b.StopTimer()

	var res streamResult
	if err := json.Unmarshal([]byte(expect("RESULT ")), &res); err != nil {
		b.Fatal(err)
	}
	_ = cmd.Wait()
	if res.Error != "" {
		b.Logf("child: %s", res.Error)
	}
	cpu := (cpuTime(ru1) - cpuTime(ru0)).Seconds() / wall.Seconds()
	behind := 0.0
	if res.LagP99Ms > ms(int64(behindLag)) || res.FPS < 0.95*DefaultFrameRate || res.Dropped > 0 || res.Connected < clients {
		behind = 1
	}
	b.ReportMetric(cpu, "cpu-cores")
	b.ReportMetric(rss, "rss-MB")
	b.ReportMetric(hwm, "peak-rss-MB")
	b.ReportMetric(res.ClientCPU, "client-cpu-cores")
	b.ReportMetric(res.FPS, "frames/s/client")
	b.ReportMetric(res.BytesPerFrame, "B/frame")
	b.ReportMetric(res.LagP50Ms, "lag-p50-ms")
	b.ReportMetric(res.LagP99Ms, "lag-p99-ms")
	b.ReportMetric(res.WorstClientP99Ms, "worst-client-p99-ms")
	b.ReportMetric(float64(res.Dropped+clients-res.Connected), "dropped")
	b.ReportMetric(behind, "behind")
	b.Logf("clients=%d connected=%d subscribed=%d server cpu=%.2f cores client cpu=%.2f cores rss=%.0f MB lag p50/p99/max=%.1f/%.1f/%.1f ms fps=%.1f",
		clients, res.Connected, subscribed, cpu, res.ClientCPU, rss, res.LagP50Ms, res.LagP99Ms, res.LagMaxMs, res.FPS)
}

func rusage(b *testing.B) syscall.Rusage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru
}

func cpuTime(ru syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatusMB reads a kB field of /proc/self/status in MB (0 when it
// cannot be read, e.g. off Linux).
func procStatusMB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
