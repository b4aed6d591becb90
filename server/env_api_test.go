package server

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

func TestStateShowsAPodsEnvironmentOnlyWhenAsked(t *testing.T) {
	h := newHarness(t)
	for _, p := range h.state().Pods {
		assert.Nil(t, p.Env, "GET /api/state leaves environments out")
	}
	var pod string
	for _, p := range h.state().Pods {
		if !p.Router {
			pod = p.Namespace + "/" + p.Name
			break
		}
	}
	status, body := h.call(http.MethodGet, "/api/state?env="+url.QueryEscape(pod), "")
	require.Equal(t, http.StatusOK, status, string(body))
	var snap model.Snapshot
	decode(t, body, &snap)
	found := false
	for _, p := range snap.Pods {
		if p.Namespace+"/"+p.Name != pod {
			assert.Nil(t, p.Env)
			continue
		}
		found = true
		require.NotNil(t, p.Env)
		names := map[string]string{}
		for _, v := range p.Env.Vars {
			names[v.Name] = v.Value
		}
		assert.Equal(t, "172.30.0.1", names["KUBERNETES_SERVICE_HOST"])
		assert.NotEmpty(t, names["SHOP_SERVICE_HOST"])
	}
	assert.True(t, found)

	status, body = h.call(http.MethodGet, "/api/state?env=shop/nope", "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(body), "env")
}

func TestTraceExpandsTheCallingPodsEnvironment(t *testing.T) {
	h := newHarness(t)
	var pod string
	for _, p := range h.state().Pods {
		if !p.Router {
			pod = p.Namespace + "/" + p.Name
			break
		}
	}
	var tr model.TraceResult
	decode(t, h.post("/api/trace", `{"url":"http://$SHOP_SERVICE_HOST:$SHOP_SERVICE_PORT/","from":"`+pod+`"}`), &tr)
	assert.Equal(t, 200, tr.Status)
	assert.NotEmpty(t, tr.ExpandedURL)

	status, body := h.call(http.MethodPost, "/api/trace", `{"url":"http://$NOPE_SERVICE_HOST/","from":"`+pod+`"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(body), "$NOPE_SERVICE_HOST is not set")
}
