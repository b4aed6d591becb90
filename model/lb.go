package model

import (
	"fmt"
	"slices"
)

// loadBalancer is the AWS load balancer of the router-default Service:
// a Classic ELB (default) or an NLB, one LB node per AZ, worker nodes as
// targets on the NodePort, health-checked on the healthCheckNodePort.
type loadBalancer struct {
	Type      string
	CrossZone bool
	DNSName   string
	Targets   []lbTarget
	RR        map[string]int // CLB round-robin cursor per LB node (zone)
	// Nodes is the health of each AZ's LB node as DNS sees it: a node in a
	// failed AZ leaves the answer after the same checks as a target.
	Nodes map[string]lbNodeHealth
}

// lbNodeHealth is one LB node's standing in DNS.
type lbNodeHealth struct {
	Out       bool // taken out of the DNS answer
	Successes int
	Failures  int
}

type lbTarget struct {
	Node      string
	Zone      string
	Healthy   bool
	Passing   bool
	Successes int
	Failures  int
}

func newLoadBalancer(s *Sim) loadBalancer {
	lb := loadBalancer{Type: s.settings.LBType, CrossZone: s.settings.CrossZone, RR: map[string]int{}, Nodes: map[string]lbNodeHealth{}}
	lb.DNSName = s.lbDNSName(lb.Type)
	for _, n := range s.workers() {
		lb.Targets = append(lb.Targets, lbTarget{Node: n.Name, Zone: n.Zone})
	}
	return lb
}

func (lb loadBalancer) clone() loadBalancer {
	c := lb
	c.Targets = slices.Clone(lb.Targets)
	c.RR = cloneValues(lb.RR)
	c.Nodes = cloneValues(lb.Nodes)
	return c
}

// lbDNSName is the AWS-assigned name ("a" + the Service UID's hex, as the
// cloud provider names it); a new LB (type change) gets a new one.
func (s *Sim) lbDNSName(lbType string) string {
	hex := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "0123456789abcdef"[s.rng.IntN(16)]
		}
		return string(b)
	}
	if lbType == "NLB" {
		return fmt.Sprintf("a%s-%s.elb.%s.amazonaws.com", hex(31), hex(16), s.settings.Region)
	}
	return fmt.Sprintf("a%s-%d.%s.elb.amazonaws.com", hex(31), 100000000+s.rng.IntN(900000000), s.settings.Region)
}

func (s *Sim) lbCheckInterval() int64 {
	if s.lb.Type == "NLB" {
		return nlbCheckIntervalMs
	}
	return clbCheckIntervalMs
}

// healthProbePasses is what the node's healthCheckNodePort /healthz says:
// kube-proxy counts the router Service's local endpoints that are ready
// (kubernetes pkg/proxy EndpointsMap.LocalReadyEndpoints), so it passes
// only where a ready router pod runs. A terminating router fails it at
// once even while it still serves: the load balancer drains the node.
func (s *Sim) healthProbePasses(nodeName string) bool {
	n := s.nodeByName(nodeName)
	if !s.nodeUp(n) {
		return false
	}
	return s.localRouter(nodeName) != nil
}

// localRouter is the ready, non-terminating router pod on a node, if any.
func (s *Sim) localRouter(nodeName string) *pod {
	for _, p := range s.routerPods() {
		if p.Node == nodeName && p.Ready && !p.Terminating {
			return p
		}
	}
	return nil
}

// settleLoadBalancer sets target and LB node health to what the checks
// would have said for a long time (used at start and when the LB is
// recreated).
func (s *Sim) settleLoadBalancer() {
	for i := range s.lb.Targets {
		t := &s.lb.Targets[i]
		t.Passing = s.healthProbePasses(t.Node)
		t.Healthy = t.Passing
		t.Successes, t.Failures = 0, 0
	}
	for _, z := range s.zones {
		s.lb.Nodes[z.Name] = lbNodeHealth{Out: z.Down}
	}
}

// lbCheck runs one round of health checks; a target (and, for DNS, an LB
// node) flips after healthThreshold consecutive results that disagree with
// its state. The DNS answer follows: it changes only when a flip does.
func (s *Sim) lbCheck() {
	before := s.zonesInDNS()
	for i := range s.lb.Targets {
		t := &s.lb.Targets[i]
		t.Passing = s.healthProbePasses(t.Node)
		if flip(&t.Successes, &t.Failures, t.Passing, !t.Healthy) {
			t.Healthy = !t.Healthy
			s.changed()
			if t.Healthy {
				s.logf("lb", "node:"+t.Node, "LB target %s InService: %d health checks passed", t.Node, healthThreshold)
			} else {
				s.logf("lb", "node:"+t.Node, "LB target %s OutOfService: %d health checks failed (no ready router pod on the node answers the healthCheckNodePort %d)", t.Node, healthThreshold, s.routerSvc.HealthCheckPort)
			}
		}
	}
	for _, z := range s.zones {
		h := s.lb.Nodes[z.Name]
		if flip(&h.Successes, &h.Failures, !z.Down, h.Out) {
			h.Out = !h.Out
			s.changed()
		}
		s.lb.Nodes[z.Name] = h
	}
	if after := s.zonesInDNS(); !slices.Equal(before, after) {
		s.logf("dns", "dns", "DNS answer for *.%s now: %v", s.ingressDomain(), s.dnsAnswer())
	}
	s.schedule(timer{At: s.now + s.lbCheckInterval(), Kind: tmLBCheck})
}

// flip counts one check result (pass) and says whether healthThreshold
// results in a row now disagree with the current state (wantPass: the
// state flips on passes).
func flip(successes, failures *int, pass, wantPass bool) bool {
	if pass {
		*successes++
		*failures = 0
	} else {
		*failures++
		*successes = 0
	}
	if wantPass {
		return *successes >= healthThreshold
	}
	return *failures >= healthThreshold
}

// zonesInDNS lists the AZs whose LB node is in the DNS answer, as the
// ELB's own DNS name gives it (the ingress operator's wildcard record is an
// alias to that name with EvaluateTargetHealth false, so it returns
// whatever the ELB's name returns): with cross-zone off, the zones with a
// healthy target; with it on, every zone while any target is healthy; an
// LB node whose AZ failed leaves after its checks fail. Nothing changes
// before a health check flips. When no target is healthy anywhere, the
// answer fails open to every zone.
func (s *Sim) zonesInDNS() []string {
	var out []string
	anyHealthy := false
	for _, t := range s.lb.Targets {
		anyHealthy = anyHealthy || (t.Healthy && !s.lb.Nodes[t.Zone].Out)
	}
	for _, z := range s.zones {
		if s.lb.Nodes[z.Name].Out {
			continue
		}
		in := !anyHealthy // no healthy target anywhere: DNS fails open
		if s.lb.CrossZone {
			in = true
		}
		for _, t := range s.lb.Targets {
			in = in || (t.Zone == z.Name && t.Healthy)
		}
		if in {
			out = append(out, z.Name)
		}
	}
	if len(out) == 0 { // every LB node is out: the record still answers
		for _, z := range s.zones {
			out = append(out, z.Name)
		}
	}
	return out
}

func (s *Sim) dnsAnswer() []string {
	var out []string
	for _, zn := range s.zonesInDNS() {
		out = append(out, s.zoneByName(zn).LBPublic)
	}
	return out
}

func (s *Sim) ingressDomain() string { return s.domain }

// pickTarget is the LB node in zone z choosing a target: CLB round-robin
// for TCP listeners, NLB a flow hash (random per new flow); healthy targets
// in z only, unless cross-zone is on. Without a healthy one, the Classic
// ELB has nothing to send to (nil); the NLB fails open: its routing
// failover threshold defaults to one healthy target, below which it sends
// to every target the node can use, healthy or not (AWS: NLB target group
// health, "If all targets fail health checks ... the load balancer fails
// open").
func (s *Sim) pickTarget(z *zone) (t *lbTarget, failOpen bool) {
	var cands []int
	usable := func(t lbTarget) bool { return s.lb.CrossZone || t.Zone == z.Name }
	for i, t := range s.lb.Targets {
		if t.Healthy && usable(t) {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 && s.lb.Type == "NLB" {
		failOpen = true
		for i, t := range s.lb.Targets {
			if usable(t) {
				cands = append(cands, i)
			}
		}
	}
	if len(cands) == 0 {
		return nil, false
	}
	var i int
	if s.lb.Type == "NLB" {
		i = cands[s.rng.IntN(len(cands))]
	} else {
		i = cands[s.lb.RR[z.Name]%len(cands)]
		s.lb.RR[z.Name]++
	}
	return &s.lb.Targets[i], failOpen
}
