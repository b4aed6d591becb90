package model

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds east-west traffic: a pod calling a Service through
// CoreDNS, kube-proxy's rules and Calico.

// internalRequest: a pod calls a Service by name: CoreDNS answers the
// ClusterIP, kube-proxy on the caller's node DNATs to one endpoint, Calico
// carries it.
func (s *Sim) internalRequest(b *reqBuilder, c *client, u parsedURL) {
	lat := s.settings.Latency
	from := s.pods[c.ID]
	if from == nil || from.IP == "" {
		b.fail("refused", 0, "the calling pod does not exist or has no IP")
		return
	}
	b.r.ClientIP = from.IP
	fromNode := s.nodeByName(from.Node)
	sv, how := s.lookupService(u.Host, from.Namespace)
	onlyPod := "" // a StatefulSet pod's own name: only its address
	if sv == nil {
		if p, psv := s.podByHostname(u.Host, from.Namespace); p != nil {
			sv, how, onlyPod = psv, "the stable name of StatefulSet pod "+p.Key+" through headless Service "+psv.Spec.Name, p.Key
		}
	}
	dnsSrc := from.IP + ":" + strconv.Itoa(40000+int(b.r.ID%20000))
	h := b.add(Hop{Kind: HopDNS, From: from.hopID, To: "dns", Src: dnsSrc, Dst: dnsServiceIP + ":53"}, s.jitter(lat.DNSMs))
	if b.explain {
		h.detail().NAT = "DNAT 172.30.0.10:53 → a dns-default pod :5353"
	}
	if sv == nil {
		if b.explain {
			b.notef(h, "the pod asks CoreDNS (Service dns-default, 172.30.0.10; its pods listen on 5353) for %s", u.Host)
		}
		b.add(Hop{Kind: HopDNS, From: "dns", To: from.hopID, Src: dnsServiceIP + ":53", Dst: dnsSrc, Response: true, Failed: true}, s.jitter(lat.DNSMs))
		b.dnsHops = len(b.r.Hops)
		b.fail("nxdomain", 0, fmt.Sprintf("CoreDNS has no Service for %s (%s)", u.Host, how))
		return
	}
	svcKey := sv.Spec.Namespace + "/" + sv.Spec.Name
	b.r.Service = svcKey
	headless := sv.ClusterIP == "None"
	if b.explain {
		b.notef(h, "the pod asks CoreDNS (Service dns-default, 172.30.0.10; its pods listen on 5353) for %s", u.Host)
	}
	portIdx := -1
	for i, p := range sv.Spec.Ports {
		if p.Port == u.Port {
			portIdx = i
		}
	}
	eps := s.endpointsOf(sv, max(portIdx, 0))
	var ready []endpoint
	for _, e := range eps {
		if e.Ready && (sv.Spec.InternalTrafficPolicy != "Local" || e.Pod.Node == from.Node) && (onlyPod == "" || e.Pod.Key == onlyPod) {
			ready = append(ready, e)
		}
	}
	rh := b.add(Hop{Kind: HopDNS, From: "dns", To: from.hopID, Src: dnsServiceIP + ":53", Dst: dnsSrc, Response: true}, s.jitter(lat.DNSMs))
	b.dnsHops = len(b.r.Hops)
	if headless {
		if b.explain {
			b.notef(rh, "headless Service %s: CoreDNS answers the ready pod IPs themselves (%d), no ClusterIP and no kube-proxy", svcKey, len(ready))
		}
	} else {
		if b.explain {
			b.notef(rh, "CoreDNS answers the ClusterIP %s of %s (%s) — a virtual IP on no interface", sv.ClusterIP, svcKey, how)
		}
	}
	if portIdx < 0 && !headless {
		b.fail("refused", 0, fmt.Sprintf("Service %s has no port %d; kube-proxy has no rule, the connection to %s:%d is refused", svcKey, u.Port, sv.ClusterIP, u.Port))
		return
	}
	if len(ready) == 0 {
		fh := b.add(Hop{Kind: HopService, From: from.hopID, To: from.hopID, Src: dnsSrc, Dst: sv.ClusterIP + ":" + strconv.Itoa(u.Port), Failed: true}, 1)
		if b.explain {
			b.notef(fh, "kube-proxy's REJECT rule: %s has no ready endpoint", svcKey)
		}
		b.fail("refused", 0, fmt.Sprintf("Service %s has no ready endpoints: kube-proxy's REJECT rule refuses the connection at once (a Route would answer 503 instead)", svcKey))
		return
	}
	// kube-proxy's choice on the caller's node.
	var pick endpoint
	why := ""
	affKey := svcKey + "|" + from.IP
	if a, ok := s.affinity[affKey]; ok && sv.Spec.SessionAffinity == "ClientIP" && a.Until > s.now {
		for _, e := range ready {
			if e.Pod.Key == a.Pod {
				pick, why = e, "sessionAffinity ClientIP: this client IP was sent to this endpoint before (10800 s timeout)"
			}
		}
	}
	if pick.Pod == nil {
		switch {
		case headless:
			pick = ready[s.rng.IntN(len(ready))]
			why = "the client took one of the addresses DNS returned"
		case s.settings.KubeProxyMode == "ipvs":
			k := fromNode.Name + "|" + svcKey
			pick = ready[s.ipvsRR[k]%len(ready)]
			s.ipvsRR[k]++
			why = fmt.Sprintf("IPVS rr on %s: endpoints in turn, this is number %d of %d", fromNode.Name, (s.ipvsRR[k]-1)%len(ready)+1, len(ready))
		default:
			n := len(ready)
			for i := 0; i < n; i++ {
				if i == n-1 || s.rng.Float64() < 1/float64(n-i) {
					pick = ready[i]
					why = fmt.Sprintf("iptables on %s: the rules match with probability %s in turn, so each of the %d endpoints gets 1/%d per new connection; rule %d matched", fromNode.Name, strings.Join(probsAll(n), ", "), n, n, i+1)
					break
				}
			}
		}
		if sv.Spec.SessionAffinity == "ClientIP" {
			s.affinity[affKey] = affinityEntry{Pod: pick.Pod.Key, Until: s.now + affinityTimeoutMs}
		}
	}
	tn := s.nodeByName(pick.Pod.Node)
	encap, drop := s.toPod(fromNode, pick.Pod, pick.Port)
	dur := s.jitter(lat.PodNetMs)
	if tn != nil && fromNode != nil && tn.Zone != fromNode.Zone {
		dur += lat.CrossZoneMs
	}
	dst := pick.Pod.IP + ":" + strconv.Itoa(pick.Port)
	ph := Hop{Kind: HopService, From: from.hopID, To: pick.Pod.hopID, Src: dnsSrc, Dst: dst, Encapsulation: encap}
	if encap != "" && b.explain {
		ph.detail().Outer = outerHeader(fromNode, tn)
	}
	if !headless {
		ph.detail().NAT = fmt.Sprintf("DNAT %s:%d → %s on %s (kube-proxy rules of the caller's node)", sv.ClusterIP, u.Port, dst, from.Node)
	}
	h = b.add(ph, dur)
	if b.explain {
		b.notef(h, "%s. %s", why, s.toPodNote(fromNode, pick.Pod, encap, drop))
	}
	b.r.Pod = pick.Pod.Key
	problem := ""
	switch {
	case drop != "":
		problem = drop
	case !s.nodeUp(tn):
		problem = "node " + pick.Pod.Node + " is down"
	default:
		if ok, w := s.policyAllows(from, pick.Pod, pick.Port); !ok {
			problem = w
		}
	}
	if problem != "" {
		h.Failed = true
		b.r.Pod = ""
		b.fail("timeout", connectTimeoutMs*2, problem+"; the caller's connect times out")
		return
	}
	s.serveInPod(b, pick.Pod, nil, nil)
}

func probsAll(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "1/" + strconv.Itoa(n-i)
	}
	if n > 0 {
		out[n-1] = "1"
	}
	return out
}

// lookupService resolves a cluster DNS name (or a ClusterIP) from a pod
// in namespace ns, the way the pod's search path does.
func (s *Sim) lookupService(host, ns string) (*service, string) {
	for _, k := range sortedKeys(s.services) {
		if s.services[k].ClusterIP == host {
			return s.services[k], "a ClusterIP given directly"
		}
	}
	name, svcNS := host, ns
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	switch {
	case len(parts) == 1:
		name = parts[0]
	case len(parts) >= 2 && (len(parts) == 2 || parts[2] == "svc"):
		name, svcNS = parts[0], parts[1]
	default:
		return nil, "not a cluster Service name"
	}
	if sv := s.services[svcNS+"/"+name]; sv != nil {
		return sv, fmt.Sprintf("%s.%s.svc.cluster.local", name, svcNS)
	}
	return nil, fmt.Sprintf("no Service %s in namespace %s", name, svcNS)
}
