package model

import (
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

const hashAlphabet = "bcdfghjklmnpqrstvwxz2456789" // Kubernetes' SafeEncodeString alphabet

func (s *Sim) randomName(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hashAlphabet[s.rng.IntN(len(hashAlphabet))]
	}
	return string(b)
}

// templateHash is a new pod-template-hash for a ReplicaSet.
func (s *Sim) templateHash() string { return s.randomName(10) }

func (s *Sim) ensureNamespace(name string) {
	if _, ok := s.namespaces[name]; !ok {
		s.namespaces[name] = &namespace{Name: name, Labels: map[string]string{"kubernetes.io/metadata.name": name}}
	}
}

func withLabel(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}

// schedulePod is the scheduler: among the nodes the pod fits (its
// tolerations and nodeSelector; control-plane nodes are tainted, so plain
// pods go to the workers), spread replicas over nodes (fewest pods of the
// same owner, then fewest pods, then name). A DaemonSet pod is bound to
// its node. Router pods carry a required anti-affinity (never two on one
// node) and spread over zones. A hostNetwork pod needs its ports free on
// the node (the scheduler's NodePorts filter) and gets the node's IP.
func (s *Sim) schedulePod(p *pod) {
	owned, total := map[string]int{}, map[string]int{}
	zoneOwned := map[string]int{}
	repels := map[string]bool{}            // nodes with a router pod, terminating ones too
	hostPorts := map[string]map[int]bool{} // node → ports taken by hostNetwork pods
	for _, q := range s.pods {
		if q.Node == "" || q == p {
			continue
		}
		total[q.Node]++
		repels[q.Node] = repels[q.Node] || (q.Router && q.Owner == p.Owner)
		if q.Owner == p.Owner && !q.Terminating {
			owned[q.Node]++
			if n := s.nodeByName(q.Node); n != nil {
				zoneOwned[n.Zone]++
			}
		}
		if q.HostNetwork && !q.Terminating {
			if hostPorts[q.Node] == nil {
				hostPorts[q.Node] = map[int]bool{}
			}
			for _, cp := range q.Ports {
				hostPorts[q.Node][cp.Port] = true
			}
		}
	}
	var best *node
	better := func(a, b *node) bool {
		if p.Router && zoneOwned[a.Zone] != zoneOwned[b.Zone] {
			return zoneOwned[a.Zone] < zoneOwned[b.Zone]
		}
		if owned[a.Name] != owned[b.Name] {
			return owned[a.Name] < owned[b.Name]
		}
		if zoneOwned[a.Zone] != zoneOwned[b.Zone] {
			return zoneOwned[a.Zone] < zoneOwned[b.Zone]
		}
		if total[a.Name] != total[b.Name] {
			return total[a.Name] < total[b.Name]
		}
		return a.Name < b.Name
	}
	spec := s.ownerSpec(p)
	var unfit scheduleFailures
	for _, n := range s.nodes {
		switch {
		case p.PinnedNode != "" && n.Name != p.PinnedNode:
			continue // a DaemonSet pod is bound to its node
		case !s.nodeUp(n):
			unfit.add("node(s) were not ready")
		case p.PinnedNode == "" && !fits(spec, n):
			if !tolerates(spec.Tolerations, n.Taints) {
				unfit.add("node(s) had untolerated taint {" + n.Taints[0].Key + ": }")
			} else {
				unfit.add("node(s) didn't match Pod's node affinity/selector")
			}
		case p.Router && repels[n.Name]:
			// required anti-affinity; the scheduler counts terminating pods too (kubernetes#111793)
			unfit.add("node(s) didn't match pod anti-affinity rules")
		case p.HostNetwork && slices.ContainsFunc(p.Ports, func(cp ContainerPort) bool { return hostPorts[n.Name][cp.Port] }):
			unfit.add("node(s) didn't have free ports for the requested pod ports")
		case best == nil || better(n, best):
			best = n
		}
	}
	if best == nil {
		considered := len(s.nodes)
		if p.PinnedNode != "" {
			considered = 1
		}
		s.logf("pod", p.hopID, "pod %s cannot be scheduled: 0/%d nodes are available%s", p.Key, considered, unfit.String())
		return
	}
	p.Node = best.Name
	if p.HostNetwork {
		p.IP = best.IP
	} else {
		p.IP = s.allocPodIP(best)
	}
	p.addr80, p.addr443 = p.IP+":80", p.IP+":443"
	p.ScheduledAt = s.now
	s.changed()
	start := spec.StartupMs
	if start <= 0 {
		start = 2500
	}
	if p.HostNetwork {
		s.logf("pod", p.hopID, "pod %s scheduled on %s with hostNetwork: it uses the node's IP %s", p.Key, best.Name, p.IP)
	} else {
		s.logf("pod", p.hopID, "pod %s scheduled on %s, Calico gave it %s", p.Key, best.Name, p.IP)
	}
	s.schedule(timer{At: s.now + start, Kind: tmPodRunning, Key: p.Key, Gen: p.gen})
}

// scheduleFailures counts why nodes were filtered out, in the
// scheduler's words.
type scheduleFailures struct {
	reasons []string
	counts  map[string]int
}

func (f *scheduleFailures) add(reason string) {
	if f.counts == nil {
		f.counts = map[string]int{}
	}
	if f.counts[reason] == 0 {
		f.reasons = append(f.reasons, reason)
	}
	f.counts[reason]++
}

func (f scheduleFailures) String() string {
	var parts []string
	for _, r := range f.reasons {
		parts = append(parts, strconv.Itoa(f.counts[r])+" "+r)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

func (s *Sim) podRunning(t timer) {
	p := s.pods[t.Key]
	if p == nil || p.gen != t.Gen || p.Terminating {
		return
	}
	p.Phase, p.Running = "Running", true
	s.writeEnv(p)
	s.changed()
	s.logf("pod", p.hopID, "pod %s Running (containers started; readiness probe pending)", p.Key)
	delay := s.ownerSpec(p).ReadinessDelayMs
	if delay <= 0 {
		delay = 1000
	}
	s.schedule(timer{At: s.now + delay, Kind: tmPodReady, Key: p.Key, Gen: p.gen})
}

func (s *Sim) podReadyTimer(t timer) {
	p := s.pods[t.Key]
	if p == nil || p.gen != t.Gen || p.Terminating || !p.Running || p.ProbeFails {
		return
	}
	if n := s.nodeByName(p.Node); !s.nodeUp(n) {
		return
	}
	s.setReady(p, true, "readiness probe passed")
}

// setReady changes a pod's Ready condition; the EndpointSlice follows at
// once and the routers at their next reload.
func (s *Sim) setReady(p *pod, ready bool, why string) {
	if p.Ready == ready {
		return
	}
	p.Ready = ready
	s.changed()
	state := "NotReady"
	if ready {
		state = "Ready"
	}
	s.logf("pod", p.hopID, "pod %s %s: %s", p.Key, state, why)
	if p.Router && ready {
		// A router syncs every route and endpoint and writes its HAProxy
		// config before it binds its ports, so it is ready with a config.
		rs := s.routerStateOf(p)
		rs.Config, rs.LastReload = s.buildRouterConfig(), s.now
		s.logf("router", p.hopID, "router %s loaded HAProxy's config at start: %d routes", p.Name, len(rs.Config.Routes))
	}
	s.endpointsChanged(p)
	if w := s.ownerOf(p); ready && w != nil && w.ordered() {
		s.reconcile(w) // OrderedReady: the next pod may start now
	}
}

// endpointsChanged records an EndpointSlice change for the Services that
// select p and asks the routers (or the LB health, for router pods) to
// catch up.
func (s *Sim) endpointsChanged(p *pod) {
	if p.Router {
		return // the LB health checks notice router pods
	}
	for _, k := range sortedKeys(s.services) {
		sv := s.services[k]
		if sv.Spec.Namespace == p.Namespace && selects(sv.Spec.Selector, p.Labels) {
			s.logf("endpoints", "svc:"+k, "EndpointSlice %s updated: %s ready=%v terminating=%v", sliceName(sv.Spec.Name), p.IP, p.Ready && !p.Terminating, p.Terminating)
		}
	}
	s.routersDirty()
}

// terminatePod starts a graceful deletion: the pod is marked for deletion
// and its endpoint turns ready=false, terminating=true at once (serving
// stays as long as the pod's Ready condition holds). If the kubelet can be
// reached, SIGTERM is sent now (startShutdown); on an unreachable node the
// pod stays Terminating until the node comes back, since only the kubelet
// can confirm the deletion.
func (s *Sim) terminatePod(p *pod, why string) {
	if p.Terminating {
		return
	}
	p.Terminating = true
	p.TerminatingAt = s.now
	s.changed()
	if p.Node != "" && !s.nodeUp(s.nodeByName(p.Node)) {
		s.logf("pod", p.hopID, "pod %s Terminating (%s): marked for deletion, but the kubelet on %s cannot be reached to stop it, so it stays Terminating", p.Key, why, p.Node)
		s.endpointsChanged(p)
		return
	}
	s.logf("pod", p.hopID, "pod %s Terminating (%s): its endpoint is no longer ready, SIGTERM sent", p.Key, why)
	if p.Ready || p.Running {
		s.endpointsChanged(p)
	}
	s.startShutdown(p)
}

// startShutdown is the kubelet stopping a pod marked for deletion: SIGTERM,
// then removal once the containers exit, within the grace period. An app
// finishes its in-flight work (the later of a short shutdown and its last
// in-flight response). A router keeps serving through its graceful
// shutdown delay (ROUTER_GRACEFUL_SHUTDOWN_DELAY, 45 s) while its readiness
// probe fails, so that the load balancer drains its node first; then it
// stops HAProxy and exits a second later.
func (s *Sim) startShutdown(p *pod) {
	p.SigtermSent, p.SigtermAt = true, s.now
	if p.Node == "" {
		s.schedule(timer{At: s.now, Kind: tmPodRemoved, Key: p.Key, Gen: p.gen})
		return
	}
	grace := s.ownerSpec(p).GracePeriodMs
	if grace <= 0 {
		grace = 30_000
	}
	done := s.now + 1500
	if p.Router {
		done = s.now + routerShutdownDelayMs + 1000
		if p.Ready {
			s.schedule(timer{At: s.now + routerUnreadyMs, Kind: tmRouterUnready, Key: p.Key, Gen: p.gen})
		}
	}
	if last := s.lastInflight(p.Key); last > done {
		done = last
	}
	s.schedule(timer{At: min(done, s.now+grace), Kind: tmPodRemoved, Key: p.Key, Gen: p.gen})
}

// routerUnready is the kubelet's third failed readiness probe of a
// terminating router: its Ready condition turns False, so its endpoint is
// no longer serving either and kube-proxy stops sending it new
// connections (HAProxy still finishes its shutdown delay).
func (s *Sim) routerUnready(t timer) {
	p := s.pods[t.Key]
	if p == nil || p.gen != t.Gen || !p.Terminating {
		return
	}
	s.setReady(p, false, "router shutting down: /healthz/ready fails from SIGTERM on, 3 probes 10 s apart")
}

// routerAccepts says whether a router pod's HAProxy still takes
// connections: it runs, and if it is shutting down, its graceful shutdown
// delay has not run out.
func (s *Sim) routerAccepts(p *pod) bool {
	if p == nil || !p.Running {
		return false
	}
	return !p.Terminating || !p.SigtermSent || s.now < p.SigtermAt+routerShutdownDelayMs
}

func (s *Sim) lastInflight(podKey string) int64 {
	var last int64
	for _, t := range s.timers {
		if t.Kind == tmConnDone && s.timerRefs[t.Ref].Pod == podKey && t.At > last {
			last = t.At
		}
	}
	return last
}

func (s *Sim) podRemoved(t timer) {
	p := s.pods[t.Key]
	if p == nil {
		return
	}
	s.removePod(p)
	s.goneAt[p.Key] = s.now
	s.changed()
	if p.HostNetwork {
		s.logf("pod", p.hopID, "pod %s deleted (it used its node's IP %s)", p.Key, p.IP)
	} else {
		if p.IP != "" {
			s.releasePodIP(p.IP)
		}
		s.logf("pod", p.hopID, "pod %s deleted; its IP %s is free again", p.Key, p.IP)
	}
	w := s.ownerOf(p)
	switch {
	case w == nil:
	case w.policy() == policySingle:
		// A bare pod has no controller: once deleted it is gone.
		delete(s.workloads, w.key())
		s.logf("pod", p.hopID, "pod %s was a bare Pod (no controller): nothing makes it again", p.Key)
	default:
		s.reconcile(w)
		if p.Router {
			s.reconcileUnscheduled(w) // its node is free for a Pending router now
		}
	}
}

// podRestart is the kubelet restarting a container after liveness probes
// failed: the pod goes NotReady, restarts, and becomes Ready again after
// its start and readiness delays (with a new container, same pod and IP).
func (s *Sim) podRestart(t timer) {
	p := s.pods[t.Key]
	if p == nil || p.gen != t.Gen || p.Terminating || p.Live {
		return
	}
	p.gen++
	p.Restarts++
	p.RestartAt = 0
	p.Live = true
	p.Running = true
	s.writeEnv(p) // a new container: the kubelet writes the environment anew
	s.changed()
	s.setReady(p, false, "liveness probe failed 3 times: container restarted")
	s.logf("pod", p.hopID, "pod %s container restarted (restarts=%d); same pod, same IP", p.Key, p.Restarts)
	delay := s.ownerSpec(p).StartupMs + s.ownerSpec(p).ReadinessDelayMs
	if delay <= 0 {
		delay = 3500
	}
	s.schedule(timer{At: s.now + delay, Kind: tmPodReady, Key: p.Key, Gen: p.gen})
}

// selects reports whether a Service or Deployment selector matches labels.
// An empty selector selects nothing (as for a Service without selector).
func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// endpoint is one entry of a Service's EndpointSlice. Its conditions are
// the EndpointSlice controller's: serving is the pod's Ready condition,
// ready is serving and not terminating (kubernetes
// pkg/controller/endpointslice, podToEndpoint).
type endpoint struct {
	Pod         *pod
	Port        int
	Ready       bool
	Serving     bool
	Terminating bool
}

// endpointsOf is the EndpointSlice controller: every scheduled pod with
// an IP that the selector matches, with its conditions.
func (s *Sim) endpointsOf(sv *service, portIndex int) []endpoint {
	var out []endpoint
	for _, p := range s.sortedPods() {
		if p.Namespace != sv.Spec.Namespace || p.IP == "" || !selects(sv.Spec.Selector, p.Labels) {
			continue
		}
		port, ok := resolveTargetPort(sv.Spec.Ports, portIndex, p.Ports)
		if !ok {
			continue
		}
		out = append(out, endpoint{
			Pod:         p,
			Port:        port,
			Ready:       p.Ready && !p.Terminating,
			Serving:     p.Ready,
			Terminating: p.Terminating,
		})
	}
	return out
}

// resolveTargetPort turns a Service port's targetPort (number, name or
// empty) into the pod's port number.
func resolveTargetPort(ports []ServicePort, i int, podPorts []ContainerPort) (int, bool) {
	if i < 0 || i >= len(ports) {
		return 0, false
	}
	sp := ports[i]
	if sp.TargetPort == "" {
		return sp.Port, true
	}
	if n, err := strconv.Atoi(sp.TargetPort); err == nil {
		return n, true
	}
	for _, cp := range podPorts {
		if cp.Name == sp.TargetPort {
			return cp.Port, true
		}
	}
	return 0, false // a named port the pod does not have: no endpoint
}

// sliceName is a Service's EndpointSlice name as the controller makes it:
// the Service name and a generated 5-character suffix (here derived from
// the name, so it is stable and deterministic).
func sliceName(svc string) string { return svc + "-" + shortHash(svc) }

// shortHash is a stable 5-character name suffix derived from seed, in
// Kubernetes' generateName alphabet.
func shortHash(seed string) string {
	h := fnv.New32a()
	h.Write([]byte(seed))
	n := h.Sum32()
	b := make([]byte, 5)
	for i := range b {
		b[i] = hashAlphabet[n%uint32(len(hashAlphabet))]
		n /= uint32(len(hashAlphabet))
	}
	return string(b)
}
