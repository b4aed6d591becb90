package model

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// client is one traffic source. Browsers keep a cookie jar and a
// keep-alive connection; curl opens a new connection (and resolves DNS
// anew) for every request and keeps no cookies.
type client struct {
	ID      string
	hop     string // "client:<id>"
	dns     string // IP:53001, its resolver port
	Kind    string
	IP      string
	Port    int
	Cookies map[string]string // cookie name → server id
	Conn    *clientConn
}

// clientConn is a browser's open connection: through one LB node to one
// worker and router (and, for passthrough, one pod).
type clientConn struct {
	Zone     string
	Node     string
	Router   string
	Host     string
	HTTPS    bool
	PassPod  string
	LastUsed int64
	Src      string
}

func (c *client) clone() *client {
	cp := *c
	cp.Cookies = cloneValues(c.Cookies)
	if c.Conn != nil {
		conn := *c.Conn
		cp.Conn = &conn
	}
	return &cp
}

func (c *client) hopID() string {
	if c.hop == "" {
		c.hop = "client:" + c.ID
	}
	return c.hop
}

func (c *client) dnsAddr() string {
	if c.dns == "" {
		c.dns = c.IP + ":53001"
	}
	return c.dns
}

func (c *client) nextSrc() string {
	c.Port++
	if c.Port > 60999 || c.Port < 32768 {
		c.Port = 32768
	}
	return c.IP + ":" + strconv.Itoa(c.Port)
}

// clientFor returns the client with this kind and index, creating it.
func (s *Sim) clientFor(kind string, i int) *client {
	id := kind + "-" + strconv.Itoa(i)
	if c := s.clients[id]; c != nil {
		return c
	}
	// RFC 5737 documentation addresses: browsers 203.0.113.0/24, curl
	// 198.51.100.0/24, further clients in 100.64.0.0/10 style blocks.
	var ip string
	switch {
	case kind == "browser" && i < 250:
		ip = fmt.Sprintf("203.0.113.%d", i+2)
	case i < 250:
		ip = fmt.Sprintf("198.51.100.%d", i+2)
	default:
		base := 0
		if kind == "browser" {
			base = 32
		}
		ip = fmt.Sprintf("100.%d.%d.%d", 64+base+i/65536%32, i/256%256, i%256)
	}
	c := &client{ID: id, Kind: kind, IP: ip, Port: 32768 + s.rng.IntN(20000), Cookies: map[string]string{}}
	s.clients[id] = c
	return c
}

type parsedURL struct {
	Scheme string
	Host   string
	Port   int
	Path   string
}

var errBadURL = errors.New("want an http:// or https:// URL with a host")

func parseURL(raw string) (parsedURL, error) {
	if len(raw) > 2048 {
		return parsedURL{}, errors.New("URL longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return parsedURL{}, errBadURL
	}
	p := parsedURL{Scheme: u.Scheme, Host: strings.ToLower(u.Hostname()), Path: u.EscapedPath()}
	if p.Path == "" {
		p.Path = "/"
	}
	if u.RawQuery != "" {
		p.Path += "?" + u.RawQuery
	}
	p.Port = 80
	if p.Scheme == "https" {
		p.Port = 443
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			return parsedURL{}, errors.New("port must be 1..65535")
		}
		p.Port = n
	}
	return p, nil
}

// reqBuilder assembles one request's hops on a time cursor.
type reqBuilder struct {
	s       *Sim
	r       Request
	t       int64
	explain bool
	dnsHops int // leading hops that are a DNS exchange, not retraced
}

func (b *reqBuilder) add(h Hop, dur int64) *Hop {
	h.StartMs = b.t
	h.EndMs = b.t + dur
	b.t = h.EndMs
	b.r.Hops = append(b.r.Hops, h)
	return &b.r.Hops[len(b.r.Hops)-1]
}

func (b *reqBuilder) notef(h *Hop, format string, args ...any) {
	if b.explain {
		h.detail().Note = fmt.Sprintf(format, args...)
	}
}

// respond retraces every request hop so far (newest first) as response
// hops carrying status, then closes the request. A failed hop is not
// retraced: its packet never arrived, so the answer starts before it (the
// router's own 503 after a failed connect).
func (b *reqBuilder) respond(status int, outcome string) {
	n := len(b.r.Hops)
	for i := n - 1; i >= b.dnsHops; i-- {
		h := b.r.Hops[i]
		if h.Kind == HopApp || h.Response || h.Failed {
			continue
		}
		d := h.EndMs - h.StartMs
		rh := b.add(Hop{Kind: HopResponse, From: h.To, To: h.From, Src: h.Dst, Dst: h.Src, Encapsulation: h.Encapsulation, Response: true}, d)
		if b.explain {
			d := rh.detail()
			d.Note = responseNote(h.Kind, status)
			d.Outer = reverseOuter(h.Detail().Outer)
			if h.Kind == HopNodePort {
				d.NAT = "conntrack reverses the DNAT"
			}
		}
	}
	b.finish(status, outcome)
}

// fail ends the request without an HTTP answer after waiting ms.
func (b *reqBuilder) fail(outcome string, waitMs int64, reason string) {
	b.t += waitMs
	b.r.Reason = reason
	b.finish(0, outcome)
}

func (b *reqBuilder) finish(status int, outcome string) {
	b.r.Status = status
	b.r.Outcome = outcome
	b.r.EndMs = b.t
}

// responseNote explains a response hop by the request hop it retraces.
func responseNote(kind string, status int) string {
	code := fmt.Sprintf("the %d response", status)
	switch kind {
	case HopPodNet:
		return code + " goes back to the router pod on the same TCP connection"
	case HopService:
		return code + " returns; conntrack on the caller's node rewrites the source back to the ClusterIP"
	case HopNodePort:
		return code + " leaves the router; conntrack on the node reverses the DNAT, so it leaves as the NodePort"
	case HopLB:
		return code + " returns to the load balancer node"
	case HopInternet:
		return code + " reaches the client over the Internet"
	}
	return code + " retraces the request"
}

func reverseOuter(o string) string {
	if a, c, ok := strings.Cut(o, " → "); ok {
		return c + " → " + a
	}
	return o
}

func (s *Sim) jitter(ms int64) int64 {
	if ms <= 1 {
		return ms
	}
	return ms*8/10 + s.rng.Int64N(ms*4/10+1)
}

// runRequest sends one request from c and returns it fully decided.
func (s *Sim) runRequest(c *client, u parsedURL, rawURL string, explain, hops bool) Request {
	s.nextReq++
	b := &reqBuilder{s: s, t: s.now, explain: explain}
	b.r = Request{ID: s.nextReq, Client: c.ID, ClientKind: c.Kind, ClientIP: c.IP, URL: rawURL, StartMs: s.now}
	if hops {
		b.r.Hops = make([]Hop, 0, 12)
	} else {
		// Hops are still needed to retrace the response; reuse a buffer.
		b.r.Hops = s.scratchHops[:0]
		defer func() { s.scratchHops = b.r.Hops[:0] }()
	}
	if c.Kind == "pod" {
		s.internalRequest(b, c, u)
	} else {
		s.externalRequest(b, c, u)
	}
	return b.r
}

// externalRequest: DNS → LB → NodePort → router → pod → back.
func (s *Sim) externalRequest(b *reqBuilder, c *client, u parsedURL) {
	lat := s.settings.Latency
	clientEl := c.hopID()
	https := u.Scheme == "https"
	if u.Port != 80 && u.Port != 443 {
		b.fail("timeout", connectTimeoutMs, fmt.Sprintf("the load balancer listens only on TCP 80 and 443, not %d", u.Port))
		return
	}
	// 1. DNS: curl resolves every time; a browser once per connection.
	conn := c.Conn
	if conn != nil && (conn.Host != u.Host || conn.HTTPS != https || s.now-conn.LastUsed > s.lbIdleTimeout() || !s.connUsable(conn)) {
		conn = nil
		c.Conn = nil
	}
	var z *zone
	if conn == nil {
		answer, note := s.resolve(u.Host, b.explain)
		h := b.add(Hop{Kind: HopDNS, From: clientEl, To: "dns", Src: c.dnsAddr(), Dst: "DNS:53"}, s.jitter(lat.DNSMs))
		if b.explain {
			b.notef(h, "%s", note)
		}
		if len(answer) == 0 {
			b.add(Hop{Kind: HopDNS, From: "dns", To: clientEl, Src: "DNS:53", Dst: c.dnsAddr(), Response: true, Failed: true}, s.jitter(lat.DNSMs))
			b.dnsHops = len(b.r.Hops)
			b.fail("nxdomain", 0, fmt.Sprintf("DNS has no record for %s: it is not under *.%s and no route claims it", u.Host, s.ingressDomain()))
			return
		}
		rh := b.add(Hop{Kind: HopDNS, From: "dns", To: clientEl, Src: "DNS:53", Dst: c.dnsAddr(), Response: true}, s.jitter(lat.DNSMs))
		b.dnsHops = len(b.r.Hops)
		z = answer[s.rng.IntN(len(answer))]
		if b.explain {
			which := "one per AZ with a healthy target"
			if s.lb.CrossZone {
				which = "one per AZ that is up (cross-zone load balancing is on: each LB node forwards to healthy targets in any AZ)"
			}
			b.notef(rh, "the answer holds %d address(es), %s; the client picked %s (%s)", len(answer), which, z.LBPublic, z.Name)
		}
	} else {
		z = s.zoneByName(conn.Zone)
	}
	// 2. Internet → the LB node of that AZ.
	src := c.nextSrc()
	if conn != nil {
		src = conn.Src
	}
	port := 80
	if https {
		port = 443
	}
	lbEl := z.hopID
	h := b.add(Hop{Kind: HopInternet, From: clientEl, To: lbEl, Src: src, Dst: z.lbAddr(https)}, s.jitter(lat.InternetMs))
	if z.Down {
		h.Failed = true
		b.fail("timeout", connectTimeoutMs, fmt.Sprintf("AZ %s is down: its LB node does not answer", z.Name))
		return
	}
	if conn != nil {
		if b.explain {
			b.notef(h, "the browser reuses its keep-alive connection to the %s LB node", z.Name)
		}
	} else {
		if b.explain {
			b.notef(h, "a new TCP connection to the %s load balancer node %s", s.lb.Type, z.LBPublic)
		}
	}
	// 3. LB → a healthy worker in its AZ on the NodePort.
	var tgt *lbTarget
	if conn != nil {
		for i := range s.lb.Targets {
			if s.lb.Targets[i].Node == conn.Node {
				tgt = &s.lb.Targets[i]
			}
		}
	} else {
		tgt = s.pickTarget(z)
	}
	if tgt == nil {
		h.Failed = true
		if s.lb.Type == "NLB" {
			b.fail("timeout", connectTimeoutMs, fmt.Sprintf("the NLB node in %s has no healthy target in its AZ and cross-zone load balancing is off", z.Name))
		} else {
			b.fail("reset", 0, fmt.Sprintf("the Classic ELB node in %s has no healthy target in its AZ (cross-zone off) and closes the connection", z.Name))
		}
		return
	}
	n := s.nodeByName(tgt.Node)
	nodePort := s.routerSvc.HTTPNodePort
	if https {
		nodePort = s.routerSvc.HTTPSNodePort
	}
	lbSrc, clientSeen := src, c.IP
	if s.lb.Type == "Classic" {
		lbSrc = z.LBPrivate + ":" + strconv.Itoa(40000+int(b.r.ID%20000))
	}
	h = b.add(Hop{Kind: HopLB, From: lbEl, To: n.hopID, Src: lbSrc, Dst: n.nodePortAddr(https)}, s.jitter(lat.LBMs))
	where := "in " + n.Zone
	if n.Zone != z.Name {
		where = fmt.Sprintf("in %s: cross-zone load balancing is on, so the LB node in %s crosses AZs", n.Zone, z.Name)
	}
	if s.lb.Type == "Classic" && b.explain {
		h.detail().Headers = []string{fmt.Sprintf("PROXY TCP4 %s %s %s %d", c.IP, z.LBPublic, src[strings.LastIndexByte(src, ':')+1:], port)}
		if b.explain {
			b.notef(h, "the Classic ELB ends the client's TCP connection and opens its own to %s (healthy, %s) on NodePort %d; PROXY protocol v1 carries the client IP %s", n.Name, where, nodePort, c.IP)
		}
	} else {
		if b.explain {
			b.notef(h, "the NLB forwards the packets to %s (healthy, %s) on NodePort %d, keeping the client IP %s as source", n.Name, where, nodePort, c.IP)
		}
	}
	if !s.nodeUp(n) {
		h.Failed = true
		b.fail("timeout", connectTimeoutMs, fmt.Sprintf("node %s is down but still healthy in the LB until %d checks fail", n.Name, healthThreshold))
		return
	}
	// 4. kube-proxy on the node: externalTrafficPolicy Local → the router pod on this node.
	rp := s.localRouter(n.Name)
	if conn != nil && conn.Router != "" {
		if p := s.pods[conn.Router]; p != nil && p.Ready && !p.Terminating {
			rp = p
		}
	}
	if rp == nil {
		h.Failed = true
		b.fail("timeout", connectTimeoutMs, fmt.Sprintf("externalTrafficPolicy Local: node %s has no ready router pod, so kube-proxy drops the packet (the LB health check will mark the node unhealthy)", n.Name))
		return
	}
	routerPort := 80
	if https {
		routerPort = 443
	}
	h = b.add(Hop{Kind: HopNodePort, From: n.hopID, To: rp.hopID, Src: lbSrc, Dst: rp.routerAddr(https)}, s.jitter(lat.NodeMs))
	if b.explain {
		h.detail().NAT = fmt.Sprintf("DNAT %s:%d → %s:%d (no SNAT)", n.IP, nodePort, rp.IP, routerPort)
	}
	if b.explain {
		b.notef(h, "kube-proxy's rule for router-default (externalTrafficPolicy: Local) DNATs the NodePort to the router pod on this node, %s, without SNAT", rp.Name)
	}
	if c.Kind == "browser" {
		c.Conn = &clientConn{Zone: z.Name, Node: n.Name, Router: rp.Key, Host: u.Host, HTTPS: https, LastUsed: s.now, Src: src}
		if conn != nil {
			c.Conn.PassPod = conn.PassPod
		}
	}
	routerHop := len(b.r.Hops) - 1
	s.routeInRouter(b, c, rp, u, clientSeen, routerHop)
}

func (s *Sim) lbIdleTimeout() int64 {
	if s.lb.Type == "NLB" {
		return nlbIdleTimeoutMs
	}
	return clbIdleTimeoutMs
}

// connUsable says whether a browser's open connection still works.
func (s *Sim) connUsable(conn *clientConn) bool {
	z := s.zoneByName(conn.Zone)
	n := s.nodeByName(conn.Node)
	p := s.pods[conn.Router]
	return z != nil && !z.Down && s.nodeUp(n) && p != nil && p.Ready && !p.Terminating
}

// resolve answers a DNS query for an external host; the note is built
// only when explaining.
func (s *Sim) resolve(host string, explain bool) ([]*zone, string) {
	dom := s.domain
	if s.dnsCache.version != s.version {
		s.dnsCache.zones = s.dnsCache.zones[:0:0]
		for _, zn := range s.zonesInDNS() {
			s.dnsCache.zones = append(s.dnsCache.zones, s.zoneByName(zn))
		}
		s.dnsCache.version = s.version
	}
	zs := s.dnsCache.zones
	if strings.HasSuffix(host, dom) && len(host) > len(dom) && host[len(host)-len(dom)-1] == '.' {
		if !explain {
			return zs, ""
		}
		return zs, fmt.Sprintf("Route 53 holds the wildcard record *.%s, made by the ingress operator, pointing at the load balancer %s", dom, s.lb.DNSName)
	}
	for _, r := range s.routes { // an existence test: the order does not matter
		if r.Spec.Host == host {
			if !explain {
				return zs, ""
			}
			return zs, fmt.Sprintf("%s is a CNAME (made by the app's owner) to the load balancer %s", host, s.lb.DNSName)
		}
	}
	return nil, fmt.Sprintf("NXDOMAIN: %s is not under *.%s", host, dom)
}

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
	m := cfg.match(u.Host, path, https)
	if b.explain { // routes the router was never given
		for _, k := range sortedKeys(s.routes) {
			if r := s.routes[k]; !r.Admitted && strings.EqualFold(r.Spec.Host, u.Host) {
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
		if id, ok := c.Cookies[be.CookieName]; ok {
			for i, sv := range be.Servers {
				if sv.ID == id {
					idx, why = i, fmt.Sprintf("sticky cookie %s names this server, so the router skips balancing", be.CookieName[:8])
				}
			}
		}
	}
	if idx < 0 {
		idx, why = s.pickServer(rp, rs, be, clientIP, b.explain, "")
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
	encap, drop := s.podToPod(rn, tn)
	ph.Encapsulation = encap
	if encap != "" && b.explain {
		ph.detail().Outer = outerHeader(rn, tn)
	}
	h := b.add(ph, dur)
	if b.explain {
		if attempt > 0 {
			b.notef(h, "%s: a new connection to %s:%d. %s", why, sv.IP, sv.Port, s.encapNote(rn, tn, encap, drop))
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
				be.Key, matchedBy(be), other, be.Forced, why, w, mode, sv.IP, sv.Port, s.encapNote(rn, tn, encap, drop))
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

// serveInPod: the app answers, then the response retraces the path.
func (s *Sim) serveInPod(b *reqBuilder, target *pod, rp *pod, be *backend) {
	d := s.deploys[target.Owner]
	svc := s.settings.Latency.ServiceMs
	if d != nil && d.Spec.ServiceMs > 0 {
		svc = d.Spec.ServiceMs
	}
	h := b.add(Hop{Kind: HopApp, From: target.hopID, To: target.hopID, Src: "", Dst: target.IP}, s.jitter(svc))
	if rp != nil {
		if b.explain {
			if be.Termination == "passthrough" {
				b.notef(h, "pod %s ends TLS and serves the request; at L3 it sees the router pod %s as the source, and with passthrough no X-Forwarded-For is added, so the client IP is not visible to the pod", target.Key, rp.IP)
			} else {
				b.notef(h, "pod %s serves the request; at L3 it sees the router pod %s as the source, the client IP is in X-Forwarded-For", target.Key, rp.IP)
			}
		}
		s.schedule(timer{At: h.EndMs, Kind: tmConnDone, Key: rp.Key, Pod: target.Key})
	} else {
		if b.explain {
			b.notef(h, "pod %s serves the request", target.Key)
		}
	}
	if rp != nil && target.RestartAt > 0 && target.RestartAt < h.EndMs {
		// The kubelet kills the container mid-request: the router sees the
		// connection closed without a response.
		h.EndMs = max(target.RestartAt, h.StartMs)
		b.t = h.EndMs
		h.Failed = true
		b.r.Reason = fmt.Sprintf("502 Bad Gateway: pod %s's container was restarted (liveness) before it answered; the router saw the connection close", target.Key)
		b.respond(502, "http-error")
		return
	}
	if rp != nil && h.EndMs-h.StartMs > be.TimeoutMs {
		h.EndMs = h.StartMs + be.TimeoutMs
		b.t = h.EndMs
		h.Failed = true
		b.r.Reason = fmt.Sprintf("504 Gateway Timeout: the pod did not answer within the router's server timeout (%d s)", be.TimeoutMs/1000)
		b.respond(504, "http-error")
		return
	}
	b.respond(200, "ok")
}

// matchedBy says what the router matched a route on.
func matchedBy(be *backend) string {
	if be.Termination == "passthrough" {
		return "SNI " + be.Host + "; passthrough routes match on the TLS server name only, no path"
	}
	return "host " + be.Host + ", longest matching path " + orSlash(be.Path)
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
			noPort, port = append(noPort, bs.Key), bs.NoPort
		}
	}
	switch {
	case len(be.Servers) == 0 && len(noPort) > 0:
		return fmt.Sprintf("route %s's target port %q matches no port of Service %s (a Route may name any port; the router then has no server for it)", be.Key, port, strings.Join(noPort, ", "))
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
