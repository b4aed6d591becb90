package model

import (
	"fmt"
	"net/netip"
	"strings"
)

// buildInfrastructure lays out the VPC, subnets, nodes, the router
// Deployment and its LoadBalancer Service, as the installer would.
//
// Subnets follow the installer's layout for a 10.0.0.0/16 VPC: public
// subnets 10.0.0.0/20, 10.0.16.0/20, … and private ones from 10.0.128.0/20.
// Public addresses come from the documentation ranges of RFC 5737 so that
// no real address is ever shown.
func (s *Sim) buildInfrastructure() {
	usedIP := map[string]bool{}
	pick := func(third0 int) string {
		for {
			ip := fmt.Sprintf("10.0.%d.%d", third0+s.rng.IntN(16), 4+s.rng.IntN(250))
			if !usedIP[ip] {
				usedIP[ip] = true
				return ip
			}
		}
	}
	for i, name := range s.settings.Zones {
		z := &zone{
			Name:     name,
			Index:    i,
			Public:   fmt.Sprintf("10.0.%d.0/20", i*16),
			Private:  fmt.Sprintf("10.0.%d.0/20", 128+i*16),
			LBPublic: fmt.Sprintf("192.0.2.%d", 10+i*17+s.rng.IntN(16)),
		}
		z.LBPrivate = pick(i * 16)
		z.addr80, z.addr443 = z.LBPublic+":80", z.LBPublic+":443"
		z.hopID = "lb:" + z.Name
		s.zones = append(s.zones, z)
	}
	domain := "ec2.internal"
	if s.settings.Region != "us-east-1" {
		domain = s.settings.Region + ".compute.internal"
	}
	addNode := func(z *zone, role string) {
		ip := pick(128 + z.Index*16)
		n := &node{
			Name:  "ip-" + strings.ReplaceAll(ip, ".", "-") + "." + domain,
			Role:  role,
			Zone:  z.Name,
			IP:    ip,
			Ready: true,
		}
		n.hopID = "node:" + n.Name
		n.Labels, n.Taints = s.nodeLabelsAndTaints(n)
		s.nodes = append(s.nodes, n)
	}
	for _, z := range s.zones {
		addNode(z, "control-plane")
	}
	for w := 0; w < s.settings.WorkersPerZone; w++ {
		for _, z := range s.zones {
			addNode(z, "worker")
		}
	}
	s.ipam = newIPAM()
	for _, ns := range []string{routerNamespace, "openshift-ingress-operator", "openshift-dns", "openshift-kube-proxy", "calico-system", "tigera-operator"} {
		labels := map[string]string{"kubernetes.io/metadata.name": ns}
		if ns == routerNamespace {
			labels["policy-group.network.openshift.io/ingress"] = ""
			labels["network.openshift.io/policy-group"] = "ingress"
		}
		s.namespaces[ns] = &namespace{Name: ns, Labels: labels}
	}
	s.clusterIPs["172.30.0.1"] = true // kubernetes
	s.clusterIPs[dnsServiceIP] = true // dns-default
	s.routerSvc = routerService{
		ClusterIP:       s.allocClusterIP(),
		HTTPNodePort:    30000 + s.rng.IntN(2768),
		HTTPSNodePort:   30000 + s.rng.IntN(2768),
		HealthCheckPort: 30000 + s.rng.IntN(2768),
	}
	for _, n := range s.nodes {
		n.addrHTTP = fmt.Sprintf("%s:%d", n.IP, s.routerSvc.HTTPNodePort)
		n.addrHTTPS = fmt.Sprintf("%s:%d", n.IP, s.routerSvc.HTTPSNodePort)
	}
	s.routers = &workload{
		Spec: Workload{
			Namespace: routerNamespace,
			Name:      routerDeployment,
			Replicas:  *s.settings.RouterReplicas,
			Selector:  map[string]string{"ingresscontroller.operator.openshift.io/deployment-ingresscontroller": "default"},
			Labels:    map[string]string{"ingresscontroller.operator.openshift.io/deployment-ingresscontroller": "default"},
			Ports:     []ContainerPort{{Name: "http", Port: 80}, {Name: "https", Port: 443}, {Name: "metrics", Port: 1936}},
			StartupMs: 4000, ReadinessDelayMs: 6000, GracePeriodMs: 3_600_000,
		},
		isRouter: true,
	}
	s.routers.Hash = s.templateHash()
	s.workloads[s.routers.key()] = s.routers
	s.lb = newLoadBalancer(s)
	s.reconcile(s.routers)
}

// NodeLabelKeys are the label keys podpath's nodes carry (a nodeSelector
// on any other key matches no node).
var NodeLabelKeys = []string{
	"kubernetes.io/hostname", "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
	"node.openshift.io/os_id", "topology.kubernetes.io/region", "topology.kubernetes.io/zone",
	"node-role.kubernetes.io/worker", "node-role.kubernetes.io/master", "node-role.kubernetes.io/control-plane",
}

// nodeLabelsAndTaints are the labels and taints a node of this role
// carries. Control-plane nodes are tainted node-role.kubernetes.io/master
// :NoSchedule — OpenShift kept the old key after Kubernetes 1.24 moved to
// node-role.kubernetes.io/control-plane; the machine-config-operator adds
// the control-plane taint alongside it from 4.22 (openshift/
// machine-config-operator#6313, OCPBUGS-82139).
func (s *Sim) nodeLabelsAndTaints(n *node) (map[string]string, []Taint) {
	labels := map[string]string{
		"kubernetes.io/hostname":        n.Name,
		"kubernetes.io/os":              "linux",
		"kubernetes.io/arch":            "amd64",
		"beta.kubernetes.io/os":         "linux", // the kubelet still sets the deprecated beta labels
		"beta.kubernetes.io/arch":       "amd64",
		"node.openshift.io/os_id":       "rhcos",
		"topology.kubernetes.io/region": s.settings.Region,
		"topology.kubernetes.io/zone":   n.Zone,
	}
	if n.Role == "worker" {
		labels["node-role.kubernetes.io/worker"] = ""
		return labels, nil
	}
	labels["node-role.kubernetes.io/master"] = ""
	labels["node-role.kubernetes.io/control-plane"] = ""
	taints := []Taint{{Key: "node-role.kubernetes.io/master", Effect: "NoSchedule"}}
	if major, minor, err := parseVersion(s.settings.OpenShiftVersion); err == nil && (major > 4 || minor >= 22) {
		taints = append(taints, Taint{Key: "node-role.kubernetes.io/control-plane", Effect: "NoSchedule"})
	}
	return labels, taints
}

// routerService is openshift-ingress/router-default, type LoadBalancer,
// externalTrafficPolicy Local.
type routerService struct {
	ClusterIP       string
	HTTPNodePort    int
	HTTPSNodePort   int
	HealthCheckPort int
}

// allocClusterIP picks a free address of the service network at random,
// as the API server does.
func (s *Sim) allocClusterIP() string {
	for {
		ip := fmt.Sprintf("172.30.%d.%d", s.rng.IntN(256), 1+s.rng.IntN(254))
		if !s.clusterIPs[ip] {
			s.clusterIPs[ip] = true
			return ip
		}
	}
}

func (s *Sim) workers() []*node {
	var out []*node
	for _, n := range s.nodes {
		if n.Role == "worker" {
			out = append(out, n)
		}
	}
	return out
}

// nodeUp says whether a node can run and reach pods: it is Ready and its
// zone is not down.
func (s *Sim) nodeUp(n *node) bool {
	if n == nil || !n.Ready {
		return false
	}
	z := s.zoneByName(n.Zone)
	return z != nil && !z.Down
}

// ipam is Calico's IP address management over 10.128.0.0/14: each node
// takes /26 blocks (64 addresses) chosen pseudo-randomly; a node takes
// another block when its blocks are full.
type ipam struct {
	Owner  map[int]string // block index → node
	Used   map[string]bool
	Cursor map[string]int // per node: next offset to try, so IPs are not reused at once
}

func newIPAM() ipam {
	return ipam{Owner: map[int]string{}, Used: map[string]bool{}, Cursor: map[string]int{}}
}

func (a ipam) clone() ipam {
	return ipam{Owner: cloneValues(a.Owner), Used: cloneValues(a.Used), Cursor: cloneValues(a.Cursor)}
}

const blocksInPool = 1 << (blockPrefix - 14) // /14 split into /26s: 4096

var poolBase = netip.MustParseAddr("10.128.0.0")

func blockAddr(block, offset int) string {
	b := poolBase.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(block*64 + offset)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

func blockCIDR(block int) string { return blockAddr(block, 0) + "/26" }

// allocPodIP gives the pod on node n a free address from n's blocks,
// claiming a new block when they are full.
func (s *Sim) allocPodIP(n *node) string {
	if len(n.Blocks) == 0 {
		s.claimBlock(n)
		// The first address of a node's first block is its vxlan.calico
		// tunnel address.
		n.TunnelIP = blockAddr(n.Blocks[0], 0)
		s.ipam.Used[n.TunnelIP] = true
		s.ipam.Used[blockAddr(n.Blocks[0], dnsPodOffset)] = true // the node's dns-default pod
	}
	for attempt := 0; attempt < 2; attempt++ {
		total := len(n.Blocks) * 64
		start := s.ipam.Cursor[n.Name]
		for i := 0; i < total; i++ {
			off := (start + i) % total
			ip := blockAddr(n.Blocks[off/64], off%64)
			if !s.ipam.Used[ip] {
				s.ipam.Used[ip] = true
				s.ipam.Cursor[n.Name] = off + 1
				return ip
			}
		}
		s.claimBlock(n)
		s.ipam.Cursor[n.Name] = (len(n.Blocks) - 1) * 64
	}
	return ""
}

func (s *Sim) claimBlock(n *node) {
	for {
		b := s.rng.IntN(blocksInPool)
		if _, taken := s.ipam.Owner[b]; !taken {
			s.ipam.Owner[b] = n.Name
			n.Blocks = append(n.Blocks, b)
			s.logf("node", n.hopID, "Calico IPAM: node %s claimed block %s", n.Name, blockCIDR(b))
			return
		}
	}
}

func (s *Sim) releasePodIP(ip string) { delete(s.ipam.Used, ip) }

// Addresses used on every request, built once.

func (z *zone) lbAddr(https bool) string {
	if https {
		return z.addr443
	}
	return z.addr80
}

func (n *node) nodePortAddr(https bool) string {
	if https {
		return n.addrHTTPS
	}
	return n.addrHTTP
}

func (p *pod) routerAddr(https bool) string {
	if https {
		return p.addr443
	}
	return p.addr80
}
