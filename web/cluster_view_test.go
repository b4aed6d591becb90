package web

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/podpath/podpath/model"
)

func TestClusterViewFollowsTheSnapshot(t *testing.T) {
	s := testSnapshot(4)
	s.Nodes[4].InstanceUp = false // the only worker of us-east-1c
	s.Traffic = model.TrafficProfile{RPS: 7.5, Mix: []model.TrafficMix{
		{URL: "https://shop.apps.demo.example.com/", Client: "browser", Weight: 3},
		{URL: "https://shop.apps.demo.example.com/", Client: "curl", Weight: 1},
		{URL: "http://cart.shop.svc:8080/", From: "shop/web", Weight: 50},
	}}
	s.Policies = []model.NetworkPolicyView{{Namespace: "shop", Name: PolicyDeny}}
	c := newClusterView(s)

	assert.Equal(t, "7.5", c.RPS)
	assert.Equal(t, 75, c.BrowserPct, "east–west entries do not count")
	assert.Equal(t, "shop", c.PolicyNS)
	assert.Equal(t, "deny", selected(c.Policy))
	assert.Equal(t, "Classic", selected(c.LBTypes))
	assert.Equal(t, "4.16", selected(c.Versions))
	if assert.Len(t, c.Zones, 3) {
		assert.False(t, c.Zones[0].Down)
		assert.True(t, c.Zones[2].Down, "an AZ whose workers are all NotReady is down")
		assert.False(t, c.Zones[2].Nodes[0].Ready)
	}
}

func TestZoneToggleFollowsTheZoneFlag(t *testing.T) {
	s := testSnapshot(4)
	s.Nodes[4].InstanceUp = false // the only worker of us-east-1c, failed on its own
	for _, z := range s.Cluster.Zones {
		s.Zones = append(s.Zones, model.ZoneView{Name: z, Down: z == "us-east-1a"})
	}
	c := newClusterView(s)
	if assert.Len(t, c.Zones, 3) {
		assert.True(t, c.Zones[0].Down, "setZoneDown's flag, whatever the nodes say")
		assert.False(t, c.Zones[2].Down, "a failed node does not make its AZ down")
	}
}

func TestPolicyMode(t *testing.T) {
	s := testSnapshot(1)
	assert.Equal(t, "off", PolicyMode(s, "shop"))
	s.Policies = []model.NetworkPolicyView{{Namespace: "shop", Name: PolicyDeny}, {Namespace: "shop", Name: PolicyAllow}, {Namespace: "other", Name: PolicyDeny}}
	assert.Equal(t, "deny-allow", PolicyMode(s, "shop"))
	assert.Equal(t, "deny", PolicyMode(s, "other"))
	s.Policies = s.Policies[1:2]
	assert.Equal(t, "allow", PolicyMode(s, "shop"))
	assert.Equal(t, "allow", selected(policyOptions("allow")), "an unusual state still shows")
}

func TestTraceURLAndUnknownVersion(t *testing.T) {
	s := testSnapshot(1)
	assert.Equal(t, "https://shop.apps.demo.example.com/", traceURL(s))
	s.Cluster.OpenShiftVersion = "4.99"
	assert.Equal(t, "4.99", selected(newClusterView(s).Versions), "a version outside the list is added")
}

func TestPageHasTheNewControls(t *testing.T) {
	doc := panelDoc(t) // the page and the panels' markup
	for _, id := range []string{
		"trace-open", "trace-url", "trace-client", "trace-run", "inspector", "inspector-status", "inspector-close",
		"cluster-controls", "lb-type", "lb-crosszone", "net-encap", "net-srcdst", "net-kubeproxy", "ocp-version",
		"traffic-rps", "traffic-browser", "netpol-mode", "pod-menu", "pod-delete", "pod-ready-toggle", "pod-live-fail",
		"overflow-list", "oc-strip", "oc-command", "oc-copy", "route-editor", "re-host", "re-path", "re-service",
		"re-weight", "re-alt-add", "re-tls", "re-insecure", "re-balance", "re-cookies", "re-apply", "re-error", "re-oc",
		"help-overlay", "theme-toggle", "metric-rps", "metric-p50", "metric-p95", "service-split", "lb-health", "latency-chart",
	} {
		assert.NotEmpty(t, byTestID(doc, id), "data-testid=%q", id)
	}
	assert.Len(t, byTestID(doc, "node-toggle"), 3)
	assert.Len(t, byTestID(doc, "zone-toggle"), 3)
	assert.Len(t, byTestID(doc, "re-alt-service"), 3, "up to 3 alternate backends")
}

func selected(opts []Option) string {
	for _, o := range opts {
		if o.Selected {
			return o.Value
		}
	}
	return ""
}

func TestCompactCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1k", 1250: "1.2k", 9999: "9.9k", 12_345: "12k", 1_250_000: "1.2M"} {
		assert.Equal(t, want, compactCount(n), "%d", n)
	}
}
