package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Snapshot builds the observable state. Slices are sorted so that equal
// states give equal snapshots.
func (s *Sim) Snapshot() Snapshot {
	st := s.settings
	snap := Snapshot{
		TimeMs: s.now,
		Seed:   st.Seed,
		Cluster: ClusterInfo{
			Name: st.ClusterName, BaseDomain: st.BaseDomain, IngressDomain: s.ingressDomain(),
			Region: st.Region, Zones: slices.Clone(st.Zones), OpenShiftVersion: st.OpenShiftVersion,
			VPCCIDR: vpcCIDR, ClusterNetwork: clusterNetworkCIDR, ServiceNetwork: serviceNetworkCIDR,
		},
		DNS: DNSView{Record: "*." + s.ingressDomain(), Answer: s.dnsAnswer()},
		Network: NetworkView{
			CNI: "Calico", Encapsulation: st.Encapsulation, KubeProxyMode: st.KubeProxyMode,
			SourceDestCheck: *st.SourceDestCheck, BlockSize: blockPrefix,
			SecurityGroupsAllowIPIPAndBGP: st.SecurityGroupsAllowIPIPAndBGP,
			LocalWithFallback:             s.localWithFallback(),
		},
		Traffic: s.traffic.profile,
		Metrics: s.metrics.clone(),
	}
	snap.Metrics.Latency = s.latency.latencyView()
	snap.Metrics.History = s.latency.historyView()
	snap.Traffic.Mix = slices.Clone(snap.Traffic.Mix)
	if snap.Traffic.Mix == nil {
		snap.Traffic.Mix = []TrafficMix{}
	}
	if snap.DNS.Answer == nil {
		snap.DNS.Answer = []string{}
	}
	for _, z := range s.zones {
		snap.Zones = append(snap.Zones, ZoneView{Name: z.Name, Down: z.Down, PublicSubnet: z.Public, PrivateSubnet: z.Private})
	}
	for _, n := range s.nodes {
		nv := NodeView{Name: n.Name, Role: n.Role, Zone: n.Zone, IP: n.IP, Ready: !n.NotReadyCond, InstanceUp: s.nodeUp(n), PodCIDRBlocks: []string{}}
		z := s.zoneByName(n.Zone)
		nv.Subnet = z.Private
		for _, b := range n.Blocks {
			nv.PodCIDRBlocks = append(nv.PodCIDRBlocks, blockCIDR(b))
		}
		snap.Nodes = append(snap.Nodes, nv)
	}
	lb := LoadBalancerView{
		Type: s.lb.Type, CrossZone: s.lb.CrossZone, DNSName: s.lb.DNSName,
		HTTPNodePort: s.routerSvc.HTTPNodePort, HTTPSNodePort: s.routerSvc.HTTPSNodePort,
		HealthCheckNodePort: s.routerSvc.HealthCheckPort,
	}
	inDNS := s.zonesInDNS()
	for _, z := range s.zones {
		lb.Zones = append(lb.Zones, LBZoneView{Zone: z.Name, IP: z.LBPublic, InDNS: slices.Contains(inDNS, z.Name)})
	}
	for _, t := range s.lb.Targets {
		lb.Targets = append(lb.Targets, LBTargetView{Node: t.Node, Zone: t.Zone, Healthy: t.Healthy, Passing: t.Passing})
	}
	snap.LoadBalancer = lb
	snap.Routers = []RouterView{}
	snap.Pods = []PodView{}
	for _, p := range s.sortedPods() {
		kind, owner, _ := strings.Cut(p.Owner, "/")
		owner = strings.TrimPrefix(owner, p.Namespace+"/")
		pv := PodView{
			Namespace: p.Namespace, Name: p.Name, IP: p.IP, Node: p.Node, Phase: p.Phase,
			Ready: p.Ready && !p.Terminating, Live: p.Live, Terminating: p.Terminating, Restarts: p.Restarts, ReadinessFailing: p.ProbeFails,
			Labels: p.Labels, Owner: owner, OwnerKind: kind, Router: p.Router,
			Unmanaged: kind == KindPod, HostNetwork: p.HostNetwork, Hostname: s.podHostname(p),
		}
		if w := s.ownerOf(p); w != nil && kind != KindPod {
			pv.Controller = podController(w, p)
		}
		if p.Router {
			rs := s.routerStateOf(p)
			rv := RouterView{Name: p.Name, Namespace: p.Namespace, Node: p.Node, IP: p.IP, Ready: p.Ready && !p.Terminating, LastReloadMs: rs.LastReload, PendingReload: rs.PendingReload}
			snap.Routers = append(snap.Routers, rv)
			for _, n := range rs.Active {
				pv.Active += n
			}
		} else {
			for _, k := range sortedKeys(s.traffic.routers) {
				pv.Active += s.traffic.routers[k].Active[p.Key]
			}
		}
		snap.Pods = append(snap.Pods, pv)
	}
	snap.Deployments = []DeploymentView{}
	snap.Workloads = []WorkloadView{}
	for _, w := range s.sortedWorkloads() {
		ready := 0
		for _, p := range s.ownedPods(w) {
			if p.Ready && !p.Terminating {
				ready++
			}
		}
		if w.kind() == KindDeployment {
			snap.Deployments = append(snap.Deployments, DeploymentView{Namespace: w.Spec.Namespace, Name: w.Spec.Name, Replicas: w.Spec.Replicas, ReadyReplicas: ready, Labels: w.Spec.Labels})
		}
		wv := WorkloadView{
			Kind: w.kind(), Namespace: w.Spec.Namespace, Name: w.Spec.Name, Replicas: w.Spec.Replicas, ReadyReplicas: ready,
			Labels: w.Spec.Labels, Selector: w.Spec.Selector, HostNetwork: w.Spec.HostNetwork,
			Scalable:    w.policy() == policyReplicas || w.policy() == policyOrdinals,
			ServiceName: w.Spec.ServiceName, PodManagementPolicy: w.Spec.PodManagementPolicy,
			Version: w.Spec.Version, Strategy: w.Spec.Strategy, Triggers: w.Spec.Triggers,
		}
		if w.policy() == policyPerNode {
			wv.Replicas = len(s.slots(w))
		}
		if kind, name := w.controllerName(); kind != w.kind() && name != "" {
			wv.Controller = kind + "/" + name
		}
		snap.Workloads = append(snap.Workloads, wv)
	}
	snap.Services = []ServiceView{}
	for _, k := range sortedKeys(s.services) {
		sv := s.services[k]
		view := ServiceView{Namespace: sv.Spec.Namespace, Name: sv.Spec.Name, ClusterIP: sv.ClusterIP, Selector: sv.Spec.Selector, SessionAffinity: orDefault(sv.Spec.SessionAffinity, "None"), Endpoints: []EndpointView{}}
		for _, p := range sv.Spec.Ports {
			tp := p.TargetPort
			if tp == "" {
				tp = strconv.Itoa(p.Port)
			}
			view.Ports = append(view.Ports, ServicePortView{Name: p.Name, Protocol: orDefault(p.Protocol, "TCP"), Port: p.Port, TargetPort: tp})
		}
		for _, e := range s.endpointsOf(sv, 0) {
			view.Endpoints = append(view.Endpoints, EndpointView{Pod: e.Pod.Key, IP: e.Pod.IP, Port: e.Port, Node: e.Pod.Node, Ready: e.Ready, Serving: e.Serving, Terminating: e.Terminating})
		}
		snap.Services = append(snap.Services, view)
	}
	snap.Routes = []RouteView{}
	for _, k := range sortedKeys(s.routes) {
		r := s.routes[k]
		rv := RouteView{Namespace: r.Spec.Namespace, Name: r.Spec.Name, Host: r.Spec.Host, Path: r.Spec.Path, TLS: r.Spec.TLS,
			TargetPort: r.Spec.TargetPort, WildcardPolicy: r.Spec.WildcardPolicy, Admitted: r.Admitted, Reason: r.Reason, Annotations: r.Spec.Annotations}
		if rv.TLS != nil {
			tls := *rv.TLS
			if tls.InsecureEdgeTerminationPolicy == "" {
				tls.InsecureEdgeTerminationPolicy = "None"
			}
			rv.TLS = &tls
		}
		active := 0
		for _, t := range append([]RouteTarget{r.Spec.To}, r.Spec.AlternateBackends...) {
			rv.To = append(rv.To, RouteTargetView{Service: t.Service, Weight: routeWeight(t)})
			if routeWeight(t) > 0 {
				active++
			}
		}
		pass := r.Spec.TLS != nil && r.Spec.TLS.Termination == "passthrough"
		rv.Balance, _ = s.effectiveBalance(r.Spec, pass, active)
		rv.Cookies = !pass && r.Spec.Annotations[AnnotationDisableCookies] != "true"
		snap.Routes = append(snap.Routes, rv)
	}
	snap.Policies = []NetworkPolicyView{}
	for _, k := range sortedKeys(s.policies) {
		np := s.policies[k]
		snap.Policies = append(snap.Policies, NetworkPolicyView{Namespace: np.Namespace, Name: np.Name, PodSelector: np.PodSelector.MatchLabels, PolicyTypes: policyTypes(np), Summary: summarizePolicy(np)})
	}
	return snap
}

// sortedWorkloads are the workloads in the order the snapshot lists
// them: by namespace, name and kind.
func (s *Sim) sortedWorkloads() []*workload {
	var out []*workload
	for _, k := range sortedKeys(s.workloads) {
		out = append(out, s.workloads[k])
	}
	slices.SortStableFunc(out, func(a, b *workload) int {
		return strings.Compare(a.Spec.Namespace+"/"+a.Spec.Name+"/"+a.kind(), b.Spec.Namespace+"/"+b.Spec.Name+"/"+b.kind())
	})
	return out
}

// podController is the pod's controller ownerReference, KIND/NAME: the
// ReplicaSet or ReplicationController of the pod's own revision.
func podController(w *workload, p *pod) string {
	switch w.kind() {
	case KindDeployment:
		return KindReplicaSet + "/" + w.Spec.Name + "-" + p.Labels["pod-template-hash"]
	case KindDeploymentConfig:
		return KindReplicationController + "/" + p.Labels["deployment"]
	}
	return w.kind() + "/" + w.Spec.Name
}

// podHostname is a StatefulSet pod's stable DNS name through its
// governing headless Service; "" for other pods.
func (s *Sim) podHostname(p *pod) string {
	w := s.ownerOf(p)
	if w == nil || w.policy() != policyOrdinals || w.Spec.ServiceName == "" {
		return ""
	}
	if sv := s.services[p.Namespace+"/"+w.Spec.ServiceName]; sv == nil || sv.ClusterIP != "None" {
		return ""
	}
	return p.Name + "." + w.Spec.ServiceName + "." + p.Namespace + ".svc.cluster.local"
}

// podByHostname resolves a StatefulSet pod's stable name as CoreDNS does
// for a pod whose hostname and subdomain (the governing headless
// Service) are set: <pod>.<service>[.<namespace>[.svc[.cluster.local]]],
// the namespace defaulting to the caller's (its search path).
func (s *Sim) podByHostname(host, ns string) (*pod, *service) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(parts) < 2 || (len(parts) > 3 && parts[3] != "svc") {
		return nil, nil
	}
	if len(parts) > 2 {
		ns = parts[2]
	}
	p := s.pods[ns+"/"+parts[0]]
	if p == nil || s.podHostname(p) != p.Name+"."+parts[1]+"."+ns+".svc.cluster.local" {
		return nil, nil
	}
	return p, s.services[ns+"/"+parts[1]]
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func summarizePolicy(np *NetworkPolicy) string {
	var parts []string
	for _, t := range policyTypes(np) {
		rules := np.Ingress
		if t == "Egress" {
			rules = np.Egress
		}
		if len(rules) == 0 {
			parts = append(parts, "deny all "+strings.ToLower(t))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %d allow rule(s)", strings.ToLower(t), len(rules)))
	}
	return strings.Join(parts, "; ")
}
