package web

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/podpath/podpath/model"
)

func TestSimTime(t *testing.T) {
	for ms, want := range map[int64]string{
		-5:      "0.0 s",
		0:       "0.0 s",
		12_345:  "12.3 s",
		59_999:  "59.9 s",
		60_000:  "1:00.0",
		125_300: "2:05.3",
	} {
		assert.Equal(t, want, SimTime(ms), "%d ms", ms)
	}
}

func TestPodLabel(t *testing.T) {
	for _, tc := range []struct {
		pod  model.PodView
		want string
	}{
		{model.PodView{Name: "shop-5d8f7c9b4-x2k4q", Owner: "shop"}, "shop·x2k4q"},
		{model.PodView{Name: "router-default-6b7c-abcde", Owner: "router-default", Router: true}, "router·abcde"},
		{model.PodView{Name: "router-default-6b7c-abcde", Router: true}, "router·abcde"},
		{model.PodView{Name: "standalone-pod-name-that-is-long"}, "standalone-po…"},
		{model.PodView{Name: "cart-1", Owner: "shop"}, "cart-1"},
	} {
		assert.Equal(t, tc.want, podLabel(tc.pod), tc.pod.Name)
	}
}

func TestPodPhase(t *testing.T) {
	assert.Equal(t, "Pending", podPhase(model.PodView{Phase: "Pending"}))
	assert.Equal(t, "NotReady", podPhase(model.PodView{Phase: "Running"}))
	assert.Equal(t, "Ready", podPhase(model.PodView{Phase: "Running", Ready: true}))
	assert.Equal(t, "Terminating", podPhase(model.PodView{Phase: "Running", Ready: true, Terminating: true}))
}

func TestSpeedOptionsSelectTheNearest(t *testing.T) {
	var sel []string
	for _, o := range speedOptions(0.3) {
		if o.Selected {
			sel = append(sel, o.Value)
		}
	}
	assert.Equal(t, []string{"0.25"}, sel)
}

func TestMetricsShares(t *testing.T) {
	m := newMetrics(testSnapshot(4)) // byPod 1, 2, 3, 4 of 10
	var pct []int
	for _, p := range m.Pods {
		pct = append(pct, p.Percent)
	}
	assert.Equal(t, []int{10, 20, 30, 40}, pct)
	assert.Equal(t, []CodeCount{{"200", 9}, {"503", 1}}, m.Codes)
}

func TestRouteCardShowsWeights(t *testing.T) {
	r := model.RouteView{Path: "/cart", To: []model.RouteTargetView{{Service: "a", Weight: 3}, {Service: "b", Weight: 1}}, Balance: "roundrobin", Cookies: true, TLS: &model.RouteTLS{Termination: "reencrypt"}}
	assert.Equal(t, []string{"path /cart · TLS reencrypt", "balance roundrobin · cookies", "not admitted", "→ svc a · 75%", "→ svc b · 25%"}, routeLines(r))
}

func TestRoutersScaleThroughTheIngressController(t *testing.T) {
	got := deploymentControls([]model.DeploymentView{
		{Namespace: "openshift-ingress", Name: "router-default", Replicas: 2},
		{Namespace: "shop", Name: "shop", Replicas: 4},
	})
	assert.Equal(t, []DeploymentControl{
		{ID: "shop/shop", Replicas: 4, Command: "scale"},
		{ID: "openshift-ingress/router-default", Replicas: 2, Command: "scaleRouters"},
	}, got)
}
