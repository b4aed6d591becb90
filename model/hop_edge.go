package model

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the hops from outside the cluster into it: DNS, the
// Internet, the AWS load balancer and the router Service's NodePort. Both
// Internet clients and pods that call a Route host (out through their node
// and the AZ's NAT gateway, back in through the load balancer) take them.

// lbClient is who opens the TCP connection to the load balancer.
type lbClient struct {
	IP  string // the source address the load balancer sees
	Src string // IP:port of the connection
}

// externalRequest: DNS → LB → NodePort → router → pod → back.
func (s *Sim) externalRequest(b *reqBuilder, c *client, u parsedURL) {
	lat := s.settings.Latency
	clientEl := c.hopID()
	https := u.Scheme == "https"
	if !s.lbListens(b, u) {
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
		z = s.pickLBNode(b, rh, answer, "the client")
	} else {
		z = s.zoneByName(conn.Zone)
	}
	// 2. Internet → the LB node of that AZ.
	src := c.nextSrc()
	if conn != nil {
		src = conn.Src
	}
	h := b.add(Hop{Kind: HopInternet, From: clientEl, To: z.hopID, Src: src, Dst: z.lbAddr(https)}, s.jitter(lat.InternetMs))
	if b.explain {
		if conn != nil {
			b.notef(h, "the browser reuses its keep-alive connection to the %s LB node", z.Name)
		} else {
			b.notef(h, "a new TCP connection to the %s load balancer node %s", s.lb.Type, z.LBPublic)
		}
	}
	s.throughLB(b, c, u, z, h, lbClient{IP: c.IP, Src: src}, conn)
}

// lbListens fails a request for a port the load balancer has no listener on.
func (s *Sim) lbListens(b *reqBuilder, u parsedURL) bool {
	if u.Port == 80 || u.Port == 443 {
		return true
	}
	b.fail("timeout", connectTimeoutMs, fmt.Sprintf("the load balancer listens only on TCP 80 and 443, not %d", u.Port))
	return false
}

// pickLBNode is the client taking one address of the DNS answer.
func (s *Sim) pickLBNode(b *reqBuilder, rh *Hop, answer []*zone, who string) *zone {
	z := answer[s.rng.IntN(len(answer))]
	if b.explain {
		which := "one per AZ with a healthy target"
		if s.lb.CrossZone {
			which = "one per AZ that is up (cross-zone load balancing is on: each LB node forwards to healthy targets in any AZ)"
		}
		note := fmt.Sprintf("the answer holds %d address(es), %s; %s picked %s (%s)", len(answer), which, who, z.LBPublic, z.Name)
		if prev := rh.Detail().Note; prev != "" {
			note = prev + "; " + note
		}
		rh.detail().Note = note
	}
	return z
}

// throughLB carries a connection that has reached the LB node of zone z
// (inHop) on to a router pod: LB → a target's NodePort → kube-proxy →
// router, then everything the router does. conn is a browser's reused
// connection, nil for a new one.
func (s *Sim) throughLB(b *reqBuilder, c *client, u parsedURL, z *zone, inHop *Hop, from lbClient, conn *clientConn) {
	lat := s.settings.Latency
	https := u.Scheme == "https"
	b.lbIdleMs = s.lbIdleTimeout()
	if z.Down {
		inHop.Failed = true
		b.fail("timeout", connectTimeoutMs, fmt.Sprintf("AZ %s is down: its LB node does not answer (DNS still lists it until its health checks fail)", z.Name))
		return
	}
	// 3. LB → a target in its AZ on the NodePort.
	var tgt *lbTarget
	failOpen := false
	if conn != nil {
		for i := range s.lb.Targets {
			if s.lb.Targets[i].Node == conn.Node {
				tgt = &s.lb.Targets[i]
			}
		}
	} else {
		tgt, failOpen = s.pickTarget(z)
	}
	if tgt == nil {
		inHop.Failed = true
		b.fail("reset", 0, fmt.Sprintf("the Classic ELB node in %s has no healthy target in its AZ (cross-zone off) and closes the connection", z.Name))
		return
	}
	n := s.nodeByName(tgt.Node)
	nodePort := s.routerSvc.HTTPNodePort
	if https {
		nodePort = s.routerSvc.HTTPSNodePort
	}
	lbSrc := from.Src
	if s.lb.Type == "Classic" {
		lbSrc = z.LBPrivate + ":" + strconv.Itoa(40000+int(b.r.ID%20000))
	}
	h := b.add(Hop{Kind: HopLB, From: z.hopID, To: n.hopID, Src: lbSrc, Dst: n.nodePortAddr(https)}, s.jitter(lat.LBMs))
	if b.explain {
		where := "in " + n.Zone
		if n.Zone != z.Name {
			where = fmt.Sprintf("in %s: cross-zone load balancing is on, so the LB node in %s crosses AZs", n.Zone, z.Name)
		}
		health := "healthy, " + where
		if failOpen {
			health = fmt.Sprintf("Unhealthy, %s: no target it may use is healthy, so the NLB fails open and sends to every one of them, healthy or not", where)
		}
		if s.lb.Type == "Classic" {
			port := 80
			if https {
				port = 443
			}
			h.detail().Headers = []string{fmt.Sprintf("PROXY TCP4 %s %s %s %d", from.IP, z.LBPublic, from.Src[strings.LastIndexByte(from.Src, ':')+1:], port)}
			b.notef(h, "the Classic ELB ends the client's TCP connection and opens its own to %s (%s) on NodePort %d; PROXY protocol v1 carries the client IP %s", n.Name, health, nodePort, from.IP)
		} else {
			b.notef(h, "the NLB forwards the packets to %s (%s) on NodePort %d, keeping the client IP %s as source", n.Name, health, nodePort, from.IP)
		}
	}
	if !s.nodeUp(n) {
		h.Failed = true
		b.fail("timeout", connectTimeoutMs, fmt.Sprintf("node %s is down but still healthy in the LB until %d checks fail", n.Name, healthThreshold))
		return
	}
	// 4. kube-proxy on the node: externalTrafficPolicy Local.
	rp, how := s.nodePortRouter(n)
	if conn != nil && conn.Router != "" {
		if p := s.pods[conn.Router]; p != nil && s.routerAccepts(p) {
			rp, how = p, "the browser's open connection stays on its router pod (conntrack keeps the flow)"
		}
	}
	if rp == nil {
		h.Failed = true
		b.fail("timeout", connectTimeoutMs, fmt.Sprintf("externalTrafficPolicy Local: node %s has no router pod that is ready or still serving, so kube-proxy drops the packet%s (the LB health check marks the node unhealthy)", n.Name, s.noFallbackNote()))
		return
	}
	routerPort := 80
	if https {
		routerPort = 443
	}
	rn := s.nodeByName(rp.Node)
	npSrc, clientSeen := lbSrc, from.IP
	encap, drop := "", ""
	if rn != n { // local-with-fallback: to a router on another node, masqueraded
		npSrc = n.IP + ":" + strconv.Itoa(50000+int(b.r.ID%10000))
		encap, drop = s.podToPod(n, rn)
		if s.lb.Type == "NLB" {
			clientSeen = n.IP // the NLB passed the client IP as source; the SNAT replaced it
		}
	}
	nh := Hop{Kind: HopNodePort, From: n.hopID, To: rp.hopID, Src: npSrc, Dst: rp.routerAddr(https), Encapsulation: encap}
	if encap != "" && b.explain {
		nh.detail().Outer = outerHeader(n, rn)
	}
	dur := s.jitter(lat.NodeMs)
	if rn != n {
		dur += s.jitter(lat.PodNetMs)
	}
	h = b.add(nh, dur)
	if b.explain {
		h.detail().NAT = fmt.Sprintf("DNAT %s:%d → %s:%d (no SNAT)", n.IP, nodePort, rp.IP, routerPort)
		if rn != n {
			h.detail().NAT = fmt.Sprintf("DNAT %s:%d → %s:%d and SNAT to the node IP %s (the router is on another node)", n.IP, nodePort, rp.IP, routerPort, n.IP)
		}
		b.notef(h, "kube-proxy's rule for router-default (externalTrafficPolicy: Local) sends the NodePort to %s: %s", rp.Name, how)
	}
	if drop != "" {
		h.Failed = true
		b.fail("timeout", connectTimeoutMs, "Calico: "+drop)
		return
	}
	if c.Kind == "browser" {
		c.Conn = &clientConn{Zone: z.Name, Node: n.Name, Router: rp.Key, Host: u.Host, HTTPS: https, LastUsed: s.now, Src: from.Src}
		if conn != nil {
			c.Conn.PassPod = conn.PassPod
		}
	}
	routerHop := len(b.r.Hops) - 1
	s.routeInRouter(b, c, rp, u, clientSeen, routerHop)
	if b.r.Outcome == "reset" {
		c.Conn = nil // the connection is closed
	}
}

// nodePortRouter is kube-proxy's choice on node n for the router Service
// (externalTrafficPolicy Local; kubernetes pkg/proxy/topology.go
// CategorizeEndpoints): a ready router pod on n; without one, a router pod
// on n that is terminating but still serving (ProxyTerminatingEndpoints,
// KEP-1669); without that, when kube-proxy honours local-with-fallback, a
// router on another node (ready, else serving); else none: the packet is
// dropped.
func (s *Sim) nodePortRouter(n *node) (*pod, string) {
	var serving *pod
	for _, p := range s.routerPods() {
		switch {
		case p.Node != n.Name || p.IP == "" || !s.routerAccepts(p):
		case p.Ready && !p.Terminating:
			return p, "the ready router pod on this node, without SNAT"
		case p.Ready && serving == nil:
			serving = p
		}
	}
	if serving != nil {
		return serving, "no router on this node is ready, but this one is terminating and still serving (its graceful shutdown delay), so kube-proxy keeps using it (ProxyTerminatingEndpoints) while the load balancer drains the node"
	}
	if !s.localWithFallback() {
		return nil, ""
	}
	eps := make([]endpoint, 0, len(s.routerPods()))
	for _, p := range s.routerPods() {
		if p.IP != "" && s.routerAccepts(p) {
			eps = append(eps, endpoint{Pod: p, Ready: p.Ready && !p.Terminating, Serving: p.Ready, Terminating: p.Terminating})
		}
	}
	all := usableEndpoints(eps, func(endpoint) bool { return true })
	if len(all) == 0 {
		return nil, ""
	}
	e := all[s.rng.IntN(len(all))]
	return e.Pod, fmt.Sprintf("no router on this node can serve, and the Service's annotation traffic-policy.network.alpha.openshift.io/local-with-fallback (set by the ingress operator, honoured by this OpenShift %s kube-proxy) forwards it to a router on another node instead of dropping it", s.settings.OpenShiftVersion)
}

// noFallbackNote says why local-with-fallback did not save the packet.
func (s *Sim) noFallbackNote() string {
	if s.localWithFallback() {
		return " and no router anywhere can take it"
	}
	return fmt.Sprintf(" (the ingress operator's local-with-fallback annotation is not honoured by kube-proxy on OpenShift %s)", s.settings.OpenShiftVersion)
}

func (s *Sim) lbIdleTimeout() int64 {
	if s.lb.Type == "NLB" {
		return nlbIdleTimeoutMs
	}
	return clbIdleTimeoutMs
}

// connUsable says whether a browser's open connection still works. The
// NLB resets the connections of a target that turned unhealthy
// (connection termination for unhealthy targets, on by default); the
// browser then opens a new one. The Classic ELB leaves them open.
func (s *Sim) connUsable(conn *clientConn) bool {
	z := s.zoneByName(conn.Zone)
	n := s.nodeByName(conn.Node)
	if z == nil || z.Down || !s.nodeUp(n) || !s.routerAccepts(s.pods[conn.Router]) {
		return false
	}
	if s.lb.Type == "NLB" {
		for _, t := range s.lb.Targets {
			if t.Node == conn.Node && !t.Healthy {
				return false
			}
		}
	}
	return true
}

// resolve answers a DNS query for a host outside the cluster; the note is
// built only when explaining.
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

// natGatewayIP is the Elastic IP of the NAT gateway in zone z's public
// subnet, the private subnet's default route (RFC 5737 documentation
// addresses, like every public address here).
func natGatewayIP(z *zone) string { return fmt.Sprintf("192.0.2.%d", 200+z.Index) }

// routeFromPod: a pod calls a Route host. DNS has answered the load
// balancer (answer, response hop rh); the connection leaves through the
// pod's node, where Calico's natOutgoing SNATs it to the node IP, and the
// AZ's NAT gateway (SNAT to its Elastic IP), and comes back in through the
// load balancer like any client's: a hairpin.
func (s *Sim) routeFromPod(b *reqBuilder, c *client, from *pod, fromNode *node, u parsedURL, answer []*zone, rh *Hop) {
	lat := s.settings.Latency
	z := s.pickLBNode(b, rh, answer, "the pod")
	if !s.lbListens(b, u) {
		return
	}
	https := u.Scheme == "https"
	podSrc := from.IP + ":" + strconv.Itoa(40000+int(b.r.ID%20000))
	eh := b.add(Hop{Kind: HopEgress, From: from.hopID, To: fromNode.hopID, Src: podSrc, Dst: z.lbAddr(https)}, s.jitter(lat.NodeMs))
	if ok, why := s.directionAllows(from, nil, z.LBPublic, u.Port, "TCP", "Egress"); !ok {
		eh.Failed = true
		b.fail("timeout", connectTimeoutMs*2, why+"; Calico drops the SYN and the caller's connect times out")
		return
	}
	if b.explain {
		eh.detail().NAT = fmt.Sprintf("SNAT %s → %s (Calico natOutgoing: the destination is outside the pod IP pool)", from.IP, fromNode.IP)
		b.notef(eh, "%s is no cluster address: the connection leaves the pod for its node, which masquerades it as the node IP. AWS gives router-default a load balancer hostname, not an IP, so kube-proxy has no rule to short-circuit it: the packet really leaves the cluster", z.LBPublic)
	}
	fz := s.zoneByName(fromNode.Zone)
	nat := natGatewayIP(fz)
	natSrc := nat + ":" + strconv.Itoa(1024+int(b.r.ID%60000))
	ih := b.add(Hop{Kind: HopInternet, From: fromNode.hopID, To: z.hopID, Src: natSrc, Dst: z.lbAddr(https)}, s.jitter(lat.LBMs))
	if b.explain {
		ih.detail().NAT = fmt.Sprintf("SNAT %s → %s (the NAT gateway of %s)", fromNode.IP, nat, fz.Name)
		b.notef(ih, "the private subnet's default route is the NAT gateway in %s, which sends it out with its Elastic IP to the internet-facing load balancer and back in: a hairpin. The load balancer sees the NAT gateway's address, not the node's, so the NLB limitation for a target calling itself (an internal NLB keeps the client IP, source and destination are the same node, the connection times out) does not arise", fz.Name)
	}
	s.throughLB(b, c, u, z, ih, lbClient{IP: nat, Src: natSrc}, nil)
}
