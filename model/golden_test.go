package model

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
// Review a rewritten file's diff before committing it.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	b = append(b, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, b, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./model -run Golden -update to create it")
	require.Equal(t, string(want), string(b), "golden %s differs; if the change is intended, rerun with -update and review the diff", name)
}

// TestGoldenShopTrace pins the explained golden path of the default
// scenario: every hop, address, NAT, header and note.
func TestGoldenShopTrace(t *testing.T) {
	s := newShop(t)
	tr, err := s.Trace(TraceRequest{URL: shopURL, Client: "browser"})
	require.NoError(t, err)
	golden(t, "shop_trace.json", tr)
}

// TestGoldenShopLive pins 5 virtual seconds of live traffic and cluster
// events around a scale-up and a pod deletion.
func TestGoldenShopLive(t *testing.T) {
	s := newShop(t)
	s.AdvanceTo(1000)
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 5}))
	s.AdvanceTo(2500)
	require.NoError(t, s.Apply(DeletePod{Namespace: "shop", Pod: appPods(s.Snapshot(), "shop")[0].Name}))
	s.AdvanceTo(5000)
	golden(t, "shop_live.json", s.Drain())
}
