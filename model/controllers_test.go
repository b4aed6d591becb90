package model

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the workload controllers: every kind that runs pods, through
// the public API (Apply, Snapshot, Trace).

var web = map[string]string{"app": "web"}

// withWorkload is the shop scenario plus one workload in namespace web
// and a Service web for it.
func withWorkload(w Workload, svc Service) *Sim {
	sc := shopScenario()
	w.Namespace, w.Selector, w.Labels = "web", web, web
	if w.Ports == nil {
		w.Ports = []ContainerPort{{Name: "http", Port: 8080}}
	}
	sc.Workloads = append(sc.Workloads, w)
	svc.Namespace, svc.Selector = "web", web
	if svc.Name == "" {
		svc.Name = "web"
	}
	if svc.Ports == nil {
		svc.Ports = []ServicePort{{Name: "http", Port: 80, TargetPort: "http"}}
	}
	sc.Services = append(sc.Services, svc)
	sc.Routes = append(sc.Routes, Route{Namespace: "web", Name: "web", Host: "web.apps.demo.example.com", To: RouteTarget{Service: svc.Name}})
	s, err := New(sc)
	if err != nil {
		panic(err)
	}
	return s
}

func podsOf(s *Sim, kind, name string) []PodView {
	var out []PodView
	for _, p := range s.Snapshot().Pods {
		if p.OwnerKind == kind && p.Owner == name {
			out = append(out, p)
		}
	}
	return out
}

func podNames(pods []PodView) []string {
	var out []string
	for _, p := range pods {
		state := ""
		switch {
		case p.Terminating:
			state = " terminating"
		case p.Ready:
			state = " ready"
		}
		out = append(out, p.Name+state)
	}
	slices.Sort(out)
	return out
}

func workloadView(s *Sim, kind, name string) WorkloadView {
	for _, w := range s.Snapshot().Workloads {
		if w.Kind == kind && w.Name == name {
			return w
		}
	}
	return WorkloadView{}
}

func TestStatefulSetPodsHaveOrdinalNamesAndStartOneAtATime(t *testing.T) {
	s := withWorkload(Workload{Kind: KindStatefulSet, Name: "db", Replicas: 1, ServiceName: "web"}, Service{ClusterIP: "None"})
	require.NoError(t, s.Apply(Scale{Kind: KindStatefulSet, Namespace: "web", Name: "db", Replicas: 3}))
	assert.Equal(t, []string{"db-0 ready", "db-1"}, podNames(podsOf(s, KindStatefulSet, "db")), "OrderedReady: db-2 waits for db-1")
	s.AdvanceTo(2_000)
	assert.Equal(t, []string{"db-0 ready", "db-1"}, podNames(podsOf(s, KindStatefulSet, "db")), "db-1 is not Ready yet")
	s.AdvanceTo(4_000) // 2.5 s start + 1 s readiness
	assert.Equal(t, []string{"db-0 ready", "db-1 ready", "db-2"}, podNames(podsOf(s, KindStatefulSet, "db")))
	s.AdvanceTo(8_000)
	assert.Equal(t, []string{"db-0 ready", "db-1 ready", "db-2 ready"}, podNames(podsOf(s, KindStatefulSet, "db")))
	for _, p := range podsOf(s, KindStatefulSet, "db") {
		assert.Equal(t, p.Name, p.Labels["statefulset.kubernetes.io/pod-name"])
		assert.Equal(t, "StatefulSet/db", p.Controller)
	}
}

func TestStatefulSetScalesDownFromTheHighestOrdinalOneAtATime(t *testing.T) {
	s := withWorkload(Workload{Kind: KindStatefulSet, Name: "db", Replicas: 3, ServiceName: "web"}, Service{ClusterIP: "None"})
	assert.Equal(t, []string{"db-0 ready", "db-1 ready", "db-2 ready"}, podNames(podsOf(s, KindStatefulSet, "db")), "New settles the ordered start")
	require.NoError(t, s.Apply(Scale{Kind: KindStatefulSet, Namespace: "web", Name: "db", Replicas: 1}))
	assert.Equal(t, []string{"db-0 ready", "db-1 ready", "db-2 terminating"}, podNames(podsOf(s, KindStatefulSet, "db")))
	s.AdvanceTo(2_000)
	assert.Equal(t, []string{"db-0 ready", "db-1 terminating"}, podNames(podsOf(s, KindStatefulSet, "db")), "db-1 goes once db-2 is gone")
	s.AdvanceTo(4_000)
	assert.Equal(t, []string{"db-0 ready"}, podNames(podsOf(s, KindStatefulSet, "db")))
}

func TestStatefulSetParallelStartsAndStopsAllAtOnce(t *testing.T) {
	s := withWorkload(Workload{Kind: KindStatefulSet, Name: "db", Replicas: 1, PodManagementPolicy: "Parallel"}, Service{})
	require.NoError(t, s.Apply(Scale{Kind: KindStatefulSet, Namespace: "web", Name: "db", Replicas: 3}))
	assert.Equal(t, []string{"db-0 ready", "db-1", "db-2"}, podNames(podsOf(s, KindStatefulSet, "db")))
	require.NoError(t, s.Apply(Scale{Kind: KindStatefulSet, Namespace: "web", Name: "db", Replicas: 0}))
	assert.Equal(t, []string{"db-0 terminating", "db-1 terminating", "db-2 terminating"}, podNames(podsOf(s, KindStatefulSet, "db")))
}

func TestStatefulSetPodOnAFailedNodeIsNotReplacedUntilItIsDeleted(t *testing.T) {
	sc := shopScenario()
	sc.Settings.EvictionDelayMs = 10_000
	sc.Workloads = append(sc.Workloads, Workload{Kind: KindStatefulSet, Namespace: "web", Name: "db", Replicas: 3, Selector: web, Labels: web})
	s, err := New(sc)
	require.NoError(t, err)
	victim := podsOf(s, KindStatefulSet, "db")[1]
	require.NoError(t, s.Apply(SetNodeReady{Node: victim.Node, Ready: false}))
	s.AdvanceTo(40_000 + 10_000 + 60_000) // grace, eviction, a minute more
	pods := podsOf(s, KindStatefulSet, "db")
	assert.Equal(t, []string{"db-0 ready", "db-1 terminating", "db-2 ready"}, podNames(pods),
		"the kubelet cannot confirm the deletion: the identity db-1 is held, no second db-1 starts")
	// oc delete pod db-1 --force --grace-period=0
	require.NoError(t, s.Apply(DeletePod{Namespace: "web", Pod: "db-1"}))
	pods = podsOf(s, KindStatefulSet, "db")
	require.Len(t, pods, 3)
	assert.NotEqual(t, victim.Node, pods[1].Node, "db-1 starts again on a healthy node")
	assert.False(t, pods[1].Terminating)
}

func TestReplicaSetPodOnAFailedNodeIsReplacedAtOnce(t *testing.T) {
	sc := shopScenario()
	sc.Settings.EvictionDelayMs = 10_000
	s, err := New(sc)
	require.NoError(t, err)
	victim := appPods(s.Snapshot(), "shop")[0]
	require.NoError(t, s.Apply(SetNodeReady{Node: victim.Node, Ready: false}))
	s.AdvanceTo(40_000 + 10_000 + 1)
	live := 0
	for _, p := range appPods(s.Snapshot(), "shop") {
		if p.Name == victim.Name {
			assert.True(t, p.Terminating, "the evicted pod stays Terminating")
		} else if !p.Terminating {
			live++
		}
	}
	assert.Equal(t, 4, live, "the ReplicaSet made a replacement at once")
}

func TestStatefulSetPodsHaveStableDNSThroughTheirHeadlessService(t *testing.T) {
	s := withWorkload(Workload{Kind: KindStatefulSet, Name: "db", Replicas: 2, ServiceName: "web"}, Service{ClusterIP: "None"})
	pods := podsOf(s, KindStatefulSet, "db")
	require.Len(t, pods, 2)
	assert.Equal(t, "db-1.web.web.svc.cluster.local", pods[1].Hostname)
	from := appPods(s.Snapshot(), "shop")[0]
	res, err := s.Trace(TraceRequest{URL: "http://db-1.web.web.svc.cluster.local:8080/", From: "shop/" + from.Name})
	require.NoError(t, err)
	assert.Equal(t, 200, res.Status, res.Reason)
	assert.Equal(t, "web/db-1", res.Pod, "the name resolves to that pod only")
}

func TestDaemonSetRunsOnePodOnEveryNodeItTolerates(t *testing.T) {
	s := withWorkload(Workload{Kind: KindDaemonSet, Name: "agent"}, Service{})
	pods := podsOf(s, KindDaemonSet, "agent")
	require.Len(t, pods, 3, "control-plane nodes are tainted node-role.kubernetes.io/master:NoSchedule")
	nodes := map[string]string{}
	for _, n := range s.Snapshot().Nodes {
		nodes[n.Name] = n.Role
	}
	for _, p := range pods {
		assert.Equal(t, "worker", nodes[p.Node])
		assert.Regexp(t, regexp.MustCompile(`^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$`), p.Name)
	}
	assert.Equal(t, 3, workloadView(s, KindDaemonSet, "agent").Replicas)

	all := withWorkload(Workload{Kind: KindDaemonSet, Name: "agent", Tolerations: []Toleration{{Operator: "Exists"}}}, Service{})
	assert.Len(t, podsOf(all, KindDaemonSet, "agent"), 6, "operator Exists tolerates every taint: the 3 control-plane nodes too")
	master := withWorkload(Workload{Kind: KindDaemonSet, Name: "agent", Tolerations: []Toleration{{Key: "node-role.kubernetes.io/master", Operator: "Exists", Effect: "NoSchedule"}}}, Service{})
	assert.Len(t, podsOf(master, KindDaemonSet, "agent"), 6)
}

func TestControlPlaneTaintFollowsTheOpenShiftVersion(t *testing.T) {
	sc := shopScenario()
	sc.Settings.OpenShiftVersion = "4.22"
	sc.Workloads = append(sc.Workloads, Workload{Kind: KindDaemonSet, Namespace: "web", Name: "agent", Selector: web, Labels: web,
		Tolerations: []Toleration{{Key: "node-role.kubernetes.io/master", Operator: "Exists", Effect: "NoSchedule"}}})
	s, err := New(sc)
	require.NoError(t, err)
	assert.Len(t, podsOf(s, KindDaemonSet, "agent"), 3, "from 4.22 the nodes also carry node-role.kubernetes.io/control-plane:NoSchedule")
}

func TestDaemonSetPodsStayOnAFailedNodeAndAreNotMoved(t *testing.T) {
	sc := shopScenario()
	sc.Settings.EvictionDelayMs = 10_000
	sc.Workloads = append(sc.Workloads, Workload{Kind: KindDaemonSet, Namespace: "web", Name: "agent", Selector: web, Labels: web})
	s, err := New(sc)
	require.NoError(t, err)
	victim := podsOf(s, KindDaemonSet, "agent")[0]
	require.NoError(t, s.Apply(SetNodeReady{Node: victim.Node, Ready: false}))
	s.AdvanceTo(40_000 + 10_000 + 60_000)
	pods := podsOf(s, KindDaemonSet, "agent")
	require.Len(t, pods, 3, "no pod is made elsewhere")
	for _, p := range pods {
		if p.Name == victim.Name {
			assert.False(t, p.Terminating, "DaemonSet pods tolerate unreachable NoExecute: not evicted")
			assert.False(t, p.Ready)
		}
	}
	require.NoError(t, s.Apply(SetNodeReady{Node: victim.Node, Ready: true}))
	assert.Len(t, podsOf(s, KindDaemonSet, "agent"), 3)
}

func TestBarePodIsNotMadeAgain(t *testing.T) {
	s := withWorkload(Workload{Kind: KindPod, Name: "solo"}, Service{})
	pods := podsOf(s, KindPod, "solo")
	require.Len(t, pods, 1)
	assert.Equal(t, "solo", pods[0].Name)
	assert.True(t, pods[0].Unmanaged)
	assert.Empty(t, pods[0].Controller)
	require.NoError(t, s.Apply(DeletePod{Namespace: "web", Pod: "solo"}))
	s.AdvanceTo(60_000)
	assert.Empty(t, podsOf(s, KindPod, "solo"), "nothing makes a bare pod again")
	assert.Equal(t, WorkloadView{}, workloadView(s, KindPod, "solo"), "the Pod object is gone")
	res, err := s.Trace(TraceRequest{URL: "http://web.apps.demo.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, 503, res.Status)
}

func TestBarePodOnAFailedNodeIsLost(t *testing.T) {
	sc := shopScenario()
	sc.Settings.EvictionDelayMs = 10_000
	sc.Workloads = append(sc.Workloads, Workload{Kind: KindPod, Namespace: "web", Name: "solo", Labels: web})
	s, err := New(sc)
	require.NoError(t, err)
	node := podsOf(s, KindPod, "solo")[0].Node
	require.NoError(t, s.Apply(SetNodeReady{Node: node, Ready: false}))
	s.AdvanceTo(40_000 + 10_000 + 1)
	require.NoError(t, s.Apply(SetNodeReady{Node: node, Ready: true}))
	s.AdvanceTo(s.Now() + 31_000) // the returning kubelet stops it within its grace period
	assert.Empty(t, podsOf(s, KindPod, "solo"), "evicted, deleted once its kubelet returns, and never made again")
}

func TestDeploymentConfigPodsBelongToReplicationControllerNameVersion(t *testing.T) {
	s := withWorkload(Workload{Kind: KindDeploymentConfig, Name: "app", Replicas: 2, Version: 3}, Service{})
	pods := podsOf(s, KindDeploymentConfig, "app")
	require.Len(t, pods, 2)
	for _, p := range pods {
		assert.Regexp(t, `^app-3-[bcdfghjklmnpqrstvwxz2456789]{5}$`, p.Name)
		assert.Equal(t, "ReplicationController/app-3", p.Controller)
		assert.Equal(t, "app-3", p.Labels["deployment"])
		assert.Equal(t, "app", p.Labels["deploymentconfig"])
	}
	assert.Equal(t, "ReplicationController/app-3", workloadView(s, KindDeploymentConfig, "app").Controller)
	changed := Workload{Kind: KindDeploymentConfig, Namespace: "web", Name: "app", Replicas: 2, Selector: web, Labels: map[string]string{"app": "web", "v": "2"},
		Ports: []ContainerPort{{Name: "http", Port: 8080}}}
	require.NoError(t, s.Apply(Apply{Workload: &changed}))
	s.AdvanceTo(10_000)
	for _, p := range podsOf(s, KindDeploymentConfig, "app") {
		if !p.Terminating {
			assert.Regexp(t, `^app-4-`, p.Name, "a new template deploys version 4")
		}
	}
	assert.Equal(t, int64(4), workloadView(s, KindDeploymentConfig, "app").Version)
}

func TestDeploymentConfigNeverDeployedRunsNoPods(t *testing.T) {
	s := withWorkload(Workload{Kind: KindDeploymentConfig, Name: "app", Replicas: 2}, Service{})
	assert.Empty(t, podsOf(s, KindDeploymentConfig, "app"), "version 0: no ReplicationController")
}

func TestHostNetworkPodsUseTheNodeIPAndClashOnAPort(t *testing.T) {
	s := withWorkload(Workload{Name: "hn", Replicas: 4, HostNetwork: true, Ports: []ContainerPort{{Name: "http", Port: 9100}}}, Service{})
	pods := podsOf(s, KindDeployment, "hn")
	require.Len(t, pods, 4)
	nodeIP := map[string]string{}
	for _, n := range s.Snapshot().Nodes {
		nodeIP[n.Name] = n.IP
	}
	pending := 0
	for _, p := range pods {
		assert.True(t, p.HostNetwork)
		if p.Node == "" {
			pending++
			continue
		}
		assert.Equal(t, nodeIP[p.Node], p.IP, "the pod's IP is its node's")
	}
	assert.Equal(t, 1, pending, "three workers: the fourth pod finds no node with port 9100 free")
	res, err := s.Trace(TraceRequest{URL: "http://web.apps.demo.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, 200, res.Status, res.Reason)
	notes := ""
	for _, h := range res.Hops {
		notes += h.Detail().Note + "\n"
	}
	assert.Contains(t, notes, "no Calico hop")
}

func TestHostNetworkPortOutsideTheSecurityGroupsIsDroppedBetweenNodes(t *testing.T) {
	s := withWorkload(Workload{Name: "hn", Replicas: 1, HostNetwork: true}, Service{}) // port 8080
	pod := podsOf(s, KindDeployment, "hn")[0]
	same, other := 0, 0
	for i := 0; i < 40; i++ {
		s.AdvanceTo(s.Now() + 1_000) // the live traffic moves the random source: each trace draws anew
		res, err := s.Trace(TraceRequest{URL: "http://web.apps.demo.example.com/"})
		require.NoError(t, err)
		routerNode := ""
		for _, h := range res.Hops {
			if h.Kind == HopPodNet {
				for _, r := range s.Snapshot().Routers {
					if "pod:"+r.Namespace+"/"+r.Name == h.From {
						routerNode = r.Node
					}
				}
			}
		}
		if routerNode == pod.Node {
			same++
			assert.Equal(t, 200, res.Status, "the same node: no security group in between")
		} else {
			other++
			assert.NotEqual(t, 200, res.Status)
			assert.Contains(t, res.Reason+notesOf(res), "security groups open only TCP 9000–9999, 10250 and 30000–32767")
		}
	}
	assert.Positive(t, same, "some requests came through the router on the pod's node")
	assert.Positive(t, other, "some through a router on another node")
}

func notesOf(res TraceResult) string {
	var b strings.Builder
	for _, h := range res.Hops {
		b.WriteString(h.Detail().Note)
	}
	return b.String()
}

func TestScaleNamesTheKind(t *testing.T) {
	s := withWorkload(Workload{Kind: KindReplicaSet, Name: "rs", Replicas: 1}, Service{})
	require.NoError(t, s.Apply(Scale{Kind: KindReplicaSet, Namespace: "web", Name: "rs", Replicas: 3}))
	assert.Len(t, podsOf(s, KindReplicaSet, "rs"), 3)
	err := s.Apply(Scale{Namespace: "web", Name: "rs", Replicas: 3})
	assert.ErrorIs(t, err, ErrNotFound, "the default kind is Deployment")
	assert.ErrorContains(t, err, "deployment web/rs")
	ds := withWorkload(Workload{Kind: KindDaemonSet, Name: "ds"}, Service{})
	assert.ErrorContains(t, ds.Apply(Scale{Kind: KindDaemonSet, Namespace: "web", Name: "ds", Replicas: 3}), "a DaemonSet has no replicas")
	assert.ErrorContains(t, s.Apply(Scale{Kind: "Widget", Namespace: "web", Name: "rs", Replicas: 3}), "kind")
}

func TestReplicaSetKeepsItsPodsWhenItsTemplateChanges(t *testing.T) {
	s := withWorkload(Workload{Kind: KindReplicaSet, Name: "rs", Replicas: 2}, Service{})
	before := podNames(podsOf(s, KindReplicaSet, "rs"))
	changed := Workload{Kind: KindReplicaSet, Namespace: "web", Name: "rs", Replicas: 2, Selector: web, Labels: map[string]string{"app": "web", "v": "2"}}
	require.NoError(t, s.Apply(Apply{Workload: &changed}))
	assert.Equal(t, before, podNames(podsOf(s, KindReplicaSet, "rs")), "a ReplicaSet's template shapes only new pods")
}

func TestDeletingAWorkloadDeletesItsPods(t *testing.T) {
	s := withWorkload(Workload{Kind: KindStatefulSet, Name: "db", Replicas: 2}, Service{})
	require.NoError(t, s.Apply(Delete{Kind: KindStatefulSet, Namespace: "web", Name: "db"}))
	assert.Equal(t, []string{"db-0 terminating", "db-1 terminating"}, podNames(podsOf(s, KindStatefulSet, "db")))
	s.AdvanceTo(60_000)
	assert.Empty(t, podsOf(s, KindStatefulSet, "db"))
	assert.ErrorIs(t, s.Apply(Delete{Kind: KindStatefulSet, Namespace: "web", Name: "db"}), ErrNotFound)
}

func TestPodsNameTheirOwnerKindAndController(t *testing.T) {
	s := newShop(t)
	for _, p := range appPods(s.Snapshot(), "shop") {
		assert.Equal(t, KindDeployment, p.OwnerKind)
		assert.Equal(t, "shop", p.Owner)
		assert.Equal(t, "ReplicaSet/shop-"+p.Labels["pod-template-hash"], p.Controller)
		assert.False(t, p.Unmanaged)
	}
}
