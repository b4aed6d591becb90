package model

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Apply validates one command in full and then applies it; on any error
// nothing changes.
func (s *Sim) Apply(c Command) error {
	if c == nil {
		return invalidf("type", "missing command")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	switch c := c.(type) {
	case Scale:
		return s.scale(c)
	case DeletePod:
		p, err := s.podByName(c.Namespace, c.Pod)
		if err != nil {
			return err
		}
		if p.Terminating && s.nodeUp(s.nodeByName(p.Node)) {
			return fmt.Errorf("%w: pod %s/%s is already terminating", ErrConflict, c.Namespace, c.Pod)
		}
		if p.Terminating {
			// Its node does not answer, so the kubelet cannot confirm the
			// deletion: deleting it again is the force deletion
			// (oc delete pod --force --grace-period=0) that frees its name.
			s.logf("pod", p.hopID, "pod %s force-deleted: its node %s does not answer, so the API object is removed without the kubelet's confirmation", p.Key, p.Node)
			s.podRemoved(timer{Key: p.Key})
			return nil
		}
		s.terminatePod(p, "deleted")
		if w := s.ownerOf(p); w != nil && w.policy() != policySingle {
			s.reconcile(w)
		}
	case SetPodReady:
		p, err := s.podByName(c.Namespace, c.Pod)
		if err != nil {
			return err
		}
		p.ProbeFails = !c.Ready
		s.changed()
		if !c.Ready {
			s.setReady(p, false, "readiness probe failing: removed from endpoints, not restarted")
		} else if p.Running && !p.Terminating && s.nodeUp(s.nodeByName(p.Node)) {
			s.setReady(p, true, "readiness probe passing again")
		}
	case SetPodLive:
		p, err := s.podByName(c.Namespace, c.Pod)
		if err != nil {
			return err
		}
		if p.Live == c.Live {
			return nil
		}
		p.Live = c.Live
		s.changed()
		if !c.Live {
			s.logf("pod", p.hopID, "pod %s liveness probe failing: the kubelet restarts the container after 3 failures", p.Key)
			p.RestartAt = s.now + livenessFailMs
			s.schedule(timer{At: p.RestartAt, Kind: tmPodRestart, Key: p.Key, Gen: p.gen})
		}
	case SetNodeReady:
		n := s.nodeByName(c.Node)
		if n == nil || n.Role != "worker" {
			return notFoundf("node %q (want one of the workers: %s)", c.Node, strings.Join(s.workerNames(), ", "))
		}
		s.setNodeReady(n, c.Ready)
	case SetZoneDown:
		z := s.zoneByName(c.Zone)
		if z == nil {
			return notFoundf("zone %q (want one of %s)", c.Zone, strings.Join(s.settings.Zones, ", "))
		}
		if z.Down == c.Down {
			return nil
		}
		z.Down = c.Down
		s.changed()
		state := "recovered"
		if c.Down {
			state = "DOWN"
		}
		s.logf("node", "lb:"+z.Name, "availability zone %s %s", z.Name, state)
		for _, n := range s.nodes {
			if n.Zone == z.Name {
				s.setNodeReady(n, !c.Down)
			}
		}
	case ScaleRouters:
		s.routers.Spec.Replicas = c.Replicas
		s.changed()
		s.logf("command", "deploy:"+routerNamespace+"/"+routerDeployment, "IngressController default: replicas %d", c.Replicas)
		s.reconcile(s.routers)
	case SetLoadBalancer:
		return s.setLoadBalancer(c)
	case SetNetwork:
		return s.setNetwork(c)
	case SetTraffic:
		p := TrafficProfile(c)
		if p.Clients == 0 {
			p.Clients = s.traffic.profile.Clients
		}
		if p.Mix == nil {
			p.Mix = s.traffic.profile.Mix
		}
		s.setTraffic(p) // valid: the fields given (Validate) and the profile kept
	case SetOpenShiftVersion:
		s.settings.OpenShiftVersion = c.Version
		for _, n := range s.nodes {
			n.Labels, n.Taints = s.nodeLabelsAndTaints(n)
		}
		s.logf("command", "cluster", "OpenShift version %s: router default balance is now %s", c.Version, s.defaultBalance(false))
		s.routersDirty()
	case Apply:
		return s.applyObject(c)
	case Delete:
		return s.deleteObject(c)
	case Expose:
		return s.expose(c)
	default:
		return invalidf("type", "unknown command %q", c.CommandType())
	}
	return nil
}

func (s *Sim) workerNames() []string {
	var out []string
	for _, n := range s.workers() {
		out = append(out, n.Name)
	}
	return out
}

// scale sets a workload's replicas, as `oc scale KIND/NAME` does.
func (s *Sim) scale(c Scale) error {
	name := c.Name
	if name == "" {
		name = c.Deployment
	}
	kind := kindOf(c.Kind)
	w, err := s.userWorkload(kind, c.Namespace, name)
	if err != nil {
		return err
	}
	w.Spec.Replicas = c.Replicas
	s.changed()
	s.logf("command", workloadHop(w), "%s %s/%s scaled to %d", strings.ToLower(kind), c.Namespace, name, c.Replicas)
	s.reconcile(w)
	return nil
}

// workloadHop is the topology id of a workload: deploy:<ns>/<name> for a
// Deployment, <kind in lower case>:<ns>/<name> for the other kinds.
func workloadHop(w *workload) string {
	prefix := "deploy"
	if w.kind() != KindDeployment {
		prefix = strings.ToLower(w.kind())
	}
	return prefix + ":" + w.Spec.Namespace + "/" + w.Spec.Name
}

// userWorkload finds a workload the user may change (not the routers).
func (s *Sim) userWorkload(kind, ns, name string) (*workload, error) {
	kind = kindOf(kind)
	if err := oneOf("kind", kind, WorkloadKinds); err != nil {
		return nil, err
	}
	if ns == "" {
		return nil, invalidf("namespace", "required")
	}
	if name == "" {
		if kind == KindDeployment {
			return nil, invalidf("deployment", "required")
		}
		return nil, invalidf("name", "required")
	}
	w := s.workloads[workloadKey(kind, ns, name)]
	if w == nil || w.isRouter {
		var names []string
		for _, k := range sortedKeys(s.workloads) {
			if o := s.workloads[k]; !o.isRouter && o.kind() == kind {
				names = append(names, o.Spec.Namespace+"/"+o.Spec.Name)
			}
		}
		if len(names) == 0 {
			names = []string{"none"}
		}
		hint := ""
		if kind == KindDeployment {
			hint = "; routers scale with scaleRouters"
		}
		return nil, notFoundf("%s %s/%s (existing: %s%s)", strings.ToLower(kind), ns, name, strings.Join(names, ", "), hint)
	}
	return w, nil
}

func (s *Sim) podByName(ns, name string) (*pod, error) {
	if ns == "" || name == "" {
		return nil, invalidf("namespace/pod", "both required")
	}
	p := s.pods[ns+"/"+name]
	if p == nil {
		return nil, notFoundf("pod %s/%s", ns, name)
	}
	return p, nil
}

// setNodeReady fails or recovers a worker. A failed instance stops
// serving at once; the node controller marks the node and its pods
// NotReady after the node-monitor grace period (their endpoints turn
// ready=false) and, once the not-ready/unreachable toleration (300 s)
// runs out, evicts them. A returning node's kubelet stops the pods that
// were marked for deletion meanwhile.
func (s *Sim) setNodeReady(n *node, ready bool) {
	if n.Ready == ready {
		return
	}
	n.Ready = ready
	s.changed()
	if !ready {
		n.DownAt = s.now
		s.logf("node", n.hopID, "node %s stopped responding (NotReady in %d s, pods evicted %d s later)", n.Name, s.settings.NodeGracePeriodMs/1000, s.settings.EvictionDelayMs/1000)
		s.schedule(timer{At: s.now + s.settings.NodeGracePeriodMs, Kind: tmNodeGrace, Key: n.Name, Gen: int(n.DownAt)})
		return
	}
	n.NotReadyCond = false
	s.logf("node", n.hopID, "node %s Ready again", n.Name)
	for _, p := range s.sortedPods() {
		switch {
		case p.Node != n.Name:
		case p.Terminating && !p.SigtermSent:
			s.logf("pod", p.hopID, "pod %s: the kubelet on %s is back and stops it (it was marked for deletion while the node was unreachable)", p.Key, n.Name)
			s.startShutdown(p)
		case !p.Terminating && p.Running && !p.ProbeFails:
			s.setReady(p, true, "node back, readiness probe passing")
		}
	}
	for _, k := range sortedKeys(s.workloads) {
		s.reconcileUnscheduled(s.workloads[k])
	}
}

// reconcileUnscheduled retries scheduling pods that found no node.
func (s *Sim) reconcileUnscheduled(w *workload) {
	for _, p := range s.ownedPods(w) {
		if p.Node == "" && !p.Terminating {
			s.schedulePod(p)
		}
	}
}

// nodeGrace is the node lifecycle controller after the grace period: the
// node's Ready condition turns Unknown, its pods' Ready conditions False
// (MarkPodsNotReady), so their endpoints are neither ready nor serving;
// the unreachable taint starts the pods' 300 s toleration.
func (s *Sim) nodeGrace(t timer) {
	n := s.nodeByName(t.Key)
	if n == nil || n.Ready || int64(t.Gen) != n.DownAt {
		return // recovered, or failed again since
	}
	n.NotReadyCond = true
	s.changed()
	s.logf("node", n.hopID, "node %s NotReady: its pods' Ready condition is set to False; taint node.kubernetes.io/unreachable:NoExecute added", n.Name)
	for _, p := range s.sortedPods() {
		if p.Node == n.Name {
			s.setReady(p, false, "node "+n.Name+" NotReady")
		}
	}
	s.schedule(timer{At: s.now + s.settings.EvictionDelayMs, Kind: tmNodeEvict, Key: n.Name, Gen: t.Gen})
}

// nodeEvict is taint-based eviction once the toleration runs out: each pod
// is marked for deletion but stays Terminating (its kubelet cannot confirm),
// and its ReplicaSet, which counts terminating pods as gone, creates the
// replacements at once.
func (s *Sim) nodeEvict(t timer) {
	n := s.nodeByName(t.Key)
	if n == nil || n.Ready || int64(t.Gen) != n.DownAt {
		return
	}
	owners := map[string]bool{}
	for _, p := range s.sortedPods() {
		if w := s.ownerOf(p); w != nil && w.policy() == policyPerNode {
			continue // DaemonSet pods tolerate unreachable/not-ready NoExecute for ever: they stay
		}
		if p.Node == n.Name && !p.Terminating {
			s.logf("pod", p.hopID, "pod %s evicted from NotReady node %s (toleration for node.kubernetes.io/unreachable expired)", p.Key, n.Name)
			s.terminatePod(p, "evicted")
			if w := s.ownerOf(p); w != nil {
				owners[w.key()] = true
			}
		}
	}
	for _, k := range sortedKeys(owners) {
		if w := s.workloads[k]; w != nil {
			s.reconcile(w) // a ReplicaSet replaces them at once; a StatefulSet waits until they are gone
		}
	}
}

func (s *Sim) setLoadBalancer(c SetLoadBalancer) error {
	if c.LBType != nil && *c.LBType != s.lb.Type {
		s.lb.Type = *c.LBType
		s.settings.LBType = *c.LBType
		s.lb.DNSName = s.lbDNSName(s.lb.Type)
		for _, c := range s.clients {
			c.Conn = nil
		}
		s.settleLoadBalancer()
		s.logf("lb", "lb", "load balancer recreated as %s: new DNS name %s (on a real cluster this takes minutes)", s.lb.Type, s.lb.DNSName)
	}
	if c.CrossZone != nil && *c.CrossZone != s.lb.CrossZone {
		s.lb.CrossZone = *c.CrossZone
		s.settings.CrossZone = *c.CrossZone
		s.logf("lb", "lb", "cross-zone load balancing %v", onOff(s.lb.CrossZone))
	}
	s.changed()
	return nil
}

func (s *Sim) setNetwork(c SetNetwork) error {
	s.netChangedAt = s.now
	if c.Encapsulation != nil {
		s.settings.Encapsulation = *c.Encapsulation
		s.logf("command", "cluster", "Calico IP pool encapsulation: %s", *c.Encapsulation)
	}
	if c.KubeProxyMode != nil {
		s.settings.KubeProxyMode = *c.KubeProxyMode
		s.logf("command", "cluster", "kube-proxy mode: %s", *c.KubeProxyMode)
	}
	if c.SecurityGroupsAllowIPIPAndBGP != nil {
		s.settings.SecurityGroupsAllowIPIPAndBGP = *c.SecurityGroupsAllowIPIPAndBGP
		s.logf("command", "cluster", "AWS security groups: IP-in-IP and BGP between nodes %s", map[bool]string{true: "allowed", false: "not allowed"}[*c.SecurityGroupsAllowIPIPAndBGP])
	}
	if c.SourceDestCheck != nil {
		v := *c.SourceDestCheck
		s.settings.SourceDestCheck = &v
		s.logf("command", "cluster", "EC2 source/destination check %s", onOff(v))
	}
	if c.LocalWithFallback != nil {
		v := *c.LocalWithFallback
		s.settings.LocalWithFallback = &v
		s.logf("command", "cluster", "kube-proxy local-with-fallback for router-default %s", onOff(v))
	}
	s.changed()
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

var (
	dns1123Label     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// validSubdomain checks an object name that may hold dots (a Route's, a
// Deployment's): a DNS-1123 subdomain of at most 253 characters.
func validSubdomain(field, v string) error {
	if len(v) == 0 || len(v) > 253 || !dns1123Subdomain.MatchString(v) {
		return invalidf(field, "%q must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters", v)
	}
	return nil
}

func validName(field, v string) error {
	if len(v) == 0 || len(v) > 63 || !dns1123Label.MatchString(v) {
		return invalidf(field, "%q must be a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters", v)
	}
	return nil
}

func validLabels(field string, m map[string]string) error {
	for _, k := range sortedKeys(m) {
		if len(k) == 0 || len(k) > 253 || len(m[k]) > 63 {
			return invalidf(field, "label %q=%q is not a valid label", k, m[k])
		}
	}
	return nil
}

func (s *Sim) applyObject(a Apply) error {
	switch { // exactly one is set (Validate)
	case a.Workload != nil:
		return s.applyWorkload(*a.Workload)
	case a.Service != nil:
		return s.applyService(*a.Service)
	case a.Route != nil:
		return s.applyRoute(*a.Route)
	case len(a.Routes) > 0:
		for i, r := range a.Routes {
			if err := validateRoute(s.withDefaultHost(r)); err != nil {
				return fmt.Errorf("routes[%d]: %w", i, err)
			}
		}
		for _, r := range a.Routes {
			if err := s.applyRoute(r); err != nil {
				return err // cannot happen: validated above
			}
		}
		return nil
	case a.NetworkPolicy != nil:
		return s.applyNetworkPolicy(*a.NetworkPolicy)
	default:
		return s.applyNamespace(*a.Namespace)
	}
}

func (s *Sim) applyNamespace(ns Namespace) error {
	if err := validName("metadata.name", ns.Name); err != nil {
		return err
	}
	if err := validLabels("metadata.labels", ns.Labels); err != nil {
		return err
	}
	if strings.HasPrefix(ns.Name, "openshift-") || strings.HasPrefix(ns.Name, "kube-") {
		return invalidf("metadata.name", "%q is a platform namespace; podpath manages it", ns.Name)
	}
	labels := withLabel(ns.Labels, "kubernetes.io/metadata.name", ns.Name)
	s.namespaces[ns.Name] = &namespace{Name: ns.Name, Labels: labels}
	s.netChangedAt = s.now
	s.changed()
	s.logf("command", "ns:"+ns.Name, "namespace %s applied", ns.Name)
	s.routersDirty()
	return nil
}

func validNamespace(ns string) error {
	if err := validName("metadata.namespace", ns); err != nil {
		return err
	}
	if ns == routerNamespace {
		return invalidf("metadata.namespace", "%s is managed by the ingress operator", ns)
	}
	return nil
}

// applyWorkload creates or replaces a workload, as `oc apply` does, and
// lets its controller act. A changed pod template is a new revision:
// a Deployment gets a new ReplicaSet (its old pods are replaced at once),
// a DeploymentConfig a new version (ReplicationController <name>-<n+1>),
// a StatefulSet or DaemonSet replaces its pods one at a time; a
// ReplicaSet or ReplicationController keeps its pods (its template only
// shapes new ones); a Pod's spec cannot change.
func (s *Sim) applyWorkload(d Workload) error {
	kind := kindOf(d.Kind)
	if err := oneOf("kind", kind, WorkloadKinds); err != nil {
		return err
	}
	if err := validNamespace(d.Namespace); err != nil {
		return err
	}
	nameCheck := validSubdomain
	if kind == KindStatefulSet || kind == KindPod {
		nameCheck = validName // the name is the pods' hostname: a DNS-1123 label
	}
	if err := nameCheck("metadata.name", d.Name); err != nil {
		return err
	}
	switch kind {
	case KindPod:
		d.Replicas, d.Selector = 1, nil
	case KindDaemonSet:
		d.Replicas = 0
	}
	if d.Replicas < 0 || d.Replicas > maxReplicas {
		return invalidf("spec.replicas", "0..%d, got %d", maxReplicas, d.Replicas)
	}
	if kind != KindPod {
		if len(d.Selector) == 0 {
			return invalidf("spec.selector.matchLabels", "required")
		}
		if !selects(d.Selector, d.Labels) {
			return invalidf("spec.template.metadata.labels", "must match spec.selector.matchLabels")
		}
	}
	if err := validLabels("spec.template.metadata.labels", d.Labels); err != nil {
		return err
	}
	for i, p := range d.Ports {
		if p.Port < 1 || p.Port > 65535 {
			return invalidf(fmt.Sprintf("spec.template.spec.containers[0].ports[%d].containerPort", i), "1..65535, got %d", p.Port)
		}
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"startupMs", d.StartupMs}, {"readinessDelayMs", d.ReadinessDelayMs}, {"gracePeriodMs", d.GracePeriodMs}, {"serviceMs", d.ServiceMs}} {
		if f.v < 0 || f.v > 3_600_000 {
			return invalidf(f.name, "0..3600000, got %d", f.v)
		}
	}
	if d.PodManagementPolicy != "" {
		if err := oneOf("spec.podManagementPolicy", d.PodManagementPolicy, []string{"OrderedReady", "Parallel"}); err != nil {
			return err
		}
	}
	for i, t := range d.Tolerations {
		if t.Operator != "" {
			if err := oneOf(fmt.Sprintf("spec.template.spec.tolerations[%d].operator", i), t.Operator, []string{"Equal", "Exists"}); err != nil {
				return err
			}
		}
	}
	if d.Version < 0 {
		return invalidf("status.latestVersion", "must not be negative, got %d", d.Version)
	}
	key := workloadKey(kind, d.Namespace, d.Name)
	old := s.workloads[key]
	if old != nil && kind == KindPod && !sameTemplate(old.Spec, d) {
		return fmt.Errorf("%w: pod %s/%s: a Pod's spec cannot change (delete it and create it again)", ErrConflict, d.Namespace, d.Name)
	}
	s.ensureNamespace(d.Namespace)
	if old == nil {
		s.created++
		old = &workload{created: s.created}
		if kind == KindDeployment || kind == KindStatefulSet || kind == KindDaemonSet {
			old.Hash = s.templateHash()
		}
		s.workloads[key] = old
	} else {
		d.Version = old.Spec.Version // the status belongs to the controller
		if !sameTemplate(old.Spec, d) {
			s.newRevision(old, d)
			d.Version = old.Spec.Version
		}
	}
	old.Spec = d
	s.changed()
	s.logf("command", workloadHop(old), "%s %s/%s applied (%s)", strings.ToLower(kind), d.Namespace, d.Name, replicasNote(old))
	s.reconcile(old)
	return nil
}

func replicasNote(w *workload) string {
	switch w.kind() {
	case KindDaemonSet:
		return "one pod per node it tolerates"
	case KindPod:
		return "a bare pod"
	case KindDeploymentConfig:
		return fmt.Sprintf("%d replicas, version %d", w.Spec.Replicas, w.Spec.Version)
	}
	return fmt.Sprintf("%d replicas", w.Spec.Replicas)
}

// newRevision records a changed pod template (see applyWorkload).
func (s *Sim) newRevision(w *workload, d Workload) {
	switch w.kind() {
	case KindDeployment:
		// A new ReplicaSet: its pods replace the old ones.
		w.Hash = s.templateHash()
		w.Spec = d
		for _, p := range s.ownedPods(w) {
			if !p.Terminating {
				s.terminatePod(p, "rolled out a new template")
			}
		}
	case KindDeploymentConfig:
		if w.Spec.Version == 0 {
			return // never deployed: nothing to replace
		}
		// The ConfigChange trigger deploys version n+1 (podpath treats
		// every template change so).
		w.Spec = d
		w.Spec.Version++
		_, rc := w.controllerName()
		s.logf("command", workloadHop(w), "deploymentconfig %s/%s: new template, version %d (ReplicationController %s)", d.Namespace, d.Name, w.Spec.Version, rc)
		for _, p := range s.ownedPods(w) {
			if !p.Terminating {
				s.terminatePod(p, "rolled out version "+strconv.FormatInt(w.Spec.Version, 10))
			}
		}
	case KindStatefulSet, KindDaemonSet:
		w.Hash = s.templateHash() // reconcileSlots replaces the pods one by one
	}
}

// sameTemplate reports whether two workloads make the same pods.
func sameTemplate(a, b Workload) bool {
	return maps.Equal(a.Labels, b.Labels) && slices.Equal(a.Ports, b.Ports) && a.HostNetwork == b.HostNetwork &&
		maps.Equal(a.NodeSelector, b.NodeSelector) && slices.Equal(a.Tolerations, b.Tolerations)
}

func (s *Sim) applyService(sv Service) error {
	if err := validNamespace(sv.Namespace); err != nil {
		return err
	}
	if err := validName("metadata.name", sv.Name); err != nil {
		return err
	}
	if len(sv.Ports) == 0 {
		return invalidf("spec.ports", "at least one port")
	}
	for i, p := range sv.Ports {
		f := fmt.Sprintf("spec.ports[%d]", i)
		if p.Port < 1 || p.Port > 65535 {
			return invalidf(f+".port", "1..65535, got %d", p.Port)
		}
		if p.TargetPort != "" {
			if n, err := strconv.Atoi(p.TargetPort); err == nil {
				if n < 1 || n > 65535 {
					return invalidf(f+".targetPort", "1..65535 or a port name, got %d", n)
				}
			} else if err := validName(f+".targetPort", p.TargetPort); err != nil {
				return err
			}
		}
		if p.Protocol != "" && p.Protocol != "TCP" && p.Protocol != "UDP" && p.Protocol != "SCTP" {
			return invalidf(f+".protocol", "TCP, UDP or SCTP, got %q", p.Protocol)
		}
		if len(sv.Ports) > 1 && p.Name == "" {
			return invalidf(f+".name", "required when a Service has more than one port")
		}
	}
	if sv.SessionAffinity != "" && sv.SessionAffinity != "None" && sv.SessionAffinity != "ClientIP" {
		return invalidf("spec.sessionAffinity", "None or ClientIP, got %q", sv.SessionAffinity)
	}
	if sv.InternalTrafficPolicy != "" && sv.InternalTrafficPolicy != "Cluster" && sv.InternalTrafficPolicy != "Local" {
		return invalidf("spec.internalTrafficPolicy", "Cluster or Local, got %q", sv.InternalTrafficPolicy)
	}
	key := sv.Namespace + "/" + sv.Name
	old := s.services[key]
	ip := sv.ClusterIP
	switch {
	case ip == "None":
	case old != nil && (ip == "" || ip == old.ClusterIP):
		ip = old.ClusterIP
	case ip == "":
		ip = s.allocClusterIP()
	default:
		if !strings.HasPrefix(ip, "172.30.") || s.clusterIPs[ip] {
			return invalidf("spec.clusterIP", "%q is outside 172.30.0.0/16 or already allocated", ip)
		}
		s.clusterIPs[ip] = true
	}
	s.ensureNamespace(sv.Namespace)
	created := s.created + 1
	if old != nil {
		created = old.created
	} else {
		s.created++
	}
	s.services[key] = &service{Spec: sv, ClusterIP: ip, created: created}
	s.changed()
	s.logf("command", "svc:"+key, "service %s applied (ClusterIP %s)", key, ip)
	s.routersDirty()
	return nil
}

// validateRoute checks a Route as the API server does.
func validateRoute(r Route) error {
	if err := validNamespace(r.Namespace); err != nil {
		return err
	}
	if err := validSubdomain("metadata.name", r.Name); err != nil {
		return err
	}
	if r.WildcardPolicy != "" {
		if err := oneOf("spec.wildcardPolicy", r.WildcardPolicy, []string{"None", "Subdomain"}); err != nil {
			return err
		}
	}
	host := strings.ToLower(r.Host)
	switch {
	case host == "" && r.WildcardPolicy == "Subdomain":
		return invalidf("spec.host", "required with wildcardPolicy Subdomain: the router serves *.<the host's domain>, so give a host such as www.<domain>")
	case strings.HasPrefix(host, "*"):
		return invalidf("spec.host", "%q is not a DNS-1123 subdomain: a wildcard route is spec.wildcardPolicy Subdomain on an ordinary host (www.team.example.com serves *.team.example.com)", r.Host)
	case host == "" || len(host) > 253 || !dns1123Subdomain.MatchString(host):
		return invalidf("spec.host", "%q must be a DNS-1123 subdomain of at most 253 characters", r.Host)
	}
	if r.Path != "" && !strings.HasPrefix(r.Path, "/") {
		return invalidf("spec.path", "must start with /, got %q", r.Path)
	}
	if r.To.Service == "" {
		return invalidf("spec.to.name", "required")
	}
	if len(r.AlternateBackends) > 3 {
		return invalidf("spec.alternateBackends", "at most 3, got %d", len(r.AlternateBackends))
	}
	for i, t := range append([]RouteTarget{r.To}, r.AlternateBackends...) {
		f := "spec.to"
		if i > 0 {
			f = fmt.Sprintf("spec.alternateBackends[%d]", i-1)
		}
		if err := validName(f+".name", t.Service); err != nil {
			return err
		}
		if w := routeWeight(t); w < 0 || w > 256 {
			return invalidf(f+".weight", "0..256, got %d", w)
		}
	}
	if r.TLS != nil {
		if err := oneOf("spec.tls.termination", r.TLS.Termination, Terminations); err != nil {
			return err
		}
		if r.TLS.InsecureEdgeTerminationPolicy != "" {
			if err := oneOf("spec.tls.insecureEdgeTerminationPolicy", r.TLS.InsecureEdgeTerminationPolicy, InsecurePolicies); err != nil {
				return err
			}
		}
		if r.TLS.Termination == "passthrough" {
			if r.Path != "" && r.Path != "/" {
				return invalidf("spec.path", "passthrough termination does not support paths")
			}
			if r.TLS.InsecureEdgeTerminationPolicy == "Allow" {
				return invalidf("spec.tls.insecureEdgeTerminationPolicy", "Allow is not valid with passthrough (None or Redirect)")
			}
		}
	}
	if t := r.Annotations[AnnotationTimeout]; t != "" {
		if _, ok := parseHAProxyDuration(t); !ok {
			return invalidf("metadata.annotations["+AnnotationTimeout+"]", "%q is not a duration such as 500ms, 30s, 2m (at most 1d)", t)
		}
	}
	if b := r.Annotations[AnnotationBalance]; b != "" {
		if err := oneOf("metadata.annotations["+AnnotationBalance+"]", b, BalanceAlgos); err != nil {
			return err
		}
	}
	return nil
}

// withDefaultHost gives a Route without spec.host the name the router
// generates: <name>-<namespace>.<ingress domain> — not to a wildcard route,
// which must name its host.
func (s *Sim) withDefaultHost(r Route) Route {
	if r.Host == "" && r.Name != "" && r.Namespace != "" && r.WildcardPolicy != "Subdomain" {
		r.Host = r.Name + "-" + r.Namespace + "." + s.domain
	}
	return r
}

func (s *Sim) applyRoute(r Route) error {
	r = s.withDefaultHost(r)
	if err := validateRoute(r); err != nil {
		return err
	}
	if r.Path == "/" && r.TLS != nil && r.TLS.Termination == "passthrough" {
		r.Path = ""
	}
	r.Host = strings.ToLower(r.Host)
	key := r.Namespace + "/" + r.Name
	s.ensureNamespace(r.Namespace)
	old := s.routes[key]
	if old == nil {
		s.created++
		old = &route{created: s.created}
		s.routes[key] = old
	}
	old.Spec = r
	s.admitRoutes()
	s.changed()
	s.logf("command", "route:"+key, "route %s applied (host %s, path %s)", key, r.Host, orSlash(r.Path))
	s.routersDirty()
	return nil
}

func (s *Sim) applyNetworkPolicy(p NetworkPolicy) error {
	if err := validNamespace(p.Namespace); err != nil {
		return err
	}
	if err := validName("metadata.name", p.Name); err != nil {
		return err
	}
	for i, t := range p.PolicyTypes {
		if t != "Ingress" && t != "Egress" {
			return invalidf(fmt.Sprintf("spec.policyTypes[%d]", i), "Ingress or Egress, got %q", t)
		}
	}
	for _, d := range []struct {
		dir   string
		rules []PolicyRule
	}{{"ingress", p.Ingress}, {"egress", p.Egress}} {
		for i, r := range d.rules {
			for j, pp := range r.Ports {
				if pp.Protocol != "" && pp.Protocol != "TCP" && pp.Protocol != "UDP" && pp.Protocol != "SCTP" {
					return invalidf(fmt.Sprintf("spec.%s[%d].ports[%d].protocol", d.dir, i, j), "TCP, UDP or SCTP, got %q", pp.Protocol)
				}
			}
		}
	}
	s.ensureNamespace(p.Namespace)
	cp := p
	s.policies[p.Namespace+"/"+p.Name] = &cp
	s.netChangedAt = s.now
	s.changed()
	s.logf("command", "netpol:"+p.Namespace+"/"+p.Name, "NetworkPolicy %s/%s applied", p.Namespace, p.Name)
	return nil
}

func (s *Sim) deleteObject(d Delete) error {
	key := d.Namespace + "/" + d.Name
	switch d.Kind {
	case KindDeployment, KindDeploymentConfig, KindStatefulSet, KindDaemonSet, KindReplicaSet, KindReplicationController, KindPod:
		w, err := s.userWorkload(d.Kind, d.Namespace, d.Name)
		if err != nil {
			return err
		}
		// Background cascading deletion: the pods go at once, in no order.
		delete(s.workloads, w.key())
		for _, p := range s.ownedPods(w) {
			s.terminatePod(p, strings.ToLower(d.Kind)+" deleted")
		}
	case "Service":
		sv := s.services[key]
		if sv == nil {
			return notFoundf("service %s", key)
		}
		delete(s.services, key)
		if sv.ClusterIP != "None" {
			delete(s.clusterIPs, sv.ClusterIP)
		}
		s.routersDirty()
	case "Route":
		if s.routes[key] == nil {
			return notFoundf("route %s", key)
		}
		delete(s.routes, key)
		s.admitRoutes()
		s.routersDirty()
	case "NetworkPolicy":
		if s.policies[key] == nil {
			return notFoundf("networkpolicy %s", key)
		}
		delete(s.policies, key)
		s.netChangedAt = s.now
	default:
		return oneOf("kind", d.Kind, deleteKinds)
	}
	s.changed()
	s.logf("command", key, "%s %s deleted", d.Kind, key)
	return nil
}
