package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podpath/podpath/model"
)

// The header document's identity.
const (
	// APIVersion is the apiVersion of podpath's own Scenario document.
	APIVersion = "podpath.dev/v1alpha1"
	// KindScenario is its kind.
	KindScenario = "Scenario"
)

// scenarioDocument is the first document of a scenario file: what
// manifests do not say (the AWS side and the traffic).
type scenarioDocument struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              scenarioSpec `json:"spec"`
}

type scenarioSpec struct {
	Title                string           `json:"title,omitempty"`
	Description          string           `json:"description,omitempty"`
	Cluster              clusterSpec      `json:"cluster"`
	LoadBalancer         loadBalancerSpec `json:"loadBalancer"`
	Network              networkSpec      `json:"network"`
	Router               routerSpec       `json:"router"`
	EvictionDelaySeconds float64          `json:"evictionDelaySeconds"`
	// NodeGracePeriodSeconds is how long a failed node stays Ready
	// (node-monitor-grace-period, 40 s).
	NodeGracePeriodSeconds float64     `json:"nodeGracePeriodSeconds,omitempty"`
	Traffic                trafficSpec `json:"traffic"`
	Seed                   uint64      `json:"seed"`
	Steps                  []stepSpec  `json:"steps,omitempty"`
	// Parameters set the parameters of the file's Templates, as `oc
	// process -p NAME=VALUE` does (an import's own parameters win).
	Parameters map[string]string `json:"parameters,omitempty"`
}

type clusterSpec struct {
	Name             string   `json:"name"`
	BaseDomain       string   `json:"baseDomain"`
	Region           string   `json:"region"`
	Zones            []string `json:"zones"`
	WorkersPerZone   int      `json:"workersPerZone"`
	OpenShiftVersion string   `json:"openShiftVersion"`
}

type loadBalancerSpec struct {
	Type      string `json:"type"`
	CrossZone bool   `json:"crossZone"`
}

type networkSpec struct {
	Encapsulation   string `json:"encapsulation"`
	KubeProxyMode   string `json:"kubeProxyMode"`
	SourceDestCheck *bool  `json:"sourceDestCheck"`
	// SecurityGroupsAllowIPIPAndBGP opens IP protocol 4 and TCP 179
	// between the nodes (needed by IPIP and unencapsulated modes).
	SecurityGroupsAllowIPIPAndBGP bool `json:"securityGroupsAllowIPIPAndBGP,omitempty"`
	// LocalWithFallback forces whether kube-proxy honours router-default's
	// traffic-policy.network.alpha.openshift.io/local-with-fallback
	// annotation; unset follows openShiftVersion (honoured 4.8–4.18).
	LocalWithFallback *bool `json:"localWithFallback,omitempty"`
}

type routerSpec struct {
	Replicas              *int    `json:"replicas,omitempty"`
	ReloadIntervalSeconds float64 `json:"reloadIntervalSeconds"`
	AllowWildcardRoutes   bool    `json:"allowWildcardRoutes"`
	// Retries is HAProxy's retries for a failed connect (default 3).
	Retries *int `json:"retries,omitempty"`
}

type trafficSpec struct {
	RPS     float64   `json:"rps"`
	Clients int       `json:"clients"`
	Mix     []mixSpec `json:"mix"`
}

type mixSpec struct {
	URL    string `json:"url"`
	Client string `json:"client"`
	Weight int    `json:"weight"`
	From   string `json:"from,omitempty"`
}

// stepSpec is one step of a walkthrough: what to say and, optionally, the
// command that performs it (the JSON of POST /api/commands, written in
// YAML).
type stepSpec struct {
	Title     string `json:"title"`
	Narration string `json:"narration,omitempty"`
	// Description is the older name of Narration, still accepted.
	Description string          `json:"description,omitempty"`
	Highlight   []string        `json:"highlight,omitempty"`
	Command     json.RawMessage `json:"command,omitempty"`
	AdvanceMs   int64           `json:"advanceMs,omitempty"`
	Predict     *predictSpec    `json:"predict,omitempty"`
	SendRequest *sendSpec       `json:"sendRequest,omitempty"`
}

// Step is one step of a scenario's walkthrough (walkthrough.go checks
// and plays it).
type Step struct {
	Title string `json:"title"`
	// Narration is short Markdown: paragraphs, **bold**, `code`, lists.
	Narration string `json:"narration"`
	// Description is Narration under its older name.
	Description string `json:"-"`
	// Highlight lists topology element ids (route:ns/name, lb:zone…) or
	// kinds (router-pods, app-pods…) to mark on the picture.
	Highlight []string `json:"highlight,omitempty"`
	// Command performs the step; nil for a step that only explains.
	Command model.Command `json:"-"`
	// AdvanceMs is virtual time run after the command, before the step
	// is shown.
	AdvanceMs int64 `json:"advanceMs,omitempty"`
	// Predict asks the learner before the simulation shows the step.
	Predict *Predict `json:"predict,omitempty"`
	// SendRequest is one request the player traces in slow motion.
	SendRequest *SendRequest `json:"sendRequest,omitempty"`
}

// Header value limits.
const (
	maxZones          = 6
	maxWorkersPerZone = 10
	// maxRPS and maxClients are the model's own limits (SetTraffic),
	// so that every traffic profile the API accepts can be exported.
	maxRPS          = 10_000
	maxClients      = 10_000
	maxIntervalSecs = 3600
)

var (
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	versionPattern = regexp.MustCompile(`^4\.([0-9]{1,2})(\.[0-9]{1,3})?$`)
)

// convertHeader checks the header and turns it into model settings.
func convertHeader(c *objectContext, h *scenarioDocument) (model.Scenario, []Step, error) {
	c.setName("", h.Name)
	var out model.Scenario
	if h.APIVersion != APIVersion {
		return out, nil, c.fail("apiVersion", "%q: a Scenario's apiVersion must be %s", h.APIVersion, APIVersion)
	}
	if err := c.checkDNS1123Label("metadata.name", h.Name); err != nil {
		return out, nil, err
	}
	spec := &h.Spec
	out.Name, out.Title, out.Description = h.Name, strings.TrimSpace(spec.Title), strings.TrimSpace(spec.Description)
	s := &out.Settings
	s.Seed = spec.Seed

	cluster := &spec.Cluster
	if cluster.Name != "" {
		if err := c.checkDNS1123Label("spec.cluster.name", cluster.Name); err != nil {
			return out, nil, err
		}
	}
	if cluster.BaseDomain != "" {
		if err := c.checkDNS1123Subdomain("spec.cluster.baseDomain", cluster.BaseDomain); err != nil {
			return out, nil, err
		}
	}
	if cluster.Region != "" && !regionPattern.MatchString(cluster.Region) {
		return out, nil, c.fail("spec.cluster.region", "%q is not an AWS region such as us-east-1", cluster.Region)
	}
	if len(cluster.Zones) > maxZones {
		return out, nil, c.fail("spec.cluster.zones", "at most %d zones, got %d", maxZones, len(cluster.Zones))
	}
	seenZones := map[string]bool{}
	for i, zone := range cluster.Zones {
		field := fmt.Sprintf("spec.cluster.zones[%d]", i)
		region := cluster.Region
		if region == "" {
			region = "us-east-1"
		}
		if len(zone) != len(region)+1 || !strings.HasPrefix(zone, region) || zone[len(zone)-1] < 'a' || zone[len(zone)-1] > 'z' {
			return out, nil, c.fail(field, "%q is not a zone of region %s (such as %sa)", zone, region, region)
		}
		if seenZones[zone] {
			return out, nil, c.fail(field, "duplicate zone %q", zone)
		}
		seenZones[zone] = true
	}
	if cluster.WorkersPerZone < 0 || cluster.WorkersPerZone > maxWorkersPerZone {
		return out, nil, c.fail("spec.cluster.workersPerZone", "must be between 1 and %d, got %d", maxWorkersPerZone, cluster.WorkersPerZone)
	}
	if v := cluster.OpenShiftVersion; v != "" && !versionPattern.MatchString(v) {
		return out, nil, c.fail("spec.cluster.openShiftVersion", "%q is not an OpenShift 4 version such as 4.16", v)
	}
	s.ClusterName, s.BaseDomain, s.Region = cluster.Name, cluster.BaseDomain, cluster.Region
	s.Zones = append([]string(nil), cluster.Zones...)
	s.WorkersPerZone, s.OpenShiftVersion = cluster.WorkersPerZone, cluster.OpenShiftVersion

	if err := c.checkOneOf("spec.loadBalancer.type", spec.LoadBalancer.Type, true, "Classic", "NLB"); err != nil {
		return out, nil, err
	}
	s.LBType, s.CrossZone = spec.LoadBalancer.Type, spec.LoadBalancer.CrossZone

	if err := c.checkOneOf("spec.network.encapsulation", spec.Network.Encapsulation, true, "VXLAN", "IPIP", "VXLANCrossSubnet", "IPIPCrossSubnet", "None"); err != nil {
		return out, nil, err
	}
	if err := c.checkOneOf("spec.network.kubeProxyMode", spec.Network.KubeProxyMode, true, model.KubeProxyModes...); err != nil {
		return out, nil, err
	}
	s.Encapsulation, s.KubeProxyMode = spec.Network.Encapsulation, spec.Network.KubeProxyMode
	s.SecurityGroupsAllowIPIPAndBGP = spec.Network.SecurityGroupsAllowIPIPAndBGP
	if v := spec.Network.LocalWithFallback; v != nil {
		fallback := *v
		s.LocalWithFallback = &fallback
	}
	if spec.Network.SourceDestCheck != nil {
		check := *spec.Network.SourceDestCheck
		s.SourceDestCheck = &check
	}

	if r := spec.Router.Replicas; r != nil && (*r < 0 || *r > model.MaxRouterReplicas) {
		return out, nil, c.fail("spec.router.replicas", "must be between 0 and %d, got %d", model.MaxRouterReplicas, *r)
	}
	if r := spec.Router.Retries; r != nil && (*r < 0 || *r > model.MaxRouterRetries) {
		return out, nil, c.fail("spec.router.retries", "must be between 0 and %d, got %d", model.MaxRouterRetries, *r)
	}
	s.RouterReplicas, s.AllowWildcardRoutes, s.RouterRetries = spec.Router.Replicas, spec.Router.AllowWildcardRoutes, spec.Router.Retries
	var err error
	if s.ReloadIntervalMs, err = secondsToMs(c, "spec.router.reloadIntervalSeconds", spec.Router.ReloadIntervalSeconds); err != nil {
		return out, nil, err
	}
	if s.EvictionDelayMs, err = secondsToMs(c, "spec.evictionDelaySeconds", spec.EvictionDelaySeconds); err != nil {
		return out, nil, err
	}
	if s.NodeGracePeriodMs, err = secondsToMs(c, "spec.nodeGracePeriodSeconds", spec.NodeGracePeriodSeconds); err != nil {
		return out, nil, err
	}

	if s.Traffic, err = convertTraffic(c, "spec.traffic", spec.Traffic); err != nil {
		return out, nil, err
	}
	if len(spec.Steps) > MaxSteps {
		return out, nil, c.fail("spec.steps", "at most %d steps, got %d", MaxSteps, len(spec.Steps))
	}
	steps := make([]Step, 0, len(spec.Steps))
	for i, step := range spec.Steps {
		converted, err := convertStep(c, i, step)
		if err != nil {
			return out, nil, err
		}
		steps = append(steps, converted)
	}
	return out, steps, nil
}

// secondsToMs converts a duration in (possibly fractional) seconds.
func secondsToMs(c *objectContext, field string, seconds float64) (int64, error) {
	if math.IsNaN(seconds) || seconds < 0 || seconds > maxIntervalSecs {
		return 0, c.fail(field, "must be between 0 and %d seconds, got %v", maxIntervalSecs, seconds)
	}
	return int64(math.Round(seconds * 1000)), nil
}

// convertTraffic checks a traffic profile.
func convertTraffic(c *objectContext, field string, t trafficSpec) (model.TrafficProfile, error) {
	out := model.TrafficProfile{RPS: t.RPS, Clients: t.Clients}
	if math.IsNaN(t.RPS) || t.RPS < 0 || t.RPS > maxRPS {
		return out, c.fail(field+".rps", "must be between 0 and %d, got %v", maxRPS, t.RPS)
	}
	if t.Clients < 0 || t.Clients > maxClients {
		return out, c.fail(field+".clients", "must be between 0 and %d, got %d", maxClients, t.Clients)
	}
	for i, mix := range t.Mix {
		mixField := fmt.Sprintf("%s.mix[%d]", field, i)
		u, err := url.Parse(mix.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return out, c.fail(mixField+".url", "%q is not an http or https URL", mix.URL)
		}
		if err := c.checkOneOf(mixField+".client", mix.Client, true, "browser", "curl"); err != nil {
			return out, err
		}
		if mix.Weight < 0 || mix.Weight > 1000 {
			return out, c.fail(mixField+".weight", "must be between 0 and 1000, got %d", mix.Weight)
		}
		if mix.From != "" {
			namespace, pod, ok := strings.Cut(mix.From, "/")
			if !ok || namespace == "" || pod == "" {
				return out, c.fail(mixField+".from", "%q is not namespace/pod-prefix", mix.From)
			}
		}
		out.Mix = append(out.Mix, model.TrafficMix{URL: mix.URL, Client: mix.Client, Weight: mix.Weight, From: mix.From})
	}
	return out, nil
}
