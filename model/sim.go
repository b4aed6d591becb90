package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Sim is one simulated cluster. It is not safe for concurrent use.
type Sim struct {
	settings Settings
	domain   string // the ingress domain, apps.<cluster>.<base>
	pcg      *rand.PCG
	rng      *rand.Rand
	now      int64
	version  uint64
	created  int64 // creation counter: the order objects were made in

	zones      []*zone
	nodes      []*node
	namespaces map[string]*namespace
	workloads  map[string]*workload // key kind/ns/name (workloadKey)
	pods       map[string]*pod      // key ns/name
	podOrder   []*pod               // pods sorted by key; replaced, never edited in place
	routerList []*pod               // the router pods, in podOrder order
	services   map[string]*service
	routes     map[string]*route
	policies   map[string]*NetworkPolicy
	routers    *workload // the default IngressController's router Deployment
	ipam       ipam
	clusterIPs map[string]bool
	lb         loadBalancer
	routerSvc  routerService

	timers    timerQueue
	timerRefs []timerRef // the timers' strings, by heapTimer.Ref
	freeRefs  []int32
	traffic   trafficState
	clients   map[string]*client
	ipvsRR    map[string]int   // kube-proxy IPVS rr cursor per node+service
	goneAt    map[string]int64 // deleted pod → when (router checks still probe its old IP)
	affinity  map[string]affinityEntry

	metrics Metrics
	latency *latencyStats // Metrics.Latency and Metrics.History
	nextReq uint64

	// netChangedAt is when the network or NetworkPolicy last changed.
	netChangedAt int64
	// checks caches router health-check results for one state version.
	checks struct {
		version uint64
		since   map[checkKey]int64
	}

	// dnsCache holds the DNS answer for the current state version.
	dnsCache struct {
		version uint64
		zones   []*zone
	}

	// record is false on copies used for Load: no hops, no log.
	record      bool
	scratchHops []Hop // reused by Load, which keeps no hops
	outRequests []Request
	outLog      []LogEvent
}

type zone struct {
	Name      string
	Index     int
	Down      bool
	Public    string // public subnet CIDR (LB node)
	Private   string // private subnet CIDR (nodes)
	LBPublic  string // LB node public IP (in the DNS answer)
	LBPrivate string // LB node private IP (source of CLB connections)
	addr80    string
	addr443   string
	hopID     string // "lb:<zone>"
}

type node struct {
	Name     string
	Role     string
	Zone     string
	IP       string
	Ready    bool
	Blocks   []int // Calico /26 block indexes
	TunnelIP string
	DownAt   int64 // when it failed (for the grace period)
	// NotReadyCond is the Kubernetes NodeReady condition turned False
	// (after the node-monitor grace period); Ready above is the instance.
	NotReadyCond bool
	Labels       map[string]string
	Taints       []Taint
	hopID        string
	// NodePort addresses of the router Service on this node.
	addrHTTP, addrHTTPS string
}

type namespace struct {
	Name   string
	Labels map[string]string
}

type pod struct {
	Namespace     string
	Name          string
	Key           string
	Owner         string // the owning workload's key (workloadKey)
	Labels        map[string]string
	Ports         []ContainerPort
	Node          string
	IP            string
	Phase         string
	Running       bool
	Ready         bool
	ProbeFails    bool // readiness probe set to fail
	Live          bool
	Terminating   bool
	Restarts      int
	RestartAt     int64 // when a pending liveness restart kills the container, 0 if none
	TerminatingAt int64
	SigtermSent   bool  // the kubelet has begun stopping a terminating pod
	SigtermAt     int64 // when
	ScheduledAt   int64
	Created       int64 // creation order
	Router        bool
	Rev           string // the owner's revision the pod was made of
	PinnedNode    string // a DaemonSet pod's node
	HostNetwork   bool   // the pod uses its node's network namespace and IP
	Ordinal       int    // a StatefulSet pod's ordinal
	// Env is the service-link environment the kubelet wrote when it last
	// started the container (nil before that), EnvAt when (env.go).
	Env     []EnvVar
	EnvAt   int64
	gen     int // bumps on restart so stale timers are ignored
	hopID   string
	addr80  string // router pods: IP:80 and IP:443
	addr443 string
}

type service struct {
	Spec      Service
	ClusterIP string
	created   int64
}

type route struct {
	Spec     Route
	created  int64
	Admitted bool
	Reason   string
}

type affinityEntry struct {
	Pod   string
	Until int64
}

// New builds the scenario's cluster at virtual time 0, as if it had been
// running for a while: pods Ready, routers loaded, LB targets settled.
func New(sc Scenario) (*Sim, error) {
	st := sc.Settings
	st.fillDefaults()
	if err := st.validate(); err != nil {
		return nil, err
	}
	s := &Sim{
		settings:   st,
		namespaces: map[string]*namespace{},
		workloads:  map[string]*workload{},
		pods:       map[string]*pod{},
		services:   map[string]*service{},
		routes:     map[string]*route{},
		policies:   map[string]*NetworkPolicy{},
		clusterIPs: map[string]bool{},
		clients:    map[string]*client{},
		ipvsRR:     map[string]int{},
		goneAt:     map[string]int64{},
		affinity:   map[string]affinityEntry{},
		record:     true,
		metrics:    newMetrics(),
		latency:    newLatencyStats(0),
	}
	s.domain = "apps." + st.ClusterName + "." + st.BaseDomain
	s.pcg = rand.NewPCG(st.Seed, 0x706f647061746831) // "podpath1"
	s.rng = rand.New(s.pcg)
	s.buildInfrastructure()
	for _, ns := range sc.Namespaces {
		if err := s.applyNamespace(ns); err != nil {
			return nil, fmt.Errorf("namespace %s: %w", ns.Name, err)
		}
	}
	for _, w := range sc.Workloads {
		if err := s.applyWorkload(w); err != nil {
			return nil, fmt.Errorf("%s %s/%s: %w", strings.ToLower(kindOf(w.Kind)), w.Namespace, w.Name, err)
		}
	}
	for _, sv := range sc.Services {
		if err := s.applyService(sv); err != nil {
			return nil, fmt.Errorf("service %s/%s: %w", sv.Namespace, sv.Name, err)
		}
	}
	for _, r := range sc.Routes {
		if err := s.applyRoute(r); err != nil {
			return nil, fmt.Errorf("route %s/%s: %w", r.Namespace, r.Name, err)
		}
	}
	for _, p := range sc.NetworkPolicies {
		if err := s.applyNetworkPolicy(p); err != nil {
			return nil, fmt.Errorf("networkpolicy %s/%s: %w", p.Namespace, p.Name, err)
		}
	}
	// The cluster has been up for a while: everything is Ready now.
	s.settle()
	s.timers, s.timerRefs, s.freeRefs = nil, nil, nil
	s.startTimers()
	s.settleLoadBalancer()
	s.reloadAllRouters()
	s.setTraffic(st.Traffic)

	s.outLog = nil
	s.version = 1
	return s, nil
}

func (s *Sim) logf(kind, object, format string, args ...any) {
	if !s.record {
		return
	}
	s.outLog = append(s.outLog, LogEvent{TimeMs: s.now, Kind: kind, Object: object, Message: fmt.Sprintf(format, args...)})
}

func (s *Sim) changed() { s.version++ }

// AdvanceTo runs every timer and generated request up to virtual time t.
// A t in the past does nothing.
func (s *Sim) AdvanceTo(t int64) {
	for {
		next := s.traffic.next
		timerFirst := len(s.timers) > 0 && (next < 0 || s.timers[0].At <= next)
		if timerFirst {
			if s.timers[0].At > t {
				break
			}
			tm := s.popTimer()
			if tm.At > s.now {
				s.now = tm.At
			}
			s.fire(tm)
			continue
		}
		if next < 0 || next > t {
			break
		}
		s.now = next
		s.generateRequest()
		s.scheduleArrival(s.traffic.at)
	}
	if t > s.now {
		s.now = t
	}
	s.latency.closeUntil(s.now)
}

// Clone returns a deep copy that evolves independently.
func (s *Sim) Clone() *Sim {
	c := *s
	pcg := *s.pcg
	c.pcg = &pcg
	c.rng = rand.New(c.pcg)
	c.zones = cloneSlice(s.zones)
	c.nodes = cloneSlice(s.nodes)
	for _, n := range c.nodes {
		n.Blocks = slices.Clone(n.Blocks)
	}
	c.namespaces = cloneMap(s.namespaces)
	c.workloads = cloneMap(s.workloads)
	c.pods = cloneMap(s.pods)
	c.reindexPods()
	c.services = cloneMap(s.services)
	c.routes = cloneMap(s.routes)
	c.policies = cloneMap(s.policies)
	c.routers = c.workloads[s.routers.key()]
	c.ipam = s.ipam.clone()
	c.clusterIPs = cloneValues(s.clusterIPs)
	c.lb = s.lb.clone()
	c.timers = slices.Clone(s.timers)
	c.timerRefs = slices.Clone(s.timerRefs)
	c.freeRefs = slices.Clone(s.freeRefs)
	c.traffic = s.traffic
	c.traffic.profile.Mix = slices.Clone(s.traffic.profile.Mix)
	c.traffic.routers = s.traffic.cloneRouters()
	c.clients = map[string]*client{}
	for k, v := range s.clients {
		c.clients[k] = v.clone()
	}
	c.ipvsRR = cloneValues(s.ipvsRR)
	c.goneAt = cloneValues(s.goneAt)
	c.affinity = cloneValues(s.affinity)
	c.metrics = s.metrics.clone()
	c.latency = s.latency.clone()
	c.outRequests, c.outLog = nil, nil
	c.checks.since = nil
	// The cached answer points at s's zones; the copy builds its own.
	c.dnsCache.version, c.dnsCache.zones = 0, nil
	return &c
}

func cloneSlice[T any](in []*T) []*T {
	out := make([]*T, len(in))
	for i, v := range in {
		cp := *v
		out[i] = &cp
	}
	return out
}

func cloneMap[T any](in map[string]*T) map[string]*T {
	out := make(map[string]*T, len(in))
	for k, v := range in {
		cp := *v
		out[k] = &cp
	}
	return out
}

func cloneValues[K comparable, V any](in map[K]V) map[K]V {
	out := make(map[K]V, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// sortedKeys returns a map's keys in order: the only way the model walks a map.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortedPods returns the pods in key order. The slice is shared and
// replaced (never edited) when pods come and go, so callers may range over
// it while they create or delete pods.
func (s *Sim) sortedPods() []*pod { return s.podOrder }

// addPod and removePod keep the pod map and its sorted index together.
func (s *Sim) addPod(p *pod) {
	s.pods[p.Key] = p
	// A sorted insert, not a re-sort of every key (imports make hundreds
	// of pods). Clip makes Insert copy: the old slices are never edited.
	s.podOrder = insertByKey(s.podOrder, p)
	if p.Router {
		s.routerList = insertByKey(s.routerList, p)
	}
}

func insertByKey(pods []*pod, p *pod) []*pod {
	i, _ := slices.BinarySearchFunc(pods, p.Key, func(q *pod, key string) int { return strings.Compare(q.Key, key) })
	return slices.Insert(slices.Clip(pods), i, p)
}

func (s *Sim) removePod(p *pod) {
	delete(s.pods, p.Key)
	s.reindexPods()
}

func (s *Sim) reindexPods() {
	order := make([]*pod, 0, len(s.pods))
	for _, k := range sortedKeys(s.pods) {
		order = append(order, s.pods[k])
	}
	s.podOrder = order
	var routers []*pod
	for _, p := range order {
		if p.Router {
			routers = append(routers, p)
		}
	}
	s.routerList = routers
}

func (s *Sim) nodeByName(name string) *node {
	for _, n := range s.nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

func (s *Sim) zoneByName(name string) *zone {
	for _, z := range s.zones {
		if z.Name == name {
			return z
		}
	}
	return nil
}

func (s *Sim) routerPods() []*pod { return s.routerList }
