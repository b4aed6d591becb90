package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultClusterMatchesBaseline(t *testing.T) {
	s := newShop(t)
	snap := s.Snapshot()
	assert.Equal(t, "us-east-1", snap.Cluster.Region)
	assert.Equal(t, "Classic", snap.LoadBalancer.Type)
	assert.False(t, snap.LoadBalancer.CrossZone)
	workers := 0
	for _, n := range snap.Nodes {
		if n.Role == "worker" {
			workers++
			assert.True(t, strings.HasPrefix(n.IP, "10.0."), n.IP)
		}
	}
	assert.Equal(t, 3, workers)
	require.Len(t, snap.Routers, 2)
	assert.NotEqual(t, snap.Routers[0].Node, snap.Routers[1].Node, "never two routers on one node")
	pods := appPods(snap, "shop")
	require.Len(t, pods, 4)
	assert.Equal(t, 4, readyCount(pods))
	for _, p := range pods {
		assert.True(t, strings.HasPrefix(p.IP, "10.1"), "pod IPs come from 10.128.0.0/14: %s", p.IP)
		assert.Equal(t, "shop", p.Labels["app"])
	}
	require.Len(t, snap.Services, 1)
	assert.True(t, strings.HasPrefix(snap.Services[0].ClusterIP, "172.30."))
	assert.Len(t, snap.Services[0].Endpoints, 4)
	require.Len(t, snap.Routes, 1)
	assert.True(t, snap.Routes[0].Admitted)
	assert.Equal(t, "random", snap.Routes[0].Balance)
}

func TestTraceGoldenPathHops(t *testing.T) {
	s := newShop(t)
	tr, err := s.Trace(TraceRequest{URL: "https://shop.apps.demo.example.com/", Client: "curl"})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status)
	kinds := []string{}
	for _, h := range tr.Hops {
		kinds = append(kinds, h.Kind)
	}
	assert.Equal(t, []string{"dns", "dns", "internet", "lb", "nodeport", "podnet", "app", "response", "response", "response", "response"}, kinds)
	snap := s.Snapshot()
	svcIP := snap.Services[0].ClusterIP
	for _, h := range tr.Hops {
		assert.NotContains(t, h.Dst, svcIP, "the router never sends to the ClusterIP")
		assert.NotEmpty(t, h.Note, "every hop of a trace is explained: %+v", h)
	}
	pn := tr.Hops[5]
	assert.True(t, strings.HasSuffix(pn.Dst, ":8080"), pn.Dst)
}

func TestLoadSpreadsOverFourPods(t *testing.T) {
	s := newShop(t)
	res, err := s.Load(LoadRequest{URL: "https://shop.apps.demo.example.com/", Count: 4000, Client: "curl"})
	require.NoError(t, err)
	assert.Equal(t, 4000, res.StatusCodes["200"])
	require.Len(t, res.ByPod, 4)
	for pod, n := range res.ByPod {
		assert.InDelta(t, 1000, n, 150, pod)
	}
}

func TestScaleUpJoinsEndpointsAfterReadyAndReload(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 8}))
	snap := s.Snapshot()
	pods := appPods(snap, "shop")
	require.Len(t, pods, 8)
	assert.Equal(t, 4, readyCount(pods), "new pods start Pending")
	s.AdvanceTo(30_000)
	res, err := s.Load(LoadRequest{URL: "https://shop.apps.demo.example.com/", Count: 4000, Client: "curl"})
	require.NoError(t, err)
	assert.Len(t, res.ByPod, 8)
	for pod, n := range res.ByPod {
		assert.InDelta(t, 500, n, 100, pod)
	}
}

func TestScaleDownTerminatesGracefully(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 1}))
	pods := appPods(s.Snapshot(), "shop")
	term := 0
	for _, p := range pods {
		if p.Terminating {
			term++
		}
	}
	assert.Equal(t, 3, term)
	s.AdvanceTo(40_000)
	assert.Len(t, appPods(s.Snapshot(), "shop"), 1)
}

func TestDeterministicTrace(t *testing.T) {
	run := func() string {
		s := newShop(t)
		require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 6}))
		s.AdvanceTo(20_000)
		require.NoError(t, s.Apply(DeletePod{Namespace: "shop", Pod: appPods(s.Snapshot(), "shop")[0].Name}))
		s.AdvanceTo(45_000)
		b, err := json.Marshal(s.Drain())
		require.NoError(t, err)
		return string(b)
	}
	a, b := run(), run()
	assert.Greater(t, len(a), 1000)
	assert.Equal(t, a, b)
}

func TestBadCommandsChangeNothing(t *testing.T) {
	s := newShop(t)
	before, _ := json.Marshal(s.Snapshot())
	for _, c := range []Command{
		Scale{Namespace: "shop", Deployment: "shop", Replicas: -1},
		Scale{Namespace: "shop", Deployment: "shop", Replicas: 1_000_000},
		Scale{Namespace: "shop", Deployment: "nope", Replicas: 2},
		DeletePod{Namespace: "shop", Pod: "nope"},
		ScaleRouters{Replicas: 99},
	} {
		assert.Error(t, s.Apply(c), "%#v", c)
	}
	after, _ := json.Marshal(s.Snapshot())
	assert.JSONEq(t, string(before), string(after))
}

func TestScenarioRoundTripKeepsObjects(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 6}))
	nlb := "NLB"
	require.NoError(t, s.Apply(SetLoadBalancer{LBType: &nlb}))
	sc := s.Scenario()
	s2, err := New(sc)
	require.NoError(t, err)
	a, b := s.Snapshot(), s2.Snapshot()
	assert.Equal(t, a.Services[0].ClusterIP, b.Services[0].ClusterIP)
	assert.Equal(t, "NLB", b.LoadBalancer.Type)
	assert.Equal(t, 6, b.Deployments[1].Replicas)
	assert.Equal(t, sc, s2.Scenario())
}

func TestDeleteDeploymentWhilePodsStartAndTerminate(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 6}))
	require.NoError(t, s.Apply(Delete{Kind: "Deployment", Namespace: "shop", Name: "shop"}))
	s.AdvanceTo(120_000)
	assert.Empty(t, appPods(s.Snapshot(), "shop"))
	tr, err := s.Trace(TraceRequest{URL: shopURL})
	require.NoError(t, err)
	assert.Equal(t, 503, tr.Status)
}

func TestScenarioKeepsRoutersScaledToZero(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(ScaleRouters{Replicas: 0}))
	s2, err := New(s.Scenario())
	require.NoError(t, err)
	assert.Empty(t, s2.Snapshot().Routers)
}

// Routers scaled to zero and back come up with their config loaded: a
// router only reports Ready once it has synced routes and endpoints.
func TestRoutersScaledBackUpServeWithoutAnotherChange(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(ScaleRouters{Replicas: 0}))
	s.AdvanceTo(60_000)
	require.NoError(t, s.Apply(ScaleRouters{Replicas: 2}))
	s.AdvanceTo(120_000) // started, ready, and the LB health checks passed
	for _, r := range s.Snapshot().Routers {
		assert.True(t, r.Ready, r.Name)
		assert.Greater(t, r.LastReloadMs, int64(60_000), "%s loaded its config when it started", r.Name)
	}
	res, err := s.Load(LoadRequest{URL: shopURL, Count: 100})
	require.NoError(t, err)
	assert.Equal(t, 100, res.StatusCodes["200"], "%v", res.StatusCodes)
}

func TestTraceRejectsBadClientIP(t *testing.T) {
	s := newShop(t)
	for _, ip := range []string{"999.1.1.1", "nope", "::1"} {
		_, err := s.Trace(TraceRequest{URL: shopURL, ClientIP: ip})
		assert.ErrorIs(t, err, ErrInvalid, ip)
		assert.ErrorContains(t, err, "clientIP", ip)
	}
}

func TestTrafficKeepsHighRates(t *testing.T) {
	sc := shopScenario()
	sc.Settings.Traffic.RPS = 2000
	s, err := New(sc)
	require.NoError(t, err)
	s.AdvanceTo(5000)
	n := len(s.Drain().Requests)
	assert.InDelta(t, 10_000, n, 400, "2000 req/s for 5 s")
}

func TestCloneOwnsItsDNSAnswer(t *testing.T) {
	s := newShop(t)
	_, err := s.Trace(TraceRequest{URL: shopURL}) // fills the live DNS cache
	require.NoError(t, err)
	c := s.Clone()
	zs, _ := c.resolve("shop.apps.demo.example.com", false)
	for _, z := range zs {
		assert.Same(t, c.zoneByName(z.Name), z, "a copy's DNS answer points at its own zones")
	}
}
