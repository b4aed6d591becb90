package model

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The router and admission facts checked against openshift/router (see
// docs/fidelity.md, "Checked against the source: router and admission"),
// each through the public API.

const shopHost = "shop.apps.demo.example.com"

// reloaded applies the commands and runs past the routers' next reload.
func reloaded(t *testing.T, s *Sim, cmds ...Command) {
	t.Helper()
	for _, c := range cmds {
		require.NoError(t, s.Apply(c))
	}
	s.AdvanceTo(s.Now() + 6000)
}

func routeOf(t *testing.T, s *Sim, ns, name string) RouteView {
	t.Helper()
	for _, r := range s.Snapshot().Routes {
		if r.Namespace == ns && r.Name == name {
			return r
		}
	}
	t.Fatalf("no route %s/%s", ns, name)
	return RouteView{}
}

func traceURL(t *testing.T, s *Sim, url string) TraceResult {
	t.Helper()
	tr, err := s.Trace(TraceRequest{URL: url})
	require.NoError(t, err)
	return tr
}

// The redirect map holds every route, most specific first, marked 1 for
// Redirect and 0 otherwise; the first match decides. So an edge /cart
// route with None beside the edge / route with Redirect leaves
// http://host/cart unredirected and unserved (503), and a plain /api route
// is served over HTTP (200).
func TestHTTPRedirectFollowsTheMostSpecificRoute(t *testing.T) {
	sc := shopScenario() // shop/shop: edge at /, Redirect
	sc.Routes = append(sc.Routes,
		Route{Namespace: "shop", Name: "cart", Host: shopHost, Path: "/cart",
			To: RouteTarget{Service: "shop"}, TLS: &RouteTLS{Termination: "edge"}}, // None
		Route{Namespace: "shop", Name: "api", Host: shopHost, Path: "/api",
			To: RouteTarget{Service: "shop"}}, // plain HTTP
	)
	s, err := New(sc)
	require.NoError(t, err)
	for _, tc := range []struct {
		url, route string
		status     int
	}{
		{"http://" + shopHost + "/cart/x", "", 503},            // /cart (0) is the first match: no redirect, not on port 80
		{"http://" + shopHost + "/api/x?q=1", "shop/api", 200}, // /api (0): no redirect, in the http map
		{"http://" + shopHost + "/other", "shop/shop", 302},    // / (1) is the first match
		{"https://" + shopHost + "/cart/x", "shop/cart", 200},
		{"https://" + shopHost + "/api/x", "shop/shop", 200}, // a plain route is not on 443
	} {
		tr := traceURL(t, s, tc.url)
		assert.Equal(t, tc.status, tr.Status, tc.url+": "+tr.Reason)
		assert.Equal(t, tc.route, tr.Route, tc.url)
	}
	tr := traceURL(t, s, "http://"+shopHost+"/cart/x")
	assert.Contains(t, tr.Reason, "shop/cart: edge with insecureEdgeTerminationPolicy None, so it is not served on plain HTTP")
	assert.Contains(t, tr.Reason, "shop/shop: insecureEdgeTerminationPolicy Redirect, but the router's redirect map holds every route, most specific first, and its first match for /cart/x is shop/cart")
}

// A wildcard route is wildcardPolicy Subdomain on an ordinary host: with
// WildcardsAllowed, www.team.<domain> serves every host exactly one label
// below team.<domain> (the map's [^\.]*\.team\.<domain>), and an exact
// host comes first.
func TestWildcardRouteIsSubdomainPolicyOnAnOrdinaryHost(t *testing.T) {
	sc := shopScenario()
	sc.Settings.AllowWildcardRoutes = true
	sc.Routes = append(sc.Routes,
		Route{Namespace: "shop", Name: "team", Host: "www.team.apps.demo.example.com", WildcardPolicy: "Subdomain",
			To: RouteTarget{Service: "shop"}, TLS: &RouteTLS{Termination: "edge"}},
		Route{Namespace: "shop", Name: "exact", Host: "a.team.apps.demo.example.com",
			To: RouteTarget{Service: "shop"}, TLS: &RouteTLS{Termination: "edge"}})
	s, err := New(sc)
	require.NoError(t, err)
	require.True(t, routeOf(t, s, "shop", "team").Admitted)
	for host, want := range map[string]string{
		"www.team.apps.demo.example.com": "shop/team",
		"b.team.apps.demo.example.com":   "shop/team",
		"a.team.apps.demo.example.com":   "shop/exact", // exact hosts before wildcards
		"x.b.team.apps.demo.example.com": "",           // two labels below: no match
		"team.apps.demo.example.com":     "",           // the domain itself: no match
	} {
		tr := traceURL(t, s, "https://"+host+"/")
		assert.Equal(t, want, tr.Route, host)
	}
	tr := traceURL(t, s, "https://b.team.apps.demo.example.com/")
	assert.Contains(t, hopOf(tr, HopPodNet).Note, "wildcard host *.team.apps.demo.example.com (Route host www.team.apps.demo.example.com, wildcardPolicy Subdomain)")
}

// A host that starts with * is not a DNS-1123 subdomain: the API rejects
// it and nothing changes; a Subdomain route must name its host.
func TestWildcardHostStartingWithStarIsInvalid(t *testing.T) {
	s := newShop(t)
	before := len(s.Snapshot().Routes)
	for _, r := range []Route{
		{Namespace: "shop", Name: "star", Host: "*.team.apps.demo.example.com", WildcardPolicy: "Subdomain", To: RouteTarget{Service: "shop"}},
		{Namespace: "shop", Name: "nohost", WildcardPolicy: "Subdomain", To: RouteTarget{Service: "shop"}},
		{Namespace: "shop", Name: "policy", Host: "a.apps.demo.example.com", WildcardPolicy: "Domain", To: RouteTarget{Service: "shop"}},
	} {
		err := s.Apply(Apply{Route: &r})
		require.ErrorIs(t, err, ErrInvalid, r.Name)
		field := "spec.host"
		if r.Name == "policy" {
			field = "spec.wildcardPolicy"
		}
		assert.Contains(t, err.Error(), field, r.Name)
	}
	assert.Len(t, s.Snapshot().Routes, before)
}

// The default IngressController is WildcardsDisallowed: a Subdomain route
// is not admitted and its hosts get the router's 503.
func TestWildcardRouteNotAdmittedByDefault(t *testing.T) {
	s := newShop(t)
	r := Route{Namespace: "shop", Name: "team", Host: "www.team.apps.demo.example.com", WildcardPolicy: "Subdomain",
		To: RouteTarget{Service: "shop"}, TLS: &RouteTLS{Termination: "edge"}}
	reloaded(t, s, Apply{Route: &r})
	rv := routeOf(t, s, "shop", "team")
	assert.False(t, rv.Admitted)
	assert.Equal(t, "RouteNotAdmitted: wildcard routes are not allowed (IngressController routeAdmission.wildcardPolicy is WildcardsDisallowed)", rv.Reason)
	tr := traceURL(t, s, "https://b.team.apps.demo.example.com/")
	assert.Equal(t, 503, tr.Status)
	assert.Contains(t, tr.Reason, "shop/team: not admitted (RouteNotAdmitted: wildcard routes are not allowed")
}

// With wildcards allowed, a wildcard route and the exact hosts of its
// domain belong to one namespace: the older claim blocks the newer, either
// way round; within one namespace they coexist.
func TestOlderExactHostInAnotherNamespaceBlocksNewerWildcard(t *testing.T) {
	exact := Route{Namespace: "a", Name: "exact", Host: "x.team.apps.demo.example.com", To: RouteTarget{Service: "shop"}}
	wild := Route{Namespace: "b", Name: "wild", Host: "www.team.apps.demo.example.com", WildcardPolicy: "Subdomain", To: RouteTarget{Service: "shop"}}
	build := func(routes ...Route) *Sim {
		sc := shopScenario()
		sc.Settings.AllowWildcardRoutes = true
		sc.Routes = append(sc.Routes, routes...)
		s, err := New(sc)
		require.NoError(t, err)
		return s
	}
	s := build(exact, wild)
	assert.True(t, routeOf(t, s, "a", "exact").Admitted)
	w := routeOf(t, s, "b", "wild")
	assert.False(t, w.Admitted)
	assert.Equal(t, "HostAlreadyClaimed: a route in another namespace holds host www.team.apps.demo.example.com (older route a/exact has host x.team.apps.demo.example.com, blocking *.team.apps.demo.example.com; namespace ownership Strict)", w.Reason)

	s = build(wild, exact) // the wildcard is older now
	assert.True(t, routeOf(t, s, "b", "wild").Admitted)
	e := routeOf(t, s, "a", "exact")
	assert.False(t, e.Admitted)
	assert.Contains(t, e.Reason, "older wildcard route b/wild has host *.team.apps.demo.example.com, blocking x.team.apps.demo.example.com")

	exact.Namespace = "b" // one namespace: both admitted
	s = build(exact, wild)
	assert.True(t, routeOf(t, s, "b", "exact").Admitted)
	assert.True(t, routeOf(t, s, "b", "wild").Admitted)
}

// The router writes a path that ends in / as that prefix, then anything:
// /cart/ matches /cart/ and /cart/x, not /cart.
func TestTrailingSlashPathDoesNotMatchWithoutIt(t *testing.T) {
	sc := pathScenario()
	sc.Routes[1].Path = "/cart/"
	s, err := New(sc)
	require.NoError(t, err)
	for path, want := range map[string]string{"/cart": "shop/shop", "/cart/": "shop/cart", "/cart/x": "shop/cart", "/cartoon": "shop/shop"} {
		assert.Equal(t, want, traceURL(t, s, "https://"+shopHost+path).Route, path)
	}
	tr := traceURL(t, s, "https://"+shopHost+"/cart")
	assert.Contains(t, hopOf(tr, HopPodNet).Note, "shop/cart: path /cart/ ends in a slash, so it matches /cart/ and below but not /cart")
}

// spec.port.targetPort names an endpoint port — the Service port's name or
// the pod's port number — not the Service's port: on a Service 80→8080,
// 80 leaves the router without a server.
func TestRouteTargetPortNamesTheEndpointPortNotTheServicePort(t *testing.T) {
	s := newShop(t) // Service shop: http 80→8080
	for _, tc := range []struct {
		port   string
		status int
	}{{"80", 503}, {"8080", 200}, {"http", 200}, {"nope", 503}} {
		r := shopScenario().Routes[0]
		r.TargetPort = tc.port
		reloaded(t, s, Apply{Route: &r})
		tr := traceURL(t, s, shopURL)
		require.Equal(t, tc.status, tr.Status, tc.port+": "+tr.Reason)
		if tc.status == 503 {
			assert.Contains(t, tr.Reason, `route shop/shop's targetPort "`+tc.port+`" names no endpoint port of Service shop/shop (ports http 80→8080): a Route's targetPort is the Service port's name or the pod's port number, not the Service's port`)
		}
	}
}

// Without spec.port the router serves every endpoint port of the Service:
// a two-port Service gives a server per pod and port.
func TestRouteWithoutPortUsesEveryEndpointPort(t *testing.T) {
	sc := shopScenario()
	sc.Workloads[0].Replicas = 2
	sc.Workloads[0].Ports = append(sc.Workloads[0].Ports, ContainerPort{Name: "admin", Port: 9090})
	sc.Services[0].Ports = append(sc.Services[0].Ports, ServicePort{Name: "admin", Port: 9000, TargetPort: "admin"})
	s, err := New(sc)
	require.NoError(t, err)
	seen := map[string]bool{}
	for range 60 {
		tr := traceURL(t, s, shopURL)
		require.Equal(t, 200, tr.Status, tr.Reason)
		seen[hopOf(tr, HopPodNet).Dst[strings.LastIndexByte(hopOf(tr, HopPodNet).Dst, ':'):]] = true
		s.AdvanceTo(s.Now() + 1000)
	}
	assert.Equal(t, map[string]bool{":8080": true, ":9090": true}, seen, "servers on both endpoint ports")
	r := sc.Routes[0]
	r.TargetPort = "http"
	reloaded(t, s, Apply{Route: &r})
	for range 20 {
		assert.True(t, strings.HasSuffix(hopOf(traceURL(t, s, shopURL), HopPodNet).Dst, ":8080"))
		s.AdvanceTo(s.Now() + 1000)
	}
}

// A TLS route with a path cannot join a host that an older passthrough
// route holds (hostindex's hasExistingMatch); a plain route can, and the
// reverse order is admitted unless the paths are equal (the source checks
// only an existing passthrough route).
func TestPathTLSRouteOnAPassthroughHostIsRejected(t *testing.T) {
	host := "bank.apps.demo.example.com"
	pass := Route{Namespace: "shop", Name: "bank", Host: host, To: RouteTarget{Service: "shop"}, TLS: &RouteTLS{Termination: "passthrough"}}
	edge := Route{Namespace: "shop", Name: "bank-api", Host: host, Path: "/api", To: RouteTarget{Service: "shop"}, TLS: &RouteTLS{Termination: "edge"}}
	plain := Route{Namespace: "shop", Name: "bank-plain", Host: host, Path: "/status", To: RouteTarget{Service: "shop"}}
	build := func(routes ...Route) *Sim {
		sc := shopScenario()
		sc.Routes = append(sc.Routes, routes...)
		s, err := New(sc)
		require.NoError(t, err)
		return s
	}
	s := build(pass, edge, plain)
	api := routeOf(t, s, "shop", "bank-api")
	assert.False(t, api.Admitted)
	assert.Equal(t, "HostAlreadyClaimed: route shop/bank is older and holds "+host+" with passthrough; a TLS route with a path cannot share its host", api.Reason)
	assert.True(t, routeOf(t, s, "shop", "bank-plain").Admitted, "a plain route may share the host")

	s = build(edge, pass) // the path-based route is older
	assert.True(t, routeOf(t, s, "shop", "bank-api").Admitted)
	assert.True(t, routeOf(t, s, "shop", "bank").Admitted)
	assert.Equal(t, "shop/bank", traceURL(t, s, "https://"+host+"/api").Route, "the passthrough route takes the TLS connection by SNI")

	edge.Path = ""
	s = build(edge, pass) // same path: the newer passthrough route is rejected
	assert.False(t, routeOf(t, s, "shop", "bank").Admitted)
}

// The router's server weights are integers: with two active Services each
// one's weight is divided among its endpoints and the largest share scaled
// to 256 (20 over 2 pods → 256, 10 over 4 → 64); a share below 1 becomes 1;
// one active Service weighs 1 per server.
func TestRouterWeightsAreIntegersScaledTo256(t *testing.T) {
	for _, tc := range []struct {
		wA, podsA, wB, podsB int
		note                 string
		shareB               float64
	}{
		{20, 2, 10, 4, "shop/shop weight 20 over 2 pods: HAProxy weight 256 each (67%); shop/shop-b weight 10 over 4 pods: HAProxy weight 64 each (33%)", 1.0 / 3},
		{100, 1, 1, 4, "shop/shop weight 100 over 1 pods: HAProxy weight 256 each (98%); shop/shop-b weight 1 over 4 pods: HAProxy weight 1 each (2%)", 4.0 / 260},
		{100, 2, 0, 2, "shop/shop weight 100 over 2 pods: HAProxy weight 1 each (100%); shop/shop-b weight 0 over 2 pods: HAProxy weight 0 each (0%)", 0},
	} {
		s, err := New(canaryScenario(tc.wA, tc.podsA, tc.wB, tc.podsB))
		require.NoError(t, err)
		tr := traceURL(t, s, shopURL)
		assert.Contains(t, hopOf(tr, HopPodNet).Note, tc.note)
		const n = 20_000
		res, err := s.Load(LoadRequest{URL: shopURL, Count: n})
		require.NoError(t, err)
		sigma := math.Sqrt(tc.shareB * (1 - tc.shareB) / n)
		assert.InDelta(t, tc.shareB, float64(res.ByService["shop/shop-b"])/n, 4*sigma+0.001, tc.note)
	}
}

// A sticky cookie that names a server the health checks marked DOWN is
// ignored: without `option persist` HAProxy balances anew, so browsers
// stuck to a pod on a failed node do not wait for connect timeouts.
func TestStickyCookieNamingADownServerIsIgnored(t *testing.T) {
	sc := shopScenario()
	sc.Settings.Traffic = TrafficProfile{RPS: 10, Clients: 12, Mix: []TrafficMix{{URL: shopURL, Client: "browser", Weight: 1}}}
	s, err := New(sc)
	require.NoError(t, err)
	s.AdvanceTo(60_000)
	// A node with an app pod and no router, so only the server fails.
	snap := s.Snapshot()
	routers, apps := map[string]bool{}, map[string]string{}
	for _, p := range snap.Pods {
		if p.Router {
			routers[p.Node] = true
		} else {
			apps[p.Node] = p.Namespace + "/" + p.Name
		}
	}
	node := ""
	for _, n := range snap.Nodes {
		if apps[n.Name] != "" && !routers[n.Name] {
			node = n.Name
		}
	}
	require.NotEmpty(t, node)
	stuck := map[string]bool{} // browsers that the dead node's pod served
	for _, r := range s.Drain().Requests {
		if r.Pod != "" && podNode(snap, r.Pod) == node {
			stuck[r.Client] = true
		}
	}
	require.NotEmpty(t, stuck)
	// The browsers pause while the node fails, so their cookies still name
	// its pods when the health checks have marked them DOWN.
	require.NoError(t, s.Apply(SetTraffic{RPS: 0}))
	require.NoError(t, s.Apply(SetNodeReady{Node: node, Ready: false}))
	s.AdvanceTo(60_000 + 16_000) // past 3 failed checks 5 s apart
	require.NoError(t, s.Apply(SetTraffic{RPS: 10}))
	s.AdvanceTo(60_000 + 36_000) // before the node's pods turn NotReady (40 s)
	served := 0
	for _, r := range s.Drain().Requests {
		for _, h := range r.Hops {
			if h.Kind == HopPodNet && h.Failed {
				t.Errorf("request %d from %s tried a DOWN server: %s", r.ID, r.Client, h.To)
			}
		}
		if stuck[r.Client] && r.Status == 200 {
			served++
		}
	}
	assert.Positive(t, served, "the browsers whose cookie names the DOWN server are served")
}

func podNode(s Snapshot, key string) string {
	for _, p := range s.Pods {
		if p.Namespace+"/"+p.Name == key {
			return p.Node
		}
	}
	return ""
}

// The template health-checks servers only when the backend has more than
// one active endpoint: a weight-0 Service's servers do not count, so a
// lone active server on a failed node is never marked DOWN and its
// connects time out.
func TestHealthChecksNeedTwoActiveEndpoints(t *testing.T) {
	s, err := New(canaryScenario(100, 1, 0, 2))
	require.NoError(t, err)
	node := ""
	for _, p := range s.Snapshot().Pods {
		if p.Namespace == "shop" && strings.HasPrefix(p.Name, "shop-") && !strings.HasPrefix(p.Name, "shop-b-") {
			node = p.Node
		}
	}
	require.NotEmpty(t, node)
	require.NoError(t, s.Apply(SetNodeReady{Node: node, Ready: false}))
	s.AdvanceTo(20_000) // past 3 checks, before the pod turns NotReady
	tr := traceURL(t, s, shopURL)
	assert.Equal(t, 503, tr.Status)
	assert.Contains(t, tr.Reason, "is down; the connect to")
	assert.NotContains(t, tr.Reason, "marked all")
}
