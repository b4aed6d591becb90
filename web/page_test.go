package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/podpath/podpath/model"
)

// testSnapshot is the default cluster drawn by hand: three AZs with one
// worker each, two routers, Deployment shop with the given replicas.
func testSnapshot(replicas int) model.Snapshot {
	zones := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	s := model.Snapshot{
		TimeMs:  12_345,
		Cluster: model.ClusterInfo{Name: "demo", Region: "us-east-1", Zones: zones, OpenShiftVersion: "4.16", VPCCIDR: "10.0.0.0/16", IngressDomain: "apps.demo.example.com"},
		Network: model.NetworkView{CNI: "Calico", Encapsulation: "VXLAN", KubeProxyMode: "iptables", BlockSize: 26},
		DNS:     model.DNSView{Record: "*.apps.demo.example.com"},
		LoadBalancer: model.LoadBalancerView{
			Type: "Classic", HTTPSNodePort: 31443,
		},
		Deployments: []model.DeploymentView{{Namespace: "shop", Name: "shop", Replicas: replicas, ReadyReplicas: replicas}},
		Metrics:     model.Metrics{Requests: 10, StatusCodes: map[string]int64{"200": 9, "503": 1}, ByPod: map[string]int64{}},
	}
	for i, z := range zones {
		node := fmt.Sprintf("ip-10-0-%d-10.ec2.internal", i)
		s.Nodes = append(s.Nodes,
			model.NodeView{Name: node, Role: "worker", Zone: z, IP: fmt.Sprintf("10.0.%d.10", i), Ready: true, InstanceUp: true, Subnet: fmt.Sprintf("10.0.%d.0/24", i), PodCIDRBlocks: []string{fmt.Sprintf("10.128.%d.0/26", i)}},
			model.NodeView{Name: fmt.Sprintf("master-%d", i), Role: "control-plane", Zone: z, Ready: true, InstanceUp: true})
		ip := fmt.Sprintf("10.0.%d.5", 100+i)
		s.LoadBalancer.Zones = append(s.LoadBalancer.Zones, model.LBZoneView{Zone: z, IP: ip, InDNS: true})
		s.LoadBalancer.Targets = append(s.LoadBalancer.Targets, model.LBTargetView{Node: node, Zone: z, Healthy: i < 2, Passing: i < 2})
		s.DNS.Answer = append(s.DNS.Answer, ip)
	}
	for i := range 2 {
		s.Pods = append(s.Pods, model.PodView{Namespace: "openshift-ingress", Name: fmt.Sprintf("router-default-5f-r%d", i), Node: s.Nodes[2*i].Name, IP: fmt.Sprintf("10.128.%d.2", i), Phase: "Running", Ready: true, Router: true, Owner: "router-default"})
	}
	for i := range replicas {
		p := model.PodView{Namespace: "shop", Name: fmt.Sprintf("shop-7d9f-p%02d", i), Node: s.Nodes[2*(i%3)].Name, IP: fmt.Sprintf("10.128.%d.%d", i%3, 10+i), Phase: "Running", Ready: true, Owner: "shop"}
		s.Pods = append(s.Pods, p)
		s.Metrics.ByPod[podID(p)] = int64(i + 1)
	}
	s.Services = []model.ServiceView{{Namespace: "shop", Name: "shop", ClusterIP: "172.30.0.7", Ports: []model.ServicePortView{{Port: 80, TargetPort: "8080", Protocol: "TCP"}}, Selector: map[string]string{"app": "shop"}}}
	s.Routes = []model.RouteView{{Namespace: "shop", Name: "shop", Host: "shop.apps.demo.example.com", Path: "/", To: []model.RouteTargetView{{Service: "shop", Weight: 100}}, TLS: &model.RouteTLS{Termination: "edge"}, Balance: "random", Admitted: true}}
	return s
}

var testAssets = Assets{JS: "/static/abc/js/app.js", CSS: "/static/abc/app.css"}

// render renders the page for a snapshot and parses it.
func render(t *testing.T, s model.Snapshot) (string, *html.Node) {
	t.Helper()
	var b strings.Builder
	vm := NewPageView(s, ClockView{TimeMs: s.TimeMs, Speed: 1}, testAssets)
	require.NoError(t, Page(vm).Render(context.Background(), &b))
	doc, err := html.Parse(strings.NewReader(b.String()))
	require.NoError(t, err)
	return b.String(), doc
}

// findAll returns the elements (outside <template>) matching ok.
func findAll(n *html.Node, ok func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "template" {
			return
		}
		if n.Type == html.ElementNode && ok(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		v, ok := attr(n, key)
		return ok && v == val
	}
}

func byTestID(doc *html.Node, id string) []*html.Node {
	return findAll(doc, hasAttr("data-testid", id))
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func TestPageDrawsEveryPod(t *testing.T) {
	for _, replicas := range []int{1, 4, 6} {
		t.Run(fmt.Sprint(replicas), func(t *testing.T) {
			_, doc := render(t, testSnapshot(replicas))
			apps := byTestID(doc, "app-pod")
			assert.Len(t, apps, replicas)
			routers := byTestID(doc, "router-pod")
			assert.Len(t, routers, 2)
			for _, p := range append(apps, routers...) {
				for _, a := range []string{"data-pod", "data-ready", "data-node", "data-el"} {
					v, ok := attr(p, a)
					assert.True(t, ok && v != "", "pod lacks %s", a)
				}
				pod, _ := attr(p, "data-pod")
				el, _ := attr(p, "data-el")
				assert.Equal(t, "pod:"+pod, el)
				assert.Len(t, findAll(p, hasAttr("data-testid", "pod-count")), 1)
			}
			first, _ := attr(apps[0], "data-pod")
			assert.Equal(t, "shop/shop-7d9f-p00", first)
			assert.Equal(t, "1", text(findAll(apps[0], hasAttr("data-testid", "pod-count"))[0]))
		})
	}
}

func TestPageCarriesTheContractTestIDs(t *testing.T) {
	_, doc := render(t, testSnapshot(4))
	counts := map[string]int{
		"topology": 1, "request-canvas": 1, "internet": 1, "dns": 1, "load-balancer": 1,
		"zone-lane": 3, "node": 3, "lb-target": 3, "route-card": 1, "service-card": 1,
		"event-log": 1, "metrics": 1, "metric-requests": 1, "sim-time": 1, "conn-status": 1,
		"deployment-control": 1, "scale-down": 1, "scale-replicas": 1, "scale-up": 1,
		"pause": 1, "play": 1, "speed": 1, "advance": 1, "error-toast": 1,
	}
	for id, n := range counts {
		assert.Len(t, byTestID(doc, id), n, "data-testid=%q", id)
	}
	conn := byTestID(doc, "conn-status")[0]
	state, _ := attr(conn, "data-state")
	assert.Equal(t, "connecting", state)

	dep := byTestID(doc, "deployment-control")[0]
	id, _ := attr(dep, "data-deployment")
	assert.Equal(t, "shop/shop", id)
	assert.Equal(t, "4", text(byTestID(doc, "scale-replicas")[0]))

	for _, lane := range byTestID(doc, "zone-lane") {
		z, _ := attr(lane, "data-zone")
		assert.NotEmpty(t, z)
		assert.Len(t, findAll(lane, hasAttr("data-testid", "node")), 1, "one worker in %s", z)
	}
	var healthy []string
	for _, tg := range byTestID(doc, "lb-target") {
		h, _ := attr(tg, "data-healthy")
		healthy = append(healthy, h)
	}
	assert.Equal(t, []string{"true", "true", "false"}, healthy)
	assert.Equal(t, "10", text(byTestID(doc, "metric-requests")[0]))
	assert.Equal(t, "12.3 s", text(byTestID(doc, "sim-time")[0]))
}

func TestHopEndpointsCarryElementIDs(t *testing.T) {
	s := testSnapshot(4)
	_, doc := render(t, s)
	els := map[string]int{}
	for _, n := range findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "data-el"); return ok }) {
		v, _ := attr(n, "data-el")
		els[v]++
	}
	want := []string{"internet", "dns", "route:shop/shop", "svc:shop/shop"}
	for _, z := range s.LoadBalancer.Zones {
		want = append(want, "lb:"+z.Zone)
	}
	for _, n := range s.Nodes {
		if n.Role == "worker" {
			want = append(want, "node:"+n.Name)
		}
	}
	for _, p := range s.Pods {
		want = append(want, "pod:"+podID(p))
	}
	for _, id := range want {
		assert.Equal(t, 1, els[id], "data-el=%q", id)
	}
	assert.Len(t, els, len(want), "no other hop endpoints: %v", els)
}

func TestHostileStringsAreText(t *testing.T) {
	const evil = `<img src=x onerror=alert(1)>`
	s := testSnapshot(2)
	s.Cluster.Name = evil
	s.Routes[0].Host = evil
	s.Routes[0].Name = evil
	s.Services[0].Selector = map[string]string{"app": evil}
	s.Deployments[0].Name = evil
	s.Pods[2].Name = evil
	s.Nodes[0].Name = evil
	out, doc := render(t, s)

	assert.Empty(t, findAll(doc, func(n *html.Node) bool { return n.Data == "img" }))
	assert.NotContains(t, out, "<img")
	assert.Contains(t, out, "&lt;img src=x onerror=alert(1)&gt;")
	dep := byTestID(doc, "deployment-control")[0]
	id, _ := attr(dep, "data-deployment")
	assert.Equal(t, "shop/"+evil, id, "attributes keep the value, escaped on the wire")

	// The JSON script cannot be closed early by data.
	scripts := findAll(doc, func(n *html.Node) bool { return n.Data == "script" })
	require.Len(t, scripts, 2)
	var init InitialState
	require.NoError(t, json.Unmarshal([]byte(text(scripts[1])), &init))
	assert.Equal(t, evil, init.State.Routes[0].Host)
}

func TestPageObeysTheCSP(t *testing.T) {
	out, doc := render(t, testSnapshot(4))
	for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			assert.NotEqual(t, "style", a.Key, "inline style on <%s>", n.Data)
			assert.False(t, strings.HasPrefix(a.Key, "on"), "inline handler %s on <%s>", a.Key, n.Data)
		}
		if n.Data == "script" {
			src, hasSrc := attr(n, "src")
			typ, _ := attr(n, "type")
			assert.True(t, (hasSrc && src == testAssets.JS && typ == "module") || typ == "application/json", "inline script")
		}
	}
	assert.NotContains(t, out, "<style")
	assert.Contains(t, out, `href="`+testAssets.CSS+`"`)
}

func TestInitialStateRidesAlong(t *testing.T) {
	s := testSnapshot(4)
	_, doc := render(t, s)
	n := findAll(doc, hasAttr("id", "initial-state"))
	require.Len(t, n, 1)
	var init InitialState
	require.NoError(t, json.Unmarshal([]byte(text(n[0])), &init))
	assert.Equal(t, s.TimeMs, init.Clock.TimeMs)
	assert.Len(t, init.State.Pods, len(s.Pods))
}

// The topology says which settings its labels show, in the format
// static/js/render.js compares with each state (a difference refetches it).
func TestTopologyCarriesItsSettings(t *testing.T) {
	s := testSnapshot(2)
	s.LoadBalancer.Type, s.LoadBalancer.CrossZone = "NLB", true
	s.Network.Encapsulation, s.Network.KubeProxyMode = "IPIP", "ipvs"
	s.Cluster.OpenShiftVersion = "4.10"
	_, doc := render(t, s)
	svg := byTestID(doc, "topology")
	require.Len(t, svg, 1)
	got, _ := attr(svg[0], "data-settings")
	assert.Equal(t, "NLB|true|IPIP|ipvs|4.10", got)
	assert.Contains(t, text(byTestID(doc, "cluster-line")[0]), "4.10")
}

func TestLargeClusterPageLeavesTheStateToTheSocket(t *testing.T) {
	s := testSnapshot(PageStateMaxPods + 1)
	require.Greater(t, len(s.Pods), PageStateMaxPods)
	_, doc := render(t, s)
	n := findAll(doc, hasAttr("id", "initial-state"))
	require.Len(t, n, 1)
	var init map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(text(n[0])), &init))
	assert.NotContains(t, init, "state", "a large cluster's snapshot comes with the socket")
	assert.Contains(t, init, "clock")
	shares := findAll(doc, hasAttr("data-testid", "pod-shares"))
	require.Len(t, shares, 1)
	assert.Empty(t, findAll(shares[0], func(n *html.Node) bool { return n.Data == "li" }), "no share bars rendered")
	assert.NotEmpty(t, findAll(doc, hasAttr("data-testid", "app-pod")), "the topology is still drawn")
}

func TestScalingNeverMovesExistingPods(t *testing.T) {
	place := func(replicas int) map[string]Rect {
		out := map[string]Rect{}
		for _, lane := range newTopology(testSnapshot(replicas)).Lanes {
			for _, n := range lane.Nodes {
				out["node:"+n.Name] = n.Rect
				for _, p := range n.Pods {
					out["pod:"+p.ID] = p.Rect
				}
			}
		}
		return out
	}
	small, big := place(4), place(20)
	assert.Len(t, big, len(small)+16)
	for id, r := range small {
		assert.Equal(t, r, big[id], id)
	}
}

func TestFullNodesCountTheRest(t *testing.T) {
	vm := NewPageView(testSnapshot(40), ClockView{}, testAssets)
	var drawn, overflow int
	for _, lane := range vm.Topology.Lanes {
		for _, n := range lane.Nodes {
			for _, p := range n.Pods {
				if !p.Router {
					drawn++
				}
			}
			overflow += n.Overflow
			assert.Len(t, n.Slots, 8)
		}
	}
	assert.Equal(t, 24, drawn)
	assert.Equal(t, 16, overflow)
	_, doc := render(t, testSnapshot(40))
	var texts []string
	for _, n := range byTestID(doc, "pod-overflow") {
		texts = append(texts, text(n))
	}
	assert.Equal(t, []string{"+6 more pods", "+5 more pods", "+5 more pods"}, texts)
}

func TestEmptySnapshotStillRenders(t *testing.T) {
	out, doc := render(t, model.Snapshot{})
	assert.Len(t, byTestID(doc, "topology"), 1)
	assert.Contains(t, out, "podpath")
}
