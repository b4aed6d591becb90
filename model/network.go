package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// podToPod is Calico's data path between the nodes of two pods: same node
// → veth and a /32 host route, no encapsulation; other node → per the IP
// pool's mode. AZs are subnets on AWS, so cross-AZ traffic crosses
// subnets. It returns the encapsulation and, when the packet cannot
// arrive, why.
func (s *Sim) podToPod(from, to *node) (encap, dropped string) {
	if from == nil || to == nil || from.Name == to.Name {
		return "", ""
	}
	crossSubnet := from.Zone != to.Zone
	mode := s.settings.Encapsulation
	switch {
	case mode == "VXLAN" || (mode == "VXLANCrossSubnet" && crossSubnet):
		return "vxlan", ""
	case mode == "IPIP" || (mode == "IPIPCrossSubnet" && crossSubnet):
		if !s.settings.SecurityGroupsAllowIPIPAndBGP {
			return "ipip", fmt.Sprintf("the AWS security groups between %s and %s open VXLAN (UDP 4789) but not IP protocol 4, so the IP-in-IP packet is dropped (allow it, or use VXLAN)", from.Name, to.Name)
		}
		return "ipip", ""
	}
	// Unencapsulated: pod IPs travel as they are. Pools in Never and
	// IPIPCrossSubnet mode learn the routes over BGP; a VXLANCrossSubnet
	// pool does not use BGP (Felix programs the same-subnet routes).
	if mode != "VXLANCrossSubnet" && !s.settings.SecurityGroupsAllowIPIPAndBGP {
		return "", fmt.Sprintf("without encapsulation Calico needs BGP (TCP 179) between nodes to learn pod routes, and the AWS security groups do not open it, so %s has no route to %s's pods", from.Name, to.Name)
	}
	if crossSubnet {
		return "", fmt.Sprintf("unencapsulated pod traffic from %s to %s crosses subnets (AZ %s → %s) and the VPC route table knows no route to the pod CIDR, so it is dropped", from.Name, to.Name, from.Zone, to.Zone)
	}
	if *s.settings.SourceDestCheck {
		return "", fmt.Sprintf("unencapsulated pod traffic from %s to %s carries pod IPs, and the EC2 source/destination check is on, so EC2 drops it", from.Name, to.Name)
	}
	return "", ""
}

// outerHeader is the encapsulating header's node-to-node addresses.
func outerHeader(from, to *node) string { return from.IP + " → " + to.IP }

func (s *Sim) encapNote(from, to *node, encap, dropped string) string {
	switch {
	case dropped != "":
		return "Calico: " + dropped + "."
	case from == nil || to == nil:
		return ""
	case from.Name == to.Name:
		return fmt.Sprintf("Same node %s: out of the sending pod's veth, a /32 host route to the pod's cali* veth; no encapsulation.", from.Name)
	}
	where, why := "Other node in the same AZ and subnet", ""
	if from.Zone != to.Zone {
		where = fmt.Sprintf("Other node in another AZ (%s → %s: another subnet, more latency, inter-AZ data charges)", from.Zone, to.Zone)
		if strings.HasSuffix(s.settings.Encapsulation, "CrossSubnet") {
			why = ", because the nodes are in different subnets"
		}
	}
	switch encap {
	case "vxlan":
		return fmt.Sprintf("%s: Calico wraps the packet in VXLAN (vxlan.calico, UDP 4789, VNI 4096, +50 bytes), outer %s → %s (pool mode %s%s).", where, from.IP, to.IP, s.settings.Encapsulation, why)
	case "ipip":
		return fmt.Sprintf("%s: Calico wraps the packet in IP-in-IP (tunl0, IP protocol 4, +20 bytes), outer %s → %s (pool mode %s%s).", where, from.IP, to.IP, s.settings.Encapsulation, why)
	}
	routes := "routes learned over BGP"
	if s.settings.Encapsulation == "VXLANCrossSubnet" {
		routes = "routes Felix programs itself (VXLAN pools need no BGP)"
	}
	return fmt.Sprintf("%s: routed without encapsulation (pool mode %s, %s, source/destination check off).", where, s.settings.Encapsulation, routes)
}

// policyAllows applies NetworkPolicy with Kubernetes semantics: a pod
// accepts everything until a policy selects it for a direction; then only
// the union of the allows gets through. Both the sender's egress and the
// receiver's ingress must allow. Replies are allowed (stateful).
func (s *Sim) policyAllows(src, dst *pod, port int) (bool, string) {
	if src != nil {
		if ok, why := s.directionAllows(src, dst, "", port, "Egress"); !ok {
			return false, why
		}
	}
	return s.directionAllows(dst, src, "", port, "Ingress")
}

// directionAllows checks the policies that select subject for one
// direction against peer (a pod) on the given port.
func (s *Sim) directionAllows(subject, peer *pod, peerIP string, port int, dir string) (bool, string) {
	selected := false
	var names []string
	for _, k := range sortedKeys(s.policies) {
		np := s.policies[k]
		if np.Namespace != subject.Namespace || !slices.Contains(policyTypes(np), dir) || !matchSelector(np.PodSelector, subject.Labels) {
			continue
		}
		selected = true
		names = append(names, np.Name)
		rules := np.Ingress
		if dir == "Egress" {
			rules = np.Egress
		}
		for _, r := range rules {
			if s.ruleAllows(r, np.Namespace, peer, peerIP, port, subject) {
				return true, ""
			}
		}
	}
	if !selected {
		return true, ""
	}
	peerName := peerIP
	if peer != nil {
		peerName = peer.Key
	}
	if dir == "Ingress" {
		return false, fmt.Sprintf("NetworkPolicy %s selects %s for ingress and none allows %s on port %d, so Calico drops the packets", strings.Join(names, ", "), subject.Key, peerName, port)
	}
	return false, fmt.Sprintf("NetworkPolicy %s selects %s for egress and none allows traffic to %s on port %d", strings.Join(names, ", "), subject.Key, peerName, port)
}

func policyTypes(np *NetworkPolicy) []string {
	if len(np.PolicyTypes) > 0 {
		return np.PolicyTypes
	}
	t := []string{"Ingress"}
	if len(np.Egress) > 0 {
		t = append(t, "Egress")
	}
	return t
}

func (s *Sim) ruleAllows(r PolicyRule, policyNS string, peer *pod, peerIP string, port int, subject *pod) bool {
	if len(r.Ports) > 0 {
		okPort := false
		for _, pp := range r.Ports {
			if pp.Port == "" || pp.Port == strconv.Itoa(port) || namedPortIs(subject, pp.Port, port) || (peer != nil && namedPortIs(peer, pp.Port, port)) {
				okPort = true
			}
		}
		if !okPort {
			return false
		}
	}
	if len(r.Peers) == 0 {
		return true
	}
	for _, p := range r.Peers {
		if p.IPBlock != "" {
			ip := peerIP
			if peer != nil {
				ip = peer.IP
			}
			if pfx, err := netip.ParsePrefix(p.IPBlock); err == nil {
				if a, err := netip.ParseAddr(ip); err == nil && pfx.Contains(a) {
					return true
				}
			}
			continue
		}
		if peer == nil {
			continue
		}
		nsOK := false
		if p.NamespaceSelector == nil {
			nsOK = peer.Namespace == policyNS
		} else if ns := s.namespaces[peer.Namespace]; ns != nil {
			nsOK = matchSelector(*p.NamespaceSelector, ns.Labels)
		}
		podOK := p.PodSelector == nil || matchSelector(*p.PodSelector, peer.Labels)
		if nsOK && podOK {
			return true
		}
	}
	return false
}

func namedPortIs(p *pod, name string, port int) bool {
	for _, cp := range p.Ports {
		if cp.Name == name && cp.Port == port {
			return true
		}
	}
	return false
}

// matchSelector evaluates a LabelSelector; an empty one selects everything.
func matchSelector(sel LabelSelector, labels map[string]string) bool {
	for k, v := range sel.MatchLabels {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	for _, e := range sel.MatchExpressions {
		v, has := labels[e.Key]
		switch e.Operator {
		case "In":
			if !has || !slices.Contains(e.Values, v) {
				return false
			}
		case "NotIn":
			if has && slices.Contains(e.Values, v) {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		default:
			return false
		}
	}
	return true
}

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
		if e.Ready && (sv.Spec.InternalTrafficPolicy != "Local" || e.Pod.Node == from.Node) {
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
	encap, drop := s.podToPod(fromNode, tn)
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
		b.notef(h, "%s. %s", why, s.encapNote(fromNode, tn, encap, drop))
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
