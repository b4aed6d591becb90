package scenarios

import (
	"fmt"
	"hash/fnv"
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

// ingressRoutes turns an Ingress into Routes as OpenShift's
// ingress-to-route controller does: one Route per rule host and path,
// named "<ingress>-<suffix>" (OpenShift draws five random characters;
// podpath derives them from the host and path so that they are stable),
// edge TLS with insecureEdgeTerminationPolicy Redirect when the host is
// listed in spec.tls (the secret is taken to be valid), the Ingress's
// annotations copied. services resolves a backend Service's ports; nil
// (the apply command) skips the check and keeps a named port as is.
// What the controller skips (no host, no http, Exact paths, resource
// backends) is skipped with a warning.
func ingressRoutes(c *objectContext, ing *networkingv1.Ingress, services func(namespace, name string) (model.Service, bool)) ([]model.Route, error) {
	namespace, err := c.objectNamespace(ing.Namespace)
	if err != nil {
		return nil, err
	}
	c.setName(namespace, ing.Name)
	if err := c.checkDNS1123Subdomain("metadata.name", ing.Name); err != nil {
		return nil, err
	}
	class := ""
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	if v, ok := ing.Annotations[ingressClassAnnotation]; ok {
		class = v
	}
	if class != "" && class != openShiftIngressClass {
		c.warn("spec.ingressClassName", "class %q is not served by OpenShift's routers (only %s is); no Routes made", class, openShiftIngressClass)
		return nil, nil
	}
	if ing.Spec.DefaultBackend != nil {
		c.warn("spec.defaultBackend", "not supported by OpenShift's ingress-to-route controller; ignored")
	}
	termination := "edge"
	switch t := ing.Annotations[ingressTerminationAnnotation]; t {
	case "":
	case "edge", "reencrypt", "passthrough":
		termination = t
	default:
		return nil, c.fail("metadata.annotations["+ingressTerminationAnnotation+"]", "%q is not one of edge, reencrypt, passthrough", t)
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
			targetPort, err := ingressTargetPort(c, pathField+".backend.service", namespace, backend, services)
			if err != nil {
				return nil, err
			}
			route := model.Route{
				Namespace:   namespace,
				Name:        ingressRouteName(ing.Name, host, path.Path),
				Host:        host,
				Path:        path.Path,
				To:          model.RouteTarget{Service: backend.Name},
				TargetPort:  targetPort,
				Annotations: routeAnnotations(ing.Annotations),
			}
			if wildcardPolicy != "" {
				route.WildcardPolicy = wildcardPolicy
			}
			if ingressHasTLS(ing, rule.Host) {
				route.TLS = &model.RouteTLS{Termination: termination, InsecureEdgeTerminationPolicy: "Redirect"}
				if termination == "passthrough" && route.Path != "" {
					return nil, c.fail(pathField+".path", "passthrough termination does not support paths")
				}
			}
			routes = append(routes, route)
		}
	}
	return routes, nil
}

// ingressTargetPort is the Route's targetPort for an Ingress backend: the
// Service port's name when it has one, nothing when it has none (the
// Route then targets the Service's only port).
func ingressTargetPort(c *objectContext, field, namespace string, backend *networkingv1.IngressServiceBackend, services func(namespace, name string) (model.Service, bool)) (string, error) {
	if services == nil {
		return backend.Port.Name, nil
	}
	service, ok := services(namespace, backend.Name)
	if !ok {
		return "", c.fail(field+".name", "Service %s/%s not found", namespace, backend.Name)
	}
	for _, port := range service.Ports {
		if backend.Port.Name != "" && port.Name == backend.Port.Name {
			return port.Name, nil
		}
		if backend.Port.Name == "" && port.Port == int(backend.Port.Number) {
			return port.Name, nil
		}
	}
	if backend.Port.Name != "" {
		return "", c.fail(field+".port.name", "Service %s/%s has no port named %q", namespace, backend.Name, backend.Port.Name)
	}
	return "", c.fail(field+".port.number", "Service %s/%s has no port %d", namespace, backend.Name, backend.Port.Number)
}

// ingressHasTLS reports whether the controller makes a TLS route for host:
// a termination annotation, the host in spec.tls, or an empty tls entry.
func ingressHasTLS(ing *networkingv1.Ingress, host string) bool {
	if _, ok := ing.Annotations[ingressTerminationAnnotation]; ok {
		return true
	}
	for _, tls := range ing.Spec.TLS {
		if len(tls.Hosts) == 0 && tls.SecretName == "" {
			return true
		}
		for _, h := range tls.Hosts {
			if h == host {
				return true
			}
		}
	}
	return false
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
