package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateDirFlag(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/var/tmp/xdg")
	opts, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "/var/tmp/xdg/podpath", opts.stateDir)
	assert.False(t, opts.stateDirSet)
	assert.False(t, opts.scenarioSet, "no -scenario: the default room resumes")

	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/someone")
	opts, err = parseFlags([]string{"-scenario", "shop", "-state-dir", ""}, io.Discard)
	require.NoError(t, err)
	assert.Empty(t, opts.stateDir, "an empty -state-dir turns persistence off")
	assert.True(t, opts.stateDirSet)
	assert.True(t, opts.scenarioSet)
	assert.Equal(t, "/home/someone/.local/state/podpath", defaultStateDir())
}

// TestShutdownWritesEveryAcceptedChange: a change accepted just before
// the stop signal (inside the write coalescing window) is in the state
// file when serve returns, and comes back on the next start.
func TestShutdownWritesEveryAcceptedChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	addr := freeAddr(t)
	opts := options{addr: addr, scenario: "shop", stateDir: dir, stateDirSet: true}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, opts, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	base := "http://" + addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	}, 10*time.Second, 20*time.Millisecond)

	res, err := http.Post(base+"/api/rooms", "application/json", strings.NewReader(`{"scenario":"shop"}`))
	require.NoError(t, err)
	var room struct{ ID, URL, Token string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&room))
	res.Body.Close()
	req, _ := http.NewRequest("POST", base+room.URL+"/api/commands", strings.NewReader(`{"type":"scale","namespace":"shop","deployment":"shop","replicas":9}`))
	req.Header.Set("Authorization", "Bearer "+room.Token)
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	stop() // at once: well inside the 200 ms coalescing window
	require.NoError(t, <-done)

	data, err := os.ReadFile(filepath.Join(dir, room.ID+".json"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"replicas":9`)
	assert.NotContains(t, string(data), room.Token)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}
