package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsosv1 "github.com/openshift/api/apps/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podpath/podpath/model"
)

// This file converts the kinds that run pods — Deployment, StatefulSet,
// DaemonSet, ReplicaSet (apps/v1), ReplicationController and Pod (v1),
// DeploymentConfig (apps.openshift.io/v1) — into model.Workload, with the
// API server's defaults: replicas 1 (a DeploymentConfig's 0), a
// ReplicationController's or DeploymentConfig's selector defaulting to
// its template's labels, a DeploymentConfig's triggers to ConfigChange.

// workloadMeta is what every workload kind says about itself.
type workloadMeta struct {
	kind      string
	meta      *metav1.ObjectMeta
	replicas  *int32
	selector  map[string]string
	template  *corev1.PodTemplateSpec
	matchExpr bool // the selector has matchExpressions
}

// convertWorkload checks and converts the common part of a workload.
func convertWorkload(c *objectContext, w workloadMeta) (model.Workload, error) {
	namespace, err := c.objectNamespace(w.meta.Namespace)
	if err != nil {
		return model.Workload{}, err
	}
	c.setName(namespace, w.meta.Name)
	check := c.checkDNS1123Subdomain
	if w.kind == model.KindStatefulSet || w.kind == model.KindPod {
		check = c.checkDNS1123Label // the name is the pods' hostname
	}
	if err := check("metadata.name", w.meta.Name); err != nil {
		return model.Workload{}, err
	}
	out := model.Workload{Kind: w.kind, Namespace: namespace, Name: w.meta.Name, Replicas: 1}
	if w.kind == model.KindDeployment {
		out.Kind = "" // the model's default kind; export and state say Deployment
	}
	if w.replicas != nil {
		if r := *w.replicas; r < 0 || r > maxReplicas {
			return out, c.fail("spec.replicas", "must be between 0 and %d, got %d", maxReplicas, r)
		}
		out.Replicas = int(*w.replicas)
	}
	templateField := "spec.template"
	if w.kind == model.KindPod {
		templateField = ""
	}
	if w.template == nil {
		return out, c.fail(templateField, "required")
	}
	labelsField := joinPath(templateField, "metadata.labels")
	if err := c.checkLabels(labelsField, w.template.Labels); err != nil {
		return out, err
	}
	out.Labels = cloneLabels(w.template.Labels)
	if w.kind != model.KindPod {
		selectorField := "spec.selector.matchLabels"
		if w.kind == model.KindReplicationController || w.kind == model.KindDeploymentConfig {
			selectorField = "spec.selector"
		}
		if len(w.selector) == 0 {
			if w.matchExpr {
				return out, c.fail(selectorField, "required (a selector made only of matchExpressions is not supported)")
			}
			return out, c.fail(selectorField, "required")
		}
		if w.matchExpr {
			c.warn("spec.selector.matchExpressions", "not supported; only matchLabels select the pods")
		}
		if err := c.checkLabels(selectorField, w.selector); err != nil {
			return out, err
		}
		for _, key := range sortedKeys(w.selector) {
			if got, ok := w.template.Labels[key]; !ok || got != w.selector[key] {
				return out, c.fail(labelsField, "`selector` does not match template `labels`: the selector wants %s=%s", key, w.selector[key])
			}
		}
		out.Selector = cloneLabels(w.selector)
	}
	if err := podSpec(c, joinPath(templateField, "spec"), &w.template.Spec, &out); err != nil {
		return out, err
	}
	if out.StartupMs, err = annotationMs(c, w.meta.Annotations, AnnotationStartupMs); err != nil {
		return out, err
	}
	if out.ServiceMs, err = annotationMs(c, w.meta.Annotations, AnnotationServiceMs); err != nil {
		return out, err
	}
	return out, nil
}

// podSpec converts what a pod spec says that podpath simulates: the
// container ports, the first readiness probe's initial delay, the grace
// period, hostNetwork, nodeSelector and tolerations.
func podSpec(c *objectContext, field string, pod *corev1.PodSpec, out *model.Workload) error {
	if len(pod.Containers) == 0 {
		return c.fail(joinPath(field, "containers"), "required: at least one container")
	}
	portNames := map[string]bool{}
	for i, container := range pod.Containers {
		for j, port := range container.Ports {
			portField := joinPath(field, fmt.Sprintf("containers[%d].ports[%d]", i, j))
			if err := c.checkPortNumber(portField+".containerPort", port.ContainerPort); err != nil {
				return err
			}
			if port.Name != "" {
				if err := c.checkPortName(portField+".name", port.Name); err != nil {
					return err
				}
				if portNames[port.Name] {
					return c.fail(portField+".name", "duplicate port name %q", port.Name)
				}
				portNames[port.Name] = true
			}
			out.Ports = append(out.Ports, model.ContainerPort{Name: port.Name, Port: int(port.ContainerPort)})
		}
		if probe := container.ReadinessProbe; probe != nil && out.ReadinessDelayMs == 0 {
			if probe.InitialDelaySeconds < 0 {
				return c.fail(joinPath(field, fmt.Sprintf("containers[%d].readinessProbe.initialDelaySeconds", i)), "must not be negative")
			}
			out.ReadinessDelayMs = int64(probe.InitialDelaySeconds) * 1000
		}
	}
	if grace := pod.TerminationGracePeriodSeconds; grace != nil {
		if *grace < 0 || *grace > 3600 {
			return c.fail(joinPath(field, "terminationGracePeriodSeconds"), "must be between 0 and 3600, got %d", *grace)
		}
		out.GracePeriodMs = *grace * 1000
	}
	out.HostNetwork = pod.HostNetwork
	if pod.HostNetwork {
		var closed []string
		for _, p := range out.Ports {
			if !model.HostNetworkPortOpen(p.Port) {
				closed = append(closed, strconv.Itoa(p.Port))
			}
		}
		reach := "its ports are in the ranges the cluster's AWS security groups open between nodes (TCP 9000–9999, 10250, 30000–32767)"
		if len(closed) > 0 {
			reach = "the cluster's AWS security groups open only TCP 9000–9999, 10250 and 30000–32767 between nodes, so port " + strings.Join(closed, ", ") + " answers only from the same node (a router on another node times out); use a port in 9000–9999, or the pod network"
		}
		c.warn(joinPath(field, "hostNetwork"), "the pods use their node's IP and ports (no Calico hop; two cannot share a port on one node); %s", reach)
	}
	if err := c.checkLabels(joinPath(field, "nodeSelector"), pod.NodeSelector); err != nil {
		return err
	}
	out.NodeSelector = cloneLabels(pod.NodeSelector)
	for _, key := range sortedKeys(pod.NodeSelector) {
		if !slices.Contains(model.NodeLabelKeys, key) {
			c.warn(joinPath(field, "nodeSelector["+key+"]"), "no node of this cluster has the label %s, so the pods stay Pending; podpath's nodes carry %s", key, strings.Join(model.NodeLabelKeys, ", "))
		}
	}
	for i, t := range pod.Tolerations {
		tField := joinPath(field, fmt.Sprintf("tolerations[%d]", i))
		if err := c.checkOneOf(tField+".operator", string(t.Operator), true, "Equal", "Exists"); err != nil {
			return err
		}
		if err := c.checkOneOf(tField+".effect", string(t.Effect), true, "NoSchedule", "PreferNoSchedule", "NoExecute"); err != nil {
			return err
		}
		if t.Operator == corev1.TolerationOpExists && t.Value != "" {
			return c.fail(tField+".value", "must be empty when operator is Exists")
		}
		out.Tolerations = append(out.Tolerations, model.Toleration{Key: t.Key, Operator: string(t.Operator), Value: t.Value, Effect: string(t.Effect)})
	}
	if pod.Affinity != nil || len(pod.TopologySpreadConstraints) > 0 {
		c.warn(field, "affinity and topologySpreadConstraints are not simulated; pods are spread over the nodes they fit")
	}
	if pod.NodeName != "" {
		c.warn(joinPath(field, "nodeName"), "not simulated: podpath's scheduler places the pod (node names differ between clusters)")
	}
	return nil
}

// convertDeployment converts an apps/v1 Deployment.
func convertDeployment(c *objectContext, d *appsv1.Deployment) (model.Workload, error) {
	out, err := convertWorkload(c, workloadMeta{kind: model.KindDeployment, meta: &d.ObjectMeta, replicas: d.Spec.Replicas,
		selector: selectorLabels(d.Spec.Selector), matchExpr: hasMatchExpressions(d.Spec.Selector), template: &d.Spec.Template})
	if err != nil {
		return out, err
	}
	out.Strategy = string(d.Spec.Strategy.Type)
	if d.Spec.Paused {
		c.warn("spec.paused", "not simulated")
	}
	return out, nil
}

// convertReplicaSet converts an apps/v1 ReplicaSet made by hand (one a
// Deployment made is skipped before: see ownedByController).
func convertReplicaSet(c *objectContext, r *appsv1.ReplicaSet) (model.Workload, error) {
	return convertWorkload(c, workloadMeta{kind: model.KindReplicaSet, meta: &r.ObjectMeta, replicas: r.Spec.Replicas,
		selector: selectorLabels(r.Spec.Selector), matchExpr: hasMatchExpressions(r.Spec.Selector), template: &r.Spec.Template})
}

// convertReplicationController converts a v1 ReplicationController; its
// selector defaults to the template's labels, as the API server does.
func convertReplicationController(c *objectContext, r *corev1.ReplicationController) (model.Workload, error) {
	selector := r.Spec.Selector
	if len(selector) == 0 && r.Spec.Template != nil {
		selector = r.Spec.Template.Labels
	}
	return convertWorkload(c, workloadMeta{kind: model.KindReplicationController, meta: &r.ObjectMeta, replicas: r.Spec.Replicas,
		selector: selector, template: r.Spec.Template})
}

// convertStatefulSet converts an apps/v1 StatefulSet.
func convertStatefulSet(c *objectContext, s *appsv1.StatefulSet) (model.Workload, error) {
	out, err := convertWorkload(c, workloadMeta{kind: model.KindStatefulSet, meta: &s.ObjectMeta, replicas: s.Spec.Replicas,
		selector: selectorLabels(s.Spec.Selector), matchExpr: hasMatchExpressions(s.Spec.Selector), template: &s.Spec.Template})
	if err != nil {
		return out, err
	}
	if s.Spec.ServiceName != "" {
		if err := c.checkDNS1035Label("spec.serviceName", s.Spec.ServiceName); err != nil {
			return out, err
		}
	}
	out.ServiceName = s.Spec.ServiceName
	if err := c.checkOneOf("spec.podManagementPolicy", string(s.Spec.PodManagementPolicy), true, "OrderedReady", "Parallel"); err != nil {
		return out, err
	}
	out.PodManagementPolicy = string(s.Spec.PodManagementPolicy)
	out.Strategy = string(s.Spec.UpdateStrategy.Type)
	if len(s.Spec.VolumeClaimTemplates) > 0 {
		c.warn("spec.volumeClaimTemplates", "storage is not simulated: the pods start as if their PersistentVolumeClaims were bound")
	}
	return out, nil
}

// convertDaemonSet converts an apps/v1 DaemonSet: one pod on every node
// its template tolerates (control-plane nodes are tainted NoSchedule).
func convertDaemonSet(c *objectContext, d *appsv1.DaemonSet) (model.Workload, error) {
	out, err := convertWorkload(c, workloadMeta{kind: model.KindDaemonSet, meta: &d.ObjectMeta,
		selector: selectorLabels(d.Spec.Selector), matchExpr: hasMatchExpressions(d.Spec.Selector), template: &d.Spec.Template})
	out.Replicas = 0
	out.Strategy = string(d.Spec.UpdateStrategy.Type)
	return out, err
}

// convertPod converts a bare v1 Pod: it runs once, and nothing makes it
// again once it is deleted or its node fails.
func convertPod(c *objectContext, p *corev1.Pod) (model.Workload, error) {
	template := &corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}
	out, err := convertWorkload(c, workloadMeta{kind: model.KindPod, meta: &p.ObjectMeta, template: template})
	if err == nil {
		c.warn("", "a bare Pod (no controller): it is shown as unmanaged, and nothing makes it again once it is deleted or its node fails; use a Deployment for pods that come back")
	}
	return out, err
}

// convertDeploymentConfig converts an OpenShift DeploymentConfig
// (apps.openshift.io/v1, or the legacy groupless v1). Its pods belong to
// ReplicationController <name>-<latestVersion>. A fresh one (no
// status.latestVersion) is deployed as version 1 when a trigger would
// deploy it: ConfigChange, or an automatic ImageChange — podpath has no
// builds or image streams, so it runs the pods as if the image existed.
func convertDeploymentConfig(c *objectContext, d *appsosv1.DeploymentConfig) (model.Workload, error) {
	selector := d.Spec.Selector
	if len(selector) == 0 && d.Spec.Template != nil {
		selector = d.Spec.Template.Labels // the API server's default
	}
	replicas := d.Spec.Replicas // no default: an omitted replicas is 0
	out, err := convertWorkload(c, workloadMeta{kind: model.KindDeploymentConfig, meta: &d.ObjectMeta, replicas: &replicas,
		selector: selector, template: d.Spec.Template})
	if err != nil {
		return out, err
	}
	out.Strategy = string(d.Spec.Strategy.Type)
	if out.Strategy == "" {
		out.Strategy = string(appsosv1.DeploymentStrategyTypeRolling)
	}
	if err := c.checkOneOf("spec.strategy.type", out.Strategy, false, "Rolling", "Recreate", "Custom"); err != nil {
		return out, err
	}
	triggers := d.Spec.Triggers
	if triggers == nil {
		triggers = appsosv1.DeploymentTriggerPolicies{{Type: appsosv1.DeploymentTriggerOnConfigChange}}
	}
	deploys := false
	for i, t := range triggers {
		field := fmt.Sprintf("spec.triggers[%d]", i)
		if err := c.checkOneOf(field+".type", string(t.Type), false, "ConfigChange", "ImageChange"); err != nil {
			return out, err
		}
		out.Triggers = append(out.Triggers, string(t.Type))
		switch {
		case t.Type == appsosv1.DeploymentTriggerOnConfigChange:
			deploys = true
		case t.ImageChangeParams == nil:
			return out, c.fail(field+".imageChangeParams", "required for an ImageChange trigger")
		default:
			from := t.ImageChangeParams.From.Name
			switch {
			case t.ImageChangeParams.Automatic && d.Status.LatestVersion > 0:
				deploys = true
				c.warn(field, "ImageChange from %s: podpath has no image streams, so a new image does not roll it out; it keeps running version %d", from, d.Status.LatestVersion)
			case t.ImageChangeParams.Automatic:
				deploys = true
				c.warn(field, "ImageChange from %s: podpath has no builds or image streams, so it runs the pods as if that image existed (on a cluster the DeploymentConfig waits until the ImageStreamTag resolves)", from)
			default:
				c.warn(field, "ImageChange from %s is not automatic: podpath deploys nothing for it", from)
			}
		}
	}
	out.Version = d.Status.LatestVersion
	switch {
	case out.Version < 0:
		return out, c.fail("status.latestVersion", "must not be negative, got %d", out.Version)
	case out.Version == 0 && deploys:
		out.Version = 1
	case out.Version == 0:
		c.warn("spec.triggers", "no trigger deploys it and status.latestVersion is 0: it runs no pods until `oc rollout latest dc/%s`", d.Name)
	}
	if d.Spec.Test {
		c.warn("spec.test", "not simulated: the pods run as for any DeploymentConfig")
	}
	if d.Spec.Paused {
		c.warn("spec.paused", "not simulated")
	}
	return out, nil
}

// selectorLabels is a LabelSelector's matchLabels (nil for none).
func selectorLabels(s *metav1.LabelSelector) map[string]string {
	if s == nil {
		return nil
	}
	return s.MatchLabels
}

func hasMatchExpressions(s *metav1.LabelSelector) bool {
	return s != nil && len(s.MatchExpressions) > 0
}

// controllerKinds are the kinds podpath makes from another object: a
// ReplicaSet from its Deployment, a ReplicationController from its
// DeploymentConfig, pods from their controller. An object of such a kind
// whose controller ownerReference names one of these owner kinds is
// skipped (`oc get all -o yaml` lists them beside their owners).
var controllerKinds = map[string][]string{
	"ReplicaSet":            {"Deployment"},
	"ReplicationController": {"DeploymentConfig"},
	"Pod":                   {"ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet", "Job"},
	"Job":                   {"CronJob"},
}

// ownedByController returns the controller that made an object podpath
// makes itself, or "" when there is none.
func ownedByController(kind string, meta *metav1.ObjectMeta) string {
	for _, ref := range meta.OwnerReferences {
		if ref.Controller != nil && *ref.Controller {
			for _, owner := range controllerKinds[kind] {
				if ref.Kind == owner {
					return ref.Kind + " " + ref.Name
				}
			}
		}
	}
	if kind == "ReplicationController" {
		if dc := meta.Annotations["openshift.io/deployment-config.name"]; dc != "" {
			return "DeploymentConfig " + dc
		}
	}
	return ""
}

// controllerLabels are the label keys a kind's controller adds to its
// pods: a Service may select on them although the template lacks them.
func controllerLabels(kind string) []string {
	switch kind {
	case "", model.KindDeployment:
		return []string{"pod-template-hash"}
	case model.KindDeploymentConfig:
		return []string{"deployment", "deploymentconfig"}
	case model.KindStatefulSet:
		return []string{"controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"}
	case model.KindDaemonSet:
		return []string{"controller-revision-hash", "pod-template-generation"}
	}
	return nil
}

// kindOrDeployment is a Workload's kind ("" is a Deployment).
func kindOrDeployment(kind string) string {
	if kind == "" {
		return model.KindDeployment
	}
	return kind
}

// workloadKindName is how messages name a workload: "Deployment ns/name".
func workloadKindName(w model.Workload) string {
	return kindOrDeployment(w.Kind) + " " + w.Namespace + "/" + w.Name
}
