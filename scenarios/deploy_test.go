package scenarios

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// The built-in podpath-on-openshift is the header of its file followed by
// the manifests of ../deploy, so that podpath draws the deployment
// `oc apply -f deploy/` makes. This flag rewrites the file from them:
//
//	go test ./scenarios -run TestPodpathOnOpenShiftIsDeploy -args -regenerate-openshift
var regenerateOpenShift = flag.Bool("regenerate-openshift", false, "rewrite podpath-on-openshift.yaml from its header and ../deploy/*.yaml")

const (
	openShiftScenario = "podpath-on-openshift.yaml"
	deployDir         = "../deploy"
)

// deployFiles reads ../deploy/*.yaml in name order, the order in which
// `oc apply -f deploy/` applies them.
func deployFiles(t *testing.T) [][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(deployDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, names, "no manifests in %s", deployDir)
	var files [][]byte
	for _, name := range names { // Glob sorts
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		files = append(files, data)
	}
	return files
}

// yamlDocuments decodes every document of a YAML stream, comments and
// layout aside.
func yamlDocuments(t *testing.T, data []byte) []any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		require.NoError(t, err)
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

func TestPodpathOnOpenShiftIsDeploy(t *testing.T) {
	files := deployFiles(t)
	scenario, err := os.ReadFile(openShiftScenario)
	require.NoError(t, err)

	if *regenerateOpenShift {
		header, _, _ := strings.Cut(string(scenario), "\n---\n")
		var out strings.Builder
		out.WriteString(strings.TrimRight(header, "\n") + "\n")
		for _, f := range files {
			out.WriteString("---\n")
			out.Write(f)
		}
		require.NoError(t, os.WriteFile(openShiftScenario, []byte(out.String()), 0o644))
		scenario = []byte(out.String())
	}

	var want []any
	for _, f := range files {
		want = append(want, yamlDocuments(t, f)...)
	}
	got := yamlDocuments(t, scenario)
	require.NotEmpty(t, got)
	header := got[0].(map[string]any)
	require.Equal(t, "Scenario", header["kind"], "the first document is the podpath header")
	assert.Equal(t, want, got[1:], "%s must hold exactly the objects of %s/*.yaml, in file order; regenerate it with\n"+
		"  go test ./scenarios -run TestPodpathOnOpenShiftIsDeploy -args -regenerate-openshift", openShiftScenario, deployDir)

	// And podpath reads the bare manifests as it reads the built-in: the
	// same Deployments, Services and Routes.
	var bare []byte
	for _, f := range files {
		bare = append(bare, "---\n"...)
		bare = append(bare, f...)
	}
	fromDeploy, warnings, err := Parse(bare)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	builtin, _, err := Load("podpath-on-openshift")
	require.NoError(t, err)
	assert.Equal(t, fromDeploy.Workloads, builtin.Workloads)
	assert.Equal(t, fromDeploy.Services, builtin.Services)
	assert.Equal(t, fromDeploy.Routes, builtin.Routes)
	assert.Equal(t, fromDeploy.Namespaces, builtin.Namespaces)
}

// TestDeployIsRestrictedV2Ready checks what the restricted-v2 SCC and the
// WebSocket path need of deploy/: probes on /healthz, a non-root pod with
// no privilege escalation, no capabilities and the RuntimeDefault seccomp
// profile, and a Route with an hour-long tunnel timeout.
func TestDeployIsRestrictedV2Ready(t *testing.T) {
	var objects []map[string]any
	for _, f := range deployFiles(t) {
		for _, doc := range yamlDocuments(t, f) {
			objects = append(objects, doc.(map[string]any))
		}
	}
	byKind := map[string]map[string]any{}
	for _, o := range objects {
		byKind[o["kind"].(string)] = o
	}
	for _, kind := range []string{"Namespace", "Deployment", "Service", "Route"} {
		require.Contains(t, byKind, kind)
	}
	get := func(v any, path ...string) any {
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[p]
		}
		return v
	}
	pod := get(byKind["Deployment"], "spec", "template", "spec")
	assert.Equal(t, true, get(pod, "securityContext", "runAsNonRoot"))
	assert.Equal(t, "RuntimeDefault", get(pod, "securityContext", "seccompProfile", "type"))
	assert.Nil(t, get(pod, "securityContext", "runAsUser"), "restricted-v2 assigns the UID")
	c := get(pod, "containers").([]any)[0]
	assert.Equal(t, false, get(c, "securityContext", "allowPrivilegeEscalation"))
	assert.Equal(t, []any{"ALL"}, get(c, "securityContext", "capabilities", "drop"))
	assert.Equal(t, "/healthz", get(c, "readinessProbe", "httpGet", "path"))
	assert.Equal(t, "/healthz", get(c, "livenessProbe", "httpGet", "path"))
	assert.Contains(t, get(c, "args"), "0.0.0.0:8080")
	assert.Contains(t, get(c, "image"), "YOUR_ORG", "the image is a placeholder to replace")

	route := byKind["Route"]
	assert.Equal(t, "1h", get(route, "metadata", "annotations", "haproxy.router.openshift.io/timeout-tunnel"))
	assert.Equal(t, "edge", get(route, "spec", "tls", "termination"))
	assert.Equal(t, "Redirect", get(route, "spec", "tls", "insecureEdgeTerminationPolicy"))
}
