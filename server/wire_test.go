package server

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// TestWireRequestsRoundTrip: every field the page uses survives the
// compact form; only the addresses (clientIP, hop src/dst) are dropped.
func TestWireRequestsRoundTrip(t *testing.T) {
	sim := benchSim(t, "large", 1000)
	sim.AdvanceTo(3000)
	out := sim.Drain()
	require.NotEmpty(t, out.Requests)

	strs, wire := encodeRequests(out.Requests)
	data, err := json.Marshal(FramePayload{Strings: strs, Requests: wire})
	require.NoError(t, err)
	var back FramePayload
	require.NoError(t, json.Unmarshal(data, &back))
	got, err := back.LiveRequests()
	require.NoError(t, err)
	require.Len(t, got, len(out.Requests))
	for i, want := range out.Requests {
		want.ClientIP = ""
		want.Hops = append([]model.Hop(nil), want.Hops...)
		for j := range want.Hops {
			want.Hops[j].Src, want.Hops[j].Dst, want.Hops[j].HopDetail = "", "", nil
		}
		assert.Equal(t, want, got[i])
		assert.Equal(t, want.ID, back.Requests[i].ID())
		assert.Equal(t, want.EndMs, back.Requests[i].EndMs())
	}
	assert.Equal(t, "", strs[0], "index 0 is the empty string")

	full, err := json.Marshal(out.Requests)
	require.NoError(t, err)
	t.Logf("%d requests: %d B as model.Request JSON, %d B compact (%.1f×)", len(out.Requests), len(full), len(data), float64(len(full))/float64(len(data)))
	assert.Less(t, len(data)*4, len(full), "the compact form is at least 4× smaller")
}

func TestEmptyFrameHasEmptyArrays(t *testing.T) {
	strs, wire := encodeRequests(nil)
	data, err := json.Marshal(FramePayload{Strings: strs, Requests: wire})
	require.NoError(t, err)
	assert.Contains(t, string(data), `"strings":[""]`)
	assert.Contains(t, string(data), `"requests":[]`)
}

func TestDecodeRequestRejectsBadInput(t *testing.T) {
	for name, w := range map[string]WireRequest{
		"short":        {1, 2, 3},
		"partial hop":  append(make(WireRequest, wireHeader), 1, 2),
		"index beyond": append(make(WireRequest, wireHeader-1), 7),
		"negative":     append(make(WireRequest, wireHeader-1), -1),
	} {
		_, err := decodeRequest([]string{""}, w)
		assert.Error(t, err, name)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`[[1,0,10,200,1,0,0,0,0,0,0,0,1,0,0,0,5,4]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p FramePayload
		if json.Unmarshal(data, &p.Requests) != nil {
			return
		}
		p.Strings = []string{"", "a"}
		_, _ = p.LiveRequests() // must not panic
	})
}
