package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	appsosv1 "github.com/openshift/api/apps/v1"
	routev1 "github.com/openshift/api/route/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/podpath/podpath/model"
)

// ExportedName is the metadata.name Export writes when the scenario has
// none (a file of bare manifests was imported).
const ExportedName = "exported"

// Export writes a scenario as a scenario file: the podpath Scenario header
// followed by one Namespace, Deployment, Service, Route and NetworkPolicy
// manifest per object, marshalled from the real Kubernetes/OpenShift API
// types. Pass it the live cluster (model.Sim.Scenario) to save what the
// page and the API changed; Parse reads the file back to the same
// scenario (see docs/scenarios.md, "Export").
//
// What a scenario file cannot say is not written: pods (they are made anew
// from the Deployments), walkthrough steps, the latency model, and
// runtime faults such as a failed node or a failing probe. Export checks
// its own output by parsing it; a state the format cannot hold is an
// error wrapping model.ErrConflict.
func Export(sc model.Scenario) ([]byte, error) {
	var out bytes.Buffer
	out.WriteString("# A podpath scenario: a Scenario header, then ordinary manifests (oc apply -f works on them).\n")
	out.WriteString("# Pods are not listed: podpath makes them from the Deployments. See docs/scenarios.md.\n")
	docs := []any{exportHeader(sc)}
	for _, ns := range sc.Namespaces {
		docs = append(docs, exportNamespace(ns))
	}
	for _, w := range sc.Workloads {
		doc, err := exportWorkload(w)
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	for _, s := range sc.Services {
		docs = append(docs, exportService(s))
	}
	for _, r := range sc.Routes {
		docs = append(docs, exportRoute(r))
	}
	for _, p := range sc.NetworkPolicies {
		docs = append(docs, exportNetworkPolicy(p))
	}
	for i, doc := range docs {
		data, err := marshalDocument(doc)
		if err != nil {
			return nil, fmt.Errorf("scenarios: export: document %d: %w", i+1, err)
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		out.Write(data)
	}
	if _, _, err := Parse(out.Bytes()); err != nil {
		return nil, fmt.Errorf("%w: scenarios: export: the state cannot be written as a scenario file: %v", model.ErrConflict, err)
	}
	return out.Bytes(), nil
}

// exportHeader is the Scenario document: every setting written out, so
// that the file does not depend on the defaults of a later podpath.
func exportHeader(sc model.Scenario) scenarioDocument {
	s := sc.Settings
	name := sc.Name
	if name == "" {
		name = ExportedName
	}
	h := scenarioDocument{
		TypeMeta:   metav1.TypeMeta{APIVersion: APIVersion, Kind: KindScenario},
		ObjectMeta: metav1.ObjectMeta{Name: name},
	}
	spec := &h.Spec
	spec.Title, spec.Description, spec.Seed = sc.Title, sc.Description, s.Seed
	spec.Cluster = clusterSpec{
		Name: s.ClusterName, BaseDomain: s.BaseDomain, Region: s.Region,
		Zones: s.Zones, WorkersPerZone: s.WorkersPerZone, OpenShiftVersion: s.OpenShiftVersion,
	}
	spec.LoadBalancer = loadBalancerSpec{Type: s.LBType, CrossZone: s.CrossZone}
	spec.Network = networkSpec{
		Encapsulation: s.Encapsulation, KubeProxyMode: s.KubeProxyMode, SourceDestCheck: s.SourceDestCheck,
		SecurityGroupsAllowIPIPAndBGP: s.SecurityGroupsAllowIPIPAndBGP, LocalWithFallback: s.LocalWithFallback,
	}
	spec.Router = routerSpec{
		Replicas:              s.RouterReplicas,
		ReloadIntervalSeconds: float64(s.ReloadIntervalMs) / 1000,
		AllowWildcardRoutes:   s.AllowWildcardRoutes,
		Retries:               s.RouterRetries,
	}
	spec.EvictionDelaySeconds = float64(s.EvictionDelayMs) / 1000
	spec.NodeGracePeriodSeconds = float64(s.NodeGracePeriodMs) / 1000
	spec.Traffic = trafficSpec{RPS: s.Traffic.RPS, Clients: s.Traffic.Clients}
	for _, m := range s.Traffic.Mix {
		spec.Traffic.Mix = append(spec.Traffic.Mix, mixSpec(m))
	}
	return h
}

func exportNamespace(ns model.Namespace) *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: ns.Name, Labels: ns.Labels},
	}
}

// exportWorkload writes a workload as its own kind. Its pod template has
// one container holding every port. podpath does not know images: the
// image is a placeholder in the cluster's own registry, named after the
// workload.
func exportWorkload(w model.Workload) (any, error) {
	for _, ms := range []struct {
		field string
		v     int64
	}{{"readinessDelayMs", w.ReadinessDelayMs}, {"gracePeriodMs", w.GracePeriodMs}} {
		if ms.v%1000 != 0 {
			return nil, fmt.Errorf("%w: scenarios: export: %s: %s %d is not whole seconds, which the manifest needs", model.ErrConflict, workloadKindName(w), ms.field, ms.v)
		}
	}
	kind := kindOrDeployment(w.Kind)
	meta := metav1.ObjectMeta{Name: w.Name, Namespace: w.Namespace, Labels: w.Labels, Annotations: workloadAnnotations(w)}
	template := exportPodTemplate(w)
	replicas := int32(w.Replicas)
	selector := &metav1.LabelSelector{MatchLabels: w.Selector}
	typeMeta := func(apiVersion string) metav1.TypeMeta { return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind} }
	switch kind {
	case model.KindStatefulSet:
		return &appsv1.StatefulSet{TypeMeta: typeMeta("apps/v1"), ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{
			Replicas: &replicas, Selector: selector, Template: template, ServiceName: w.ServiceName,
			PodManagementPolicy: appsv1.PodManagementPolicyType(w.PodManagementPolicy),
			UpdateStrategy:      appsv1.StatefulSetUpdateStrategy{Type: appsv1.StatefulSetUpdateStrategyType(w.Strategy)},
		}}, nil
	case model.KindDaemonSet:
		return &appsv1.DaemonSet{TypeMeta: typeMeta("apps/v1"), ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{
			Selector: selector, Template: template,
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.DaemonSetUpdateStrategyType(w.Strategy)},
		}}, nil
	case model.KindReplicaSet:
		return &appsv1.ReplicaSet{TypeMeta: typeMeta("apps/v1"), ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{
			Replicas: &replicas, Selector: selector, Template: template,
		}}, nil
	case model.KindReplicationController:
		return &corev1.ReplicationController{TypeMeta: typeMeta("v1"), ObjectMeta: meta, Spec: corev1.ReplicationControllerSpec{
			Replicas: &replicas, Selector: w.Selector, Template: &template,
		}}, nil
	case model.KindPod:
		meta.Labels = w.Labels
		return &corev1.Pod{TypeMeta: typeMeta("v1"), ObjectMeta: meta, Spec: template.Spec}, nil
	case model.KindDeploymentConfig:
		dc := &appsosv1.DeploymentConfig{TypeMeta: typeMeta("apps.openshift.io/v1"), ObjectMeta: meta, Spec: appsosv1.DeploymentConfigSpec{
			Replicas: replicas, Selector: w.Selector, Template: &template,
			Strategy: appsosv1.DeploymentStrategy{Type: appsosv1.DeploymentStrategyType(w.Strategy)},
			Triggers: appsosv1.DeploymentTriggerPolicies{},
		}, Status: appsosv1.DeploymentConfigStatus{LatestVersion: w.Version}}
		for _, t := range w.Triggers {
			trigger := appsosv1.DeploymentTriggerPolicy{Type: appsosv1.DeploymentTriggerType(t)}
			if trigger.Type == appsosv1.DeploymentTriggerOnImageChange {
				// podpath keeps no image stream: a placeholder tag named
				// after the DeploymentConfig, like the image.
				trigger.ImageChangeParams = &appsosv1.DeploymentTriggerImageChangeParams{
					Automatic: true, ContainerNames: []string{template.Spec.Containers[0].Name},
					From: corev1.ObjectReference{Kind: "ImageStreamTag", Name: w.Name + ":latest"},
				}
			}
			dc.Spec.Triggers = append(dc.Spec.Triggers, trigger)
		}
		return dc, nil
	}
	return &appsv1.Deployment{TypeMeta: typeMeta("apps/v1"), ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
		Replicas: &replicas, Selector: selector, Template: template,
		Strategy: appsv1.DeploymentStrategy{Type: appsv1.DeploymentStrategyType(w.Strategy)},
	}}, nil
}

// exportPodTemplate is a workload's pod template: its labels, one
// container with every port, the readiness delay as a readinessProbe
// (tcpSocket on the first port), the grace period, hostNetwork,
// nodeSelector and tolerations.
func exportPodTemplate(w model.Workload) corev1.PodTemplateSpec {
	container := corev1.Container{
		Name:  containerName(w.Name),
		Image: "image-registry.openshift-image-registry.svc:5000/" + w.Namespace + "/" + w.Name + ":latest",
	}
	for _, p := range w.Ports {
		container.Ports = append(container.Ports, corev1.ContainerPort{Name: p.Name, ContainerPort: int32(p.Port), Protocol: corev1.ProtocolTCP})
	}
	if w.ReadinessDelayMs > 0 {
		probe := &corev1.Probe{InitialDelaySeconds: int32(w.ReadinessDelayMs / 1000)}
		if len(w.Ports) > 0 {
			probe.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromInt32(int32(w.Ports[0].Port))}
		} else {
			probe.Exec = &corev1.ExecAction{Command: []string{"true"}}
		}
		container.ReadinessProbe = probe
	}
	spec := corev1.PodSpec{Containers: []corev1.Container{container}, HostNetwork: w.HostNetwork, NodeSelector: w.NodeSelector}
	for _, t := range w.Tolerations {
		spec.Tolerations = append(spec.Tolerations, corev1.Toleration{Key: t.Key, Operator: corev1.TolerationOperator(t.Operator), Value: t.Value, Effect: corev1.TaintEffect(t.Effect)})
	}
	if w.GracePeriodMs > 0 {
		grace := w.GracePeriodMs / 1000
		spec.TerminationGracePeriodSeconds = &grace
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: w.Labels}, Spec: spec}
}

// workloadAnnotations are podpath's timing annotations.
func workloadAnnotations(w model.Workload) map[string]string {
	annotations := map[string]string{}
	if w.StartupMs > 0 {
		annotations[AnnotationStartupMs] = strconv.FormatInt(w.StartupMs, 10)
	}
	if w.ServiceMs > 0 {
		annotations[AnnotationServiceMs] = strconv.FormatInt(w.ServiceMs, 10)
	}
	if len(annotations) == 0 {
		return nil
	}
	return annotations
}

// containerName is the Deployment's name cut to a DNS-1123 label.
func containerName(name string) string {
	if len(name) > 63 {
		name = name[:63]
	}
	for len(name) > 0 && (name[len(name)-1] == '-' || name[len(name)-1] == '.') {
		name = name[:len(name)-1]
	}
	out := []byte(name)
	for i, c := range out {
		if c == '.' {
			out[i] = '-'
		}
	}
	return string(out)
}

// exportService keeps the ClusterIP, so that a re-import gives the
// Service the same address.
func exportService(s model.Service) *corev1.Service {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: s.Namespace},
		Spec: corev1.ServiceSpec{
			Type:            corev1.ServiceTypeClusterIP,
			Selector:        s.Selector,
			ClusterIP:       s.ClusterIP,
			SessionAffinity: corev1.ServiceAffinity(s.SessionAffinity),
		},
	}
	if s.InternalTrafficPolicy != "" {
		policy := corev1.ServiceInternalTrafficPolicy(s.InternalTrafficPolicy)
		svc.Spec.InternalTrafficPolicy = &policy
	}
	for _, p := range s.Ports {
		port := corev1.ServicePort{Name: p.Name, Protocol: corev1.Protocol(p.Protocol), Port: int32(p.Port)}
		if p.TargetPort != "" {
			port.TargetPort = intOrString(p.TargetPort)
		}
		svc.Spec.Ports = append(svc.Spec.Ports, port)
	}
	return svc
}

// intOrString is a port given as a number or a name.
func intOrString(v string) intstr.IntOrString {
	if n, err := strconv.Atoi(v); err == nil {
		return intstr.FromInt32(int32(n))
	}
	return intstr.FromString(v)
}

func exportRoute(r model.Route) *routev1.Route {
	route := &routev1.Route{
		TypeMeta:   metav1.TypeMeta{APIVersion: "route.openshift.io/v1", Kind: "Route"},
		ObjectMeta: metav1.ObjectMeta{Name: r.Name, Namespace: r.Namespace, Annotations: r.Annotations},
		Spec: routev1.RouteSpec{
			Host:           r.Host,
			Path:           r.Path,
			To:             routeReference(r.To),
			WildcardPolicy: routev1.WildcardPolicyType(r.WildcardPolicy),
		},
	}
	for _, b := range r.AlternateBackends {
		route.Spec.AlternateBackends = append(route.Spec.AlternateBackends, routeReference(b))
	}
	if r.TargetPort != "" {
		route.Spec.Port = &routev1.RoutePort{TargetPort: intOrString(r.TargetPort)}
	}
	if r.TLS != nil {
		route.Spec.TLS = &routev1.TLSConfig{
			Termination:                   routev1.TLSTerminationType(r.TLS.Termination),
			InsecureEdgeTerminationPolicy: routev1.InsecureEdgeTerminationPolicyType(r.TLS.InsecureEdgeTerminationPolicy),
		}
	}
	return route
}

func routeReference(t model.RouteTarget) routev1.RouteTargetReference {
	ref := routev1.RouteTargetReference{Kind: "Service", Name: t.Service}
	if t.Weight != nil {
		w := int32(*t.Weight)
		ref.Weight = &w
	}
	return ref
}

func exportNetworkPolicy(p model.NetworkPolicy) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace},
		Spec:       networkingv1.NetworkPolicySpec{PodSelector: *exportSelector(&p.PodSelector)},
	}
	for _, t := range p.PolicyTypes {
		np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyType(t))
	}
	for _, rule := range p.Ingress {
		np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: exportPeers(rule.Peers), Ports: exportPolicyPorts(rule.Ports)})
	}
	for _, rule := range p.Egress {
		np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: exportPeers(rule.Peers), Ports: exportPolicyPorts(rule.Ports)})
	}
	return np
}

func exportSelector(s *model.LabelSelector) *metav1.LabelSelector {
	if s == nil {
		return nil
	}
	out := &metav1.LabelSelector{MatchLabels: s.MatchLabels}
	for _, r := range s.MatchExpressions {
		out.MatchExpressions = append(out.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: r.Key, Operator: metav1.LabelSelectorOperator(r.Operator), Values: r.Values,
		})
	}
	return out
}

func exportPeers(peers []model.PolicyPeer) []networkingv1.NetworkPolicyPeer {
	var out []networkingv1.NetworkPolicyPeer
	for _, p := range peers {
		peer := networkingv1.NetworkPolicyPeer{
			PodSelector:       exportSelector(p.PodSelector),
			NamespaceSelector: exportSelector(p.NamespaceSelector),
		}
		if p.IPBlock != "" {
			peer.IPBlock = &networkingv1.IPBlock{CIDR: p.IPBlock}
		}
		out = append(out, peer)
	}
	return out
}

func exportPolicyPorts(ports []model.PolicyPort) []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for _, p := range ports {
		var port networkingv1.NetworkPolicyPort
		if p.Protocol != "" {
			protocol := corev1.Protocol(p.Protocol)
			port.Protocol = &protocol
		}
		if p.Port != "" {
			v := intOrString(p.Port)
			port.Port = &v
		}
		out = append(out, port)
	}
	return out
}

// marshalDocument writes one object as YAML without the empty fields
// the API types always print (creationTimestamp: null, status: {},
// resources: {}).
func marshalDocument(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := json.Unmarshal(data, &tree); err != nil {
		return nil, err
	}
	prune(tree)
	return yaml.Marshal(tree)
}

// prune deletes null values and empty objects, depth first. Empty
// objects that mean something (a NetworkPolicy's podSelector: {}, an
// ingress rule {} that allows everything) are kept: they sit under keys
// listed in keepEmpty or inside lists.
func prune(tree map[string]any) {
	for k, v := range tree {
		switch v := v.(type) {
		case nil:
			delete(tree, k)
		case map[string]any:
			prune(v)
			if len(v) == 0 && !keepEmpty[k] {
				delete(tree, k)
			}
		case []any:
			for _, item := range v {
				if m, ok := item.(map[string]any); ok {
					prune(m)
				}
			}
		}
	}
}

// keepEmpty are the keys whose empty object is meaningful.
var keepEmpty = map[string]bool{"podSelector": true, "namespaceSelector": true}
