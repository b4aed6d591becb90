package scenarios

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// Round trip, precisely (docs/scenarios.md, "Export"):
//
//  1. Export then Parse gives back the scenario it was given, field for
//     field, except Settings.Latency, which a file cannot set (Parse
//     leaves it zero: the model's defaults).
//  2. model.New of the re-imported scenario has the same Snapshot as the
//     live cluster once both have settled, with SameState's definition of
//     "same": everything but the virtual time, the metrics and the pods'
//     identities. Pod names, pod IPs, pod-template hashes, router reload
//     times, the nodes' Calico blocks and the load balancer's DNS name are
//     drawn anew from the seed (a changed LB type draws its name at once
//     on the live cluster, at start on the re-import), and the scheduler places
//     app pods anew (a cluster scaled 4 → 6 → 3 need not have its three
//     pods where a fresh 3 would go). Router pods keep their nodes.
//  3. For a built-in scenario without commands, the app pods' nodes match
//     too (samePlacement) when the file lists its Deployments by name,
//     the order model.Sim.Scenario gives them in.

// settledMs is how long a live cluster runs after its commands: past pod
// start-up, readiness, the 30 s grace period, router reloads and the load
// balancer's health checks.
const settledMs = 90_000

// canonical is a scenario as Parse returns it: Latency is not in the file.
func canonical(sc model.Scenario) model.Scenario {
	sc.Settings.Latency = model.Latency{}
	return sc
}

// roundTrip exports sc, parses the file and checks it is warning-free.
func roundTrip(t *testing.T, sc model.Scenario) (model.Scenario, []byte) {
	t.Helper()
	data, err := Export(sc)
	require.NoError(t, err)
	back, warnings, err := Parse(data)
	require.NoError(t, err, "the export parses:\n%s", data)
	assert.Empty(t, warnings, "the export has no warnings")
	return back, data
}

func TestEveryBuiltinRoundTrips(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			sc, _, err := Load(name)
			require.NoError(t, err)
			sim, err := model.New(sc)
			require.NoError(t, err)
			live := withMeta(sim.Scenario(), sc)

			back, data := roundTrip(t, live)
			assert.Equal(t, canonical(live), back, "promise 1: Parse(Export(sc)) == sc")
			again, err := Export(back)
			require.NoError(t, err)
			assert.Equal(t, string(data), string(again), "exporting the re-import gives the same bytes")

			fresh, err := model.New(back)
			require.NoError(t, err)
			assert.Equal(t, SameState(sim.Snapshot()), SameState(fresh.Snapshot()), "promise 2: the same state")
			if !deploymentsInNameOrder(sc) {
				// model.Sim.Scenario lists Deployments by name, not in
				// creation order, and the scheduler breaks ties on how
				// many pods a node already has.
				t.Logf("pod placement not compared: the file does not list its Deployments by name")
				return
			}
			assert.Equal(t, samePlacement(sim.Snapshot()), samePlacement(fresh.Snapshot()))
		})
	}
}

// deploymentsInNameOrder reports whether a scenario creates its
// Deployments in the order model.Sim.Scenario lists them.
func deploymentsInNameOrder(sc model.Scenario) bool {
	return slices.IsSortedFunc(sc.Workloads, func(a, b model.Deployment) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
}

// editCommands is a series of changes made through the API, as JSON
// bodies of POST /api/commands.
var editCommands = []string{
	`{"type":"scale","namespace":"shop","deployment":"shop","replicas":6}`,
	`{"type":"setLoadBalancer","lbType":"NLB","crossZone":true}`,
	`{"type":"setNetwork","encapsulation":"IPIPCrossSubnet","kubeProxyMode":"ipvs","sourceDestCheck":false,"securityGroupsAllowIPIPAndBGP":true,"localWithFallback":false}`,
	`{"type":"setTraffic","rps":25,"clients":7,"mix":[{"url":"https://shop.apps.demo.example.com/","client":"browser","weight":3},{"url":"http://blog.apps.demo.example.com/posts","client":"curl","weight":1}]}`,
	`{"type":"setOpenShiftVersion","version":"4.10"}`,
	`{"type":"scaleRouters","replicas":3}`,
	`{"type":"apply","object":{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"blog","labels":{"team":"words"}}}}`,
	`{"type":"apply","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"blog","namespace":"blog","annotations":{"podpath.dev/startup-ms":"4000","podpath.dev/service-ms":"90"}},
	  "spec":{"replicas":2,"selector":{"matchLabels":{"app":"blog"}},"template":{"metadata":{"labels":{"app":"blog","tier":"web"}},
	  "spec":{"terminationGracePeriodSeconds":10,"containers":[{"name":"blog","image":"blog:1","ports":[{"name":"http","containerPort":8080}],"readinessProbe":{"initialDelaySeconds":3,"tcpSocket":{"port":8080}}}]}}}}}`,
	`{"type":"apply","object":{"apiVersion":"v1","kind":"Service","metadata":{"name":"blog","namespace":"blog"},"spec":{"selector":{"app":"blog"},"sessionAffinity":"ClientIP","ports":[{"name":"web","port":80,"targetPort":"http"}]}}}`,
	`{"type":"apply","object":{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"blog","namespace":"blog","annotations":{"haproxy.router.openshift.io/balance":"roundrobin"}},
	  "spec":{"host":"blog.apps.demo.example.com","path":"/posts","to":{"kind":"Service","name":"blog","weight":100},"port":{"targetPort":"web"},"tls":{"termination":"edge","insecureEdgeTerminationPolicy":"Allow"}}}}`,
	`{"type":"apply","object":{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"allow-router","namespace":"blog"},
	  "spec":{"podSelector":{},"policyTypes":["Ingress"],"ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"policy-group.network.openshift.io/ingress":""}}},{"podSelector":{"matchExpressions":[{"key":"tier","operator":"In","values":["web"]}]}}],"ports":[{"protocol":"TCP","port":"http"},{"port":8080}]},{}]}}}`,
	`{"type":"scale","namespace":"shop","deployment":"shop","replicas":3}`,
}

func TestReimportAfterCommandsHasTheSameState(t *testing.T) {
	sc, _, err := Load("shop")
	require.NoError(t, err)
	sim, err := model.New(sc)
	require.NoError(t, err)
	for i, raw := range editCommands {
		cmd, err := DecodeCommand([]byte(raw))
		require.NoError(t, err, "command %d", i)
		require.NoError(t, sim.Apply(cmd), "command %d", i)
		sim.AdvanceTo(sim.Now() + 5_000)
	}
	sim.AdvanceTo(sim.Now() + settledMs)

	live := withMeta(sim.Scenario(), sc)
	back, data := roundTrip(t, live)
	assert.Equal(t, canonical(live), back)
	for _, want := range []string{"kind: Scenario", "type: NLB", "crossZone: true", "encapsulation: IPIPCrossSubnet", "kubeProxyMode: ipvs",
		"sourceDestCheck: false", "securityGroupsAllowIPIPAndBGP: true", "localWithFallback: false", `openShiftVersion: "4.10"`, "replicas: 3", "rps: 25", "kind: NetworkPolicy", "targetPort: web",
		"podpath.dev/startup-ms: \"4000\"", "initialDelaySeconds: 3", "terminationGracePeriodSeconds: 10", "clusterIP: 172.30."} {
		assert.Contains(t, string(data), want)
	}
	fresh, err := model.New(back)
	require.NoError(t, err)
	assert.Equal(t, SameState(sim.Snapshot()), SameState(fresh.Snapshot()))
	assert.Equal(t, canonical(live), canonical(withMeta(fresh.Scenario(), sc)), "the re-imported cluster exports the same scenario")
}

func TestExportOfImportedManifests(t *testing.T) {
	for _, file := range []string{"oc-get-deploy-svc-route.yaml", "oc-get-ingress-netpol.yaml", "oc-get-all.yaml"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + file)
			require.NoError(t, err)
			sc, _, err := Parse(data)
			require.NoError(t, err)
			sim, err := model.New(sc)
			require.NoError(t, err)
			live := sim.Scenario()
			back, exported := roundTrip(t, live)
			assert.True(t, strings.HasPrefix(string(exported), "#"), "a comment explains the file")
			live.Name = ExportedName // a file without a header gets a name
			assert.Equal(t, canonical(live), back)
		})
	}
}

func TestExportRefusesWhatTheFormatCannotHold(t *testing.T) {
	sc, _, err := Load("shop")
	require.NoError(t, err)
	sc.Workloads[0].ReadinessDelayMs = 1500
	_, err = Export(sc)
	require.ErrorIs(t, err, model.ErrConflict)
	assert.Contains(t, err.Error(), "readinessDelayMs 1500")

	sc, _, err = Load("shop")
	require.NoError(t, err)
	sc.Settings.OpenShiftVersion = "4.16.x"
	_, err = Export(sc)
	require.ErrorIs(t, err, model.ErrConflict)
	assert.Contains(t, err.Error(), "spec.cluster.openShiftVersion")
}

// withMeta copies the name, title and description: a Sim does not keep
// them, the server does.
func withMeta(sc, from model.Scenario) model.Scenario {
	sc.Name, sc.Title, sc.Description = from.Name, from.Title, from.Description
	return sc
}

// SameState is the part of a Snapshot that a re-import must reproduce:
// everything but the virtual time, the metrics and the pods' identities.
// App pods are counted per (namespace, owner, phase, ready, live,
// terminating, restarts, labels without the hash); router pods also per
// node; endpoints per (service, port, ready, serving, terminating). The
// LB's DNS name and the nodes' Calico blocks are left out.
func SameState(s model.Snapshot) model.Snapshot {
	s.TimeMs = 0
	s.Metrics = model.Metrics{}
	s.LoadBalancer.DNSName = ""
	nodes := slices.Clone(s.Nodes)
	for i := range nodes {
		nodes[i].PodCIDRBlocks = nil
	}
	s.Nodes = nodes
	pods := map[string]int{}
	for _, p := range s.Pods {
		node := ""
		if p.Router {
			node = p.Node
		}
		pods[fmt.Sprintf("%s owner=%s %s node=%s phase=%s ready=%t live=%t terminating=%t router=%t restarts=%d labels=%v hostNetwork=%t hostname=%s",
			p.Namespace, p.OwnerKind, p.Owner, node, p.Phase, p.Ready, p.Live, p.Terminating, p.Router, p.Restarts, withoutHash(p.Labels), p.HostNetwork, p.Hostname)]++
	}
	workloads := slices.Clone(s.Workloads)
	for i, w := range workloads {
		if w.Kind == model.KindDeployment { // the ReplicaSet's pod-template-hash is drawn anew
			workloads[i].Controller = "ReplicaSet/" + w.Name + "-…"
		}
	}
	s.Workloads = workloads
	s.Pods = nil
	for _, k := range sortedKeys(pods) {
		s.Pods = append(s.Pods, model.PodView{Name: fmt.Sprintf("%d× %s", pods[k], k)})
	}
	routers := make([]model.RouterView, 0, len(s.Routers))
	for _, r := range s.Routers {
		routers = append(routers, model.RouterView{Namespace: r.Namespace, Node: r.Node, Ready: r.Ready})
	}
	slices.SortFunc(routers, func(a, b model.RouterView) int { return strings.Compare(a.Node, b.Node) })
	s.Routers = routers
	services := slices.Clone(s.Services)
	for i, sv := range services {
		endpoints := map[string]int{}
		for _, e := range sv.Endpoints {
			endpoints[fmt.Sprintf("port=%d ready=%t serving=%t terminating=%t", e.Port, e.Ready, e.Serving, e.Terminating)]++
		}
		sv.Endpoints = nil
		for _, k := range sortedKeys(endpoints) {
			sv.Endpoints = append(sv.Endpoints, model.EndpointView{Pod: fmt.Sprintf("%d× %s", endpoints[k], k)})
		}
		services[i] = sv
	}
	s.Services = services
	return s
}

// samePlacement counts the app pods of each Deployment per node.
func samePlacement(s model.Snapshot) map[string]int {
	out := map[string]int{}
	for _, p := range s.Pods {
		out[p.Namespace+"/"+p.Owner+" on "+p.Node]++
	}
	return out
}

func withoutHash(labels map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(labels) {
		if k != "pod-template-hash" && k != "controller-revision-hash" {
			parts = append(parts, k+"="+labels[k])
		}
	}
	return strings.Join(parts, ",")
}
