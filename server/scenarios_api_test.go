package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/scenarios"
)

// withCatalog serves the built-ins plus dir ("" for none), loaded from shop.
func withCatalog(dir string) func(*Config) {
	return func(c *Config) {
		c.Catalog = scenarios.NewCatalog(dir)
		c.Scenario = ScenarioMeta{Name: "shop", Title: "Shop", Source: scenarios.SourceBuiltin}
	}
}

// send sends body with a content type and returns status, headers and body.
func (h *harness) send(method, path, contentType string, body []byte) (int, http.Header, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.http.URL+path, bytes.NewReader(body))
	require.NoError(h.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := h.http.Client().Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return resp.StatusCode, resp.Header, data
}

func (h *harness) scenarioList() ScenarioList {
	h.t.Helper()
	status, data := h.call(http.MethodGet, "/api/scenarios", "")
	require.Equal(h.t, http.StatusOK, status, string(data))
	var list ScenarioList
	decode(h.t, data, &list)
	return list
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "scenarios", "testdata", name))
	require.NoError(t, err)
	return data
}

func TestScenarioListNamesBuiltinsAndTheDirectory(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	list := h.scenarioList()
	assert.Equal(t, "shop", list.Current.Name)
	assert.False(t, list.CanSave)
	require.Len(t, list.Scenarios, len(scenarios.Names()))
	assert.Equal(t, "shop", list.Scenarios[0].Name)
	for _, s := range list.Scenarios {
		assert.Equal(t, scenarios.SourceBuiltin, s.Source)
		assert.NotEmpty(t, s.Title, s.Name)
		assert.Empty(t, s.Error, s.Name)
	}

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "my-app.yaml"), fixture(t, "oc-get-deploy-svc-route.yaml"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.yml"), []byte("kind: [unclosed\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Bad Name.yaml"), []byte("{}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "canary.yaml"), []byte("{}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a scenario"), 0o644))
	h = newHarness(t, withCatalog(dir))
	list = h.scenarioList()
	assert.True(t, list.CanSave)
	byName := map[string]scenarios.Entry{}
	for _, s := range list.Scenarios[len(scenarios.Names()):] {
		assert.Equal(t, scenarios.SourceDir, s.Source)
		byName[s.Name] = s
	}
	assert.Len(t, byName, 4, "the .txt file is not listed")
	assert.Empty(t, byName["my-app"].Error)
	assert.Contains(t, byName["broken"].Error, "invalid YAML")
	assert.Contains(t, byName["Bad Name"].Error, "not a scenario name")
	assert.Contains(t, byName["canary"].Error, "built-in")

	// A file of the directory loads by name; a bad one is refused.
	var loaded LoadResult
	decode(t, h.post("/api/scenarios/my-app/load", ""), &loaded)
	assert.Equal(t, ScenarioMeta{Name: "my-app", Source: scenarios.SourceDir}, loaded.Scenario)
	assert.Equal(t, 3, deployment(t, loaded.State, "myapp", "frontend").Replicas)
	before := h.stateJSON()
	status, data := h.call(http.MethodPost, "/api/scenarios/broken/load", "")
	assert.Equal(t, http.StatusBadRequest, status, string(data))
	assert.Contains(t, string(data), `"document":1`)
	assert.Equal(t, string(before), string(h.stateJSON()))
}

func TestLoadScenarioReplacesTheClusterAndTellsTheViewers(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	h.clock.Tick(30) // a second of virtual time
	require.NotZero(t, h.state().TimeMs)
	conn := h.dial()
	snapMsg, _ := readSnapshot(t, conn)

	var loaded LoadResult
	decode(t, h.post("/api/scenarios/api-ingress/load", ""), &loaded)
	assert.True(t, loaded.OK)
	assert.Equal(t, "api-ingress", loaded.Scenario.Name)
	assert.Equal(t, scenarios.SourceBuiltin, loaded.Scenario.Source)
	assert.Empty(t, loaded.Warnings)
	assert.Zero(t, loaded.State.TimeMs, "the clock restarts")
	assert.Equal(t, uint64(2), loaded.State.Seed, "the scenario's own seed")

	state := h.state()
	assert.Zero(t, state.TimeMs)
	assert.Equal(t, 3, appPods(state, "default"), "api-ingress: 3 pods")
	nodes := map[string]bool{}
	for _, p := range state.Pods {
		if p.Namespace == "default" && !p.Router {
			nodes[p.Node] = true
		}
	}
	assert.Len(t, nodes, 2, "on two nodes")
	assert.Equal(t, "api-ingress", h.scenarioList().Current.Name)

	// The viewer gets a snapshot of the new cluster, then frames go on.
	var got SnapshotPayload
	var seq uint64
	for {
		m := read(t, conn)
		if m.Type == TypeSnapshot {
			decode(t, m.Payload, &got)
			seq = m.Seq
			break
		}
		require.Equal(t, TypeFrame, m.Type)
	}
	assert.Greater(t, seq, snapMsg.Seq)
	assert.Equal(t, 3, appPods(got.State, "default"))
	h.clock.Tick(1)
	frame, _ := readFrame(t, conn)
	assert.Equal(t, seq+1, frame.Seq, "frames continue after the snapshot")

	// An unknown scenario changes nothing.
	before := h.stateJSON()
	status, data := h.call(http.MethodPost, "/api/scenarios/nope/load", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, string(data), `scenario \"nope\"`)
	assert.Contains(t, string(data), "api-ingress")
	assert.Equal(t, string(before), string(h.stateJSON()))
}

func TestImportManifests(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	status, _, data := h.send(http.MethodPost, "/api/import", "application/yaml", fixture(t, "oc-get-deploy-svc-route.yaml"))
	require.Equal(t, http.StatusOK, status, string(data))
	var loaded LoadResult
	decode(t, data, &loaded)
	assert.Equal(t, ScenarioMeta{Name: ImportedName, Source: "import"}, loaded.Scenario)
	assert.Equal(t, 3, deployment(t, h.state(), "myapp", "frontend").Replicas)
	for _, w := range loaded.Warnings {
		assert.NotEmpty(t, w.Text)
		assert.Positive(t, w.Document)
	}
	for _, d := range h.state().Deployments {
		assert.NotEqual(t, "shop", d.Namespace, "the shop cluster is gone")
	}
}

func TestImportErrorsChangeNothing(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	before := h.stateJSON()
	duplicateKey := `apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: x}
spec:
  host: web.example.com
  host: www.example.com
  to: {kind: Service, name: web}
`
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		want   ErrorPayload
	}{
		{"bad YAML", []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: a\n"), 400, ErrorPayload{Code: "invalid", Document: 1, Line: 3}},
		{"duplicate key", []byte(duplicateKey), 400, ErrorPayload{Code: "invalid", Document: 1, Kind: "Route", Name: "x/web", Line: 6, Field: "spec.host"}},
		{"second document", []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: a}\nspec:\n  replicas: -1\n"),
			400, ErrorPayload{Code: "invalid", Document: 2, Kind: "Deployment", Name: "a/d", Line: 9, Field: "spec.replicas"}},
		{"empty", nil, 400, ErrorPayload{}},
		{"oversized", bytes.Repeat([]byte("# padding\n"), MaxImportBytes/10+1), 413, ErrorPayload{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, data := h.send(http.MethodPost, "/api/import", "application/yaml", tc.body)
			assert.Equal(t, tc.status, status, string(data))
			var got ErrorPayload
			decode(t, data, &got)
			assert.NotEmpty(t, got.Error)
			if tc.want.Document > 0 {
				msg := got.Error
				got.Error, got.Reason = "", "" // the text: for people
				assert.Equal(t, tc.want, got, msg)
			}
			assert.Equal(t, string(before), string(h.stateJSON()), "nothing changed")
		})
	}
	status, data := h.call(http.MethodPost, "/api/import", "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(data), "empty")
}

func TestExportAfterCommandsReimportsToTheSameCluster(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	h.post("/api/commands", `{"type":"scale","namespace":"shop","deployment":"shop","replicas":6}`)
	h.post("/api/commands", `{"type":"setLoadBalancer","lbType":"NLB","crossZone":true}`)
	h.post("/api/commands", `{"type":"setNetwork","encapsulation":"IPIP","kubeProxyMode":"ipvs"}`)
	h.post("/api/commands", `{"type":"setTraffic","rps":12}`)
	h.post("/api/commands", `{"type":"apply","object":{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"api","namespace":"shop"},"spec":{"host":"api.apps.demo.example.com","to":{"kind":"Service","name":"shop"}}}}`)

	status, header, data := h.send(http.MethodGet, "/api/export", "", nil)
	require.Equal(t, http.StatusOK, status, string(data))
	assert.Equal(t, `attachment; filename="shop.yaml"`, header.Get("Content-Disposition"))
	assert.Equal(t, "application/yaml; charset=utf-8", header.Get("Content-Type"))
	assert.Contains(t, string(data), "kind: Scenario")
	assert.Contains(t, string(data), "name: shop\n")

	live := h.state()
	status, _, body := h.send(http.MethodPost, "/api/import", "application/yaml", data)
	require.Equal(t, http.StatusOK, status, string(body))
	var loaded LoadResult
	decode(t, body, &loaded)
	assert.Empty(t, loaded.Warnings, "an export imports cleanly")
	assert.Equal(t, "shop", loaded.Scenario.Name)
	got := loaded.State
	assert.Equal(t, 6, deployment(t, got, "shop", "shop").Replicas)
	assert.Equal(t, 6, appPods(got, "shop"))
	assert.Equal(t, live.LoadBalancer.Type, got.LoadBalancer.Type)
	assert.True(t, got.LoadBalancer.CrossZone)
	assert.Equal(t, live.Network, got.Network)
	assert.Equal(t, live.Traffic, got.Traffic)
	assert.Equal(t, live.Routes, got.Routes)
	assert.Equal(t, live.Cluster, got.Cluster)
	require.Len(t, got.Nodes, len(live.Nodes))
	for i := range live.Nodes {
		// The Calico blocks are drawn anew from the seed.
		assert.Equal(t, live.Nodes[i].Name, got.Nodes[i].Name)
		assert.Equal(t, live.Nodes[i].IP, got.Nodes[i].IP)
	}
	for i := range live.Services {
		assert.Equal(t, live.Services[i].ClusterIP, got.Services[i].ClusterIP)
	}
}

func TestSaveWritesIntoTheDirectory(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	status, data := h.call(http.MethodPost, "/api/scenarios/save", `{"name":"mine"}`)
	assert.Equal(t, http.StatusConflict, status, string(data))
	assert.Contains(t, string(data), "-scenarios-dir")

	dir := t.TempDir()
	h = newHarness(t, withCatalog(dir))
	before := h.stateJSON()
	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"name":"../escape"}`, 400, "DNS-1123"},
		{`{"name":"a/b"}`, 400, "DNS-1123"},
		{`{"name":"Upper"}`, 400, "DNS-1123"},
		{`{"name":""}`, 400, "DNS-1123"},
		{`{"name":"-x"}`, 400, "DNS-1123"},
		{`{"name":"` + strings.Repeat("a", 64) + `"}`, 400, "63"},
		{`{"name":"shop"}`, 409, "built-in"},
		{`{"name":"x","extra":1}`, 400, "unknown field"},
		{`not json`, 400, "malformed"},
	} {
		status, data := h.call(http.MethodPost, "/api/scenarios/save", tc.body)
		assert.Equal(t, tc.status, status, "%s → %s", tc.body, data)
		assert.Contains(t, string(data), tc.want, tc.body)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing written")
	assert.Equal(t, string(before), string(h.stateJSON()))

	h.post("/api/commands", `{"type":"scale","namespace":"shop","deployment":"shop","replicas":2}`)
	var saved SaveResult
	decode(t, h.post("/api/scenarios/save", `{"name":"two-pods"}`), &saved)
	assert.Equal(t, SaveResult{OK: true, Name: "two-pods", File: filepath.Join(dir, "two-pods.yaml")}, saved)
	file, err := os.ReadFile(saved.File)
	require.NoError(t, err)
	sc, warnings, err := scenarios.Parse(file)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, "two-pods", sc.Name)
	assert.Equal(t, 2, sc.Workloads[0].Replicas)

	list := h.scenarioList()
	assert.Equal(t, "two-pods", list.Current.Name)
	last := list.Scenarios[len(list.Scenarios)-1]
	assert.Equal(t, "two-pods", last.Name)
	assert.Equal(t, scenarios.SourceDir, last.Source)

	// Saving again replaces the file; loading it by name gives the cluster.
	h.post("/api/scenarios/shop/load", "")
	decode(t, h.post("/api/scenarios/save", `{"name":"two-pods"}`), &saved)
	var loaded LoadResult
	decode(t, h.post("/api/scenarios/two-pods/load", ""), &loaded)
	assert.Equal(t, 4, deployment(t, loaded.State, "shop", "shop").Replicas)
}

func TestScenarioRoutesMethods(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/api/scenarios"},
		{http.MethodGet, "/api/import"},
		{http.MethodPost, "/api/export"},
		{http.MethodGet, "/api/scenarios/shop/load"},
	} {
		status, data := h.call(tc.method, tc.path, "")
		assert.Equal(t, http.StatusMethodNotAllowed, status, "%s %s: %s", tc.method, tc.path, data)
		var e ErrorPayload
		require.NoError(t, json.Unmarshal(data, &e))
	}
}
