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
	lb := loadBalancer{Type: s.settings.LBType, CrossZone: s.settings.CrossZone, RR: map[string]int{}}
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
// with externalTrafficPolicy Local it passes only where a ready router
// pod runs.
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

// settleLoadBalancer sets target health to what the checks would have
// said for a long time (used at start and when the LB is recreated).
func (s *Sim) settleLoadBalancer() {
	for i := range s.lb.Targets {
		t := &s.lb.Targets[i]
		t.Passing = s.healthProbePasses(t.Node)
		t.Healthy = t.Passing
		t.Successes, t.Failures = 0, 0
	}
}

// lbCheck runs one round of health checks; a target flips after
// healthThreshold consecutive results that disagree with its state.
func (s *Sim) lbCheck() {
	for i := range s.lb.Targets {
		t := &s.lb.Targets[i]
		t.Passing = s.healthProbePasses(t.Node)
		if t.Passing {
			t.Successes++
			t.Failures = 0
		} else {
			t.Failures++
			t.Successes = 0
		}
		before := s.zonesInDNS()
		switch {
		case !t.Healthy && t.Successes >= healthThreshold:
			t.Healthy = true
			s.changed()
			s.logf("lb", "node:"+t.Node, "LB target %s InService: %d health checks passed", t.Node, healthThreshold)
		case t.Healthy && t.Failures >= healthThreshold:
			t.Healthy = false
			s.changed()
			s.logf("lb", "node:"+t.Node, "LB target %s OutOfService: %d health checks failed (no ready router pod on the node answers the healthCheckNodePort %d)", t.Node, healthThreshold, s.routerSvc.HealthCheckPort)
		}
		if after := s.zonesInDNS(); !slices.Equal(before, after) {
			s.logf("dns", "dns", "DNS answer for *.%s now: %v", s.ingressDomain(), s.dnsAnswer())
		}
	}
	s.schedule(timer{At: s.now + s.lbCheckInterval(), Kind: tmLBCheck})
}

// zonesInDNS lists the AZs whose LB node is in the DNS answer: with
// cross-zone off, those with a healthy target in the zone; with it on,
// every zone while any target is healthy. When nothing is healthy the
// answer fails open to every zone.
func (s *Sim) zonesInDNS() []string {
	var out []string
	anyHealthy := false // a healthy target behind an LB node that is up
	for _, t := range s.lb.Targets {
		if z := s.zoneByName(t.Zone); t.Healthy && z != nil && !z.Down {
			anyHealthy = true
		}
	}
	for _, z := range s.zones {
		if z.Down {
			continue
		}
		in := false
		if s.lb.CrossZone {
			in = anyHealthy
		} else {
			for _, t := range s.lb.Targets {
				if t.Zone == z.Name && t.Healthy {
					in = true
				}
			}
		}
		if in || !anyHealthy { // no healthy target anywhere: DNS fails open
			out = append(out, z.Name)
		}
	}
	if len(out) == 0 { // every AZ is down: the record still answers
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

// pickTarget is the LB node in zone z choosing a healthy target: CLB
// round-robin for TCP listeners, NLB a flow hash (random per new flow).
// Only targets in z unless cross-zone is on.
func (s *Sim) pickTarget(z *zone) *lbTarget {
	var cands []int
	for i, t := range s.lb.Targets {
		if t.Healthy && (s.lb.CrossZone || t.Zone == z.Name) {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	var i int
	if s.lb.Type == "NLB" {
		i = cands[s.rng.IntN(len(cands))]
	} else {
		i = cands[s.lb.RR[z.Name]%len(cands)]
		s.lb.RR[z.Name]++
	}
	return &s.lb.Targets[i]
}
