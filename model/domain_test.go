package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The truth table of domain.md §8: one test per misconception, each
// naming the fact, setting it up and observing it through the public API
// (Apply, AdvanceTo, Snapshot, Trace, Load).

const shopURL = "https://shop.apps.demo.example.com/"

func hopOf(tr TraceResult, kind string) Hop {
	for _, h := range tr.Hops {
		if h.Kind == kind {
			return h
		}
	}
	return Hop{}
}

func TestFact01RouterGoesStraightToPodEndpoints(t *testing.T) {
	s := newShop(t)
	tr, err := s.Trace(TraceRequest{URL: shopURL})
	require.NoError(t, err)
	pn := hopOf(tr, HopPodNet)
	snap := s.Snapshot()
	assert.NotContains(t, pn.Dst, snap.Services[0].ClusterIP)
	var podIPs []string
	for _, e := range snap.Services[0].Endpoints {
		podIPs = append(podIPs, fmt.Sprintf("%s:%d", e.IP, e.Port))
	}
	assert.Contains(t, podIPs, pn.Dst)
	assert.Contains(t, pn.Note, "not to the Service ClusterIP")
}

func withCart(t *testing.T, mode string) *Sim {
	sc := shopScenario()
	sc.Settings.KubeProxyMode = mode
	sc.Workloads = append(sc.Workloads, Deployment{Namespace: "shop", Name: "cart", Replicas: 3,
		Selector: map[string]string{"app": "cart"}, Labels: map[string]string{"app": "cart"},
		Ports: []ContainerPort{{Name: "http", Port: 8080}}})
	sc.Services = append(sc.Services, Service{Namespace: "shop", Name: "cart", Selector: map[string]string{"app": "cart"},
		Ports: []ServicePort{{Name: "http", Port: 8080, TargetPort: "http"}}})
	s, err := New(sc)
	require.NoError(t, err)
	return s
}

func firstPod(s *Sim, prefix string) string {
	for _, p := range s.Snapshot().Pods {
		if strings.HasPrefix(p.Namespace+"/"+p.Name, prefix) {
			return p.Namespace + "/" + p.Name
		}
	}
	return ""
}

func TestFact02ServiceIsRandomPerConnectionNotRoundRobin(t *testing.T) {
	s := withCart(t, "iptables")
	from := firstPod(s, "shop/shop-")
	res, err := s.Load(LoadRequest{URL: "http://cart.shop.svc.cluster.local:8080/", Count: 30, From: from})
	require.NoError(t, err)
	assert.Equal(t, 30, res.StatusCodes["200"])
	// Round-robin would give exactly 10/10/10; random almost never does.
	even := true
	for _, n := range res.ByPod {
		even = even && n == 10
	}
	assert.False(t, even, "iptables picks at random: %v", res.ByPod)
	tr, err := s.Trace(TraceRequest{URL: "http://cart.shop.svc.cluster.local:8080/", From: from})
	require.NoError(t, err)
	assert.Contains(t, hopOf(tr, HopService).Note, "1/3, 1/2, 1")

	ipvs := withCart(t, "ipvs")
	res, err = ipvs.Load(LoadRequest{URL: "http://cart.shop.svc.cluster.local:8080/", Count: 30, From: firstPod(ipvs, "shop/shop-")})
	require.NoError(t, err)
	for _, n := range res.ByPod {
		assert.Equal(t, 10, n, "IPVS rr is round-robin")
	}
}

func TestFact03BalancingPerConnectionKeepAliveStays(t *testing.T) {
	// Passthrough balances per TCP connection: a browser's keep-alive
	// connection stays on one pod while curl (new connection each time)
	// spreads.
	sc := shopScenario()
	sc.Routes[0].TLS = &RouteTLS{Termination: "passthrough"}
	sc.Routes[0].Path = ""
	s, err := New(sc)
	require.NoError(t, err)
	res, err := s.Load(LoadRequest{URL: shopURL, Count: 200, Client: "browser"})
	require.NoError(t, err)
	assert.Len(t, res.ByPod, 1, "one browser connection, one pod: %v", res.ByPod)
	res, err = s.Load(LoadRequest{URL: shopURL, Count: 200, Client: "curl", Clients: 50})
	require.NoError(t, err)
	assert.Greater(t, len(res.ByPod), 1, "curl from many clients spreads: %v", res.ByPod)
}

func TestFact04LBSendsToWorkerNodePorts(t *testing.T) {
	s := newShop(t)
	tr, err := s.Trace(TraceRequest{URL: shopURL})
	require.NoError(t, err)
	lb := hopOf(tr, HopLB)
	snap := s.Snapshot()
	assert.True(t, strings.HasPrefix(lb.To, "node:"), lb.To)
	assert.True(t, strings.HasSuffix(lb.Dst, fmt.Sprintf(":%d", snap.LoadBalancer.HTTPSNodePort)), lb.Dst)
	assert.True(t, strings.HasPrefix(lb.Dst, "10.0."), "a node IP: %s", lb.Dst)
}

func TestFact05UnhealthyTargetsExpectedWithETPLocal(t *testing.T) {
	s := newShop(t)
	snap := s.Snapshot()
	healthy, unhealthy := 0, 0
	for _, tg := range snap.LoadBalancer.Targets {
		if tg.Healthy {
			healthy++
		} else {
			unhealthy++
		}
	}
	assert.Equal(t, 2, healthy)
	assert.Equal(t, 1, unhealthy, "the worker without a router is OutOfService by design")
	res, err := s.Load(LoadRequest{URL: shopURL, Count: 500})
	require.NoError(t, err)
	assert.Equal(t, 500, res.StatusCodes["200"], "and nothing is broken")
}

func TestFact06DefaultAlgorithmRandomSourceForPassthrough(t *testing.T) {
	s := newShop(t)
	assert.Equal(t, "random", s.Snapshot().Routes[0].Balance)
	require.NoError(t, s.Apply(SetOpenShiftVersion{Version: "4.10"}))
	assert.Equal(t, "leastconn", s.Snapshot().Routes[0].Balance)
	sc := shopScenario()
	sc.Routes[0].TLS = &RouteTLS{Termination: "passthrough"}
	sc.Routes[0].Path = ""
	p, err := New(sc)
	require.NoError(t, err)
	assert.Equal(t, "source", p.Snapshot().Routes[0].Balance)
}

func canaryScenario(wA, podsA, wB, podsB int) Scenario {
	sc := shopScenario()
	sc.Workloads[0].Replicas = podsA
	sc.Workloads = append(sc.Workloads, Deployment{Namespace: "shop", Name: "shop-b", Replicas: podsB,
		Selector: map[string]string{"app": "shop-b"}, Labels: map[string]string{"app": "shop-b"},
		Ports: []ContainerPort{{Name: "http", Port: 8080}}})
	sc.Services = append(sc.Services, Service{Namespace: "shop", Name: "shop-b", Selector: map[string]string{"app": "shop-b"},
		Ports: []ServicePort{{Name: "http", Port: 80, TargetPort: "8080"}}})
	sc.Routes[0].To.Weight = intp(wA)
	sc.Routes[0].AlternateBackends = []RouteTarget{{Service: "shop-b", Weight: intp(wB)}}
	return sc
}

func TestFact07RouteWeightsArePerService(t *testing.T) {
	s, err := New(canaryScenario(20, 2, 10, 4))
	require.NoError(t, err)
	res, err := s.Load(LoadRequest{URL: shopURL, Count: 3000})
	require.NoError(t, err)
	a, b := res.ByService["shop/shop"], res.ByService["shop/shop-b"]
	assert.InDelta(t, 0.667, float64(a)/3000, 0.04, "A")
	assert.InDelta(t, 0.333, float64(b)/3000, 0.04, "B")
	assert.Equal(t, "roundrobin", s.Snapshot().Routes[0].Balance, "the default with two active Services")

	// The router template reads the balance annotation first: it wins even
	// with two active Services.
	sc := canaryScenario(20, 2, 10, 4)
	sc.Routes[0].Annotations = map[string]string{AnnotationBalance: "leastconn"}
	s, err = New(sc)
	require.NoError(t, err)
	assert.Equal(t, "leastconn", s.Snapshot().Routes[0].Balance, "the annotation wins")
}

func TestFact08NoPodsGives503Not404(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 0}))
	s.AdvanceTo(60_000)
	tr, err := s.Trace(TraceRequest{URL: shopURL})
	require.NoError(t, err)
	assert.Equal(t, 503, tr.Status)
	assert.Contains(t, tr.Reason, "Application is not available")
	tr, err = s.Trace(TraceRequest{URL: "https://nope.apps.demo.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, 503, tr.Status, "unknown host")
}

func TestFact09ClientIPKeptInXForwardedFor(t *testing.T) {
	for _, lbType := range []string{"Classic", "NLB"} {
		s := newShop(t)
		require.NoError(t, s.Apply(SetLoadBalancer{LBType: &lbType}))
		tr, err := s.Trace(TraceRequest{URL: shopURL, ClientIP: "203.0.113.77"})
		require.NoError(t, err)
		assert.Contains(t, hopOf(tr, HopPodNet).Headers, "X-Forwarded-For: 203.0.113.77", lbType)
		lb := hopOf(tr, HopLB)
		if lbType == "Classic" {
			assert.Contains(t, lb.Headers[0], "PROXY TCP4 203.0.113.77")
		} else {
			assert.True(t, strings.HasPrefix(lb.Src, "203.0.113.77:"), "NLB keeps the source: %s", lb.Src)
		}
	}
}

func TestFact10StickyCookieOnByDefault(t *testing.T) {
	s := newShop(t)
	res, err := s.Load(LoadRequest{URL: shopURL, Count: 100, Client: "browser"})
	require.NoError(t, err)
	assert.Len(t, res.ByPod, 1, "a browser sticks to one pod: %v", res.ByPod)
	res, err = s.Load(LoadRequest{URL: shopURL, Count: 100, Client: "curl"})
	require.NoError(t, err)
	assert.Len(t, res.ByPod, 4, "curl without a cookie jar spreads")
	r := shopScenario().Routes[0]
	r.Annotations = map[string]string{AnnotationDisableCookies: "true"}
	require.NoError(t, s.Apply(Apply{Route: &r}))
	s.AdvanceTo(s.Now() + 6000)
	res, err = s.Load(LoadRequest{URL: shopURL, Count: 100, Client: "browser"})
	require.NoError(t, err)
	assert.Greater(t, len(res.ByPod), 1, "without the cookie a browser spreads per request")
}

func pathScenario() Scenario {
	sc := shopScenario()
	sc.Workloads = append(sc.Workloads, Deployment{Namespace: "shop", Name: "cart", Replicas: 1,
		Selector: map[string]string{"app": "cart"}, Labels: map[string]string{"app": "cart"}, Ports: []ContainerPort{{Name: "http", Port: 8080}}})
	sc.Services = append(sc.Services, Service{Namespace: "shop", Name: "cart", Selector: map[string]string{"app": "cart"}, Ports: []ServicePort{{Port: 80, TargetPort: "8080"}}})
	sc.Routes = append(sc.Routes, Route{Namespace: "shop", Name: "cart", Host: "shop.apps.demo.example.com", Path: "/cart",
		To: RouteTarget{Service: "cart"}, TLS: &RouteTLS{Termination: "edge"}})
	return sc
}

func TestFact11PathsAreSegmentPrefixesLongestFirst(t *testing.T) {
	s, err := New(pathScenario())
	require.NoError(t, err)
	for path, route := range map[string]string{"/cart": "shop/cart", "/cart/x": "shop/cart", "/cartoon": "shop/shop", "/": "shop/shop"} {
		tr, err := s.Trace(TraceRequest{URL: "https://shop.apps.demo.example.com" + path})
		require.NoError(t, err)
		assert.Equal(t, route, tr.Route, path)
	}
}

func TestFact12OldestRouteWins(t *testing.T) {
	s := newShop(t)
	r := shopScenario().Routes[0]
	r.Name = "shop-newer"
	require.NoError(t, s.Apply(Apply{Route: &r}))
	for _, rv := range s.Snapshot().Routes {
		if rv.Name == "shop-newer" {
			assert.False(t, rv.Admitted)
			assert.Contains(t, rv.Reason, "HostAlreadyClaimed")
		} else {
			assert.True(t, rv.Admitted)
		}
	}
	other := r
	other.Namespace, other.Name, other.Path = "other", "steal", "/other"
	require.NoError(t, s.Apply(Apply{Route: &other}))
	for _, rv := range s.Snapshot().Routes {
		if rv.Name == "steal" {
			assert.False(t, rv.Admitted, "namespace ownership Strict")
		}
	}
}

func TestFact13CalicoUses26Blocks(t *testing.T) {
	s := newShop(t)
	for _, n := range s.Snapshot().Nodes {
		for _, b := range n.PodCIDRBlocks {
			assert.True(t, strings.HasSuffix(b, "/26"), b)
		}
	}
	// A node takes another block when its 64 addresses are used.
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 200}))
	maxBlocks := 0
	for _, n := range s.Snapshot().Nodes {
		maxBlocks = max(maxBlocks, len(n.PodCIDRBlocks))
	}
	assert.GreaterOrEqual(t, maxBlocks, 2)
}

func denyAll() NetworkPolicy {
	return NetworkPolicy{Namespace: "shop", Name: "default-deny", PodSelector: LabelSelector{}, PolicyTypes: []string{"Ingress"}}
}

func allowRouter() NetworkPolicy {
	return NetworkPolicy{Namespace: "shop", Name: "allow-from-openshift-ingress", PodSelector: LabelSelector{}, PolicyTypes: []string{"Ingress"},
		Ingress: []PolicyRule{{Peers: []PolicyPeer{{NamespaceSelector: &LabelSelector{MatchLabels: map[string]string{"policy-group.network.openshift.io/ingress": ""}}}}}}}
}

func TestFact14NetworkPolicyAllowAllUntilSelected(t *testing.T) {
	s := newShop(t)
	tr, _ := s.Trace(TraceRequest{URL: shopURL})
	assert.Equal(t, 200, tr.Status, "no policy: allowed")
	dd := denyAll()
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &dd}))
	tr, _ = s.Trace(TraceRequest{URL: shopURL})
	assert.Equal(t, 503, tr.Status, "default deny without the router allow")
	assert.Contains(t, tr.Reason, "NetworkPolicy")
	ar := allowRouter()
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &ar}))
	tr, _ = s.Trace(TraceRequest{URL: shopURL})
	assert.Equal(t, 200, tr.Status, "allowed from the router namespace")
}

func TestFact15ReadinessFailureRemovesFromEndpointsNoRestart(t *testing.T) {
	s := newShop(t)
	p := appPods(s.Snapshot(), "shop")[0]
	require.NoError(t, s.Apply(SetPodReady{Namespace: "shop", Pod: p.Name, Ready: false}))
	s.AdvanceTo(10_000)
	snap := s.Snapshot()
	for _, e := range snap.Services[0].Endpoints {
		if e.Pod == "shop/"+p.Name {
			assert.False(t, e.Ready)
		}
	}
	for _, q := range snap.Pods {
		if q.Name == p.Name {
			assert.Equal(t, 0, q.Restarts)
			assert.Equal(t, "Running", q.Phase)
		}
	}
	res, _ := s.Load(LoadRequest{URL: shopURL, Count: 400})
	assert.Len(t, res.ByPod, 3)
	require.NoError(t, s.Apply(SetPodLive{Namespace: "shop", Pod: p.Name, Live: false}))
	s.AdvanceTo(50_000)
	for _, q := range s.Snapshot().Pods {
		if q.Name == p.Name {
			assert.Equal(t, 1, q.Restarts, "a liveness failure restarts")
		}
	}
}

func TestFact16ClusterDNSReturnsClusterIPUnlessHeadless(t *testing.T) {
	s := withCart(t, "iptables")
	from := firstPod(s, "shop/shop-")
	tr, err := s.Trace(TraceRequest{URL: "http://cart.shop.svc.cluster.local:8080/", From: from})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status)
	svc := hopOf(tr, HopService)
	assert.Contains(t, svc.NAT, "DNAT 172.30.")
	headless := Service{Namespace: "shop", Name: "cart-headless", ClusterIP: "None", Selector: map[string]string{"app": "cart"}, Ports: []ServicePort{{Port: 8080}}}
	require.NoError(t, s.Apply(Apply{Service: &headless}))
	tr, err = s.Trace(TraceRequest{URL: "http://cart-headless.shop.svc.cluster.local:8080/", From: from})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status)
	assert.Empty(t, hopOf(tr, HopService).Kind, "headless: no ClusterIP hop")
	assert.Empty(t, hopOf(tr, HopPodNet).Detail().NAT, "headless: straight to a pod IP")
	assert.Contains(t, tr.Hops[1].Note, "pod IPs")
}

func TestFact17CrossZoneOffOneAZLeavesDNS(t *testing.T) {
	s := newShop(t)
	snap := s.Snapshot()
	assert.Len(t, snap.DNS.Answer, 2, "2 routers over 3 AZs: one AZ is not in DNS")
	in := 0
	for _, z := range snap.LoadBalancer.Zones {
		if z.InDNS {
			in++
		}
	}
	assert.Equal(t, 2, in)
	on := true
	require.NoError(t, s.Apply(SetLoadBalancer{CrossZone: &on}))
	assert.Len(t, s.Snapshot().DNS.Answer, 3)
}

func TestFact18EndpointChangesReachRouterAfterReload(t *testing.T) {
	s := newShop(t)
	s.AdvanceTo(1000) // a reload just happened at 0; the next may wait up to 5 s
	p := appPods(s.Snapshot(), "shop")[0]
	require.NoError(t, s.Apply(DeletePod{Namespace: "shop", Pod: p.Name}))
	snap := s.Snapshot()
	pending := false
	for _, r := range snap.Routers {
		pending = pending || r.PendingReload
	}
	assert.True(t, pending, "the change waits for the batched reload")
	// Until then the router may still pick the terminating pod. HAProxy
	// retries the refused connect and redispatches the last retry, so the
	// clients get their 200s, late.
	res, err := s.Load(LoadRequest{URL: shopURL, Count: 400, RPS: 200})
	require.NoError(t, err)
	assert.Equal(t, 400, res.StatusCodes["200"], "retries and redispatch hide the stale endpoint: %v", res.StatusCodes)
	// With retries 0 the stale endpoint's errors show.
	sc := shopScenario()
	sc.Settings.RouterRetries = intp(0)
	s0, err := New(sc)
	require.NoError(t, err)
	s0.AdvanceTo(1000)
	require.NoError(t, s0.Apply(DeletePod{Namespace: "shop", Pod: p.Name}))
	res, err = s0.Load(LoadRequest{URL: shopURL, Count: 400, RPS: 200})
	require.NoError(t, err)
	assert.Positive(t, res.StatusCodes["503"], "stale endpoint errors are real without retries: %v", res.StatusCodes)
	s.AdvanceTo(7000)
	res, err = s.Load(LoadRequest{URL: shopURL, Count: 400})
	require.NoError(t, err)
	assert.Equal(t, 400, res.StatusCodes["200"])
	assert.NotContains(t, res.ByPod, "shop/"+p.Name)
}

func TestRouteTimeoutAnnotationGives504(t *testing.T) {
	sc := shopScenario()
	sc.Workloads[0].ServiceMs = 3000
	sc.Routes[0].Annotations = map[string]string{AnnotationTimeout: "2s"}
	s, err := New(sc)
	require.NoError(t, err)
	tr, err := s.Trace(TraceRequest{URL: shopURL})
	require.NoError(t, err)
	assert.Equal(t, 504, tr.Status)
	assert.Contains(t, tr.Reason, "server timeout (2 s)")
	bad := sc.Routes[0]
	bad.Annotations = map[string]string{AnnotationTimeout: "soon"}
	assert.ErrorContains(t, s.Apply(Apply{Route: &bad}), AnnotationTimeout)
}

func TestLivenessRestartMidRequestGives502(t *testing.T) {
	sc := shopScenario()
	sc.Workloads[0].Replicas = 1
	s, err := New(sc)
	require.NoError(t, err)
	p := appPods(s.Snapshot(), "shop")[0]
	require.NoError(t, s.Apply(SetPodLive{Namespace: "shop", Pod: p.Name, Live: false}))
	s.AdvanceTo(30_000 - 900) // the restart lands while the next request is in the pod
	tr, err := s.Trace(TraceRequest{URL: shopURL})
	require.NoError(t, err)
	assert.Equal(t, 502, tr.Status, tr.Reason)
}

func TestRouteWithoutHostGetsGeneratedHost(t *testing.T) {
	s := newShop(t)
	r := Route{Namespace: "shop", Name: "api", To: RouteTarget{Service: "shop"}}
	require.NoError(t, s.Apply(Apply{Route: &r}))
	found := false
	for _, rv := range s.Snapshot().Routes {
		if rv.Name == "api" {
			found = true
			assert.Equal(t, "api-shop.apps.demo.example.com", rv.Host)
		}
	}
	assert.True(t, found)
}

func TestApplyRoutesIsAllOrNothing(t *testing.T) {
	s := newShop(t)
	good := Route{Namespace: "shop", Name: "a", Host: "a.apps.demo.example.com", To: RouteTarget{Service: "shop"}}
	bad := Route{Namespace: "shop", Name: "b", Host: "b.apps.demo.example.com", Path: "nope", To: RouteTarget{Service: "shop"}}
	err := s.Apply(Apply{Routes: []Route{good, bad}})
	assert.ErrorContains(t, err, "routes[1]")
	assert.Len(t, s.Snapshot().Routes, 1, "nothing applied")
}

func TestDefaultDenyRouterChecksMarkServersDown(t *testing.T) {
	s := newShop(t)
	dd := denyAll()
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &dd}))
	tr, _ := s.Trace(TraceRequest{URL: shopURL})
	assert.Equal(t, 503, tr.Status)
	assert.Contains(t, tr.Reason, "timed out", "at first the connect times out")
	s.AdvanceTo(20_000)
	tr, _ = s.Trace(TraceRequest{URL: shopURL})
	assert.Equal(t, 503, tr.Status)
	assert.Contains(t, tr.Reason, "marked all 4 servers of route shop/shop DOWN", "then the checks have failed 3 times")
}

func TestPassthroughRedirectAnswersHTTPWith302(t *testing.T) {
	sc := shopScenario()
	sc.Routes[0].Path = ""
	sc.Routes[0].TLS = &RouteTLS{Termination: "passthrough", InsecureEdgeTerminationPolicy: "Redirect"}
	s, err := New(sc)
	require.NoError(t, err)
	tr, err := s.Trace(TraceRequest{URL: "http://shop.apps.demo.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, 302, tr.Status)
	sc.Routes[0].TLS.InsecureEdgeTerminationPolicy = "None"
	s, err = New(sc)
	require.NoError(t, err)
	tr, err = s.Trace(TraceRequest{URL: "http://shop.apps.demo.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, 503, tr.Status)
}

// A refused connect to a stale (terminating) endpoint: HAProxy tries the
// same server again `retries` times, 1 s apart, and `option redispatch`
// sends the last retry to another server. The trace shows every attempt;
// with retries 0 the router answers 503 itself, so the response starts at
// the router, not at the pod that never got the SYN.
func TestRefusedConnectIsRetriedThenRedispatched(t *testing.T) {
	for _, retries := range []int{3, 0} {
		sc := shopScenario()
		sc.Workloads[0].Replicas = 2
		sc.Routes[0].Annotations = map[string]string{AnnotationBalance: "source"}
		sc.Settings.RouterRetries = intp(retries)
		s, err := New(sc)
		require.NoError(t, err)
		s.AdvanceTo(1000)
		victim := appPods(s.Snapshot(), "shop")[0]
		require.NoError(t, s.Apply(DeletePod{Namespace: "shop", Pod: victim.Name}))
		victimID := "pod:shop/" + victim.Name
		var tr TraceResult
		for i := 1; i < 100; i++ { // source balancing: find a client IP that hashes to the victim
			tr, err = s.Trace(TraceRequest{URL: shopURL, ClientIP: fmt.Sprintf("198.51.100.%d", i)})
			require.NoError(t, err)
			if first := firstHop(tr.Hops, HopPodNet); first != nil && first.To == victimID {
				break
			}
		}
		var attempts []Hop
		for _, h := range tr.Hops {
			if h.Kind == HopPodNet {
				attempts = append(attempts, h)
			}
		}
		require.NotEmpty(t, attempts)
		require.Equal(t, victimID, attempts[0].To, "a client that hashes to the victim")
		router := attempts[0].From
		if retries == 0 {
			assert.Equal(t, 503, tr.Status)
			assert.Contains(t, tr.Reason, "refused")
			require.Len(t, attempts, 1)
			assert.True(t, attempts[0].Failed)
			resp := firstHop(tr.Hops, HopResponse)
			require.NotNil(t, resp)
			assert.Equal(t, router, resp.From, "the 503 comes from the router, not from the pod")
			continue
		}
		require.Len(t, attempts, 4, "the first try and 3 retries")
		for _, h := range attempts[:3] {
			assert.True(t, h.Failed)
			assert.Equal(t, victimID, h.To, "retries go to the same server")
		}
		assert.False(t, attempts[3].Failed)
		assert.NotEqual(t, victimID, attempts[3].To, "the last retry is redispatched")
		assert.Contains(t, attempts[3].Detail().Note, "option redispatch")
		assert.GreaterOrEqual(t, attempts[3].StartMs-attempts[0].StartMs, int64(3*retryTurnaroundMs), "1 s between tries")
		assert.Equal(t, 200, tr.Status)
		assert.Equal(t, strings.TrimPrefix(attempts[3].To, "pod:"), tr.Pod)
		resp := firstHop(tr.Hops, HopResponse)
		require.NotNil(t, resp)
		assert.Equal(t, attempts[3].To, resp.From, "the answer comes from the pod that served")
	}
}

func firstHop(hops []Hop, kind string) *Hop {
	for i := range hops {
		if hops[i].Kind == kind {
			return &hops[i]
		}
	}
	return nil
}
