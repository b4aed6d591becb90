package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Services, load balancer and failure facts of issue 12, checked
// against the real sources (docs/fidelity.md, "Checked against the source:
// Services, load balancer and failures"): one test per fact, through the
// public API.

const cartURL = "http://cart.shop.svc.cluster.local:8080/"

// cartSim is the shop scenario plus a cart Deployment and Service (8080,
// targetPort http); edit changes the Service before the cluster is built.
func cartSim(t *testing.T, replicas int, edit func(*Scenario)) *Sim {
	t.Helper()
	sc := shopScenario()
	sc.Workloads = append(sc.Workloads, Deployment{Namespace: "shop", Name: "cart", Replicas: replicas,
		Selector: map[string]string{"app": "cart"}, Labels: map[string]string{"app": "cart"},
		Ports: []ContainerPort{{Name: "http", Port: 8080}}})
	sc.Services = append(sc.Services, Service{Namespace: "shop", Name: "cart", Selector: map[string]string{"app": "cart"},
		Ports: []ServicePort{{Name: "http", Port: 8080, TargetPort: "http"}}})
	if edit != nil {
		edit(&sc)
	}
	s, err := New(sc)
	require.NoError(t, err)
	return s
}

// shopWith is the shop scenario behind load balancer lbType, edited.
func shopWith(t *testing.T, lbType string, edit func(*Scenario)) *Sim {
	t.Helper()
	sc := shopScenario()
	sc.Settings.LBType = lbType
	if edit != nil {
		edit(&sc)
	}
	s, err := New(sc)
	require.NoError(t, err)
	return s
}

// podOn is a shop pod on (or, with other, not on) the node of pod ref.
func podOn(t *testing.T, s *Sim, ref string, other bool) string {
	t.Helper()
	snap := s.Snapshot()
	node := ""
	for _, p := range snap.Pods {
		if p.Namespace+"/"+p.Name == ref {
			node = p.Node
		}
	}
	for _, p := range appPods(snap, "shop") {
		if p.Owner == "shop" && (p.Node == node) != other {
			return "shop/" + p.Name
		}
	}
	t.Fatalf("no shop pod %s the node of %s", map[bool]string{true: "off", false: "on"}[other], ref)
	return ""
}

func allNotes(tr TraceResult) string {
	var b strings.Builder
	for _, h := range tr.Hops {
		b.WriteString(h.Detail().Note + " " + h.Detail().NAT + "\n")
	}
	return b.String()
}

// traceUntil traces url, advancing the live traffic 200 ms between tries
// (so the client's DNS pick and the LB's choice vary), until ok accepts a
// trace; it fails after 100 tries.
func traceUntil(t *testing.T, s *Sim, req TraceRequest, ok func(TraceResult) bool) TraceResult {
	t.Helper()
	for i := 0; i < 100; i++ {
		tr, err := s.Trace(req)
		require.NoError(t, err)
		if ok(tr) {
			return tr
		}
		s.AdvanceTo(s.Now() + 200)
	}
	t.Fatalf("no trace of %s matched", req.URL)
	return TraceResult{}
}

func routerPodNames(s *Sim) []string {
	var out []string
	for _, r := range s.Snapshot().Routers {
		out = append(out, r.Name)
	}
	return out
}

// Item 3: a deleted router pod keeps serving through
// ROUTER_GRACEFUL_SHUTDOWN_DELAY (45 s) while its readiness fails; the
// healthCheckNodePort fails at once (kube-proxy counts only ready local
// endpoints), so the load balancer drains the node within two checks, and
// meanwhile kube-proxy keeps sending the node's traffic to the
// terminating-but-serving router. Nothing is dropped, with either LB.
func TestRouterPodShutdownDropsNothing(t *testing.T) {
	for _, lbType := range LBTypes {
		for _, how := range []string{"delete", "scale down"} {
			s := shopWith(t, lbType, nil)
			s.AdvanceTo(1000)
			victim := routerPodNames(s)[0]
			if how == "delete" {
				require.NoError(t, s.Apply(DeletePod{Namespace: routerNamespace, Pod: victim}))
			} else {
				require.NoError(t, s.Apply(ScaleRouters{Replicas: 1}))
			}
			res, err := s.Load(LoadRequest{URL: shopURL, Count: 1200, RPS: 20, Clients: 50})
			require.NoError(t, err)
			assert.Equal(t, map[string]int{"200": 1200}, res.StatusCodes, "%s, router %s: 60 s of traffic", lbType, how)
		}
	}
	// The timeline, seen through the API.
	s := newShop(t)
	s.AdvanceTo(1000)
	victim := routerPodNames(s)[0]
	var node string
	for _, r := range s.Snapshot().Routers {
		if r.Name == victim {
			node = r.Node
		}
	}
	require.NoError(t, s.Apply(DeletePod{Namespace: routerNamespace, Pod: victim}))
	for _, r := range s.Snapshot().Routers {
		if r.Name != victim {
			assert.NotEqual(t, node, r.Node, "the replacement avoids the node: required anti-affinity counts the terminating router")
		}
	}
	target := func() LBTargetView {
		for _, tg := range s.Snapshot().LoadBalancer.Targets {
			if tg.Node == node {
				return tg
			}
		}
		return LBTargetView{}
	}
	tr := traceUntil(t, s, TraceRequest{URL: shopURL}, func(tr TraceResult) bool {
		return hopOf(tr, HopNodePort).To == "pod:"+routerNamespace+"/"+victim
	})
	assert.Equal(t, 200, tr.Status)
	assert.Contains(t, hopOf(tr, HopNodePort).Note, "terminating and still serving")
	s.AdvanceTo(11_000)
	assert.False(t, target().Healthy, "two failed checks of the healthCheckNodePort: the CLB drains the node")
	s.AdvanceTo(45_000)
	alive := false
	for _, p := range s.Snapshot().Pods {
		alive = alive || p.Name == victim
	}
	assert.True(t, alive, "still shutting down 44 s after SIGTERM (graceful shutdown delay 45 s)")
	s.AdvanceTo(48_000)
	for _, p := range s.Snapshot().Pods {
		assert.NotEqual(t, victim, p.Name, "gone after the delay and HAProxy's stop")
	}
}

// Item 3: the ingress operator sets local-with-fallback on router-default
// (shouldUseLocalWithFallback); OpenShift's kube-proxy for third-party
// CNIs honours it up to 4.18 (built from openshift/sdn with the carry) and
// not from 4.19 (built from openshift/kubernetes). A node whose router
// fails its readiness probe, still healthy in the LB for a few seconds,
// forwards to another router with the fallback and drops without it.
func TestLocalWithFallbackFollowsTheVersion(t *testing.T) {
	off := false
	for _, tc := range []struct {
		version  string
		force    *bool
		fallback bool
	}{{"4.16", nil, true}, {"4.18", nil, true}, {"4.19", nil, false}, {"4.7", nil, false}, {"4.16", &off, false}} {
		sc := shopScenario()
		sc.Settings.OpenShiftVersion = tc.version
		sc.Settings.LocalWithFallback = tc.force
		s, err := New(sc)
		require.NoError(t, err)
		assert.Equal(t, tc.fallback, s.Snapshot().Network.LocalWithFallback, tc.version)
		victim := routerPodNames(s)[0]
		require.NoError(t, s.Apply(SetPodReady{Namespace: routerNamespace, Pod: victim, Ready: false}))
		var node string
		for _, r := range s.Snapshot().Routers {
			if r.Name == victim {
				node = r.Node
			}
		}
		tr := traceUntil(t, s, TraceRequest{URL: shopURL}, func(tr TraceResult) bool { return hopOf(tr, HopLB).To == "node:"+node })
		if tc.fallback {
			assert.Equal(t, 200, tr.Status, "%s: %s", tc.version, tr.Reason)
			np := hopOf(tr, HopNodePort)
			assert.Contains(t, np.Note, "local-with-fallback", tc.version)
			assert.Contains(t, np.NAT, "SNAT to the node IP", tc.version)
		} else {
			assert.Equal(t, "timeout", tr.Outcome, tc.version)
			assert.Contains(t, tr.Reason, "kube-proxy drops the packet", tc.version)
		}
	}
	on := true
	s := newShop(t)
	require.NoError(t, s.Apply(SetOpenShiftVersion{Version: "4.20"}))
	assert.False(t, s.Snapshot().Network.LocalWithFallback)
	require.NoError(t, s.Apply(SetNetwork{LocalWithFallback: &on}))
	assert.True(t, s.Snapshot().Network.LocalWithFallback)
}

// Item 6: a pod calling a Route host gets a 200: CoreDNS forwards the name
// upstream, the private zone holds the wildcard record, the connection
// leaves through the node (natOutgoing SNAT to the node IP, then the NAT
// gateway) and comes back in through the load balancer.
func TestPodReachesRouteHostThroughTheLoadBalancer(t *testing.T) {
	for _, lbType := range LBTypes {
		s := shopWith(t, lbType, nil)
		from := firstPod(s, "shop/shop-")
		tr, err := s.Trace(TraceRequest{URL: shopURL, From: from})
		require.NoError(t, err)
		require.Equal(t, 200, tr.Status, "%s: %s %s", lbType, tr.Outcome, tr.Reason)
		var podIP, nodeIP, nodeName string
		snap := s.Snapshot()
		for _, p := range snap.Pods {
			if "shop/"+p.Name == from {
				podIP, nodeName = p.IP, p.Node
			}
		}
		for _, n := range snap.Nodes {
			if n.Name == nodeName {
				nodeIP = n.IP
			}
		}
		assert.Contains(t, tr.Hops[1].Note, "private hosted zone", lbType)
		eg := hopOf(tr, HopEgress)
		assert.Equal(t, "node:"+nodeName, eg.To)
		assert.Contains(t, eg.NAT, fmt.Sprintf("SNAT %s → %s", podIP, nodeIP), "Calico natOutgoing")
		in := hopOf(tr, HopInternet)
		assert.Equal(t, "node:"+nodeName, in.From, "out through the node")
		assert.True(t, strings.HasPrefix(in.Src, "192.0.2.2"), "the NAT gateway's address: %s", in.Src)
		nat := strings.Split(in.Src, ":")[0]
		lb := hopOf(tr, HopLB)
		if lbType == "Classic" {
			assert.Contains(t, lb.Headers[0], "PROXY TCP4 "+nat+" ", "the CLB sees the NAT gateway as the client")
		} else {
			assert.True(t, strings.HasPrefix(lb.Src, nat+":"), "the NLB keeps the NAT gateway's address: %s", lb.Src)
		}
		assert.Contains(t, hopOf(tr, HopPodNet).Headers, "X-Forwarded-For: "+nat)
		assert.Contains(t, tr.Hops[len(tr.Hops)-1].Note, "conntrack undoes both SNATs")
	}
	s := newShop(t)
	tr, err := s.Trace(TraceRequest{URL: "https://nope.example.org/", From: firstPod(s, "shop/shop-")})
	require.NoError(t, err)
	assert.Equal(t, "nxdomain", tr.Outcome, "a name nobody publishes")
}

// Item 7: an egress default-deny on the caller also drops its DNS query:
// Calico evaluates it after kube-proxy's DNAT, against the dns-default pod
// on UDP 5353. Allowing port 53 does not help; allowing 5353 does, and
// then the Service call itself is what egress blocks.
func TestEgressDefaultDenyBlocksDNSFirst(t *testing.T) {
	s := cartSim(t, 2, nil)
	from := firstPod(s, "shop/shop-")
	deny := NetworkPolicy{Namespace: "shop", Name: "deny-egress", PodSelector: LabelSelector{}, PolicyTypes: []string{"Egress"}}
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &deny}))
	tr, err := s.Trace(TraceRequest{URL: cartURL, From: from})
	require.NoError(t, err)
	assert.Equal(t, "dns-timeout", tr.Outcome)
	assert.True(t, tr.Hops[0].Failed, "the query is the hop that fails")
	assert.Len(t, tr.Hops, 1, "no Service hop: resolution fails first")
	for _, want := range []string{dnsServiceIP, ":5353 (UDP)", "openshift-dns/dns-default-", "UDP 5353", "deny-egress"} {
		assert.Contains(t, tr.Reason, want)
	}
	dnsPeer := PolicyPeer{NamespaceSelector: &LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "openshift-dns"}}}
	port53 := NetworkPolicy{Namespace: "shop", Name: "allow-dns-53", PodSelector: LabelSelector{}, PolicyTypes: []string{"Egress"},
		Egress: []PolicyRule{{Peers: []PolicyPeer{dnsPeer}, Ports: []PolicyPort{{Protocol: "UDP", Port: "53"}}}}}
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &port53}))
	tr, _ = s.Trace(TraceRequest{URL: cartURL, From: from})
	assert.Equal(t, "dns-timeout", tr.Outcome, "port 53 is the Service port; the policy sees the pod port 5353")
	port5353 := port53
	port5353.Name = "allow-dns"
	port5353.Egress = []PolicyRule{{Peers: []PolicyPeer{dnsPeer}, Ports: []PolicyPort{{Protocol: "UDP", Port: "5353"}}}}
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &port5353}))
	tr, _ = s.Trace(TraceRequest{URL: cartURL, From: from})
	assert.Equal(t, "timeout", tr.Outcome, "DNS resolves now; egress still blocks the call to cart")
	assert.Contains(t, tr.Reason, "on TCP 8080")
}

// Item 8: the Classic ELB's 60 s idle timeout cuts a response that sends
// nothing for longer, whatever the route timeout (2m here): the client
// gets the connection closed without an answer. The NLB's is 350 s.
func TestClassicELBIdleTimeoutCutsSlowResponses(t *testing.T) {
	for _, tc := range []struct {
		lbType, timeout string
		status          int
		outcome         string
	}{{"Classic", "2m", 0, "reset"}, {"NLB", "2m", 200, "ok"}, {"Classic", "", 504, "http-error"}} {
		s := shopWith(t, tc.lbType, func(sc *Scenario) {
			sc.Workloads[0].ServiceMs = 90_000
			if tc.timeout != "" {
				sc.Routes[0].Annotations = map[string]string{AnnotationTimeout: tc.timeout}
			}
		})
		tr, err := s.Trace(TraceRequest{URL: shopURL})
		require.NoError(t, err)
		assert.Equal(t, tc.status, tr.Status, "%s %s: %s", tc.lbType, tc.timeout, tr.Reason)
		assert.Equal(t, tc.outcome, tr.Outcome, tc.lbType)
		if tc.outcome == "reset" {
			assert.Contains(t, tr.Reason, "60 s, the Classic ELB's idle timeout")
			assert.True(t, hopOf(tr, HopLB).Failed)
			app := hopOf(tr, HopApp)
			assert.Equal(t, int64(60_000), app.EndMs-app.StartMs, "cut at 60 s, before the pod answers")
		}
	}
}

// Item 9: internalTrafficPolicy Local without an endpoint on the caller's
// node: kube-proxy DROPs (timeout); it REJECTs only when the Service has no
// endpoint at all.
func TestInternalTrafficPolicyLocalWithoutLocalEndpointDrops(t *testing.T) {
	s := cartSim(t, 1, func(sc *Scenario) { sc.Services[1].InternalTrafficPolicy = "Local" })
	cart := firstPod(s, "shop/cart-")
	tr, err := s.Trace(TraceRequest{URL: cartURL, From: podOn(t, s, cart, true)})
	require.NoError(t, err)
	assert.Equal(t, "timeout", tr.Outcome, tr.Reason)
	assert.Contains(t, tr.Reason, "DROP")
	tr, _ = s.Trace(TraceRequest{URL: cartURL, From: podOn(t, s, cart, false)})
	assert.Equal(t, 200, tr.Status, "a caller on the cart pod's node: %s", tr.Reason)
	require.NoError(t, s.Apply(SetPodReady{Namespace: "shop", Pod: strings.TrimPrefix(cart, "shop/"), Ready: false}))
	tr, _ = s.Trace(TraceRequest{URL: cartURL, From: podOn(t, s, cart, true)})
	assert.Equal(t, "refused", tr.Outcome, "no endpoint anywhere: REJECT")
}

// Item 10: a headless Service translates no port: DNS gives pod IPs and the
// client dials podIP:port as written, so port 80 of an 80→8080 Service is
// refused and 8080 answers; no ClusterIP appears on the path.
func TestHeadlessServiceDoesNoPortTranslation(t *testing.T) {
	s := cartSim(t, 2, func(sc *Scenario) {
		sc.Services = append(sc.Services, Service{Namespace: "shop", Name: "cart-headless", ClusterIP: "None",
			Selector: map[string]string{"app": "cart"}, Ports: []ServicePort{{Name: "http", Port: 80, TargetPort: "8080"}}})
	})
	from := firstPod(s, "shop/shop-")
	tr, err := s.Trace(TraceRequest{URL: "http://cart-headless.shop.svc.cluster.local/", From: from})
	require.NoError(t, err)
	assert.Equal(t, "refused", tr.Outcome)
	assert.Contains(t, tr.Reason, "no port translation")
	tr, _ = s.Trace(TraceRequest{URL: "http://cart-headless.shop.svc.cluster.local:8080/", From: from})
	assert.Equal(t, 200, tr.Status, tr.Reason)
	pn := hopOf(tr, HopPodNet)
	assert.True(t, strings.HasSuffix(pn.Dst, ":8080"))
	assert.True(t, strings.HasPrefix(pn.Dst, "10.1"), "a pod IP: %s", pn.Dst)
	assert.Empty(t, hopOf(tr, HopService).Kind, "no kube-proxy hop")
	assert.NotContains(t, allNotes(tr), "ClusterIP")
	for _, h := range tr.Hops[1:] {
		assert.Empty(t, h.Detail().NAT, "only the DNS query is DNATed: %s", h.Kind)
	}
}

// Item 13: a ClusterIP dialled on a port its Service does not define: no
// iptables rule matches, so the packet hangs toward a virtual IP nobody
// owns; nftables rejects it; IPVS's kube-ipvs0 address answers with a RST.
func TestUndefinedClusterIPPortTimesOutInIptablesMode(t *testing.T) {
	for mode, outcome := range map[string]string{"iptables": "timeout", "nftables": "refused", "ipvs": "refused"} {
		s := cartSim(t, 2, func(sc *Scenario) { sc.Settings.KubeProxyMode = mode })
		tr, err := s.Trace(TraceRequest{URL: "http://cart.shop.svc.cluster.local:9090/", From: firstPod(s, "shop/shop-")})
		require.NoError(t, err)
		assert.Equal(t, outcome, tr.Outcome, "%s: %s", mode, tr.Reason)
		assert.Contains(t, tr.Reason, "has no port 9090", mode)
	}
	// nftables is random per connection, like iptables.
	s := cartSim(t, 3, func(sc *Scenario) { sc.Settings.KubeProxyMode = "nftables" })
	res, err := s.Load(LoadRequest{URL: cartURL, Count: 300, From: firstPod(s, "shop/shop-")})
	require.NoError(t, err)
	assert.Len(t, res.ByPod, 3)
	for _, n := range res.ByPod {
		assert.InDelta(t, 100, n, 30)
	}
}

// Item 14: pods on an unreachable node turn NotReady after the grace
// period (endpoints ready=false, serving=false), are marked for deletion
// when the 300 s toleration runs out and stay Terminating (the kubelet
// cannot confirm), while the ReplicaSet replaces them at once; they go when
// the node comes back.
func TestUnreachableNodePodsStayTerminatingAndAreReplacedAtOnce(t *testing.T) {
	s := newShop(t)
	victim := appPods(s.Snapshot(), "shop")[0]
	node := victim.Node
	onNode := func() []PodView {
		var out []PodView
		for _, p := range appPods(s.Snapshot(), "shop") {
			if p.Node == node {
				out = append(out, p)
			}
		}
		return out
	}
	lost := len(onNode())
	require.NoError(t, s.Apply(SetNodeReady{Node: node, Ready: false}))
	s.AdvanceTo(40_001)
	for _, e := range s.Snapshot().Services[0].Endpoints {
		if e.Node == node {
			assert.False(t, e.Ready, "NotReady node: the endpoint is not ready")
			assert.False(t, e.Serving, "nor serving")
			assert.False(t, e.Terminating, "nor terminating yet")
		}
	}
	s.AdvanceTo(40_000 + 300_000 - 1)
	assert.False(t, onNode()[0].Terminating, "the toleration has not run out")
	assert.Len(t, appPods(s.Snapshot(), "shop"), 4, "no replacement yet")
	s.AdvanceTo(40_000 + 300_000)
	pods := appPods(s.Snapshot(), "shop")
	assert.Len(t, pods, 4+lost, "replacements created at the eviction, beside the Terminating pods")
	for _, p := range onNode() {
		assert.True(t, p.Terminating)
	}
	for _, e := range s.Snapshot().Services[0].Endpoints {
		if e.Node == node {
			assert.True(t, e.Terminating)
			assert.False(t, e.Ready || e.Serving)
		}
	}
	s.AdvanceTo(1_000_000)
	assert.Len(t, onNode(), lost, "still Terminating long after the grace period")
	assert.Equal(t, 4, readyCount(appPods(s.Snapshot(), "shop")))
	require.NoError(t, s.Apply(SetNodeReady{Node: node, Ready: true}))
	s.AdvanceTo(1_000_000 + 2000)
	assert.Empty(t, onNode(), "the returning kubelet stops them")
}

// Item 15: a NetworkPolicy port matches only its protocol: a UDP allow for
// 8080 does not let the router's TCP connections in.
func TestNetworkPolicyPortProtocolIsRespected(t *testing.T) {
	s := newShop(t)
	dd := denyAll()
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &dd}))
	allow := allowRouter()
	allow.Ingress[0].Ports = []PolicyPort{{Protocol: "UDP", Port: "8080"}}
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &allow}))
	tr, _ := s.Trace(TraceRequest{URL: shopURL})
	assert.Equal(t, 503, tr.Status, "UDP 8080 does not allow TCP 8080")
	assert.Contains(t, tr.Reason, "on TCP 8080")
	allow.Ingress[0].Ports = []PolicyPort{{Port: "8080"}} // protocol defaults to TCP
	require.NoError(t, s.Apply(Apply{NetworkPolicy: &allow}))
	tr, _ = s.Trace(TraceRequest{URL: shopURL})
	assert.Equal(t, 200, tr.Status, tr.Reason)
	bad := allow
	bad.Ingress = []PolicyRule{{Ports: []PolicyPort{{Protocol: "ICMP"}}}}
	assert.ErrorContains(t, s.Apply(Apply{NetworkPolicy: &bad}), "spec.ingress[0].ports[0].protocol")
}

// An NLB with no healthy target fails open: it sends to every target,
// healthy or not. Scaling the routers to 0 fails every health check while
// the routers still serve their shutdown delay: the NLB keeps delivering
// (200), the Classic ELB has no target and closes the connection.
func TestNLBFailsOpenWithoutAHealthyTarget(t *testing.T) {
	for _, lbType := range LBTypes {
		s := shopWith(t, lbType, nil)
		s.AdvanceTo(1000)
		require.NoError(t, s.Apply(ScaleRouters{Replicas: 0}))
		s.AdvanceTo(25_000)
		snap := s.Snapshot()
		for _, tg := range snap.LoadBalancer.Targets {
			require.False(t, tg.Healthy, "%s: every target failed its checks", lbType)
		}
		assert.Len(t, snap.DNS.Answer, 3, "DNS fails open too")
		tr, err := s.Trace(TraceRequest{URL: shopURL})
		require.NoError(t, err)
		if lbType == "NLB" {
			assert.Equal(t, 200, tr.Status, tr.Reason)
			assert.Contains(t, hopOf(tr, HopLB).Note, "fails open")
		} else {
			assert.Equal(t, "reset", tr.Outcome, tr.Reason)
			assert.Contains(t, tr.Reason, "no healthy target")
		}
	}
}

// DNS follows the load balancer's health checks, not the routers: a new
// router's zone joins the answer two passing checks after the router is
// ready (CLB 5 s apart, NLB 10 s), and a failed zone leaves it two failing
// checks after the failure.
func TestDNSAnswerFollowsLBHealthChecks(t *testing.T) {
	for lbType, interval := range map[string]int64{"Classic": clbCheckIntervalMs, "NLB": nlbCheckIntervalMs} {
		s := shopWith(t, lbType, nil)
		require.NoError(t, s.Apply(ScaleRouters{Replicas: 3}))
		readyAt := int64(-1)
		for at := int64(0); at < 60_000 && readyAt < 0; at += 100 {
			s.AdvanceTo(at)
			ready := 0
			for _, r := range s.Snapshot().Routers {
				if r.Ready {
					ready++
				}
			}
			if ready == 3 {
				readyAt = at
			}
		}
		require.Positive(t, readyAt)
		assert.Len(t, s.Snapshot().DNS.Answer, 2, "%s: the new router is ready, the LB has not checked it twice", lbType)
		s.AdvanceTo(readyAt + 2*interval)
		assert.Len(t, s.Snapshot().DNS.Answer, 3, "%s: two passing checks later", lbType)
		zone := s.Snapshot().LoadBalancer.Zones[0].Zone
		require.NoError(t, s.Apply(SetZoneDown{Zone: zone, Down: true}))
		assert.Len(t, s.Snapshot().DNS.Answer, 3, "%s: not at once", lbType)
		s.AdvanceTo(s.Now() + 2*interval)
		assert.Len(t, s.Snapshot().DNS.Answer, 2, "%s: after two failed checks", lbType)
	}
}
