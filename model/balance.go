package model

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// pickServer runs the backend's balancing algorithm in one router and
// returns the chosen server's index (−1 when no server has weight) and,
// when explain is set, what it drew. A redispatch passes the pod it failed
// on as avoid ("" for none).
func (s *Sim) pickServer(rp *pod, rs *routerState, b *backend, clientIP string, explain bool, avoid string) (int, string) {
	var buf [64]int
	cands := buf[:0]
	for i, sv := range b.Servers {
		if sv.Weight > 0 && sv.Pod != avoid && !s.down(rp, b, sv) {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return -1, ""
	}
	load := func(i int) float64 { return float64(rs.Active[b.Servers[i].Pod]) / float64(b.Servers[i].Weight) }
	switch b.Balance {
	case "roundrobin":
		i := smoothRoundRobin(rs, b, cands)
		if !explain {
			return i, ""
		}
		return i, fmt.Sprintf("roundrobin (weighted) over %d servers picked %s", len(cands), b.Servers[i].IP)
	case "leastconn":
		best := -1
		start := rs.RR[b.Key]
		for j := range cands {
			i := cands[(start+j)%len(cands)]
			if best < 0 || load(i) < load(best) {
				best = i
			}
		}
		rs.RR[b.Key]++
		if !explain {
			return best, ""
		}
		return best, fmt.Sprintf("leastconn: %s has the fewest open connections from this router (%d)", b.Servers[best].IP, rs.Active[b.Servers[best].Pod])
	case "source":
		h := fnv.New32a()
		h.Write([]byte(clientIP))
		i := weightedAt(b.Servers, cands, float64(h.Sum32()%1_000_000)/1_000_000)
		if !explain {
			return i, ""
		}
		return i, fmt.Sprintf("source: the hash of client IP %s maps to %s, always the same server while the server list stays", clientIP, b.Servers[i].IP)
	default: // random: power of two choices
		a := weightedAt(b.Servers, cands, s.rng.Float64())
		if len(cands) == 1 {
			if !explain {
				return a, ""
			}
			return a, fmt.Sprintf("random: only one server (%s)", b.Servers[a].IP)
		}
		c := weightedAt(b.Servers, cands, s.rng.Float64())
		pick := a
		if load(c) < load(a) {
			pick = c
		}
		if !explain {
			return pick, ""
		}
		return pick, fmt.Sprintf("random (power of two choices): drew %s (%d open) and %s (%d open), took the less loaded %s",
			b.Servers[a].IP, rs.Active[b.Servers[a].Pod], b.Servers[c].IP, rs.Active[b.Servers[c].Pod], b.Servers[pick].IP)
	}
}

// cookieServer is HAProxy's cookie persistence: the server that the sticky
// cookie id names — even one of a Service with weight 0 — unless health
// checks have marked it DOWN: then, as the router's template sets no
// `option persist`, HAProxy ignores the cookie and balances anew (−1, and
// when explaining a note that says so).
func (s *Sim) cookieServer(rp *pod, b *backend, id string, explain bool) (int, string) {
	if id == "" {
		return -1, ""
	}
	for i, sv := range b.Servers {
		if sv.ID != id {
			continue
		}
		if s.down(rp, b, sv) {
			if !explain {
				return -1, ""
			}
			return -1, fmt.Sprintf("sticky cookie %s names %s, which the health checks marked DOWN; without option persist HAProxy ignores the cookie and balances anew: ", b.CookieName[:8], sv.Addr)
		}
		if !explain {
			return i, ""
		}
		return i, fmt.Sprintf("sticky cookie %s names this server, so the router skips balancing", b.CookieName[:8])
	}
	return -1, ""
}

// down says whether router rp holds server sv of backend b DOWN: the
// router's template adds health checks only when the backend has more
// than one active endpoint.
func (s *Sim) down(rp *pod, b *backend, sv server) bool {
	return b.ActiveEndpoints > 1 && s.checkDown(rp, sv)
}

// Router active health checks: a TCP connect every 5 s; a server that
// fails 3 in a row is marked DOWN (HAProxy's inter 5s, fall 3).
const (
	checkIntervalMs = 5000
	checkFall       = 3
)

// checkKey names one router's health check of one server.
type checkKey struct{ router, pod string }

// checkDown says whether router rp's health checks have marked the server
// DOWN by now: its pod has been unreachable from rp (gone, terminating and
// no longer listening, on a dead node, or cut off by the network or a
// NetworkPolicy) for checkFall intervals. Results are cached per state
// version; only the comparison with now is done per request.
func (s *Sim) checkDown(rp *pod, sv server) bool {
	if s.checks.version != s.version || s.checks.since == nil {
		s.checks.version, s.checks.since = s.version, map[checkKey]int64{}
	}
	k := checkKey{rp.Key, sv.Pod}
	since, ok := s.checks.since[k]
	if !ok {
		since = s.unreachableSince(rp, sv)
		s.checks.since[k] = since
	}
	return since >= 0 && s.now-since >= checkIntervalMs*checkFall
}

// unreachableSince is when sv stopped answering rp's TCP checks, −1 if it
// answers.
func (s *Sim) unreachableSince(rp *pod, sv server) int64 {
	p := s.pods[sv.Pod]
	switch {
	case p == nil:
		if at, ok := s.goneAt[sv.Pod]; ok {
			return at
		}
		return -1
	case p.Terminating:
		return p.TerminatingAt
	}
	n := s.nodeByName(p.Node)
	if n != nil && !s.nodeUp(n) {
		return n.DownAt
	}
	_, drop := s.toPod(s.nodeByName(rp.Node), p, sv.Port)
	if ok, _ := s.policyAllows(rp, p, sv.Port); drop != "" || !ok {
		return max(s.netChangedAt, p.ScheduledAt)
	}
	return -1
}

// weightedAt maps u in [0,1) to a server by cumulative weight.
func weightedAt(servers []server, cands []int, u float64) int {
	total := 0.0
	for _, i := range cands {
		total += float64(servers[i].Weight)
	}
	x := u * total
	for _, i := range cands {
		x -= float64(servers[i].Weight)
		if x < 0 {
			return i
		}
	}
	return cands[len(cands)-1]
}

// smoothRoundRobin is weighted round-robin that interleaves servers in
// proportion to their weights (HAProxy's roundrobin is weighted too).
func smoothRoundRobin(rs *routerState, b *backend, cands []int) int {
	cur := rs.SmoothRR[b.Key]
	if len(cur) != len(b.Servers) {
		cur = make([]float64, len(b.Servers))
	}
	total, best := 0.0, -1
	for _, i := range cands {
		cur[i] += float64(b.Servers[i].Weight)
		total += float64(b.Servers[i].Weight)
		if best < 0 || cur[i] > cur[best] {
			best = i
		}
	}
	cur[best] -= total
	rs.SmoothRR[b.Key] = cur
	return best
}

// weightsNote explains the weight split: each Service's weight is divided
// among its endpoints and scaled to integers (serverWeights), so the split
// follows Services, not pod counts.
func weightsNote(b *backend) string {
	if len(b.Services) < 2 {
		return ""
	}
	total := 0
	for _, sv := range b.Services {
		total += sv.ServerWeight * sv.Endpoints
	}
	var parts []string
	for _, sv := range b.Services {
		share := 0.0
		if total > 0 {
			share = 100 * float64(sv.ServerWeight*sv.Endpoints) / float64(total)
		}
		parts = append(parts, fmt.Sprintf("%s weight %d over %d pods: HAProxy weight %d each (%.0f%%)", sv.Key, sv.Weight, sv.Endpoints, sv.ServerWeight, share))
	}
	return "weights are per Service, divided among its endpoints and scaled to integers (the largest share 256, each at least 1): " + strings.Join(parts, "; ")
}
