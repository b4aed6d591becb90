package web

import (
	"slices"
	"strconv"

	"github.com/podpath/podpath/model"
)

// ClusterView is the cluster-wide controls' first paint: nodes and AZs
// to fail, the load balancer, Calico and kube-proxy, the OpenShift
// version, traffic and NetworkPolicy. The scripts keep it in step with
// the streamed state afterwards.
type ClusterView struct {
	Zones          []ZoneToggle
	LBTypes        []Option
	CrossZone      bool
	Encapsulations []Option
	SourceDestOn   bool
	KubeProxyModes []Option
	Versions       []Option
	RPS            string
	BrowserPct     int
	Policy         []Option
	PolicyNS       string
}

// NodeToggle is one worker node's fail/recover switch. Ready here means
// the instance is up (model.NodeView.InstanceUp), not the Kubernetes
// condition, which lags by the node-monitor grace period.
type NodeToggle struct {
	Name  string
	Short string
	Zone  string
	Ready bool
}

// ZoneToggle is one AZ's fail/recover switch with its workers'.
type ZoneToggle struct {
	Zone  string
	Down  bool
	Nodes []NodeToggle
}

// Option is one choice of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// The NetworkPolicy pair the page applies, named as in the
// network-policy scenario.
const (
	PolicyDeny  = "default-deny"
	PolicyAllow = "allow-from-openshift-ingress"
)

// versions are the OpenShift releases the version select offers.
var versions = []string{"4.10", "4.11", "4.12", "4.13", "4.14", "4.15", "4.16", "4.17", "4.18", "4.19", "4.20", "4.21"}

func options(values []string, current string) []Option {
	if current != "" && !slices.Contains(values, current) {
		values = append(slices.Clone(values), current)
	}
	out := make([]Option, len(values))
	for i, v := range values {
		out[i] = Option{Value: v, Label: v, Selected: v == current}
	}
	return out
}

func newClusterView(s model.Snapshot) ClusterView {
	c := ClusterView{
		LBTypes:        options(model.LBTypes, s.LoadBalancer.Type),
		CrossZone:      s.LoadBalancer.CrossZone,
		Encapsulations: options(model.Encapsulations, s.Network.Encapsulation),
		SourceDestOn:   s.Network.SourceDestCheck,
		KubeProxyModes: options(model.KubeProxyModes, s.Network.KubeProxyMode),
		Versions:       options(versions, s.Cluster.OpenShiftVersion),
		RPS:            strconv.FormatFloat(s.Traffic.RPS, 'f', -1, 64),
		BrowserPct:     browserShare(s.Traffic.Mix),
		PolicyNS:       policyNamespace(s),
	}
	for _, z := range zonesOf(s) {
		zt := ZoneToggle{Zone: z}
		up := 0
		for _, n := range s.Nodes {
			if n.Zone != z || n.Role == "control-plane" || n.Role == "master" {
				continue
			}
			zt.Nodes = append(zt.Nodes, NodeToggle{Name: n.Name, Short: shortNode(n.Name), Zone: n.Zone, Ready: n.InstanceUp})
			if n.InstanceUp {
				up++
			}
		}
		zt.Down = zoneDown(s, z, len(zt.Nodes) > 0 && up == 0)
		c.Zones = append(c.Zones, zt)
	}
	c.Policy = policyOptions(PolicyMode(s, c.PolicyNS))
	return c
}

// zoneDown is the snapshot's flag for zone z (setZoneDown); a snapshot
// without zones (an older server) falls back to guess: workers, none ready.
// Nodes failed one by one do not make the zone down.
func zoneDown(s model.Snapshot, z string, guess bool) bool {
	if len(s.Zones) == 0 {
		return guess
	}
	for _, v := range s.Zones {
		if v.Name == z {
			return v.Down
		}
	}
	return false
}

// browserShare is the percentage of Internet traffic weight sent by
// browsers (the rest is curl).
func browserShare(mix []model.TrafficMix) int {
	var browser, all int
	for _, m := range mix {
		if m.From != "" {
			continue
		}
		all += m.Weight
		if m.Client == "browser" {
			browser += m.Weight
		}
	}
	return percentInt(browser, all)
}

func percentInt(n, total int) int {
	if total <= 0 {
		return 0
	}
	return (n*100 + total/2) / total
}

// policyNamespace is the namespace the NetworkPolicy control acts on: the
// first Route's, else the first app Deployment's.
func policyNamespace(s model.Snapshot) string {
	if len(s.Routes) > 0 {
		return s.Routes[0].Namespace
	}
	for _, d := range s.Deployments {
		if d.Namespace+"/"+d.Name != routerDeployment {
			return d.Namespace
		}
	}
	return ""
}

// PolicyMode says which of the page's NetworkPolicies exist in ns: "off"
// (neither), "deny-allow" (default deny plus the router allow), "deny"
// (default deny alone: the router is blocked) or "allow" (the allow
// alone, which changes nothing for the router).
func PolicyMode(s model.Snapshot, ns string) string {
	var deny, allow bool
	for _, p := range s.Policies {
		if p.Namespace != ns {
			continue
		}
		deny = deny || p.Name == PolicyDeny
		allow = allow || p.Name == PolicyAllow
	}
	switch {
	case deny && allow:
		return "deny-allow"
	case deny:
		return "deny"
	case allow:
		return "allow"
	}
	return "off"
}

func policyOptions(mode string) []Option {
	all := []Option{
		{Value: "off", Label: "none (allow all)"},
		{Value: "deny-allow", Label: "default deny + allow router"},
		{Value: "deny", Label: "default deny only"},
	}
	if mode == "allow" {
		all = append(all, Option{Value: "allow", Label: "allow router only"})
	}
	for i := range all {
		all[i].Selected = all[i].Value == mode
	}
	return all
}

func traceURL(s model.Snapshot) string {
	for _, m := range s.Traffic.Mix {
		if m.From == "" && m.URL != "" {
			return m.URL
		}
	}
	for _, r := range s.Routes {
		if r.Host != "" {
			scheme := "https://"
			if r.TLS == nil {
				scheme = "http://"
			}
			return scheme + r.Host + r.Path
		}
	}
	return ""
}
