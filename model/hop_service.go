package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// This file holds east–west traffic: a pod resolving a name through
// CoreDNS, then calling a Service through kube-proxy's rules and Calico,
// a headless Service's pod IPs directly, or a Route host through the load
// balancer (hop_edge.go).

// internalRequest: a pod calls a name. The query goes to CoreDNS (and is
// subject to the pod's egress NetworkPolicy, like any packet); CoreDNS
// answers a Service's ClusterIP, or a headless Service's pod IPs, and
// forwards other names upstream.
func (s *Sim) internalRequest(b *reqBuilder, c *client, u parsedURL) {
	lat := s.settings.Latency
	from := s.pods[c.ID]
	if from == nil || from.IP == "" {
		b.fail("refused", 0, "the calling pod does not exist or has no IP")
		return
	}
	b.r.ClientIP = from.IP
	fromNode := s.nodeByName(from.Node)
	dnsSrc := from.IP + ":" + strconv.Itoa(40000+int(b.r.ID%20000))
	if isIPv4(u.Host) {
		s.addressRequest(b, from, fromNode, u, dnsSrc)
		return
	}
	dns := s.dnsPod(fromNode)
	h := b.add(Hop{Kind: HopDNS, From: from.hopID, To: "dns", Src: dnsSrc, Dst: dnsServiceIP + ":53"}, s.jitter(lat.DNSMs))
	if b.explain {
		h.detail().NAT = fmt.Sprintf("DNAT %s:53 → %s:5353 (UDP)", dnsServiceIP, dns.IP)
		b.notef(h, "the pod asks CoreDNS (Service dns-default, %s) for %s; kube-proxy sends the query to %s, the dns-default pod on %s (%s), which listens on UDP 5353", dnsServiceIP, u.Host, dns.IP, fromNode.Name, s.dnsPodChoice())
	}
	// Calico checks the query after the DNAT: against the DNS pod, UDP 5353.
	if ok, why := s.policyAllowsProto(from, dns, 5353, "UDP"); !ok {
		h.Failed = true
		b.dnsHops = len(b.r.Hops)
		b.fail("dns-timeout", dnsTimeoutMs, fmt.Sprintf("DNS fails first: the query to %s:53 is DNATed to the dns-default pod %s:5353 (UDP) and %s; Calico drops it, the resolver gives up after %d s (5 s, 2 tries) and %s never resolves (curl: Could not resolve host), so no connection is even tried", dnsServiceIP, dns.IP, why, dnsTimeoutMs/1000, u.Host))
		return
	}
	sv, how, inCluster := s.lookupService(u.Host, from.Namespace)
	onlyPod := "" // a StatefulSet pod's own name: only its address
	if sv == nil {
		if p, psv := s.podByHostname(u.Host, from.Namespace); p != nil {
			sv, how, inCluster, onlyPod = psv, "the stable name of StatefulSet pod "+p.Key+" through headless Service "+psv.Spec.Name, true, p.Key
		}
	}
	if sv == nil && !inCluster {
		answer, note := s.resolve(u.Host, b.explain)
		if len(answer) > 0 {
			rh := b.add(Hop{Kind: HopDNS, From: "dns", To: from.hopID, Src: dnsServiceIP + ":53", Dst: dnsSrc, Response: true}, s.jitter(lat.DNSMs))
			b.dnsHops = len(b.r.Hops)
			if b.explain {
				b.notef(rh, "%s is not a cluster name: CoreDNS forwards it upstream to the VPC's resolver, which answers from the cluster's private hosted zone (the ingress operator publishes the wildcard record to the private zone as well as the public one): %s", u.Host, note)
			}
			s.routeFromPod(b, c, from, fromNode, u, answer, rh)
			return
		}
	}
	if sv == nil {
		b.add(Hop{Kind: HopDNS, From: "dns", To: from.hopID, Src: dnsServiceIP + ":53", Dst: dnsSrc, Response: true, Failed: true}, s.jitter(lat.DNSMs))
		b.dnsHops = len(b.r.Hops)
		if inCluster {
			b.fail("nxdomain", 0, fmt.Sprintf("CoreDNS has no Service for %s (%s)", u.Host, how))
		} else {
			b.fail("nxdomain", 0, fmt.Sprintf("DNS has no record for %s: CoreDNS forwarded it upstream, which answered NXDOMAIN (it is not under *.%s and no route claims it)", u.Host, s.ingressDomain()))
		}
		return
	}
	if sv.ClusterIP == "None" {
		eps := s.endpointsOf(sv, max(servicePortIndex(sv, u.Port), 0))
		if onlyPod != "" {
			eps = slices.DeleteFunc(eps, func(e endpoint) bool { return e.Pod.Key != onlyPod })
		}
		s.headlessRequest(b, from, fromNode, sv, eps, u, dnsSrc)
		return
	}
	rh := b.add(Hop{Kind: HopDNS, From: "dns", To: from.hopID, Src: dnsServiceIP + ":53", Dst: dnsSrc, Response: true}, s.jitter(lat.DNSMs))
	b.dnsHops = len(b.r.Hops)
	if b.explain {
		b.notef(rh, "CoreDNS answers the ClusterIP %s of %s/%s (%s) — a virtual IP on no interface", sv.ClusterIP, sv.Spec.Namespace, sv.Spec.Name, how)
	}
	s.clusterIPRequest(b, from, fromNode, sv, u, dnsSrc)
}

// servicePortIndex is the index of the Service port numbered port, −1
// when the Service does not define it.
func servicePortIndex(sv *service, port int) int {
	idx := -1
	for i, p := range sv.Spec.Ports {
		if p.Port == port {
			idx = i
		}
	}
	return idx
}

// clusterIPRequest: the connection to ClusterIP:port, which kube-proxy's
// rules on the caller's node turn into one endpoint.
func (s *Sim) clusterIPRequest(b *reqBuilder, from *pod, fromNode *node, sv *service, u parsedURL, dnsSrc string) {
	svcKey := sv.Spec.Namespace + "/" + sv.Spec.Name
	b.r.Service = svcKey
	portIdx := servicePortIndex(sv, u.Port)
	eps := s.endpointsOf(sv, max(portIdx, 0))
	vip := sv.ClusterIP + ":" + strconv.Itoa(u.Port)
	if portIdx < 0 {
		s.undefinedServicePort(b, from, fromNode, svcKey, vip, dnsSrc, u.Port)
		return
	}
	// kube-proxy's rules on the caller's node (CategorizeEndpoints).
	cluster := usableEndpoints(eps, func(endpoint) bool { return true })
	pool := cluster
	local := sv.Spec.InternalTrafficPolicy == "Local"
	if local {
		pool = usableEndpoints(eps, func(e endpoint) bool { return e.Pod.Node == from.Node })
	}
	switch {
	case len(cluster) == 0:
		fh := b.add(Hop{Kind: HopService, From: from.hopID, To: from.hopID, Src: dnsSrc, Dst: vip, Failed: true}, 1)
		if b.explain {
			b.notef(fh, "kube-proxy's REJECT rule: %s has no ready endpoint", svcKey)
		}
		b.fail("refused", 0, fmt.Sprintf("Service %s has no ready endpoints: kube-proxy's REJECT rule refuses the connection at once (a Route would answer 503 instead)", svcKey))
		return
	case len(pool) == 0:
		fh := b.add(Hop{Kind: HopService, From: from.hopID, To: fromNode.hopID, Src: dnsSrc, Dst: vip, Failed: true}, 1)
		if b.explain {
			b.notef(fh, "kube-proxy's DROP rule: %s has no local endpoint", svcKey)
		}
		b.fail("timeout", connectTimeoutMs*2, fmt.Sprintf("Service %s has internalTrafficPolicy Local and no endpoint on %s: kube-proxy DROPs the packet (it REJECTs only when the Service has no endpoint at all), so the connect times out instead of being refused", svcKey, from.Node))
		return
	}
	pick, why := s.kubeProxyPick(fromNode, sv, svcKey, from.IP, pool)
	if !pool[0].Ready {
		why = "no endpoint is ready, so kube-proxy uses those that are terminating but still serving (ProxyTerminatingEndpoints); " + why
	}
	if local {
		why = "internalTrafficPolicy Local: only endpoints on " + from.Node + "; " + why
	}
	dst := pick.Pod.IP + ":" + strconv.Itoa(pick.Port)
	nat := fmt.Sprintf("DNAT %s → %s on %s (kube-proxy rules of the caller's node)", vip, dst, from.Node)
	s.podDial(b, HopService, from, fromNode, pick.Pod, dnsSrc, dst, pick.Port, nat, why)
}

// kubeProxyPick is kube-proxy's choice among the usable endpoints of a
// Service on the caller's node: ClientIP affinity first, then IPVS rr or,
// in iptables and nftables mode, a random one per new connection.
func (s *Sim) kubeProxyPick(n *node, sv *service, svcKey, clientIP string, pool []endpoint) (endpoint, string) {
	affKey := svcKey + "|" + clientIP
	if a, ok := s.affinity[affKey]; ok && sv.Spec.SessionAffinity == "ClientIP" && a.Until > s.now {
		for _, e := range pool {
			if e.Pod.Key == a.Pod {
				return e, "sessionAffinity ClientIP: this client IP was sent to this endpoint before (10800 s timeout)"
			}
		}
	}
	var pick endpoint
	why := ""
	switch s.settings.KubeProxyMode {
	case "ipvs":
		k := n.Name + "|" + svcKey
		pick = pool[s.ipvsRR[k]%len(pool)]
		s.ipvsRR[k]++
		why = fmt.Sprintf("IPVS rr on %s: endpoints in turn, this is number %d of %d", n.Name, (s.ipvsRR[k]-1)%len(pool)+1, len(pool))
	case "nftables":
		pick = pool[s.rng.IntN(len(pool))]
		why = fmt.Sprintf("nftables on %s: numgen random mod %d picks each endpoint with probability 1/%d per new connection", n.Name, len(pool), len(pool))
	default:
		k := len(pool)
		for i := 0; i < k; i++ {
			if i == k-1 || s.rng.Float64() < 1/float64(k-i) {
				pick = pool[i]
				why = fmt.Sprintf("iptables on %s: the rules match with probability %s in turn, so each of the %d endpoints gets 1/%d per new connection; rule %d matched", n.Name, strings.Join(probsAll(k), ", "), k, k, i+1)
				break
			}
		}
	}
	if sv.Spec.SessionAffinity == "ClientIP" {
		s.affinity[affKey] = affinityEntry{Pod: pick.Pod.Key, Until: s.now + affinityTimeoutMs}
	}
	return pick, why
}

// headlessRequest: CoreDNS answers the ready pod IPs themselves; the
// client dials one of them on the port as written. There is no ClusterIP,
// no kube-proxy and no port translation.
func (s *Sim) headlessRequest(b *reqBuilder, from *pod, fromNode *node, sv *service, eps []endpoint, u parsedURL, dnsSrc string) {
	svcKey := sv.Spec.Namespace + "/" + sv.Spec.Name
	var ready []endpoint
	for _, e := range eps {
		if e.Ready {
			ready = append(ready, e)
		}
	}
	rh := b.add(Hop{Kind: HopDNS, From: "dns", To: from.hopID, Src: dnsServiceIP + ":53", Dst: dnsSrc, Response: true, Failed: len(ready) == 0}, s.jitter(s.settings.Latency.DNSMs))
	b.dnsHops = len(b.r.Hops)
	if len(ready) == 0 {
		b.fail("nxdomain", 0, fmt.Sprintf("headless Service %s has no ready endpoint, so CoreDNS has no address to answer", svcKey))
		return
	}
	if b.explain {
		b.notef(rh, "headless Service %s: CoreDNS answers the ready pod IPs themselves (%d), no virtual IP and no kube-proxy", svcKey, len(ready))
	}
	pick := ready[s.rng.IntN(len(ready))]
	dst := pick.Pod.IP + ":" + strconv.Itoa(u.Port)
	why := fmt.Sprintf("the client took one of the %d addresses DNS returned and dials it on port %d as written: a headless Service translates no port", len(ready), u.Port)
	if !listensOn(pick.Pod, u.Port) {
		fh := b.add(Hop{Kind: HopPodNet, From: from.hopID, To: pick.Pod.hopID, Src: dnsSrc, Dst: dst, Failed: true}, s.jitter(s.settings.Latency.PodNetMs))
		if b.explain {
			b.notef(fh, "%s", why)
		}
		b.fail("refused", 0, fmt.Sprintf("nothing listens on %s: a headless Service does no port translation, so the client dials port %d as written, and pod %s listens on %s (the targetPort is only used with a ClusterIP)", dst, u.Port, pick.Pod.Key, podPortList(pick.Pod)))
		return
	}
	s.podDial(b, HopPodNet, from, fromNode, pick.Pod, dnsSrc, dst, u.Port, "", why)
}

// podDial is a pod's connection to another pod's address over Calico (nat
// is kube-proxy's DNAT for a ClusterIP, "" when dialled directly); the
// target serves it unless Calico, a down node or a NetworkPolicy drops it.
func (s *Sim) podDial(b *reqBuilder, kind string, from *pod, fromNode *node, target *pod, src, dst string, port int, nat, why string) {
	lat := s.settings.Latency
	tn := s.nodeByName(target.Node)
	encap, drop := s.toPod(fromNode, target, port)
	dur := s.jitter(lat.PodNetMs)
	if tn != nil && fromNode != nil && tn.Zone != fromNode.Zone {
		dur += lat.CrossZoneMs
	}
	ph := Hop{Kind: kind, From: from.hopID, To: target.hopID, Src: src, Dst: dst, Encapsulation: encap}
	if encap != "" && b.explain {
		ph.detail().Outer = outerHeader(fromNode, tn)
	}
	if nat != "" && b.explain {
		ph.detail().NAT = nat
	}
	h := b.add(ph, dur)
	if b.explain {
		b.notef(h, "%s. %s", why, s.toPodNote(fromNode, target, encap, drop))
	}
	b.r.Pod = target.Key
	problem := ""
	switch {
	case drop != "":
		problem = drop
	case !s.nodeUp(tn):
		problem = "node " + target.Node + " is down"
	default:
		if ok, w := s.policyAllows(from, target, port); !ok {
			problem = w
		}
	}
	if problem != "" {
		h.Failed = true
		b.r.Pod = ""
		b.fail("timeout", connectTimeoutMs*2, problem+"; the caller's connect times out")
		return
	}
	s.serveInPod(b, target, nil, nil)
}

// undefinedServicePort: a ClusterIP dialled on a port its Service does
// not define. In iptables mode no rule matches it, so the packet, never
// rewritten, is routed toward a virtual IP no host owns and is lost; the
// nftables proxier rejects it (its cluster-ips-check chain); with IPVS
// every ClusterIP is an address of kube-ipvs0 on each node, so the node's
// own stack answers the SYN with a RST.
func (s *Sim) undefinedServicePort(b *reqBuilder, from *pod, fromNode *node, svcKey, vip, src string, port int) {
	switch s.settings.KubeProxyMode {
	case "nftables":
		s.refusedAtNode(b, from, vip, src, fmt.Sprintf("Service %s has no port %d: kube-proxy in nftables mode rejects traffic to a port a ClusterIP does not define, so %s is refused at once", svcKey, port, vip))
	case "ipvs":
		s.refusedAtNode(b, from, vip, src, fmt.Sprintf("Service %s has no port %d: in IPVS mode the ClusterIP is bound to kube-ipvs0 on every node, so the node's own stack answers the SYN to %s with a RST: refused", svcKey, port, vip))
	default:
		fh := b.add(Hop{Kind: HopService, From: from.hopID, To: fromNode.hopID, Src: src, Dst: vip, Failed: true}, s.jitter(s.settings.Latency.NodeMs))
		if b.explain {
			b.notef(fh, "no kube-proxy rule matches %s", vip)
		}
		b.fail("timeout", connectTimeoutMs*2, fmt.Sprintf("Service %s has no port %d: in iptables mode kube-proxy has no rule for %s, so nothing rewrites the packet; it is routed toward a virtual IP no host owns and lost, and the connect times out (only the nftables mode rejects undefined ports)", svcKey, port, vip))
	}
}

func (s *Sim) refusedAtNode(b *reqBuilder, from *pod, vip, src, reason string) {
	b.add(Hop{Kind: HopService, From: from.hopID, To: from.hopID, Src: src, Dst: vip, Failed: true}, 1)
	b.fail("refused", 0, reason)
}

// usableEndpoints is kube-proxy's CategorizeEndpoints for one traffic
// policy (kubernetes pkg/proxy/topology.go): among the endpoints keep
// accepts, the ready ones; without any, those terminating but still
// serving (KEP-1669 ProxyTerminatingEndpoints).
func usableEndpoints(eps []endpoint, keep func(endpoint) bool) []endpoint {
	var ready, serving []endpoint
	for _, e := range eps {
		switch {
		case !keep(e):
		case e.Ready:
			ready = append(ready, e)
		case e.Serving && e.Terminating:
			serving = append(serving, e)
		}
	}
	if len(ready) > 0 {
		return ready
	}
	return serving
}

// listensOn says whether a pod listens on port: its declared container
// ports, or any port when it declares none.
func listensOn(p *pod, port int) bool {
	for _, cp := range p.Ports {
		if cp.Port == port {
			return true
		}
	}
	return len(p.Ports) == 0
}

func podPortList(p *pod) string {
	var ports []string
	for _, cp := range p.Ports {
		ports = append(ports, strconv.Itoa(cp.Port))
	}
	return strings.Join(ports, ", ")
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

// dnsPodOffset is the address, in each node's first Calico block, of that
// node's dns-default pod (a DaemonSet: one per node).
const dnsPodOffset = 63

// dnsPod is the dns-default pod on node n, as a peer for NetworkPolicy.
func (s *Sim) dnsPod(n *node) *pod {
	p := &pod{Namespace: "openshift-dns", Name: "dns-default-" + shortHash(n.Name), Node: n.Name,
		Labels: map[string]string{"dns.operator.openshift.io/daemonset-dns": "default"},
		Ports:  []ContainerPort{{Name: "dns", Port: 5353}, {Name: "dns-tcp", Port: 5353}, {Name: "metrics", Port: 9154}},
		Ready:  true, Running: true}
	p.Key = p.Namespace + "/" + p.Name
	if len(n.Blocks) > 0 {
		p.IP = blockAddr(n.Blocks[0], dnsPodOffset)
	}
	return p
}

// dnsPodChoice says why the query goes to the caller node's own DNS pod.
func (s *Sim) dnsPodChoice() string {
	_, minor, _ := parseVersion(s.settings.OpenShiftVersion)
	if minor <= 18 {
		return "OpenShift's kube-proxy build prefers the local endpoint of the cluster DNS Service"
	}
	return "kube-proxy may pick any dns-default pod; here the local one"
}

// lookupService resolves a name from a pod in namespace ns the way its
// search path does: name, name.namespace or a
// *.svc.cluster.local name. inCluster is false for a name CoreDNS is not
// authoritative for (it forwards those upstream).
func (s *Sim) lookupService(host, ns string) (sv *service, how string, inCluster bool) {
	name, svcNS := host, ns
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	inCluster = strings.HasSuffix(strings.TrimSuffix(host, "."), ".cluster.local") || (len(parts) >= 3 && parts[2] == "svc")
	switch {
	case len(parts) == 1:
		name = parts[0]
	case len(parts) == 2 || parts[2] == "svc":
		name, svcNS = parts[0], parts[1]
	default:
		return nil, "not a cluster Service name", inCluster
	}
	if sv := s.services[svcNS+"/"+name]; sv != nil {
		return sv, fmt.Sprintf("%s.%s.svc.cluster.local", name, svcNS), true
	}
	return nil, fmt.Sprintf("no Service %s in namespace %s", name, svcNS), inCluster
}

// addressRequest: the URL names an address, not a name (one from the
// pod's environment, say), so no DNS query is made. A ClusterIP goes to
// kube-proxy's rules; an address of the service network that no Service
// holds has none; a pod IP is dialled directly.
func (s *Sim) addressRequest(b *reqBuilder, from *pod, fromNode *node, u parsedURL, src string) {
	if sv := s.serviceByClusterIP(u.Host); sv != nil {
		s.clusterIPRequest(b, from, fromNode, sv, u, src)
		return
	}
	if inServiceNetwork(u.Host) {
		s.deadClusterIP(b, from, u, src)
		return
	}
	for _, p := range s.sortedPods() {
		if p.IP != u.Host || p.Terminating && !p.Running {
			continue
		}
		dst := u.Host + ":" + strconv.Itoa(u.Port)
		why := fmt.Sprintf("the URL names pod %s's IP itself: no DNS, no Service, no kube-proxy", p.Key)
		if !listensOn(p, u.Port) {
			fh := b.add(Hop{Kind: HopPodNet, From: from.hopID, To: p.hopID, Src: src, Dst: dst, Failed: true}, s.jitter(s.settings.Latency.PodNetMs))
			b.notef(fh, "%s", why)
			b.fail("refused", 0, fmt.Sprintf("nothing listens on %s: pod %s listens on %s", dst, p.Key, podPortList(p)))
			return
		}
		s.podDial(b, HopPodNet, from, fromNode, p, src, dst, u.Port, "", why)
		return
	}
	fh := b.add(Hop{Kind: HopEgress, From: from.hopID, To: fromNode.hopID, Src: src, Dst: u.Host + ":" + strconv.Itoa(u.Port), Failed: true}, s.jitter(s.settings.Latency.NodeMs))
	reason := fmt.Sprintf("%s is no ClusterIP, pod IP or address this simulation knows: nothing answers it, and the connect times out", u.Host)
	b.notef(fh, "%s", reason)
	b.fail("timeout", connectTimeoutMs*2, reason)
}

// isIPv4 reports whether host is an IPv4 address rather than a name.
func isIPv4(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && a.Is4()
}

// inServiceNetwork reports whether ip is in the service network.
func inServiceNetwork(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && netip.MustParsePrefix(serviceNetworkCIDR).Contains(a)
}

func (s *Sim) serviceByClusterIP(ip string) *service {
	for _, k := range sortedKeys(s.services) {
		if s.services[k].ClusterIP == ip {
			return s.services[k]
		}
	}
	return nil
}

// deadClusterIP is a connection to an address of the service network that
// no Service holds: kube-proxy has no rule for it (iptables; nftables
// drops unallocated ClusterIPs too), the SYN leaves by the node's default
// route and nothing answers, so the connect times out. When the address
// came from the pod's environment, the note says whose it was.
func (s *Sim) deadClusterIP(b *reqBuilder, from *pod, u parsedURL, src string) {
	dst := u.Host + ":" + strconv.Itoa(u.Port)
	h := b.add(Hop{Kind: HopService, From: from.hopID, To: from.hopID, Src: src, Dst: dst, Failed: true}, s.jitter(s.settings.Latency.PodNetMs))
	reason := fmt.Sprintf("no Service has the ClusterIP %s: kube-proxy on %s has no rule for it, the SYN leaves by the node's default route and nothing answers; the connect times out", u.Host, from.Node)
	for _, v := range from.Env {
		if v.Value != u.Host || !strings.HasSuffix(v.Name, "_SERVICE_HOST") {
			continue
		}
		name := strings.TrimSuffix(v.Name, "_SERVICE_HOST")
		reason += fmt.Sprintf(". The address is %s from pod %s's environment, which the kubelet wrote when the container started (%s)", v.Name, from.Key, formatMs(from.EnvAt))
		for _, k := range sortedKeys(s.services) {
			if sv := s.services[k]; sv.Spec.Namespace == from.Namespace && envName(sv.Spec.Name) == name {
				reason += fmt.Sprintf("; Service %s was deleted and created again since, with the new ClusterIP %s. Environment variables never change in a running container: recreate the pod (or call %s.%s.svc by DNS, which follows the new address)", k, sv.ClusterIP, sv.Spec.Name, sv.Spec.Namespace)
			}
		}
		break
	}
	b.notef(h, "%s", reason)
	b.fail("timeout", connectTimeoutMs*2, reason)
}
