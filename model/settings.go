package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Allowed values of the enumerated settings.
var (
	LBTypes          = []string{"Classic", "NLB"}
	Encapsulations   = []string{"VXLAN", "IPIP", "VXLANCrossSubnet", "IPIPCrossSubnet", "None"}
	KubeProxyModes   = []string{"iptables", "nftables", "ipvs"}
	BalanceAlgos     = []string{"random", "roundrobin", "leastconn", "source"}
	ClientKinds      = []string{"browser", "curl"}
	Terminations     = []string{"edge", "reencrypt", "passthrough"}
	InsecurePolicies = []string{"None", "Allow", "Redirect"}
)

// Annotations the router reads.
const (
	AnnotationBalance        = "haproxy.router.openshift.io/balance"
	AnnotationDisableCookies = "haproxy.router.openshift.io/disable_cookies"
	AnnotationTimeout        = "haproxy.router.openshift.io/timeout"
)

// MaxRouterReplicas bounds the default IngressController's replicas.
const MaxRouterReplicas = 10

// Fixed cluster facts (domain.md §6).
const (
	vpcCIDR            = "10.0.0.0/16"
	clusterNetworkCIDR = "10.128.0.0/14"
	serviceNetworkCIDR = "172.30.0.0/16"
	dnsServiceIP       = "172.30.0.10"
	blockPrefix        = 26
	routerNamespace    = "openshift-ingress"
	routerDeployment   = "router-default"
	maxReplicas        = 500
)

// MaxRouterRetries bounds Settings.RouterRetries.
const MaxRouterRetries = 10

// Timing facts (domain.md §2, §3, §7). Settable ones live in Settings.
const (
	clbCheckIntervalMs = 5000
	nlbCheckIntervalMs = 10000
	healthThreshold    = 2
	clbIdleTimeoutMs   = 60_000  // the Classic ELB's connection idle timeout (AWS default)
	nlbIdleTimeoutMs   = 350_000 // the NLB's fixed TCP idle timeout
	connectTimeoutMs   = 5000
	retryTurnaroundMs  = 1000 // HAProxy waits min(timeout connect, 1 s) before retrying a refused connect
	serverTimeoutMs    = 30_000
	livenessFailMs     = 30_000 // 3 failed probes, 10 s apart, before a restart
	affinityTimeoutMs  = 10_800_000
	// routerShutdownDelayMs is ROUTER_GRACEFUL_SHUTDOWN_DELAY: after SIGTERM
	// the router keeps serving this long (openshift/router
	// pkg/cmd/infra/router/template.go, default 45 s, which the ingress
	// operator does not override), then stops HAProxy and exits 1 s later.
	routerShutdownDelayMs = 45_000
	// routerUnreadyMs is how long the terminating router's readiness probe
	// takes to turn the pod NotReady: the probe fails from SIGTERM on
	// (ReadyChecks include ProcessRunning) and the kubelet needs 3 failures
	// 10 s apart (the probe's defaults in the operator's deployment).
	routerUnreadyMs = 30_000
	// dnsTimeoutMs is how long a pod's resolver waits for a DNS answer that
	// never comes before it gives up: glibc's defaults, 5 s per try, 2 tries.
	dnsTimeoutMs = 10_000
)

// DefaultSettings returns the baseline cluster of domain.md: us-east-1,
// three AZs with one worker each, a Classic ELB with cross-zone off, two
// routers, Calico VXLAN, kube-proxy iptables, OpenShift 4.16.
func DefaultSettings() Settings {
	s := Settings{}
	s.fillDefaults()
	return s
}

func (s *Settings) fillDefaults() {
	if s.Seed == 0 {
		s.Seed = 1
	}
	if s.ClusterName == "" {
		s.ClusterName = "demo"
	}
	if s.BaseDomain == "" {
		s.BaseDomain = "example.com"
	}
	if s.Region == "" {
		s.Region = "us-east-1"
	}
	if len(s.Zones) == 0 {
		s.Zones = []string{s.Region + "a", s.Region + "b", s.Region + "c"}
	}
	if s.WorkersPerZone == 0 {
		s.WorkersPerZone = 1
	}
	if s.OpenShiftVersion == "" {
		s.OpenShiftVersion = "4.16"
	}
	if s.RouterReplicas == nil {
		two := 2
		s.RouterReplicas = &two
	}
	if s.LBType == "" {
		s.LBType = "Classic"
	}
	if s.Encapsulation == "" {
		s.Encapsulation = "VXLAN"
	}
	if s.KubeProxyMode == "" {
		s.KubeProxyMode = "iptables"
	}
	if s.SourceDestCheck == nil {
		on := true
		s.SourceDestCheck = &on
	}
	if s.RouterRetries == nil {
		three := 3
		s.RouterRetries = &three
	}
	if s.ReloadIntervalMs == 0 {
		s.ReloadIntervalMs = 5000
	}
	if s.NodeGracePeriodMs == 0 {
		s.NodeGracePeriodMs = 40_000
	}
	if s.EvictionDelayMs == 0 {
		s.EvictionDelayMs = 300_000
	}
	if s.Traffic.Clients == 0 {
		s.Traffic.Clients = 20
	}
	l := &s.Latency
	setDefault(&l.DNSMs, 120)
	setDefault(&l.InternetMs, 300)
	setDefault(&l.LBMs, 120)
	setDefault(&l.NodeMs, 60)
	setDefault(&l.RouterMs, 80)
	setDefault(&l.PodNetMs, 120)
	setDefault(&l.CrossZoneMs, 80)
	setDefault(&l.ServiceMs, 250)
}

func setDefault(v *int64, d int64) {
	if *v == 0 {
		*v = d
	}
}

func (s *Settings) validate() error {
	if len(s.Zones) < 1 || len(s.Zones) > 6 {
		return invalidf("settings.zones", "between 1 and 6 zones, got %d", len(s.Zones))
	}
	if s.WorkersPerZone < 1 || s.WorkersPerZone > 8 {
		return invalidf("settings.workersPerZone", "1..8, got %d", s.WorkersPerZone)
	}
	if r := *s.RouterReplicas; r < 0 || r > MaxRouterReplicas {
		return invalidf("settings.routerReplicas", "0..%d, got %d", MaxRouterReplicas, r)
	}
	if err := oneOf("settings.lbType", s.LBType, LBTypes); err != nil {
		return err
	}
	if err := oneOf("settings.encapsulation", s.Encapsulation, Encapsulations); err != nil {
		return err
	}
	if err := oneOf("settings.kubeProxyMode", s.KubeProxyMode, KubeProxyModes); err != nil {
		return err
	}
	if _, _, err := parseVersion(s.OpenShiftVersion); err != nil {
		return err
	}
	if r := *s.RouterRetries; r < 0 || r > MaxRouterRetries {
		return invalidf("settings.routerRetries", "0..%d, got %d", MaxRouterRetries, r)
	}
	if s.ReloadIntervalMs < 0 || s.ReloadIntervalMs > 60_000 {
		return invalidf("settings.reloadIntervalMs", "0..60000, got %d", s.ReloadIntervalMs)
	}
	if s.NodeGracePeriodMs < 0 || s.NodeGracePeriodMs > 600_000 {
		return invalidf("settings.nodeGracePeriodMs", "0..600000, got %d", s.NodeGracePeriodMs)
	}
	if s.EvictionDelayMs < 0 || s.EvictionDelayMs > 3_600_000 {
		return invalidf("settings.evictionDelayMs", "0..3600000, got %d", s.EvictionDelayMs)
	}
	return validateTraffic("settings.traffic", s.Traffic)
}

func validateTraffic(field string, t TrafficProfile) error {
	if t.RPS < 0 || t.RPS > 10_000 {
		return invalidf(field+".rps", "0..10000, got %v", t.RPS)
	}
	if t.Clients < 0 || t.Clients > 10_000 {
		return invalidf(field+".clients", "0..10000, got %d", t.Clients)
	}
	if len(t.Mix) > 100 {
		return invalidf(field+".mix", "at most 100 entries, got %d", len(t.Mix))
	}
	for i, m := range t.Mix {
		f := fmt.Sprintf("%s.mix[%d]", field, i)
		if _, err := parseURL(m.URL); err != nil {
			return invalidf(f+".url", "%v", err)
		}
		if m.From == "" {
			if err := oneOf(f+".client", m.Client, ClientKinds); err != nil {
				return err
			}
		}
		if m.Weight < 0 || m.Weight > 1000 {
			return invalidf(f+".weight", "0..1000, got %d", m.Weight)
		}
	}
	return nil
}

func oneOf(field, v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return invalidf(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
}

// parseVersion reads "4.16" or "4.16.3".
func parseVersion(v string) (major, minor int, err error) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, invalidf("openShiftVersion", "want MAJOR.MINOR such as 4.16, got %q", v)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || major != 4 || minor < 1 || minor > 30 {
		return 0, 0, invalidf("openShiftVersion", "want 4.x such as 4.16, got %q", v)
	}
	return major, minor, nil
}

// localWithFallback says whether kube-proxy forwards NodePort traffic for
// router-default to a router on another node when its own node has none
// that can serve (Settings.LocalWithFallback; by default from 4.8, when the
// ingress operator started to set the annotation, to 4.18, the last release
// whose kube-proxy for third-party CNIs was built from openshift/sdn).
func (s *Sim) localWithFallback() bool {
	if v := s.settings.LocalWithFallback; v != nil {
		return *v
	}
	_, minor, _ := parseVersion(s.settings.OpenShiftVersion)
	return minor >= 8 && minor <= 18
}

// defaultBalance is the router's default algorithm for a route's mode:
// leastconn up to 4.10; from 4.11 random, and source for passthrough.
func (s *Sim) defaultBalance(passthrough bool) string {
	_, minor, _ := parseVersion(s.settings.OpenShiftVersion)
	if minor <= 10 {
		if passthrough {
			return "source"
		}
		return "leastconn"
	}
	if passthrough {
		return "source"
	}
	return "random"
}
