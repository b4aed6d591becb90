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

// policyAllows applies NetworkPolicy with Kubernetes semantics to a TCP
// connection from src to dst's port: a pod accepts everything until a
// policy selects it for a direction; then only the union of the allows gets
// through. Both the sender's egress and the receiver's ingress must allow.
// Replies are allowed (stateful).
func (s *Sim) policyAllows(src, dst *pod, port int) (bool, string) {
	return s.policyAllowsProto(src, dst, port, "TCP")
}

// policyAllowsProto is policyAllows for any protocol (TCP, UDP, SCTP).
// Calico evaluates it after kube-proxy's DNAT, so port is the pod's port.
// NetworkPolicy does not select host-networked pods.
func (s *Sim) policyAllowsProto(src, dst *pod, port int, proto string) (bool, string) {
	if dst.HostNetwork {
		return true, ""
	}
	if src != nil && !src.HostNetwork {
		if ok, why := s.directionAllows(src, dst, "", port, proto, "Egress"); !ok {
			return false, why
		}
	}
	return s.directionAllows(dst, src, "", port, proto, "Ingress")
}

// directionAllows checks the policies that select subject for one
// direction against peer (a pod, or peerIP outside the pod network) on the
// given protocol and port.
func (s *Sim) directionAllows(subject, peer *pod, peerIP string, port int, proto, dir string) (bool, string) {
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
			if s.ruleAllows(r, np.Namespace, peer, peerIP, port, proto, subject) {
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
		return false, fmt.Sprintf("NetworkPolicy %s selects %s for ingress and none allows %s on %s %d, so Calico drops the packets", strings.Join(names, ", "), subject.Key, peerName, proto, port)
	}
	return false, fmt.Sprintf("NetworkPolicy %s selects %s for egress and none allows traffic to %s on %s %d", strings.Join(names, ", "), subject.Key, peerName, proto, port)
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

// ruleAllows says whether one rule lets the peer through on proto/port.
// A ports entry matches only its protocol (TCP when unset), so a UDP-only
// allow does not open TCP.
func (s *Sim) ruleAllows(r PolicyRule, policyNS string, peer *pod, peerIP string, port int, proto string, subject *pod) bool {
	if len(r.Ports) > 0 {
		okPort := false
		for _, pp := range r.Ports {
			if orDefault(pp.Protocol, "TCP") != proto {
				continue
			}
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
