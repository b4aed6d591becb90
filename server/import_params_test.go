package server

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func realTemplate(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "scenarios", "testdata", "real", "openshift-nodejs-ex.json"))
	require.NoError(t, err)
	return data
}

func TestImportSetsTemplateParameters(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	status, _, data := h.send(http.MethodPost, "/api/import?param=NAME=shop&param=APPLICATION_DOMAIN=shop.apps.demo.example.com", "application/json", realTemplate(t))
	require.Equal(t, http.StatusOK, status, string(data))
	var loaded LoadResult
	decode(t, data, &loaded)
	require.Len(t, loaded.Templates, 1)
	assert.Equal(t, "nodejs-example", loaded.Templates[0].Name)
	values := map[string]string{}
	for _, p := range loaded.Templates[0].Parameters {
		values[p.Name] = p.Source + ":" + p.Value
	}
	assert.Equal(t, "given:shop", values["NAME"])
	assert.Equal(t, "default:512Mi", values["MEMORY_LIMIT"])
	assert.Regexp(t, `^generated:[a-zA-Z0-9]{40}$`, values["GITHUB_WEBHOOK_SECRET"])
	found := false
	for _, w := range h.state().Workloads {
		if w.Kind == "DeploymentConfig" && w.Name == "shop" {
			found = true
			assert.Equal(t, 1, w.ReadyReplicas)
		}
	}
	assert.True(t, found, "the Template's DeploymentConfig is named by the parameter")
	routes := h.state().Routes
	require.Len(t, routes, 1)
	assert.Equal(t, "shop.apps.demo.example.com", routes[0].Host)
}

func TestImportRefusesParametersNoTemplateDefines(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	before := h.stateJSON()
	for _, tc := range []struct{ query, want string }{
		{"?param=COLOUR=red", "parameter COLOUR is not defined by any Template in the file"},
		{"?param=NAME", `param: \"NAME\" is not NAME=VALUE`},
		{"?param=NAME=a&param=NAME=b", "parameter NAME is given twice"},
	} {
		status, _, data := h.send(http.MethodPost, "/api/import"+tc.query, "application/json", realTemplate(t))
		assert.Equal(t, http.StatusBadRequest, status, tc.query)
		assert.Contains(t, string(data), tc.want, tc.query)
	}
	assert.Equal(t, string(before), string(h.stateJSON()), "nothing changed")
}
