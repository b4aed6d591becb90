package scenarios

import (
	"encoding/json"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podpath/podpath/model"
)

// apiVersions are the apiVersions podpath reads for each kind it
// simulates, the current one first. OpenShift's own kinds are also
// accepted in their legacy groupless form, apiVersion: v1, which older
// templates and `oc get` output use (openshift/api's legacy.go files
// register them so).
var apiVersions = map[string][]string{
	"Namespace":             {"v1"},
	"Project":               {"project.openshift.io/v1", "v1"},
	"Deployment":            {"apps/v1"},
	"DeploymentConfig":      {"apps.openshift.io/v1", "v1"},
	"StatefulSet":           {"apps/v1"},
	"DaemonSet":             {"apps/v1"},
	"ReplicaSet":            {"apps/v1"},
	"ReplicationController": {"v1"},
	"Pod":                   {"v1"},
	"Service":               {"v1"},
	"Route":                 {"route.openshift.io/v1", "v1"},
	"Template":              {"template.openshift.io/v1", "v1"},
	"Ingress":               {"networking.k8s.io/v1"},
	"IngressClass":          {"networking.k8s.io/v1"},
	"NetworkPolicy":         {"networking.k8s.io/v1"},
	"IngressController":     {"operator.openshift.io/v1"},
	"Secret":                {"v1"},
}

// removedIn is the Kubernetes release that stopped serving an apiVersion
// of a kind podpath reads ("" when it is not a removed one); `oc apply`
// refuses such a file too.
func removedIn(kind, apiVersion string) string {
	switch apiVersion {
	case "extensions/v1beta1":
		if kind == "Ingress" {
			return "1.22"
		}
		return "1.16"
	case "apps/v1beta1", "apps/v1beta2":
		return "1.16"
	case "networking.k8s.io/v1beta1":
		return "1.22"
	}
	return ""
}

// ignoredKinds explains why common kinds are skipped.
var ignoredKinds = map[string]string{
	"Endpoints":               "endpoints are computed from the Service's selector",
	"EndpointSlice":           "EndpointSlices are computed from the Service's selector",
	"Job":                     "Jobs are not simulated (their pods run to completion and serve no traffic)",
	"CronJob":                 "CronJobs are not simulated (their Jobs' pods run to completion and serve no traffic)",
	"BuildConfig":             "podpath has no builds: DeploymentConfigs that wait for the image it would build run as if it existed",
	"Build":                   "podpath has no builds",
	"ImageStream":             "podpath has no image registry: pods run as if their ImageStreamTags resolved",
	"ImageStreamTag":          "podpath has no image registry",
	"PersistentVolumeClaim":   "storage is not simulated: pods start as if their claims were bound",
	"PersistentVolume":        "storage is not simulated",
	"HorizontalPodAutoscaler": "autoscaling is not simulated: scale with the scale command",
	"PodDisruptionBudget":     "disruption budgets are not simulated",
	"ConfigMap":               "it does not change how traffic flows",
	"ServiceAccount":          "it does not change how traffic flows",
	"Role":                    "RBAC does not change how traffic flows",
	"RoleBinding":             "RBAC does not change how traffic flows",
	"ClusterRole":             "RBAC does not change how traffic flows",
	"ClusterRoleBinding":      "RBAC does not change how traffic flows",
	"Event":                   "it does not change how traffic flows",
}

// supportedKind reports whether podpath reads kind in apiVersion; when
// not, why, as a warning.
func supportedKind(kind, apiVersion string) (bool, string) {
	versions, known := apiVersions[kind]
	switch {
	case !known:
		reason, ok := ignoredKinds[kind]
		if !ok {
			reason = "podpath does not simulate this kind"
		}
		return false, apiVersion + " " + kind + " ignored: " + reason
	case slices.Contains(versions, apiVersion):
		return true, ""
	}
	if release := removedIn(kind, apiVersion); release != "" {
		return false, apiVersion + " " + kind + " ignored: Kubernetes " + release + " removed that apiVersion; use " + versions[0]
	}
	return false, apiVersion + " " + kind + " is not supported (podpath reads " + strings.Join(versions, " or ") + "); ignored"
}

// converted is one decoded object in model form.
type converted struct {
	namespace         *model.Namespace
	workload          *model.Workload
	service           *model.Service
	route             *model.Route
	policy            *model.NetworkPolicy
	routes            []model.Route
	ingress           *networkingv1.Ingress
	ingressClass      *networkingv1.IngressClass
	ingressController *ingressControllerSettings
	secret            *secretInfo
	// skipped is why a known kind was left out (it is made by its owner).
	skipped string
}

// secretInfo is what podpath reads of a Secret: whether it can serve
// TLS (an Ingress's spec.tls[].secretName).
type secretInfo struct {
	namespace, name string
	at              *objectContext
	// tlsProblem is why the Secret cannot serve TLS; "" when it can.
	tlsProblem string
}

// convertObject decodes a supported kind with its real API type and
// converts it. An Ingress is converted right away when convertIngress is
// set (the apply command, which cannot see the Services); otherwise it is
// returned for the parser to convert once every Service is known.
func convertObject(at *objectContext, kind string, data []byte, convertIngress bool) (converted, error) {
	var out converted
	var err error
	switch kind {
	case "Namespace":
		out.namespace, err = decodeAndConvert(at, data, func(at *objectContext, ns *corev1.Namespace) (model.Namespace, error) {
			return convertNamespace(at, &ns.ObjectMeta)
		})
	case "Project":
		out.namespace, err = decodeAndConvert(at, data, func(at *objectContext, p *project) (model.Namespace, error) {
			return convertNamespace(at, &p.ObjectMeta)
		})
	case "Deployment":
		out.workload, err = decodeAndConvert(at, data, convertDeployment)
	case "DeploymentConfig":
		out.workload, err = decodeAndConvert(at, data, convertDeploymentConfig)
	case "StatefulSet":
		out.workload, err = decodeAndConvert(at, data, convertStatefulSet)
	case "DaemonSet":
		out.workload, err = decodeAndConvert(at, data, convertDaemonSet)
	case "ReplicaSet":
		out.workload, out.skipped, err = decodeOwned(at, kind, data, convertReplicaSet)
	case "ReplicationController":
		out.workload, out.skipped, err = decodeOwned(at, kind, data, convertReplicationController)
	case "Pod":
		out.workload, out.skipped, err = decodeOwned(at, kind, data, convertPod)
	case "Service":
		out.service, err = decodeAndConvert(at, data, convertService)
	case "Route":
		out.route, err = decodeAndConvert(at, data, convertRoute)
	case "NetworkPolicy":
		out.policy, err = decodeAndConvert(at, data, convertNetworkPolicy)
	case "Secret":
		out.secret, err = decodeAndConvert(at, data, convertSecret)
	case "IngressClass":
		out.ingressClass, err = decodeAndConvert(at, data, func(at *objectContext, ic *networkingv1.IngressClass) (networkingv1.IngressClass, error) {
			at.setName("", ic.Name)
			return *ic, at.checkDNS1123Subdomain("metadata.name", ic.Name)
		})
	case "IngressController":
		var settings **ingressControllerSettings
		settings, err = decodeAndConvert(at, data, convertIngressController)
		if settings != nil {
			out.ingressController = *settings
		}
	case "Ingress":
		var ing networkingv1.Ingress
		if err := at.decodeInto(data, &ing); err != nil {
			return out, err
		}
		if convertIngress {
			out.routes, err = ingressRoutes(at, &ing, nil)
			return out, err
		}
		namespace, err := at.objectNamespace(ing.Namespace)
		at.setName(namespace, ing.Name)
		out.ingress = &ing
		return out, err
	default:
		err = at.fail("kind", "%q is not supported", kind)
	}
	return out, err
}

// decodeOwned decodes a kind podpath may also make itself (a ReplicaSet,
// a ReplicationController, a Pod): one its controller made is skipped
// (skipped says by whom); a hand-made one is converted.
func decodeOwned[T any](at *objectContext, kind string, data []byte, convert func(*objectContext, *T) (model.Workload, error)) (*model.Workload, string, error) {
	var head struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(data, &head); err == nil {
		if owner := ownedByController(kind, &head.Metadata); owner != "" {
			namespace, _ := at.objectNamespace(head.Metadata.Namespace)
			at.setName(namespace, head.Metadata.Name)
			return nil, owner, nil
		}
	}
	w, err := decodeAndConvert(at, data, convert)
	return w, "", err
}

// convertSecret reads whether a Secret can serve an Ingress's TLS, as
// the ingress-to-route controller checks it: type kubernetes.io/tls with
// both tls.crt and tls.key.
func convertSecret(c *objectContext, s *corev1.Secret) (secretInfo, error) {
	namespace, err := c.objectNamespace(s.Namespace)
	if err != nil {
		return secretInfo{}, err
	}
	c.setName(namespace, s.Name)
	if err := c.checkDNS1123Subdomain("metadata.name", s.Name); err != nil {
		return secretInfo{}, err
	}
	info := secretInfo{namespace: namespace, name: s.Name, at: c}
	has := func(key string) bool {
		_, inData := s.Data[key]
		_, inString := s.StringData[key]
		return inData || inString
	}
	switch {
	case s.Type != corev1.SecretTypeTLS:
		typ := string(s.Type)
		if typ == "" {
			typ = string(corev1.SecretTypeOpaque)
		}
		info.tlsProblem = "its type is " + typ + ", not kubernetes.io/tls"
	case !has(corev1.TLSCertKey):
		info.tlsProblem = "it has no tls.crt"
	case !has(corev1.TLSPrivateKeyKey):
		info.tlsProblem = "it has no tls.key"
	}
	return info, nil
}
