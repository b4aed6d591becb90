package model

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// domain.md §1, the golden path hop by hop: one test per numbered hop.

func goldenTrace(t *testing.T) (*Sim, TraceResult) {
	t.Helper()
	s := newShop(t)
	tr, err := s.Trace(TraceRequest{URL: "https://shop.apps.demo.example.com/cart", Client: "curl", ClientIP: "198.51.100.9"})
	require.NoError(t, err)
	require.Equal(t, 200, tr.Status)
	return s, tr
}

func TestHop1DNSWildcardAnswersOneIPPerHealthyAZ(t *testing.T) {
	s, tr := goldenTrace(t)
	assert.Contains(t, tr.Hops[0].Note, "*.apps.demo.example.com")
	snap := s.Snapshot()
	assert.Equal(t, "*.apps.demo.example.com", snap.DNS.Record)
	assert.Len(t, snap.DNS.Answer, 2)
	inet := hopOf(tr, HopInternet)
	assert.Contains(t, snap.DNS.Answer, strings.Split(inet.Dst, ":")[0])
	assert.True(t, strings.HasSuffix(inet.Dst, ":443"))
}

func TestHop2LBPicksHealthyWorkerInItsOwnAZ(t *testing.T) {
	s, tr := goldenTrace(t)
	lb := hopOf(tr, HopLB)
	zone := strings.TrimPrefix(lb.From, "lb:")
	snap := s.Snapshot()
	for _, tg := range snap.LoadBalancer.Targets {
		if "node:"+tg.Node == lb.To {
			assert.Equal(t, zone, tg.Zone, "cross-zone off: a target in the LB node's own AZ")
			assert.True(t, tg.Healthy)
		}
	}
}

func TestHop3NodePortDNATsToTheLocalRouterWithoutSNAT(t *testing.T) {
	s, tr := goldenTrace(t)
	lb, np := hopOf(tr, HopLB), hopOf(tr, HopNodePort)
	assert.Equal(t, lb.To, np.From)
	assert.Equal(t, lb.Src, np.Src, "no SNAT: the source is kept")
	for _, r := range s.Snapshot().Routers {
		if "pod:openshift-ingress/"+r.Name == np.To {
			assert.Equal(t, "node:"+r.Node, np.From, "the router pod on that node")
		}
	}
	assert.Contains(t, np.NAT, "DNAT")
}

func TestHop4RouterOpensNewConnectionToAnEndpoint(t *testing.T) {
	_, tr := goldenTrace(t)
	np, pn := hopOf(tr, HopNodePort), hopOf(tr, HopPodNet)
	assert.Equal(t, np.To, pn.From)
	routerIP := strings.Split(np.Dst, ":")[0]
	assert.True(t, strings.HasPrefix(pn.Src, routerIP+":"), "a new connection from the router pod's IP: %s", pn.Src)
	assert.True(t, strings.HasSuffix(pn.Dst, ":8080"), "to the pod's targetPort")
}

func TestHop5CalicoSameNodeVethOtherNodeVXLAN(t *testing.T) {
	s := newShop(t)
	res := map[string]int{}
	for i := 0; i < 40; i++ {
		tr, err := s.Trace(TraceRequest{URL: shopURL, ClientIP: "198.51.100." + string(rune('0'+i%10))})
		require.NoError(t, err)
		pn := hopOf(tr, HopPodNet)
		var routerNode, podNode string
		for _, p := range s.Snapshot().Pods {
			if "pod:"+p.Namespace+"/"+p.Name == pn.From {
				routerNode = p.Node
			}
			if "pod:"+p.Namespace+"/"+p.Name == pn.To {
				podNode = p.Node
			}
		}
		if routerNode == podNode {
			assert.Empty(t, pn.Encapsulation)
			assert.Contains(t, pn.Note, "Same node")
			res["same"]++
		} else {
			assert.Equal(t, "vxlan", pn.Encapsulation)
			assert.Contains(t, pn.Outer, " → ")
			res["cross"]++
		}
		s.AdvanceTo(s.Now() + 500)
	}
	assert.Positive(t, res["same"])
	assert.Positive(t, res["cross"])
}

func TestHop6PodSeesRouterIPClientInXForwardedFor(t *testing.T) {
	_, tr := goldenTrace(t)
	pn := hopOf(tr, HopPodNet)
	assert.Contains(t, pn.Headers, "X-Forwarded-For: 198.51.100.9")
	assert.Contains(t, hopOf(tr, HopApp).Note, "sees the router pod")
}

func TestHop7ResponseRetracesTheSameConnections(t *testing.T) {
	_, tr := goldenTrace(t)
	var req, resp []Hop
	for _, h := range tr.Hops {
		switch {
		case h.Kind == HopResponse:
			resp = append(resp, h)
		case h.Kind != HopDNS && h.Kind != HopApp:
			req = append(req, h)
		}
	}
	require.Len(t, resp, len(req))
	for i, r := range resp {
		q := req[len(req)-1-i]
		assert.Equal(t, q.From, r.To)
		assert.Equal(t, q.To, r.From)
		assert.Equal(t, q.Src, r.Dst)
	}
}

func TestNodeFailureEvictsAndReschedules(t *testing.T) {
	sc := shopScenario()
	sc.Settings.EvictionDelayMs = 10_000
	s, err := New(sc)
	require.NoError(t, err)
	victim := appPods(s.Snapshot(), "shop")[0]
	require.NoError(t, s.Apply(SetNodeReady{Node: victim.Node, Ready: false}))
	for _, n := range s.Snapshot().Nodes {
		if n.Name == victim.Node {
			assert.False(t, n.InstanceUp, "the instance is down at once")
			assert.True(t, n.Ready, "the NodeReady condition holds for the grace period")
		}
	}
	s.AdvanceTo(40_000 + 1)
	for _, n := range s.Snapshot().Nodes {
		if n.Name == victim.Node {
			assert.False(t, n.Ready, "NotReady after the grace period")
		}
	}
	for _, p := range appPods(s.Snapshot(), "shop") {
		if p.Node == victim.Node {
			assert.False(t, p.Ready, "NotReady after the node grace period")
		}
	}
	s.AdvanceTo(40_000 + 10_000 + 60_000)
	pods := appPods(s.Snapshot(), "shop")
	assert.Equal(t, 4, readyCount(pods))
	for _, p := range pods {
		if !p.Terminating { // the evicted pods stay Terminating: their kubelet cannot confirm
			assert.NotEqual(t, victim.Node, p.Node, "replaced elsewhere")
		}
	}
}

func TestZoneOutageShrinksDNSAndTrafficRecovers(t *testing.T) {
	s := newShop(t)
	routerZone := ""
	for _, r := range s.Snapshot().Routers {
		for _, n := range s.Snapshot().Nodes {
			if n.Name == r.Node {
				routerZone = n.Zone
			}
		}
	}
	require.NoError(t, s.Apply(SetZoneDown{Zone: routerZone, Down: true}))
	s.AdvanceTo(30_000)
	snap := s.Snapshot()
	assert.Len(t, snap.DNS.Answer, 1, "the failed AZ left DNS: %v", snap.DNS.Answer)
	res, err := s.Load(LoadRequest{URL: shopURL, Count: 200})
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCodes["200"], "the surviving router serves: %v %v", res.StatusCodes, res.Outcomes)
}

func TestIPIPNeedsSecurityGroupRules(t *testing.T) {
	sc := shopScenario()
	sc.Settings.Encapsulation = "IPIP"
	s, err := New(sc)
	require.NoError(t, err)
	res, err := s.Load(LoadRequest{URL: shopURL, Count: 200})
	require.NoError(t, err)
	assert.Positive(t, res.StatusCodes["503"], "cross-node IP-in-IP is dropped by the default security groups: %v", res.StatusCodes)
	assert.Positive(t, res.StatusCodes["200"], "same-node traffic needs no encapsulation")
	on := true
	require.NoError(t, s.Apply(SetNetwork{SecurityGroupsAllowIPIPAndBGP: &on}))
	res, err = s.Load(LoadRequest{URL: shopURL, Count: 200})
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCodes["200"])
}

// A VXLANCrossSubnet pool routes same-subnet traffic without BGP (Felix
// programs the routes); only the EC2 source/destination check can stop it.
// Never (None) and IPIPCrossSubnet pools learn those routes over BGP.
func TestCrossSubnetSameSubnetNeedsBGPOnlyWithoutVXLAN(t *testing.T) {
	a := &node{Name: "a", Zone: "us-east-1a", IP: "10.0.1.1"}
	b := &node{Name: "b", Zone: "us-east-1a", IP: "10.0.1.2"}
	c := &node{Name: "c", Zone: "us-east-1c", IP: "10.0.3.1"}
	off, on := false, true
	for _, tc := range []struct {
		mode, encap, drop string
		srcDst            *bool
	}{
		{"VXLANCrossSubnet", "", "", &off},
		{"VXLANCrossSubnet", "", "source/destination check", &on},
		{"IPIPCrossSubnet", "", "BGP (TCP 179)", &off},
		{"None", "", "BGP (TCP 179)", &off},
	} {
		s := newShop(t)
		require.NoError(t, s.Apply(SetNetwork{Encapsulation: &tc.mode, SourceDestCheck: tc.srcDst}))
		encap, drop := s.podToPod(a, b)
		assert.Equal(t, tc.encap, encap, tc.mode)
		if tc.drop == "" {
			assert.Empty(t, drop, tc.mode)
			assert.Contains(t, s.encapNote(a, b, encap, drop), "no BGP", tc.mode)
		} else {
			assert.Contains(t, drop, tc.drop, tc.mode)
		}
	}
	s := newShop(t)
	require.NoError(t, s.Apply(SetNetwork{Encapsulation: new("VXLANCrossSubnet")}))
	encap, drop := s.podToPod(a, c)
	assert.Equal(t, "vxlan", encap)
	assert.Empty(t, drop)
	assert.Contains(t, s.encapNote(a, c, encap, drop), "because the nodes are in different subnets")
	assert.Contains(t, s.encapNote(a, c, encap, drop), "us-east-1a → us-east-1c")
}

// When every healthy target sits in AZs that failed, DNS fails open to
// the AZs that are up: the host still resolves (no false NXDOMAIN), and the
// request fails at the load balancer for the real reason.
func TestDNSFailsOpenWhenNoUpAZHasAHealthyTarget(t *testing.T) {
	s := newShop(t)
	zoneOf := map[string]string{}
	for _, n := range s.Snapshot().Nodes {
		zoneOf[n.Name] = n.Zone
	}
	routerZones := map[string]bool{}
	for _, r := range s.Snapshot().Routers {
		routerZones[zoneOf[r.Node]] = true
	}
	require.Len(t, routerZones, 2)
	for z := range routerZones {
		require.NoError(t, s.Apply(SetZoneDown{Zone: z, Down: true}))
	}
	snap := s.Snapshot()
	require.Len(t, snap.DNS.Answer, 1, "only the AZ without a router is up")
	tr, err := s.Trace(TraceRequest{URL: shopURL})
	require.NoError(t, err)
	assert.NotEqual(t, "nxdomain", tr.Outcome, tr.Reason)
	assert.Contains(t, tr.Reason, "no healthy target")
}
