package model

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLatencyBinsAreExactBelow64AndWithin1PercentAbove(t *testing.T) {
	for ms := int64(0); ms < 64; ms++ {
		assert.Equal(t, float64(ms), binValue(latencyBin(ms)))
	}
	prev := -1
	for ms := int64(64); ms < 5_000_000; ms += 1 + ms/97 {
		b := latencyBin(ms)
		require.GreaterOrEqual(t, b, prev, "bins grow with the value")
		prev = b
		v := binValue(b)
		assert.InEpsilon(t, float64(ms), v, 0.01, "ms %d → bin %d → %v", ms, b, v)
	}
	assert.Equal(t, latencyBins-1, latencyBin(math.MaxInt64), "huge values share the last bin")
	assert.Equal(t, 0, latencyBin(-5), "negative values count as 0")
}

func TestHistogramQuantileIsNearestRank(t *testing.T) {
	var h histogram
	assert.Zero(t, h.quantile(0.5), "empty")
	for _, ms := range []int64{10, 20, 30, 40} {
		h.bins[latencyBin(ms)]++
		h.n++
	}
	assert.Equal(t, 20.0, h.quantile(0.5))
	assert.Equal(t, 40.0, h.quantile(0.95))
	assert.Equal(t, 10.0, h.quantile(0.01))
}

// The live history is one point per second of virtual time, its counts
// add up to the finished requests, and its percentiles match the exact
// ones computed from the requests themselves.
func TestMetricsHistoryMatchesTheRequests(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(SetTraffic{RPS: 200}))
	s.AdvanceTo(30_000)
	reqs := s.Drain().Requests
	m := s.Snapshot().Metrics

	require.Len(t, m.History, 30)
	var sum int64
	for i, p := range m.History {
		assert.Equal(t, int64(i)*1000, p.T, "one point per second, oldest first")
		assert.GreaterOrEqual(t, p.P95Ms, p.P50Ms)
		sum += p.Requests
	}
	assert.Equal(t, m.Requests, sum, "every finished request is in one second (30 s closed, none pending in the current one)")

	// Exact latencies per second of arrival at the client.
	bySecond := map[int64][]float64{}
	errors := map[int64]int64{}
	for _, r := range reqs {
		if r.EndMs >= 30_000 {
			continue
		}
		sec := r.EndMs / 1000 * 1000
		bySecond[sec] = append(bySecond[sec], float64(r.EndMs-r.StartMs))
		if isErrorStatus(outcomeKey(r)) {
			errors[sec]++
		}
	}
	exact := func(v []float64, q float64) float64 {
		slices.Sort(v)
		return v[max(int(math.Ceil(q*float64(len(v))))-1, 0)]
	}
	for _, p := range m.History[5:] {
		v := bySecond[p.T]
		require.Len(t, v, int(p.Requests), "second %d", p.T)
		assert.Equal(t, errors[p.T], p.Errors, "second %d", p.T)
		assert.InEpsilon(t, exact(v, 0.5), p.P50Ms, 0.01, "p50 of second %d", p.T)
		assert.InEpsilon(t, exact(v, 0.95), p.P95Ms, 0.01, "p95 of second %d", p.T)
	}

	// The headline: the last 10 complete seconds.
	var window []float64
	for sec := int64(20_000); sec < 30_000; sec += 1000 {
		window = append(window, bySecond[sec]...)
	}
	assert.Equal(t, int64(10_000), m.Latency.WindowMs)
	assert.Equal(t, int64(len(window)), m.Latency.Count)
	assert.InEpsilon(t, exact(window, 0.5), m.Latency.P50Ms, 0.01)
	assert.InEpsilon(t, exact(window, 0.95), m.Latency.P95Ms, 0.01)
}

func TestMetricsHistoryKeepsTwoMinutesAndSurvivesQuietStretches(t *testing.T) {
	s := newShop(t)
	s.AdvanceTo(200_000)
	m := s.Snapshot().Metrics
	require.Len(t, m.History, historyPoints)
	assert.Equal(t, int64(80_000), m.History[0].T)
	assert.Equal(t, int64(199_000), m.History[historyPoints-1].T)

	// An hour with no traffic: the window empties, the history is the
	// last two (empty) minutes.
	require.NoError(t, s.Apply(SetTraffic{RPS: 0}))
	s.AdvanceTo(3_800_000)
	m = s.Snapshot().Metrics
	require.Len(t, m.History, historyPoints)
	assert.Equal(t, int64(3_799_000), m.History[historyPoints-1].T)
	assert.Zero(t, m.Latency.Count)
	assert.Zero(t, m.Latency.P95Ms)
	for _, p := range m.History {
		assert.Zero(t, p.Requests)
	}

	// A copy has its own record.
	c := s.Clone()
	require.NoError(t, c.Apply(SetTraffic{RPS: 50}))
	c.AdvanceTo(3_900_000)
	assert.NotZero(t, c.Snapshot().Metrics.Latency.Count)
	assert.Zero(t, s.Snapshot().Metrics.Latency.Count)
}

func TestErrorsCountFailuresWithoutAnAnswer(t *testing.T) {
	for key, want := range map[string]bool{"200": false, "302": false, "404": false, "502": true, "503": true, "504": true, "refused": true, "timeout": true, "": true} {
		assert.Equal(t, want, isErrorStatus(key), key)
	}
}
