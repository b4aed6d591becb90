package model

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file holds the legacy discovery through environment variables:
// what the kubelet writes into a container's environment when it starts
// it (pkg/kubelet/envvars FromServices, kubelet getServiceEnvVarMap), and
// the expansion of $NAME in a URL sent from a pod.

// EnvVar is one environment variable of a pod's containers.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PodEnv is a pod's service-link environment and when it was written.
type PodEnv struct {
	// Started is false until the kubelet first starts the container.
	Started bool `json:"started"`
	// StartedMs is when the kubelet last started the pod's container and
	// wrote these variables (a container restart writes them anew).
	StartedMs int64    `json:"startedMs"`
	Vars      []EnvVar `json:"vars"`
}

// kubernetesServiceIP is the first address of the service network.
const kubernetesServiceIP = "172.30.0.1"

// kubernetesService is the API server's Service in namespace default:
// the kubelet gives every pod its variables, even without service links.
var kubernetesService = Service{
	Namespace: "default", Name: "kubernetes",
	Ports: []ServicePort{{Name: "https", Protocol: "TCP", Port: 443, TargetPort: "6443"}},
}

// serviceEnv is the environment the kubelet gives a container of a pod in
// namespace ns that starts now (enableServiceLinks, the default): the
// variables of every Service of ns that has a ClusterIP (not headless),
// and of the kubernetes Service, in name order.
func (s *Sim) serviceEnv(ns string) []EnvVar {
	byName := map[string]Service{"kubernetes": kubernetesService}
	ips := map[string]string{"kubernetes": kubernetesServiceIP}
	for _, k := range sortedKeys(s.services) {
		sv := s.services[k]
		if sv.Spec.Namespace != ns || sv.ClusterIP == "" || sv.ClusterIP == "None" || len(sv.Spec.Ports) == 0 {
			continue
		}
		byName[sv.Spec.Name], ips[sv.Spec.Name] = sv.Spec, sv.ClusterIP // the namespace's own wins over default/kubernetes
	}
	var out []EnvVar
	for _, name := range sortedKeys(byName) {
		out = append(out, serviceLinkVars(byName[name], ips[name])...)
	}
	slices.SortFunc(out, func(a, b EnvVar) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// serviceLinkVars are one Service's variables: NAME_SERVICE_HOST, the
// first port as NAME_SERVICE_PORT, each named port as
// NAME_SERVICE_PORT_<PORTNAME>, and the Docker-link variables NAME_PORT and
// NAME_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR].
func serviceLinkVars(sv Service, ip string) []EnvVar {
	prefix := envName(sv.Name)
	out := []EnvVar{
		{prefix + "_SERVICE_HOST", ip},
		{prefix + "_SERVICE_PORT", strconv.Itoa(sv.Ports[0].Port)},
	}
	for i, p := range sv.Ports {
		if p.Name != "" {
			out = append(out, EnvVar{prefix + "_SERVICE_PORT_" + envName(p.Name), strconv.Itoa(p.Port)})
		}
		proto := p.Protocol
		if proto == "" {
			proto = "TCP"
		}
		lower := strings.ToLower(proto)
		url := fmt.Sprintf("%s://%s:%d", lower, ip, p.Port)
		if i == 0 {
			out = append(out, EnvVar{prefix + "_PORT", url})
		}
		pp := fmt.Sprintf("%s_PORT_%d_%s", prefix, p.Port, strings.ToUpper(proto))
		out = append(out,
			EnvVar{pp, url},
			EnvVar{pp + "_PROTO", lower},
			EnvVar{pp + "_PORT", strconv.Itoa(p.Port)},
			EnvVar{pp + "_ADDR", ip},
		)
	}
	return out
}

// envName is the kubelet's variable name for a Service or port name:
// upper case, '-' and '.' as '_', a leading digit prefixed with '_'.
func envName(name string) string {
	n := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
	if n != "" && n[0] >= '0' && n[0] <= '9' {
		n = "_" + n
	}
	return n
}

// writeEnv is the kubelet starting p's container: it writes the
// environment from the Services that exist now.
func (s *Sim) writeEnv(p *pod) {
	p.Env = s.serviceEnv(p.Namespace)
	p.EnvAt = s.now
}

// envRef is $NAME or ${NAME} in a URL.
var envRef = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))`)

// expandEnv replaces $NAME and ${NAME} in raw with p's environment, as the
// shell in the pod would before curl runs. A name the environment does
// not hold is an error that says why: the kubelet wrote the variables
// when the container started, so a Service made later is not there.
func (s *Sim) expandEnv(raw string, p *pod) (string, []EnvVar, error) {
	if !strings.Contains(raw, "$") {
		return raw, nil, nil
	}
	var used []EnvVar
	var missing []string
	out := envRef.ReplaceAllStringFunc(raw, func(ref string) string {
		m := envRef.FindStringSubmatch(ref)
		name := m[1] + m[2]
		for _, v := range p.Env {
			if v.Name == name {
				if !slices.Contains(used, v) {
					used = append(used, v)
				}
				return v.Value
			}
		}
		if !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
		return ""
	})
	if len(missing) > 0 {
		return "", nil, invalidf("url", "$%s is not set in pod %s's environment: the kubelet wrote the service variables when the container started (at %s), from the Services of namespace %s that existed then; a Service created later is not in it until the pod is recreated (or use the Service's DNS name)",
			strings.Join(missing, ", $"), p.Key, formatMs(p.EnvAt), p.Namespace)
	}
	return out, used, nil
}

// formatMs is a virtual time as seconds for messages.
func formatMs(ms int64) string { return fmt.Sprintf("t=%.1f s", float64(ms)/1000) }

// SnapshotWithEnv is Snapshot with the environment of the named pods
// ("namespace/name"; "all" names every pod). An unknown pod is an error
// naming the field env.
func (s *Sim) SnapshotWithEnv(pods []string) (Snapshot, error) {
	all := slices.Contains(pods, "all")
	for _, k := range pods {
		if k != "all" && s.pods[k] == nil {
			return Snapshot{}, invalidf("env", "no pod %q (want namespace/name of an existing pod, or all)", k)
		}
	}
	snap := s.Snapshot()
	for i := range snap.Pods {
		pv := &snap.Pods[i]
		key := pv.Namespace + "/" + pv.Name
		if p := s.pods[key]; p != nil && (all || slices.Contains(pods, key)) {
			pv.Env = &PodEnv{Started: p.Env != nil, StartedMs: p.EnvAt, Vars: slices.Clone(p.Env)}
			if pv.Env.Vars == nil {
				pv.Env.Vars = []EnvVar{}
			}
		}
	}
	return snap, nil
}
