package model

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the hops from the Internet into the cluster: DNS, the
// Internet, the AWS load balancer and the router Service's NodePort.

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
