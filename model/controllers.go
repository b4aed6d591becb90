package model

import (
	"slices"
	"strconv"
	"strings"
)

// This file holds the workload controllers: one mechanism for every kind
// that runs pods. A workload has an owner kind, and the kind decides a
// pod policy — how its controller names, counts and orders pods:
//
//	kind                        policy    pod names                 a name is free again
//	Deployment (its ReplicaSet) replicas  <name>-<hash>-<5 chars>   at once (terminating pods do not count)
//	DeploymentConfig (its RC)   replicas  <name>-<version>-<5>      at once
//	ReplicaSet, RC              replicas  <name>-<5 chars>          at once
//	StatefulSet                 ordinals  <name>-0, <name>-1, …     when the pod is gone
//	DaemonSet                   per node  <name>-<5 chars>          when the node's pod is gone
//	Pod                         single    <name>                    never: a bare pod is not made again
//
// The pod lifecycle itself (scheduling, readiness, termination) is in
// workloads.go and is the same for every kind.

// workload is one pod controller: the spec and the revision its
// controller makes pods of now.
type workload struct {
	Spec Workload
	// Hash is the current revision: the pod-template-hash of a
	// Deployment's ReplicaSet, the controller-revision-hash of a
	// StatefulSet or DaemonSet; "" for the other kinds (a
	// DeploymentConfig's revision is Spec.Version).
	Hash     string
	created  int64
	isRouter bool
}

// podPolicy is how a kind's controller names, counts and orders its pods.
type podPolicy int

const (
	// policyReplicas: Replicas pods with generated names; a terminating
	// pod no longer counts, so a replacement starts at once; scale-down
	// picks pods by the ReplicaSet controller's ranking.
	policyReplicas podPolicy = iota
	// policyOrdinals: pods <name>-0 … <name>-(Replicas-1); an identity is
	// held until its pod is gone (never two pods of one identity);
	// OrderedReady creates them one at a time in order, each after the
	// previous is Ready, and removes them from the highest down.
	policyOrdinals
	// policyPerNode: one pod on every node the template tolerates, held
	// until that pod is gone; never moved to another node.
	policyPerNode
	// policySingle: the pod itself; once gone, it is gone.
	policySingle
)

// kindOf normalises a Workload's Kind ("" is a Deployment).
func kindOf(k string) string {
	if k == "" {
		return KindDeployment
	}
	return k
}

// workloadKey is how workloads are keyed: kind/namespace/name (two kinds
// may use one name).
func workloadKey(kind, namespace, name string) string {
	return kindOf(kind) + "/" + namespace + "/" + name
}

func (w *workload) kind() string { return kindOf(w.Spec.Kind) }

func (w *workload) key() string { return workloadKey(w.Spec.Kind, w.Spec.Namespace, w.Spec.Name) }

func (w *workload) policy() podPolicy {
	switch w.kind() {
	case KindStatefulSet:
		return policyOrdinals
	case KindDaemonSet:
		return policyPerNode
	case KindPod:
		return policySingle
	}
	return policyReplicas
}

// ordered reports whether the controller waits for one pod before it
// starts the next (a StatefulSet with podManagementPolicy OrderedReady).
func (w *workload) ordered() bool {
	return w.policy() == policyOrdinals && w.Spec.PodManagementPolicy != "Parallel"
}

// revision is the revision new pods are made of.
func (w *workload) revision() string {
	if w.kind() == KindDeploymentConfig {
		return strconv.FormatInt(w.Spec.Version, 10)
	}
	return w.Hash
}

// controllerName is the object that owns the pods directly, as
// metadata.ownerReferences names it: a Deployment's ReplicaSet, a
// DeploymentConfig's ReplicationController, or the workload itself.
func (w *workload) controllerName() (kind, name string) {
	switch w.kind() {
	case KindDeployment:
		return KindReplicaSet, w.Spec.Name + "-" + w.Hash
	case KindDeploymentConfig:
		return KindReplicationController, w.Spec.Name + "-" + strconv.FormatInt(w.Spec.Version, 10)
	case KindPod:
		return "", ""
	}
	return w.kind(), w.Spec.Name
}

// generateName is the prefix of a generated pod name: the owning
// controller's name and "-", cut to 58 characters as Kubernetes' name
// generator does (63 minus the 5 random characters).
func (w *workload) generateName() string {
	base := w.Spec.Name + "-"
	if _, name := w.controllerName(); name != "" && name != w.Spec.Name {
		base = name + "-"
	}
	if len(base) > 58 {
		base = base[:58]
	}
	return base
}

// podLabels are the labels a new pod gets: the template's plus those its
// controller adds.
func (w *workload) podLabels(name string) map[string]string {
	labels := make(map[string]string, len(w.Spec.Labels)+2)
	for k, v := range w.Spec.Labels {
		labels[k] = v
	}
	switch w.kind() {
	case KindDeployment:
		labels["pod-template-hash"] = w.Hash
	case KindDeploymentConfig:
		_, rc := w.controllerName()
		labels["deployment"] = rc
		labels["deploymentconfig"] = w.Spec.Name
	case KindStatefulSet:
		labels["controller-revision-hash"] = w.Spec.Name + "-" + w.Hash
		labels["statefulset.kubernetes.io/pod-name"] = name
	case KindDaemonSet:
		labels["controller-revision-hash"] = w.Hash
		labels["pod-template-generation"] = "1"
	}
	return labels
}

// ownedPods are w's pods, terminating ones included, in key order.
func (s *Sim) ownedPods(w *workload) []*pod {
	key := w.key()
	var out []*pod
	for _, p := range s.sortedPods() {
		if p.Owner == key {
			out = append(out, p)
		}
	}
	return out
}

// reconcile is the workload's controller: it creates and deletes pods
// until they match the spec, by the kind's policy.
func (s *Sim) reconcile(w *workload) {
	if w.kind() == KindDeploymentConfig && w.Spec.Version == 0 {
		return // never deployed: no ReplicationController yet
	}
	switch w.policy() {
	case policyReplicas:
		s.reconcileReplicas(w)
	default:
		s.reconcileSlots(w)
	}
}

// reconcileReplicas is the ReplicaSet/ReplicationController controller:
// it creates or deletes pods until the non-terminating ones match the
// desired replicas.
func (s *Sim) reconcileReplicas(w *workload) {
	var live []*pod
	for _, p := range s.ownedPods(w) {
		if !p.Terminating {
			live = append(live, p)
		}
	}
	for len(live) < w.Spec.Replicas {
		live = append(live, s.createPod(w, "", ""))
	}
	if len(live) > w.Spec.Replicas {
		// ReplicaSet deletion order: unscheduled, then pending, then not
		// ready, then pods on the nodes with most replicas, then newest.
		perNode := map[string]int{}
		for _, p := range live {
			perNode[p.Node]++
		}
		rank := func(p *pod) [4]int {
			r := [4]int{1, 1, 1, -perNode[p.Node]}
			if p.Node == "" {
				r[0] = 0
			}
			if !p.Running {
				r[1] = 0
			}
			if !p.Ready {
				r[2] = 0
			}
			return r
		}
		slices.SortStableFunc(live, func(a, b *pod) int {
			ra, rb := rank(a), rank(b)
			for i := range ra {
				if ra[i] != rb[i] {
					return ra[i] - rb[i]
				}
			}
			return int(b.Created - a.Created) // newest first
		})
		for _, p := range live[:len(live)-w.Spec.Replicas] {
			s.terminatePod(p, "scaled down")
		}
	}
}

// slot is one pod identity a StatefulSet, DaemonSet or bare Pod wants:
// a fixed name, or a node.
type slot struct {
	name string // the pod's name; "" for a DaemonSet (generated)
	node string // a DaemonSet's node
}

// slots are the identities w wants, in order.
func (s *Sim) slots(w *workload) []slot {
	var out []slot
	switch w.policy() {
	case policyOrdinals:
		for i := range w.Spec.Replicas {
			out = append(out, slot{name: w.Spec.Name + "-" + strconv.Itoa(i)})
		}
	case policyPerNode:
		for _, n := range s.nodes {
			if fits(w.Spec, n) {
				out = append(out, slot{node: n.Name})
			}
		}
	case policySingle:
		out = append(out, slot{name: w.Spec.Name})
	}
	return out
}

// holds reports whether pod p holds slot sl.
func (sl slot) holds(p *pod) bool {
	if sl.name != "" {
		return p.Name == sl.name
	}
	return p.PinnedNode == sl.node
}

// reconcileSlots is the StatefulSet and DaemonSet controller (and a bare
// Pod's one-time creation). A slot is held by its pod until that pod is
// gone, terminating or not, so there are never two pods of one identity.
// An ordered StatefulSet (OrderedReady) waits for every pod before a slot
// to be Running and Ready before it creates that slot's pod, removes
// surplus pods from the highest ordinal down, one at a time, and replaces
// pods of an old revision the same way; the others act on every slot at
// once (a DaemonSet replaces old pods one node at a time, maxUnavailable
// 1).
func (s *Sim) reconcileSlots(w *workload) {
	owned := s.ownedPods(w)
	want := s.slots(w)
	busy := false // a pod is terminating: ordered controllers wait for it
	for _, p := range owned {
		busy = busy || p.Terminating
	}
	// Surplus pods: no slot holds them. Highest ordinal (or name) first.
	var surplus []*pod
	for _, p := range owned {
		if !slices.ContainsFunc(want, func(sl slot) bool { return sl.holds(p) }) && !p.Terminating {
			surplus = append(surplus, p)
		}
	}
	slices.SortFunc(surplus, func(a, b *pod) int { return b.Ordinal - a.Ordinal })
	for _, p := range surplus {
		if w.ordered() && (busy || !allReady(owned, p)) {
			break
		}
		s.terminatePod(p, "scaled down")
		busy = true
	}
	// Missing slots, in order.
	for i, sl := range want {
		held := false
		for _, p := range owned {
			held = held || sl.holds(p)
		}
		if held {
			continue
		}
		if w.ordered() && (busy || !s.predecessorsReady(w, want[:i])) {
			break
		}
		s.createPod(w, sl.name, sl.node)
		if w.ordered() {
			return // the next one waits for this one to be Ready
		}
	}
	// Pods of an old revision: replaced one at a time, highest first.
	if w.policy() == policySingle || busy {
		return
	}
	owned = s.ownedPods(w)
	slices.SortStableFunc(owned, func(a, b *pod) int { return a.Ordinal - b.Ordinal })
	for i := len(owned) - 1; i >= 0; i-- {
		p := owned[i]
		if p.Rev != w.revision() && allReady(owned, nil) {
			s.terminatePod(p, "rolled out a new revision")
			return
		}
	}
}

// allReady reports whether every pod but except is Running and Ready.
func allReady(pods []*pod, except *pod) bool {
	for _, p := range pods {
		if p != except && !p.Terminating && (!p.Running || !p.Ready) {
			return false
		}
	}
	return true
}

// predecessorsReady reports whether the pods of slots are all Running
// and Ready (OrderedReady's condition for creating the next pod).
func (s *Sim) predecessorsReady(w *workload, slots []slot) bool {
	for _, sl := range slots {
		p := s.pods[w.Spec.Namespace+"/"+sl.name]
		if p == nil || p.Terminating || !p.Running || !p.Ready {
			return false
		}
	}
	return true
}

// createPod makes a pod for w — named name when the policy fixes it,
// bound to node when it is a DaemonSet's — schedules it and starts its
// lifecycle.
func (s *Sim) createPod(w *workload, name, node string) *pod {
	if name == "" {
		prefix := w.generateName()
		for {
			name = prefix + s.randomName(5)
			if _, clash := s.pods[w.Spec.Namespace+"/"+name]; !clash {
				break
			}
		}
	}
	s.created++
	p := &pod{
		Namespace:   w.Spec.Namespace,
		Name:        name,
		Key:         w.Spec.Namespace + "/" + name,
		Owner:       w.key(),
		Labels:      w.podLabels(name),
		Ports:       w.Spec.Ports,
		Phase:       "Pending",
		Live:        true,
		Created:     s.created,
		Router:      w.isRouter,
		Rev:         w.revision(),
		PinnedNode:  node,
		HostNetwork: w.Spec.HostNetwork,
	}
	if w.policy() == policyOrdinals {
		p.Ordinal, _ = strconv.Atoi(name[strings.LastIndexByte(name, '-')+1:])
	}
	p.hopID = "pod:" + p.Key
	s.addPod(p)
	s.changed()
	s.logf("pod", p.hopID, "pod %s created (Pending)", p.Key)
	s.schedulePod(p)
	return p
}

// fits reports whether a pod of spec may run on node n: its tolerations
// tolerate n's taints and its nodeSelector matches n's labels.
func fits(spec Workload, n *node) bool {
	if !tolerates(spec.Tolerations, n.Taints) {
		return false
	}
	for k, v := range spec.NodeSelector {
		if lv, ok := n.Labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// tolerates reports whether tolerations tolerate every NoSchedule and
// NoExecute taint (the scheduler's TaintToleration filter).
func tolerates(tolerations []Toleration, taints []Taint) bool {
	for _, t := range taints {
		if t.Effect == "PreferNoSchedule" {
			continue
		}
		if !slices.ContainsFunc(tolerations, func(tl Toleration) bool { return tl.tolerates(t) }) {
			return false
		}
	}
	return true
}

// tolerates is Kubernetes' ToleratesTaint: the effect matches (empty
// matches all), the key matches (empty with Exists matches every key),
// and Exists ignores the value while Equal (the default) compares it.
func (tl Toleration) tolerates(t Taint) bool {
	if tl.Effect != "" && tl.Effect != t.Effect {
		return false
	}
	if tl.Key != "" && tl.Key != t.Key {
		return false
	}
	switch tl.Operator {
	case "Exists":
		return true
	case "", "Equal":
		return tl.Key != "" && tl.Value == t.Value
	}
	return false
}

// ownerOf is the workload that owns p; nil once it has been deleted.
func (s *Sim) ownerOf(p *pod) *workload { return s.workloads[p.Owner] }

// ownerSpec is the spec of the workload that owns p; the zero spec
// (defaults apply) once the workload has been deleted.
func (s *Sim) ownerSpec(p *pod) Workload {
	if w := s.ownerOf(p); w != nil {
		return w.Spec
	}
	return Workload{}
}

// settle brings the cluster New builds to its steady state at time 0:
// every scheduled pod Running and Ready, and ordered controllers given
// the chance to make their next pod, until nothing changes.
func (s *Sim) settle() {
	for {
		for _, p := range s.sortedPods() {
			if p.Node != "" && !p.Terminating && !p.Running {
				p.Phase, p.Running, p.Ready = "Running", true, true
				s.writeEnv(p)
			}
		}
		before := len(s.pods)
		for _, k := range sortedKeys(s.workloads) {
			if w := s.workloads[k]; w.ordered() {
				s.reconcile(w)
			}
		}
		if len(s.pods) == before {
			return
		}
	}
}
