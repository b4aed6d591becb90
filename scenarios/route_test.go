package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// route-controller-manager turns an Ingress rule for *.x into a Route for
// host wildcard.x with wildcardPolicy Subdomain; the router then serves
// every host one label below x.
func TestIngressWildcardHostBecomesSubdomainRoute(t *testing.T) {
	sc, _, err := Parse(append(readFixture(t, "wildcard-team.yaml"), `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: team}
spec:
  rules:
  - host: "*.team.apps.demo.example.com"
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`...))
	require.NoError(t, err)
	require.Len(t, sc.Routes, 1)
	r := sc.Routes[0]
	assert.Equal(t, "wildcard.team.apps.demo.example.com", r.Host)
	assert.Equal(t, "Subdomain", r.WildcardPolicy)
	sim, err := model.New(sc)
	require.NoError(t, err)
	tr, err := sim.Trace(model.TraceRequest{URL: "http://shop.team.apps.demo.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status, tr.Reason)
	assert.Equal(t, "team/"+r.Name, tr.Route)
}

// A Route host that starts with * is not a DNS-1123 subdomain: the
// import names the field and says how a wildcard route is written.
func TestRouteHostWithStarIsRejected(t *testing.T) {
	_, _, err := Parse(append(readFixture(t, "wildcard-team.yaml"), `---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: team}
spec:
  host: "*.team.apps.demo.example.com"
  wildcardPolicy: Subdomain
  to: {kind: Service, name: web}
`...))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `spec.host: "*.team.apps.demo.example.com" is not a DNS-1123 subdomain: a wildcard route is spec.wildcardPolicy: Subdomain on an ordinary host`)
}
