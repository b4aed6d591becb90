package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/podpath/podpath/model"
)

// This file holds the checks that need the whole file: a Service that
// selects no pods or names a port no pod has, a Route that will answer
// 503, unused Secrets, a file with nothing to simulate — each a warning
// that says how to fix it — and the grouping of repeated warnings.

// checkEndpoints warns about Services without endpoints and the Routes
// to them.
func (p *parser) checkEndpoints() {
	sc := &p.out.scenario
	why := map[string]string{} // Service key → why it has no endpoints
	for _, sv := range sc.Services {
		key := sv.Namespace + "/" + sv.Name
		at := p.serviceAt[key]
		if len(sv.Selector) == 0 || at == nil {
			continue // warned when read: no selector, no endpoints
		}
		var pods []model.Workload
		for _, w := range sc.Workloads {
			if w.Namespace == sv.Namespace && podsMatch(w, sv.Selector) {
				pods = append(pods, w)
			}
		}
		if len(pods) == 0 {
			why[key] = "its selector matches no pods"
			at.warn("spec.selector", "%s matches no pods: no workload in namespace %s has pod labels %s, so the Service has no endpoints; fix the selector or the pod template's labels", labelList(sv.Selector), sv.Namespace, labelList(sv.Selector))
			continue
		}
		running := slices.ContainsFunc(pods, func(w model.Workload) bool {
			return w.Kind == model.KindDaemonSet || (w.Replicas > 0 && (w.Kind != model.KindDeploymentConfig || w.Version > 0))
		})
		if !running {
			why[key] = "the workloads it selects run no pods"
			at.warn("spec.selector", "it selects only %s, which run no pods (0 replicas, or a DeploymentConfig never deployed), so the Service has no endpoints; scale it up", workloadNames(pods))
			continue
		}
		for i, port := range sv.Ports {
			if port.TargetPort == "" {
				continue
			}
			if _, err := strconv.Atoi(port.TargetPort); err == nil {
				continue
			}
			var have []string
			found := false
			for _, w := range pods {
				for _, cp := range w.Ports {
					found = found || cp.Name == port.TargetPort
					if cp.Name != "" && !slices.Contains(have, cp.Name) {
						have = append(have, cp.Name)
					}
				}
			}
			if !found {
				names := "no named ports"
				if len(have) > 0 {
					names = "ports named " + strings.Join(have, ", ")
				}
				if i == 0 {
					why[key] = fmt.Sprintf("no pod has a port named %q", port.TargetPort)
				}
				at.warn(fmt.Sprintf("spec.ports[%d].targetPort", i), "%q names no container port of the pods it selects (%s have %s), so this port has no endpoints; name a container port %q, or use the port number", port.TargetPort, workloadNames(pods), names, port.TargetPort)
			}
		}
	}
	for _, r := range p.routes {
		key := r.route.Namespace + "/" + r.route.To.Service
		if reason, ok := why[key]; ok && len(r.route.AlternateBackends) == 0 {
			field := "spec.to.name"
			if r.fromIngress != "" {
				field = r.fromIngress
			}
			r.at.warn(field, "Service %s has no ready endpoints (%s), so the router answers 503 for %s until it has; see the Service's warning", key, reason, r.route.Host)
		}
	}
}

// podsMatch reports whether a workload's pods carry every label of a
// Service selector: the template's, or one its controller adds (a
// DeploymentConfig's deploymentconfig=<name>, a StatefulSet pod's
// statefulset.kubernetes.io/pod-name=<name>-<i>, …).
func podsMatch(w model.Workload, selector map[string]string) bool {
	for k, v := range selector {
		if lv, ok := w.Labels[k]; ok {
			if lv != v {
				return false
			}
			continue
		}
		if !slices.Contains(controllerLabels(w.Kind), k) {
			return false
		}
		switch k {
		case "deploymentconfig":
			if v != w.Name {
				return false
			}
		case "statefulset.kubernetes.io/pod-name":
			i, err := strconv.Atoi(strings.TrimPrefix(v, w.Name+"-"))
			if err != nil || !strings.HasPrefix(v, w.Name+"-") || i < 0 || i >= w.Replicas {
				return false
			}
		}
	}
	return true
}

func labelList(labels map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(labels) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

func workloadNames(ws []model.Workload) string {
	var names []string
	for _, w := range ws {
		names = append(names, workloadKindName(w))
	}
	return strings.Join(names, ", ")
}

// checkSecrets warns about the Secrets no Ingress uses.
func (p *parser) checkSecrets() {
	for _, key := range sortedKeys(p.secrets) {
		if s := p.secrets[key]; !p.usedSecrets[key] && s.at != nil {
			s.at.warn("", "v1 Secret not simulated: podpath reads a Secret only when an Ingress's spec.tls names it (it must then be kubernetes.io/tls with tls.crt and tls.key, or that host gets no Route)")
		}
	}
}

// nothingToImport is the error for a file that holds nothing podpath
// simulates: importing it would silently leave an empty cluster.
func (p *parser) nothingToImport() error {
	if p.objects == 0 {
		return &ParseError{Line: 1, Message: "the file holds no objects (only blank lines, comments or empty documents); nothing was changed"}
	}
	var kinds []string
	for _, kind := range sortedKeys(p.ignored) {
		kinds = append(kinds, fmt.Sprintf("%s ×%d", kind, p.ignored[kind]))
	}
	return &ParseError{Line: 1, Message: fmt.Sprintf("the file holds no objects podpath simulates (ignored: %s; see the warnings for why); nothing was changed", strings.Join(kinds, ", "))}
}

// groupWarnings merges warnings with the same kind and message into the
// first, with a count and where the others are.
func groupWarnings(in []Warning) []Warning {
	var out []Warning
	index := map[string]int{}
	others := map[int][]string{}
	for _, w := range in {
		key := w.Kind + "\x00" + w.Message
		if i, ok := index[key]; ok {
			out[i].Count++
			if len(others[i]) < 5 {
				others[i] = append(others[i], where(w.Document, w.Item, w.Kind, w.Name, w.Line))
			}
			continue
		}
		index[key] = len(out)
		w.Count = 1
		out = append(out, w)
	}
	for i := range out {
		if out[i].Count > 1 {
			more := strings.Join(others[i], "; ")
			if out[i].Count-1 > len(others[i]) {
				more += "; …"
			}
			out[i].Message = fmt.Sprintf("%s (×%d: also %s)", out[i].Message, out[i].Count, more)
		}
	}
	return out
}
