package model

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds what happens inside a router pod: route matching,
// server choice, the connect to a pod endpoint and its retries.

// routeInRouter is everything HAProxy does: match, balance, connect.
func (s *Sim) routeInRouter(b *reqBuilder, c *client, rp *pod, u parsedURL, clientIP string, routerHop int) {
	lat := s.settings.Latency
	rs := s.routerStateOf(rp)
	cfg := rs.Config
	if cfg == nil {
		cfg = &routerConfig{}
	}
	https := u.Scheme == "https"
	path := u.Path
	m := cfg.match(u.Host, path, https, b.explain)
	if b.explain { // routes the router was never given
		for _, k := range sortedKeys(s.routes) {
			if r := s.routes[k]; !r.Admitted && routeEntry(r.Spec).onHost(strings.TrimSuffix(u.Host, ".")) {
				m.Rejected = append(m.Rejected, fmt.Sprintf("%s: not admitted (%s)", k, r.Reason))
			}
		}
	}
	be := m.Backend
	b.t += s.jitter(lat.RouterMs)
	if be == nil {
		port := "HTTPS (port 443)"
		if !https {
			port = "plain HTTP (port 80)"
		}
		s.router503(b, fmt.Sprintf("no admitted route matches host %s and path %s on %s%s", u.Host, path, port, rejectedSuffix(m.Rejected)))
		return
	}
	b.r.Route = be.Key
	if m.Redirect {
		b.r.Reason = fmt.Sprintf("route %s has insecureEdgeTerminationPolicy Redirect: HTTP gets 302 to https://%s%s", be.Key, u.Host, path)
		b.respond(302, "http-error")
		return
	}
	passthrough := be.Termination == "passthrough"
	// Choose the server: cookie first (browsers), then the algorithm.
	idx, why := -1, ""
	if passthrough && c.Conn != nil && c.Conn.PassPod != "" {
		for i, sv := range be.Servers {
			if sv.Pod == c.Conn.PassPod {
				idx, why = i, "passthrough balances per TCP connection: the browser's open connection stays on the same pod"
			}
		}
	}
	if be.Cookies && c.Kind == "browser" {
		idx, why = s.cookieServer(rp, be, c.Cookies[be.CookieName], b.explain)
	}
	if idx < 0 {
		var drew string
		idx, drew = s.pickServer(rp, rs, be, clientIP, b.explain, "")
		why += drew
	}
	if idx < 0 {
		if passthrough {
			b.r.Hops[routerHop].Failed = true
			b.fail("reset", 0, fmt.Sprintf("passthrough route %s has no ready endpoint: the router closes the TCP connection (no HTTP page)", be.Key))
			return
		}
		s.router503(b, noServerReason(be))
		return
	}
	// Connect, and on a failed connect retry as HAProxy does: `retries`
	// more attempts, 1 s apart after a refusal; HTTP backends have
	// `option redispatch`, so the last retry goes to another server.
	retries := *s.settings.RouterRetries
	sv := be.Servers[idx]
	for attempt := 0; ; attempt++ {
		h, target, problem := s.connectAttempt(b, be, rp, sv, m, c, u, clientIP, why, attempt)
		if problem == "" {
			b.r.Service = sv.Service
			if be.Cookies && c.Kind == "browser" {
				c.Cookies[be.CookieName] = sv.ID
			}
			if passthrough && c.Conn != nil {
				c.Conn.PassPod = sv.Pod
			}
			s.trackConn(rp, sv.Pod, 0)
			b.r.Pod = sv.Pod
			s.serveInPod(b, target, rp, be)
			return
		}
		h.Failed = true
		refused := strings.HasPrefix(problem, "refused")
		if refused {
			b.t = h.EndMs // the RST comes straight back
		} else {
			b.t = h.StartMs + connectTimeoutMs
		}
		s.trackConn(rp, sv.Pod, b.t)
		if b.explain {
			next := "No retries left."
			if attempt < retries {
				next = fmt.Sprintf("HAProxy retries (retries %d).", retries)
				if refused {
					next = fmt.Sprintf("HAProxy retries (retries %d) after 1 s.", retries)
				}
			}
			b.notef(h, "%s Attempt %d of %d failed: %s. %s", h.Detail().Note, attempt+1, retries+1, problem, next)
		}
		if attempt == retries {
			if retries > 0 {
				problem += fmt.Sprintf(" (after %d retries)", retries)
			}
			if passthrough {
				b.fail("reset", 0, fmt.Sprintf("passthrough route %s: %s; the router closes the client's TCP connection (no HTTP page)", be.Key, problem))
				return
			}
			s.router503(b, problem)
			return
		}
		if refused {
			b.t += retryTurnaroundMs
		}
		why = fmt.Sprintf("retry %d of %d to the same server", attempt+1, retries)
		if attempt+1 == retries && !passthrough {
			if i, drew := s.pickServer(rp, rs, be, clientIP, b.explain, sv.Pod); i >= 0 {
				sv, why = be.Servers[i], "option redispatch: the last retry goes to another server; "+drew
			} else {
				why = "option redispatch found no other server: the last retry goes to the same one"
			}
		}
	}
}

// connectAttempt adds one router → pod hop over Calico and says why the
// connection cannot be made ("" when it can).
func (s *Sim) connectAttempt(b *reqBuilder, be *backend, rp *pod, sv server, m matchResult, c *client, u parsedURL, clientIP, why string, attempt int) (*Hop, *pod, string) {
	lat := s.settings.Latency
	https := u.Scheme == "https"
	passthrough := be.Termination == "passthrough"
	target := s.pods[sv.Pod]
	rn := s.nodeByName(rp.Node)
	var tn *node
	if target != nil {
		tn = s.nodeByName(target.Node)
	}
	dur := s.jitter(lat.PodNetMs)
	if tn != nil && rn != nil && tn.Zone != rn.Zone {
		dur += lat.CrossZoneMs
	}
	ph := Hop{Kind: HopPodNet, From: rp.hopID, To: sv.HopID, Src: rp.IP + ":" + strconv.Itoa(32768+int((b.r.ID*7+uint64(attempt)*7919)%28000)), Dst: sv.Addr}
	if !passthrough && b.explain {
		proto := "http"
		if https {
			proto = "https"
		}
		ph.detail().Headers = []string{
			"X-Forwarded-For: " + clientIP,
			"X-Forwarded-Host: " + u.Host,
			"X-Forwarded-Port: " + strconv.Itoa(u.Port),
			"X-Forwarded-Proto: " + proto,
			fmt.Sprintf("Forwarded: for=%s;host=%s;proto=%s", clientIP, u.Host, proto),
		}
		if be.Cookies && c.Kind == "browser" && c.Cookies[be.CookieName] != sv.ID {
			ph.Headers = append(ph.Headers, "Set-Cookie (on the response; the client had no cookie for this server): "+be.CookieName[:8]+"…="+sv.ID[:8]+"…")
		}
	}
	encap, drop := s.toPod(rn, target, sv.Port)
	ph.Encapsulation = encap
	if encap != "" && b.explain {
		ph.detail().Outer = outerHeader(rn, tn)
	}
	h := b.add(ph, dur)
	if b.explain {
		if attempt > 0 {
			b.notef(h, "%s: a new connection to %s:%d. %s", why, sv.IP, sv.Port, s.toPodNote(rn, target, encap, drop))
		} else {
			mode := map[string]string{"edge": "TLS ended at the router (edge): plain HTTP to the pod", "reencrypt": "reencrypt: a new TLS connection to the pod, verified with the service CA", "passthrough": "passthrough: raw TCP by SNI, the pod ends TLS; no headers added", "": "plain HTTP"}[be.Termination]
			w := weightsNote(be)
			if w != "" {
				w = "; " + w
			}
			other := ""
			if len(m.Rejected) > 0 {
				other = "; not chosen: " + strings.Join(m.Rejected, "; ")
			}
			b.notef(h, "route %s matched (%s%s). Balance %s: %s%s. %s. The router opens a NEW connection straight to the pod endpoint %s:%d — not to the Service ClusterIP; no NAT. %s",
				be.Key, matchedBy(be), other, be.Forced, why, w, mode, sv.IP, sv.Port, s.toPodNote(rn, target, encap, drop))
		}
	}
	return h, target, s.connectProblem(rp, target, tn, sv, drop)
}

// trackConn counts an open router → server connection until the pod
// answers (end == 0: set by serveInPod).
func (s *Sim) trackConn(rp *pod, podKey string, end int64) {
	rs := s.routerStateOf(rp)
	rs.Active[podKey]++
	if end > 0 {
		s.schedule(timer{At: end, Kind: tmConnDone, Key: rp.Key, Pod: podKey})
	}
}

func (s *Sim) connDone(t timer) {
	if rs := s.traffic.routers[t.Key]; rs != nil {
		rs.Active[t.Pod]--
		if rs.Active[t.Pod] <= 0 {
			delete(rs.Active, t.Pod)
		}
	}
}

// matchedBy says what the router matched a route on.
func matchedBy(be *backend) string {
	if be.Termination == "passthrough" {
		return "SNI " + be.Host + "; passthrough routes match on the TLS server name only, no path"
	}
	host := "host " + be.Host
	if be.Wildcard {
		host = fmt.Sprintf("wildcard host *.%s (Route host %s, wildcardPolicy Subdomain)", be.Domain, be.Host)
	}
	return host + ", the most specific matching path " + orSlash(be.Path)
}

// noServerReason says why a backend had no server to pick.
func noServerReason(be *backend) string {
	weighted := 0
	for _, sv := range be.Servers {
		if sv.Weight > 0 {
			weighted++
		}
	}
	var noPort []string
	port := ""
	for _, bs := range be.Services {
		if bs.NoPort != "" {
			noPort, port = append(noPort, fmt.Sprintf("Service %s (ports %s)", bs.Key, bs.Ports)), bs.NoPort
		}
	}
	switch {
	case len(be.Servers) == 0 && len(noPort) > 0:
		return fmt.Sprintf("route %s's targetPort %q names no endpoint port of %s: a Route's targetPort is the Service port's name or the pod's port number, not the Service's port (the API accepts any value; the router then has no server)", be.Key, port, strings.Join(noPort, ", "))
	case len(be.Servers) == 0:
		return fmt.Sprintf("route %s's Services have no ready endpoints in this router's configuration", be.Key)
	case weighted == 0:
		return fmt.Sprintf("every Service of route %s has weight 0", be.Key)
	default:
		return fmt.Sprintf("the router's health checks (TCP connect every 5 s, 3 failures) have marked all %d servers of route %s DOWN", weighted, be.Key)
	}
}

// router503 is HAProxy's "Application is not available" page.
func (s *Sim) router503(b *reqBuilder, reason string) {
	b.r.Reason = "503 Application is not available: " + reason
	b.respond(503, "http-error")
}

func rejectedSuffix(rej []string) string {
	if len(rej) == 0 {
		return ""
	}
	return " (" + strings.Join(rej, "; ") + ")"
}

// connectProblem says why the router's connection to a server fails, or "".
func (s *Sim) connectProblem(rp, target *pod, tn *node, sv server, dropped string) string {
	if target == nil {
		return fmt.Sprintf("timeout: pod %s is gone but this router's config still lists %s (its reload is pending); the connect timed out after 5 s", sv.Pod, sv.IP)
	}
	if !s.nodeUp(tn) {
		return fmt.Sprintf("timeout: node %s is down; the connect to %s timed out after 5 s", target.Node, sv.IP)
	}
	if target.Terminating {
		return fmt.Sprintf("refused: pod %s is terminating (SIGTERM) and no longer accepts connections; the router still lists it until its next reload", target.Key)
	}
	if !target.Running {
		return fmt.Sprintf("refused: pod %s's container is not running", target.Key)
	}
	if dropped != "" {
		return "timeout: " + dropped + "; the connect timed out after 5 s"
	}
	if ok, why := s.policyAllows(rp, target, sv.Port); !ok {
		return "timeout: " + why + "; the router's connect timed out after 5 s"
	}
	return ""
}
