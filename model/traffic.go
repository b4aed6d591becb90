package model

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// trafficState is the live traffic generator and the routers' runtime
// state (their configs and counters ride here so Clone copies them).
type trafficState struct {
	profile TrafficProfile
	urls    []parsedURL // profile.Mix[i].URL parsed once
	next    int64       // virtual ms of the next arrival, −1 when stopped
	at      float64     // its exact time
	routers map[string]*routerState
}

func (t trafficState) cloneRouters() map[string]*routerState {
	out := make(map[string]*routerState, len(t.routers))
	for k, rs := range t.routers {
		cp := *rs
		cp.RR = cloneValues(rs.RR)
		cp.Active = cloneValues(rs.Active)
		cp.SmoothRR = make(map[string][]float64, len(rs.SmoothRR))
		for kk, v := range rs.SmoothRR {
			cp.SmoothRR[kk] = append([]float64(nil), v...)
		}
		out[k] = &cp
	}
	return out
}

// scheduleArrival draws the next request of a Poisson process at the
// profile's rate, from the exact (fractional-millisecond) time from, so
// that rates above 1000/s are kept; next is that time's millisecond.
func (s *Sim) scheduleArrival(from float64) {
	p := s.traffic.profile
	if p.RPS <= 0 || len(p.Mix) == 0 {
		s.traffic.next = -1
		return
	}
	s.traffic.at = from - math.Log(1-s.rng.Float64())*1000/p.RPS
	s.traffic.next = int64(s.traffic.at)
}

// generateRequest sends one request of the live mix.
func (s *Sim) generateRequest() {
	p := s.traffic.profile
	total := 0
	for _, m := range p.Mix {
		total += m.Weight
	}
	if total <= 0 {
		return
	}
	x := s.rng.IntN(total)
	var m TrafficMix
	var u parsedURL
	for i, mm := range p.Mix {
		if x < mm.Weight {
			m, u = mm, s.traffic.urls[i]
			break
		}
		x -= mm.Weight
	}
	var c *client
	if m.From != "" {
		c = s.podClient(m.From)
		if c == nil {
			return
		}
	} else {
		c = s.clientFor(m.Client, s.rng.IntN(max(1, p.Clients)))
	}
	s.send(c, u, m.URL, false, s.record)
}

// podClient picks a ready pod whose key starts with from ("ns/prefix").
func (s *Sim) podClient(from string) *client {
	var cands []*pod
	for _, p := range s.sortedPods() {
		if strings.HasPrefix(p.Key, from) && p.Ready && !p.Terminating {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	p := cands[s.rng.IntN(len(cands))]
	return &client{ID: p.Key, Kind: "pod", IP: p.IP}
}

// send runs one request and schedules its completion.
func (s *Sim) send(c *client, u parsedURL, raw string, explain, keep bool) Request {
	r := s.runRequest(c, u, raw, explain, keep)
	status := outcomeKey(r)
	s.schedule(timer{At: r.EndMs, Kind: tmRequestDone, Status: status, Pod: r.Pod, Svc: r.Service, Dur: r.EndMs - r.StartMs})
	if keep {
		s.outRequests = append(s.outRequests, r)
	}
	return r
}

// outcomeKey is the metrics key: the HTTP status, or the outcome when no
// HTTP answer came.
func outcomeKey(r Request) string {
	if r.Status > 0 {
		return strconv.Itoa(r.Status)
	}
	return r.Outcome
}

func (s *Sim) requestDone(t timer) {
	m := &s.metrics
	m.Requests++
	m.StatusCodes[t.Status]++
	s.latency.add(t.At, t.Dur, isErrorStatus(t.Status))
	if t.Pod != "" && t.Status == "200" {
		m.ByPod[t.Pod]++
	}
	if t.Svc != "" && t.Status == "200" {
		m.ByService[t.Svc]++
	}
}

func newMetrics() Metrics {
	return Metrics{StatusCodes: map[string]int64{}, ByPod: map[string]int64{}, ByService: map[string]int64{}}
}

func (m Metrics) clone() Metrics {
	return Metrics{Requests: m.Requests, StatusCodes: cloneValues(m.StatusCodes), ByPod: cloneValues(m.ByPod), ByService: cloneValues(m.ByService)}
}

// Trace runs one explained request on a copy of the state; the Sim itself
// does not change.
func (s *Sim) Trace(req TraceRequest) (TraceResult, error) {
	c, u, env, err := s.prepare(req.URL, req.Client, req.From)
	if err != nil {
		return TraceResult{}, err
	}
	if req.ClientIP != "" {
		if a, err := netip.ParseAddr(req.ClientIP); err != nil || !a.Is4() {
			return TraceResult{}, invalidf("clientIP", "%q is not an IPv4 address", req.ClientIP)
		}
		if req.From != "" {
			return TraceResult{}, invalidf("clientIP", "only for clients on the Internet, not with from")
		}
	}
	cp := s.Clone()
	cp.traffic.profile.RPS = 0
	var cl *client
	if c.Kind == "pod" {
		cl = cp.podClientExact(c.ID)
	} else {
		cl = &client{ID: c.Kind + "-trace", Kind: c.Kind, IP: "203.0.113.200", Port: 50000, Cookies: map[string]string{}}
		if c.Kind == "curl" {
			cl.IP = "198.51.100.200"
		}
		if req.ClientIP != "" {
			cl.IP = req.ClientIP
		}
	}
	r := cp.send(cl, u, req.URL, true, true)
	res := TraceResult{Status: r.Status, Outcome: r.Outcome, Pod: r.Pod, Service: r.Service, Route: r.Route, Reason: r.Reason, Hops: r.Hops}
	if len(env) > 0 && len(res.Hops) > 0 {
		p := s.pods[req.From]
		res.ExpandedURL = u.String()
		var set []string
		for _, v := range env {
			set = append(set, v.Name+"="+v.Value)
		}
		d := res.Hops[0].detail()
		d.Note = fmt.Sprintf("The shell in pod %s expands the URL to %s from its environment (%s), which the kubelet wrote when the container started (%s) from the Services that existed then. ", p.Key, res.ExpandedURL, strings.Join(set, ", "), formatMs(p.EnvAt)) + d.Note
	}
	return res, nil
}

// Load runs many requests on a copy of the state, spaced in virtual time,
// and counts where they went.
func (s *Sim) Load(req LoadRequest) (LoadResult, error) {
	if req.Count < 1 || req.Count > 1_000_000 {
		return LoadResult{}, invalidf("count", "1..1000000, got %d", req.Count)
	}
	if req.Clients < 0 || req.Clients > 100_000 {
		return LoadResult{}, invalidf("clients", "0..100000, got %d", req.Clients)
	}
	if req.RPS < 0 || req.RPS > 1_000_000 {
		return LoadResult{}, invalidf("rps", "0..1000000, got %v", req.RPS)
	}
	c0, u, _, err := s.prepare(req.URL, req.Client, req.From)
	if err != nil {
		return LoadResult{}, err
	}
	cp := s.Clone()
	cp.record = false
	cp.traffic.profile.RPS = 0
	cp.traffic.next = -1
	rps := req.RPS
	if rps == 0 {
		rps = 1000
	}
	clients := max(req.Clients, 1)
	res := LoadResult{Count: req.Count, StatusCodes: map[string]int{}, Outcomes: map[string]int{}, ByPod: map[string]int{}, ByService: map[string]int{}}
	start := cp.now
	for i := 0; i < req.Count; i++ {
		cp.AdvanceTo(start + int64(float64(i)*1000/rps))
		var cl *client
		if c0.Kind == "pod" {
			cl = cp.podClientExact(c0.ID)
		} else {
			cl = cp.clientFor("load-"+c0.Kind, i%clients)
			cl.Kind = c0.Kind
		}
		r := cp.send(cl, u, req.URL, false, false)
		res.Outcomes[r.Outcome]++
		if r.Status > 0 {
			res.StatusCodes[strconv.Itoa(r.Status)]++
		}
		if r.Status == 200 {
			res.ByPod[r.Pod]++
			res.ByService[r.Service]++
		}
		res.DurationMs = max(res.DurationMs, r.EndMs-start)
	}
	return res, nil
}

// prepare validates a trace or load request's URL, client and origin.
// A URL sent from a pod may name the pod's environment variables
// ($NAME or ${NAME}); env lists the ones it used.
func (s *Sim) prepare(rawURL, kind, from string) (c *client, u parsedURL, env []EnvVar, err error) {
	if from != "" {
		p := s.pods[from]
		if p == nil {
			return nil, u, nil, notFoundf("from: pod %q (want namespace/name of an existing pod)", from)
		}
		expanded, env, err := s.expandEnv(rawURL, p)
		if err != nil {
			return nil, u, nil, err
		}
		if u, err = parseURL(expanded); err != nil {
			return nil, u, nil, invalidf("url", "%v", err)
		}
		return &client{ID: p.Key, Kind: "pod", IP: p.IP}, u, env, nil
	}
	if u, err = parseURL(rawURL); err != nil {
		return nil, u, nil, invalidf("url", "%v", err)
	}
	if kind == "" {
		kind = "curl"
	}
	if err := oneOf("client", kind, ClientKinds); err != nil {
		return nil, u, nil, err
	}
	return &client{Kind: kind}, u, nil, nil
}

func (s *Sim) podClientExact(key string) *client {
	p := s.pods[key]
	if p == nil {
		return &client{ID: key, Kind: "pod"}
	}
	return &client{ID: p.Key, Kind: "pod", IP: p.IP}
}

// setTraffic replaces the profile; its URLs were validated already.
func (s *Sim) setTraffic(p TrafficProfile) {
	s.traffic.profile = p
	s.traffic.urls = make([]parsedURL, len(p.Mix))
	for i, m := range p.Mix {
		s.traffic.urls[i], _ = parseURL(m.URL)
	}
	s.scheduleArrival(float64(s.now))
	s.changed()
	s.logf("command", "internet", "traffic: %s", describeTraffic(p))
}

func describeTraffic(p TrafficProfile) string {
	if p.RPS <= 0 || len(p.Mix) == 0 {
		return "stopped"
	}
	var parts []string
	for _, m := range p.Mix {
		who := m.Client
		if m.From != "" {
			who = "pod " + m.From
		}
		parts = append(parts, fmt.Sprintf("%s %s ×%d", who, m.URL, m.Weight))
	}
	return fmt.Sprintf("%.1f req/s from %d clients: %s", p.RPS, p.Clients, strings.Join(parts, ", "))
}
