package model

import (
	"slices"
	"strings"
)

// Scenario returns the current cluster as a Scenario: the settings as
// they are now and every user object with the changes made to it. Loading
// it with New gives the same objects, Services keep their ClusterIPs and
// Routes keep their age order (oldest first); pods are created anew.
func (s *Sim) Scenario() Scenario {
	st := s.settings
	st.Zones = slices.Clone(st.Zones)
	dst := *st.SourceDestCheck
	st.SourceDestCheck = &dst
	routers := s.routers.Spec.Replicas
	st.RouterReplicas = &routers
	st.LBType, st.CrossZone = s.lb.Type, s.lb.CrossZone
	st.Traffic = s.traffic.profile
	st.Traffic.Mix = slices.Clone(st.Traffic.Mix)
	sc := Scenario{Settings: st}
	for _, k := range sortedKeys(s.namespaces) {
		ns := s.namespaces[k]
		if isPlatformNamespace(ns.Name) {
			continue
		}
		labels := map[string]string{}
		for lk, lv := range ns.Labels {
			if lk != "kubernetes.io/metadata.name" {
				labels[lk] = lv
			}
		}
		if len(labels) == 0 {
			labels = nil
		}
		sc.Namespaces = append(sc.Namespaces, Namespace{Name: ns.Name, Labels: labels})
	}
	// Workloads in creation order, so a re-import schedules alike.
	wkeys := sortedKeys(s.workloads)
	slices.SortStableFunc(wkeys, func(a, b string) int { return int(s.workloads[a].created - s.workloads[b].created) })
	for _, k := range wkeys {
		if w := s.workloads[k]; !w.isRouter {
			sc.Workloads = append(sc.Workloads, w.Spec)
		}
	}
	for _, k := range sortedKeys(s.services) {
		sv := s.services[k]
		spec := sv.Spec
		spec.ClusterIP = sv.ClusterIP
		sc.Services = append(sc.Services, spec)
	}
	keys := sortedKeys(s.routes)
	slices.SortStableFunc(keys, func(a, b string) int { return int(s.routes[a].created - s.routes[b].created) })
	for _, k := range keys {
		sc.Routes = append(sc.Routes, s.routes[k].Spec)
	}
	for _, k := range sortedKeys(s.policies) {
		sc.NetworkPolicies = append(sc.NetworkPolicies, *s.policies[k])
	}
	return sc
}

func isPlatformNamespace(name string) bool {
	return strings.HasPrefix(name, "openshift-") || strings.HasPrefix(name, "kube-") ||
		name == "calico-system" || name == "tigera-operator"
}
