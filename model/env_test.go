package model

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Environment-variable discovery (domain.md §4, "Legacy discovery"): the
// kubelet writes <SVC>_SERVICE_HOST and friends when it starts a
// container, from the Services of the pod's namespace that exist then.

const envURL = "http://$SHOP_SERVICE_HOST:${SHOP_SERVICE_PORT}/"

func firstShopPod(t *testing.T, s *Sim) string {
	t.Helper()
	for _, p := range appPods(s.Snapshot(), "shop") {
		if p.Ready {
			return p.Namespace + "/" + p.Name
		}
	}
	t.Fatal("no ready shop pod")
	return ""
}

func envOf(t *testing.T, s *Sim, pod string) map[string]string {
	t.Helper()
	snap, err := s.SnapshotWithEnv([]string{pod})
	require.NoError(t, err)
	for _, p := range snap.Pods {
		if p.Namespace+"/"+p.Name == pod {
			require.NotNil(t, p.Env, "env of %s", pod)
			out := map[string]string{}
			for _, v := range p.Env.Vars {
				out[v.Name] = v.Value
			}
			return out
		}
	}
	t.Fatalf("no pod %s", pod)
	return nil
}

func TestPodEnvHasTheKubeletServiceVariables(t *testing.T) {
	s := newShop(t)
	pod := firstShopPod(t, s)
	ip := s.Snapshot().Services[0].ClusterIP
	env := envOf(t, s, pod)
	want := map[string]string{
		"SHOP_SERVICE_HOST":             ip,
		"SHOP_SERVICE_PORT":             "80",
		"SHOP_SERVICE_PORT_HTTP":        "80",
		"SHOP_PORT":                     "tcp://" + ip + ":80",
		"SHOP_PORT_80_TCP":              "tcp://" + ip + ":80",
		"SHOP_PORT_80_TCP_PROTO":        "tcp",
		"SHOP_PORT_80_TCP_PORT":         "80",
		"SHOP_PORT_80_TCP_ADDR":         ip,
		"KUBERNETES_SERVICE_HOST":       "172.30.0.1",
		"KUBERNETES_SERVICE_PORT":       "443",
		"KUBERNETES_SERVICE_PORT_HTTPS": "443",
		"KUBERNETES_PORT":               "tcp://172.30.0.1:443",
	}
	for k, v := range want {
		assert.Equal(t, v, env[k], k)
	}
	assert.Len(t, env, 8+8, "8 variables each for shop and the kubernetes Service")
	// The plain snapshot leaves the environment out.
	for _, p := range s.Snapshot().Pods {
		assert.Nil(t, p.Env)
	}
}

func TestHeadlessServiceGetsNoEnvironmentVariables(t *testing.T) {
	s := newShop(t)
	require.NoError(t, s.Apply(Apply{Service: &Service{Namespace: "shop", Name: "shop-headless", ClusterIP: "None",
		Selector: map[string]string{"app": "shop"}, Ports: []ServicePort{{Port: 8080}}}}))
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 5}))
	s.AdvanceTo(s.Now() + 20_000)
	for _, p := range appPods(s.Snapshot(), "shop") {
		env := envOf(t, s, p.Namespace+"/"+p.Name)
		assert.NotContains(t, env, "SHOP_HEADLESS_SERVICE_HOST")
	}
}

func TestURLFromThePodEnvironmentIsExpandedAndMakesNoDNSQuery(t *testing.T) {
	s := newShop(t)
	pod := firstShopPod(t, s)
	tr, err := s.Trace(TraceRequest{URL: envURL, From: pod})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status)
	ip := s.Snapshot().Services[0].ClusterIP
	assert.Equal(t, "http://"+ip+":80/", tr.ExpandedURL)
	assert.Empty(t, hopOf(tr, HopDNS).Kind, "an address needs no DNS query")
	assert.Contains(t, tr.Hops[0].Note, "SHOP_SERVICE_HOST="+ip)
	assert.Contains(t, tr.Hops[0].Note, "when the container started")
}

func TestServiceCreatedAfterThePodIsNotInItsEnvironment(t *testing.T) {
	s := newShop(t)
	old := firstShopPod(t, s)
	s.AdvanceTo(5_000)
	require.NoError(t, s.Apply(Apply{Service: &Service{Namespace: "shop", Name: "cart",
		Selector: map[string]string{"app": "shop"}, Ports: []ServicePort{{Port: 8080}}}}))
	_, err := s.Trace(TraceRequest{URL: "http://$CART_SERVICE_HOST:$CART_SERVICE_PORT/", From: old})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvalid))
	assert.Contains(t, err.Error(), "url")
	assert.Contains(t, err.Error(), "$CART_SERVICE_HOST, $CART_SERVICE_PORT is not set")
	assert.Contains(t, err.Error(), "a Service created later is not in it")
	// By DNS name the old pod reaches it.
	tr, err := s.Trace(TraceRequest{URL: "http://cart:8080/", From: old})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status)
	// A pod started after the Service has the variables.
	require.NoError(t, s.Apply(Scale{Namespace: "shop", Deployment: "shop", Replicas: 5}))
	s.AdvanceTo(s.Now() + 20_000)
	var fresh string
	for _, p := range appPods(s.Snapshot(), "shop") {
		if env := envOf(t, s, p.Namespace+"/"+p.Name); env["CART_SERVICE_HOST"] != "" {
			fresh = p.Namespace + "/" + p.Name
		}
	}
	require.NotEmpty(t, fresh, "the new pod has CART_SERVICE_HOST")
	tr, err = s.Trace(TraceRequest{URL: "http://$CART_SERVICE_HOST:$CART_SERVICE_PORT/", From: fresh})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status)
}

func TestRecreatedServiceLeavesRunningPodsOnTheOldClusterIP(t *testing.T) {
	s := newShop(t)
	pod := firstShopPod(t, s)
	svc := s.Snapshot().Services[0]
	oldIP := svc.ClusterIP
	spec := Service{Namespace: "shop", Name: "shop", Selector: map[string]string{"app": "shop"},
		Ports: []ServicePort{{Name: "http", Port: 80, TargetPort: "8080"}}}
	require.NoError(t, s.Apply(Delete{Kind: "Service", Namespace: "shop", Name: "shop"}))
	require.NoError(t, s.Apply(Apply{Service: &spec}))
	s.AdvanceTo(s.Now() + 10_000)
	newIP := s.Snapshot().Services[0].ClusterIP
	require.NotEqual(t, oldIP, newIP, "a recreated Service gets a new ClusterIP")
	assert.Equal(t, oldIP, envOf(t, s, pod)["SHOP_SERVICE_HOST"], "a running container keeps its environment")

	tr, err := s.Trace(TraceRequest{URL: envURL, From: pod})
	require.NoError(t, err)
	assert.Equal(t, "timeout", tr.Outcome)
	assert.Contains(t, tr.Reason, "no Service has the ClusterIP "+oldIP)
	assert.Contains(t, tr.Reason, "new ClusterIP "+newIP)
	assert.Contains(t, tr.Reason, "recreate the pod")

	// The DNS name follows the new address.
	tr, err = s.Trace(TraceRequest{URL: "http://shop.shop.svc.cluster.local/", From: pod})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status)

	// A container restart (liveness) writes the environment anew.
	name := pod[len("shop/"):]
	require.NoError(t, s.Apply(SetPodLive{Namespace: "shop", Pod: name, Live: false}))
	s.AdvanceTo(s.Now() + 60_000)
	assert.Equal(t, newIP, envOf(t, s, pod)["SHOP_SERVICE_HOST"])
	tr, err = s.Trace(TraceRequest{URL: envURL, From: pod})
	require.NoError(t, err)
	assert.Equal(t, 200, tr.Status)
}

func TestSnapshotWithEnvRejectsAnUnknownPod(t *testing.T) {
	s := newShop(t)
	_, err := s.SnapshotWithEnv([]string{"shop/nope"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvalid))
	assert.Contains(t, err.Error(), "env")
	snap, err := s.SnapshotWithEnv([]string{"all"})
	require.NoError(t, err)
	for _, p := range snap.Pods {
		require.NotNil(t, p.Env)
		assert.True(t, p.Env.Started)
	}
}
