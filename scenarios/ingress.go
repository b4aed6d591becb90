package scenarios

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/podpath/podpath/model"
)

// Annotations and names OpenShift's ingress-to-route controller reads.
const (
	ingressClassAnnotation       = "kubernetes.io/ingress.class"
	ingressTerminationAnnotation = "route.openshift.io/termination"
	openShiftIngressClass        = "openshift-default"
)

// ingressEnv is what the ingress-to-route controller looks up: the
// Services (for the Route's targetPort), the Secrets (for TLS) and the
// IngressClasses. The apply command has none of them (nil).
type ingressEnv struct {
	services func(namespace, name string) (model.Service, bool)
	secrets  map[string]secretInfo
	classes  map[string]string // IngressClass name → spec.controller
	used     map[string]bool   // the Secrets some Ingress's TLS names
}

// ingressToRouteController is the controller name of the IngressClasses
// OpenShift's ingress-to-route controller serves; the cluster has one
// such class, openshift-default.
const ingressToRouteController = "openshift.io/ingress-to-route"

// ingressRoutes turns an Ingress into Routes as OpenShift's
// ingress-to-route controller does (openshift/route-controller-manager
// pkg/route/ingress/ingress.go): one Route per rule host and path, named
// "<ingress>-<suffix>" (OpenShift draws five random characters; podpath
// derives them from the host and path so that they are stable), the
// Ingress's annotations copied. A rule whose backend Service does not
// exist or has no such port, or whose host's TLS secret is missing or is
// not a kubernetes.io/tls Secret with tls.crt and tls.key, makes no Route
// (the controller waits) — a warning says so. A Route is edge TLS with
// insecureEdgeTerminationPolicy Redirect when the termination annotation
// asks for edge/reencrypt/passthrough, its host's secret is valid, or an
// empty tls entry is listed. An Ingress whose class is not served by the
// ingress-to-route controller makes no Route. What the controller skips
// (no host, no http, Exact paths, resource backends) is skipped with a
// warning. env is nil for the apply command: then the Services and
// Secrets are taken to be there and a named port is kept as is.
func ingressRoutes(c *objectContext, ing *networkingv1.Ingress, env *ingressEnv) ([]model.Route, error) {
	namespace, err := c.objectNamespace(ing.Namespace)
	if err != nil {
		return nil, err
	}
	c.setName(namespace, ing.Name)
	if err := c.checkDNS1123Subdomain("metadata.name", ing.Name); err != nil {
		return nil, err
	}
	if !ingressManaged(c, ing, env) {
		return nil, nil
	}
	if ing.Spec.DefaultBackend != nil {
		c.warn("spec.defaultBackend", "not supported by OpenShift's ingress-to-route controller; ignored")
	}
	termination := "edge"
	switch t := ing.Annotations[ingressTerminationAnnotation]; t {
	case "", "edge":
	case "reencrypt", "passthrough":
		termination = t
	default:
		c.warn("metadata.annotations["+ingressTerminationAnnotation+"]", "%q is not edge, reencrypt or passthrough: the ingress-to-route controller ignores it", t)
	}
	var routes []model.Route
	for i, rule := range ing.Spec.Rules {
		ruleField := fmt.Sprintf("spec.rules[%d]", i)
		if rule.HTTP == nil {
			c.warn(ruleField, "no http field; no Route made")
			continue
		}
		if rule.Host == "" {
			c.warn(ruleField+".host", "no host; OpenShift makes no Route for it")
			continue
		}
		// A wildcard rule host *.x becomes the Route host wildcard.x with
		// wildcardPolicy Subdomain, as the controller writes it.
		host, wildcardPolicy := rule.Host, ""
		if strings.HasPrefix(host, "*.") {
			host, wildcardPolicy = "wildcard"+host[1:], "Subdomain"
		}
		if err := c.checkRouteHost(ruleField+".host", host); err != nil {
			return nil, err
		}
		tls, tlsProblem := ingressTLS(ing, rule.Host, termination, env)
		for j, path := range rule.HTTP.Paths {
			pathField := fmt.Sprintf("%s.http.paths[%d]", ruleField, j)
			if path.Backend.Service == nil || path.Backend.Service.Name == "" {
				c.warn(pathField+".backend", "no service backend; no Route made")
				continue
			}
			if path.PathType != nil {
				switch *path.PathType {
				case networkingv1.PathTypeExact:
					c.warn(pathField+".pathType", "Exact is not supported by OpenShift's ingress-to-route controller; no Route made")
					continue
				case networkingv1.PathTypePrefix, networkingv1.PathTypeImplementationSpecific:
				default:
					return nil, c.fail(pathField+".pathType", "%q is not one of Exact, Prefix, ImplementationSpecific", *path.PathType)
				}
			}
			if path.Path != "" && !strings.HasPrefix(path.Path, "/") {
				return nil, c.fail(pathField+".path", "%q must start with /", path.Path)
			}
			backend := path.Backend.Service
			if err := c.checkDNS1035Label(pathField+".backend.service.name", backend.Name); err != nil {
				return nil, err
			}
			targetPort, problem := ingressTargetPort(namespace, backend, env)
			if problem != "" {
				c.warn(pathField+".backend.service", "%s: no Route made for host %s (the ingress-to-route controller makes it once the Service and port exist)", problem, rule.Host)
				continue
			}
			if tlsProblem != "" {
				c.warn(ruleField+".host", "Invalid or missing TLS secret for rule host %q: %s, so the ingress-to-route controller makes no Route for it (give it a kubernetes.io/tls Secret with tls.crt and tls.key)", rule.Host, tlsProblem)
				continue
			}
			route := model.Route{
				Namespace:   namespace,
				Name:        ingressRouteName(ing.Name, host, path.Path),
				Host:        host,
				Path:        path.Path,
				To:          model.RouteTarget{Service: backend.Name},
				TargetPort:  targetPort,
				Annotations: routeAnnotations(ing.Annotations),
				TLS:         tls,
			}
			if wildcardPolicy != "" {
				route.WildcardPolicy = wildcardPolicy
			}
			if tls != nil && tls.Termination == "passthrough" && route.Path != "" {
				return nil, c.fail(pathField+".path", "passthrough termination does not support paths")
			}
			routes = append(routes, route)
		}
	}
	return routes, nil
}

// ingressManaged reports whether the ingress-to-route controller takes
// the Ingress: no class (the annotation first, then spec.ingressClassName),
// or a class whose controller is openshift.io/ingress-to-route — the
// cluster's openshift-default or one the file declares.
func ingressManaged(c *objectContext, ing *networkingv1.Ingress, env *ingressEnv) bool {
	class, field := "", "spec.ingressClassName"
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	if v, ok := ing.Annotations[ingressClassAnnotation]; ok {
		class, field = v, "metadata.annotations["+ingressClassAnnotation+"]"
	}
	if class == "" || class == openShiftIngressClass {
		return true
	}
	controller, declared := "", false
	if env != nil {
		controller, declared = env.classes[class]
	}
	switch {
	case controller == ingressToRouteController:
		return true
	case declared:
		c.warn(field, "IngressClass %q belongs to controller %q, which does not run on this cluster, so no router serves it and no Route is made; use ingressClassName %s (or an IngressClass with controller %s)", class, controller, openShiftIngressClass, ingressToRouteController)
	default:
		c.warn(field, "no IngressClass %q exists, so no router serves this Ingress and no Route is made; use ingressClassName %s, the class of OpenShift's routers (or remove the class)", class, openShiftIngressClass)
	}
	return false
}

// ingressTLS is the TLS of the Routes for a rule host: nil when the
// controller makes plain routes, and why the host gets no Route when its
// secret is invalid ("" when fine).
func ingressTLS(ing *networkingv1.Ingress, host, termination string, env *ingressEnv) (*model.RouteTLS, string) {
	secretName, referenced := "", false
	for _, tls := range ing.Spec.TLS {
		if slices.Contains(tls.Hosts, host) {
			secretName, referenced = tls.SecretName, true
			break
		}
	}
	validSecret := false
	if referenced {
		namespace, _ := (&objectContext{}).objectNamespace(ing.Namespace)
		switch {
		case env == nil:
			validSecret = true // the apply command cannot see Secrets
		case secretName == "":
			return nil, "its spec.tls entry names no secretName"
		default:
			env.used[namespace+"/"+secretName] = true
			secret, ok := env.secrets[namespace+"/"+secretName]
			if !ok {
				return nil, fmt.Sprintf("Secret %s/%s is not in the file", namespace, secretName)
			}
			if secret.tlsProblem != "" {
				return nil, fmt.Sprintf("Secret %s/%s cannot be used: %s", namespace, secretName, secret.tlsProblem)
			}
			validSecret = true
		}
	}
	enabled := validSecret
	switch ing.Annotations[ingressTerminationAnnotation] {
	case "edge", "reencrypt", "passthrough":
		enabled = true
	}
	for _, tls := range ing.Spec.TLS {
		if tls.Hosts == nil && tls.SecretName == "" {
			enabled = true // an empty tls entry
		}
	}
	if !enabled {
		return nil, ""
	}
	return &model.RouteTLS{Termination: termination, InsecureEdgeTerminationPolicy: "Redirect"}, ""
}

// ingressTargetPort is the Route's targetPort for an Ingress backend: the
// Service port's name when it has one, nothing when it has none (the
// Route then targets the Service's only port). problem says why no Route
// can be made: the Service or its port does not exist.
func ingressTargetPort(namespace string, backend *networkingv1.IngressServiceBackend, env *ingressEnv) (port, problem string) {
	if env == nil {
		return backend.Port.Name, ""
	}
	service, ok := env.services(namespace, backend.Name)
	if !ok {
		return "", fmt.Sprintf("Backend service %q not found", backend.Name)
	}
	for _, port := range service.Ports {
		if backend.Port.Name != "" && port.Name == backend.Port.Name {
			return port.Name, ""
		}
		if backend.Port.Name == "" && port.Port == int(backend.Port.Number) {
			return port.Name, ""
		}
	}
	if backend.Port.Name != "" {
		return "", fmt.Sprintf("No valid target port for backend service %q: it has no port named %q", backend.Name, backend.Port.Name)
	}
	return "", fmt.Sprintf("No valid target port for backend service %q: it has no port %d", backend.Name, backend.Port.Number)
}

// ingressRouteName is "<ingress>-" plus five characters derived from
// host and path, from the alphabet Kubernetes uses for generated names.
func ingressRouteName(ingress, host, path string) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	base := ingress + "-"
	if len(base) > 58 {
		base = base[:58]
	}
	h := fnv.New64a()
	h.Write([]byte(host + "\x00" + path))
	sum := h.Sum64()
	suffix := make([]byte, 5)
	for i := range suffix {
		suffix[i] = alphabet[sum%uint64(len(alphabet))]
		sum /= uint64(len(alphabet))
	}
	return base + string(suffix)
}
