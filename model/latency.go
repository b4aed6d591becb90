package model

import (
	"math"
	"math/bits"
)

// Latency over time. Every response that reaches its client is counted
// in the second of virtual time it arrived in: one histogram per second,
// the last latencyWindowSec of them summed for the headline percentiles,
// and one MetricsPoint per closed second for the chart. The Sim owns it;
// it changes only in requestDone and at the end of AdvanceTo.

const (
	latencySecondMs  = 1000
	latencyWindowSec = 10  // seconds behind Metrics.Latency
	historyPoints    = 120 // seconds of Metrics.History (2 minutes)

	// Log-linear bins: values below linearBins ms are exact; above, each
	// octave splits into linearBins bins (a bin is < 1.6% of its value,
	// so its midpoint is within 0.8%). Values of 2^32 ms or more share
	// the last bin.
	linearBins   = 64
	latencyBins  = linearBins + linearBins*(32-7+1)
	maxLatencyMs = 1<<32 - 1
)

// LatencyWindow is the latency of the responses of the last WindowMs of
// virtual time (complete seconds only). P50Ms and P95Ms are 0 when Count
// is 0.
type LatencyWindow struct {
	WindowMs int64   `json:"windowMs"`
	Count    int64   `json:"count"`
	P50Ms    float64 `json:"p50Ms"`
	P95Ms    float64 `json:"p95Ms"`
}

// MetricsPoint is one second of virtual time [T, T+1000): the responses
// that reached their clients in it, those that were errors (status ≥ 500
// or no HTTP answer), and their latency percentiles (0 without requests).
type MetricsPoint struct {
	T        int64   `json:"t"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	P50Ms    float64 `json:"p50Ms"`
	P95Ms    float64 `json:"p95Ms"`
}

// histogram counts latencies in log-linear bins.
type histogram struct {
	n      int64
	errors int64
	bins   [latencyBins]uint32
}

func latencyBin(ms int64) int {
	v := uint64(min(max(ms, 0), maxLatencyMs))
	if v < linearBins {
		return int(v)
	}
	e := bits.Len64(v) - 7 // v>>e is in [64, 128)
	return linearBins + e*linearBins + int(v>>e) - linearBins
}

// binValue is the midpoint of a bin, in ms.
func binValue(b int) float64 {
	if b < linearBins {
		return float64(b)
	}
	e := (b - linearBins) / linearBins
	lo := uint64(linearBins+(b-linearBins)%linearBins) << e
	return float64(lo) + float64(uint64(1)<<e-1)/2
}

// quantile is the nearest-rank q-quantile (0 < q ≤ 1), 0 when empty.
func (h *histogram) quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(h.n))), 1)
	var seen int64
	for b, c := range h.bins {
		seen += int64(c)
		if seen >= rank {
			return binValue(b)
		}
	}
	return binValue(latencyBins - 1)
}

// latencyStats is the Sim's record of recent responses.
type latencyStats struct {
	start   int64     // start of the current second
	current histogram // responses of the current second
	window  histogram // the sum of recent
	recent  [latencyWindowSec]histogram
	next    int // recent[next] is the oldest second of the window

	history [historyPoints]MetricsPoint // ring, oldest at first
	first   int
	points  int
}

// newLatencyStats starts an empty record at virtual time now.
func newLatencyStats(now int64) *latencyStats {
	return &latencyStats{start: now - now%latencySecondMs}
}

func (l *latencyStats) clone() *latencyStats {
	c := *l
	return &c
}

// add counts a response that reached its client at virtual time at.
func (l *latencyStats) add(at, latencyMs int64, isError bool) {
	l.closeUntil(at)
	l.current.bins[latencyBin(latencyMs)]++
	l.current.n++
	if isError {
		l.current.errors++
	}
}

// closeUntil closes every second that ended at or before t.
func (l *latencyStats) closeUntil(t int64) {
	if t < l.start+latencySecondMs {
		return
	}
	// Nothing to carry over a long quiet stretch: skip to the seconds
	// that can still be seen.
	keep := int64(historyPoints + latencyWindowSec)
	if l.current.n == 0 && t-l.start > keep*latencySecondMs {
		skipTo := t - t%latencySecondMs - keep*latencySecondMs
		for l.start < skipTo && l.window.n > 0 {
			l.closeSecond()
		}
		if l.start < skipTo {
			l.start = skipTo
		}
	}
	for t >= l.start+latencySecondMs {
		l.closeSecond()
	}
}

// closeSecond turns the current second into a history point and moves it
// into the window, dropping the window's oldest second.
func (l *latencyStats) closeSecond() {
	c := &l.current
	l.pushPoint(MetricsPoint{T: l.start, Requests: c.n, Errors: c.errors, P50Ms: c.quantile(0.50), P95Ms: c.quantile(0.95)})
	old := &l.recent[l.next]
	if old.n > 0 {
		l.window.n -= old.n
		l.window.errors -= old.errors
		for b, n := range old.bins {
			l.window.bins[b] -= n
		}
	}
	if c.n > 0 {
		l.window.n += c.n
		l.window.errors += c.errors
		for b, n := range c.bins {
			l.window.bins[b] += n
		}
	}
	if old.n > 0 || c.n > 0 {
		*old = *c
	}
	l.next = (l.next + 1) % latencyWindowSec
	if c.n > 0 {
		*c = histogram{}
	}
	l.start += latencySecondMs
}

func (l *latencyStats) pushPoint(p MetricsPoint) {
	if l.points < historyPoints {
		l.history[(l.first+l.points)%historyPoints] = p
		l.points++
		return
	}
	l.history[l.first] = p
	l.first = (l.first + 1) % historyPoints
}

// latencyView is the window's percentiles.
func (l *latencyStats) latencyView() LatencyWindow {
	return LatencyWindow{
		WindowMs: latencyWindowSec * latencySecondMs,
		Count:    l.window.n,
		P50Ms:    l.window.quantile(0.50),
		P95Ms:    l.window.quantile(0.95),
	}
}

// historyView is the history, oldest first.
func (l *latencyStats) historyView() []MetricsPoint {
	out := make([]MetricsPoint, l.points)
	for i := range out {
		out[i] = l.history[(l.first+i)%historyPoints]
	}
	return out
}

// isErrorStatus reports whether a metrics key (an HTTP status or an
// outcome without one) counts as an error: 5xx, or no HTTP answer.
func isErrorStatus(key string) bool {
	if len(key) != 3 || key[0] < '1' || key[0] > '9' {
		return true
	}
	return key[0] >= '5'
}
