package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/scenarios"
)

func TestScenarioFlags(t *testing.T) {
	for _, v := range []string{"./my.yaml", "/tmp/x", "x.yml", "scenarios/testdata/oc-get-all.yaml"} {
		assert.True(t, isScenarioFile(v), v)
	}
	for _, v := range []string{"shop", "api-ingress", "my-app"} {
		assert.False(t, isScenarioFile(v), v)
	}

	opts, err := parseFlags([]string{"-scenario", "api-ingress"}, io.Discard)
	require.NoError(t, err)
	assert.False(t, opts.seedSet, "the scenario keeps its own seed")
	opts, err = parseFlags([]string{"-scenario", "shop", "-seed", "7"}, io.Discard)
	require.NoError(t, err)
	assert.True(t, opts.seedSet)

	_, err = parseFlags([]string{"-scenario", "nope"}, io.Discard)
	assert.ErrorContains(t, err, "unknown")
	_, err = parseFlags([]string{"-scenarios-dir", filepath.Join(t.TempDir(), "missing")}, io.Discard)
	assert.ErrorContains(t, err, "not a directory")

	// A name of the directory is checked when it loads, not as a flag.
	dir := t.TempDir()
	data, err := os.ReadFile("scenarios/testdata/oc-get-deploy-svc-route.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "my-app.yaml"), data, 0o644))
	opts, err = parseFlags([]string{"-scenario", "my-app", "-scenarios-dir", dir}, io.Discard)
	require.NoError(t, err)
	sc, _, meta, err := loadScenario(opts, scenarios.NewCatalog(dir))
	require.NoError(t, err)
	assert.Equal(t, "my-app", meta.Name)
	assert.Equal(t, scenarios.SourceDir, meta.Source)
	assert.NotEmpty(t, sc.Workloads)

	opts, err = parseFlags([]string{"-scenario", "scenarios/testdata/oc-get-deploy-svc-route.yaml"}, io.Discard)
	require.NoError(t, err)
	_, _, meta, err = loadScenario(opts, scenarios.NewCatalog(""))
	require.NoError(t, err)
	assert.Equal(t, "file", meta.Source)
	assert.Equal(t, "oc-get-deploy-svc-route", meta.Name, "a headerless file is named after the file")

	opts, err = parseFlags([]string{"-scenario", "./missing.yaml"}, io.Discard)
	require.NoError(t, err)
	_, _, _, err = loadScenario(opts, scenarios.NewCatalog(""))
	assert.Error(t, err)
}
