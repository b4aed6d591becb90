package scenarios

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podpath/podpath/model"
)

// podpath's own annotations on a Deployment.
const (
	// AnnotationStartupMs is image pull + container start in milliseconds.
	AnnotationStartupMs = "podpath.dev/startup-ms"
	// AnnotationServiceMs is how long a pod takes to answer, in
	// milliseconds.
	AnnotationServiceMs = "podpath.dev/service-ms"
	// maxAnnotationMs bounds both annotations (10 minutes).
	maxAnnotationMs = 600_000
)

// serviceNetwork is OpenShift's default service CIDR; a concrete
// clusterIP outside it cannot be kept.
var serviceNetwork = netip.MustParsePrefix("172.30.0.0/16")

// convertNamespace converts a core/v1 Namespace (or an OpenShift
// Project, which has the same metadata).
func convertNamespace(c *objectContext, meta *metav1.ObjectMeta) (model.Namespace, error) {
	c.setName("", meta.Name)
	if err := c.checkDNS1123Label("metadata.name", meta.Name); err != nil {
		return model.Namespace{}, err
	}
	if err := c.checkLabels("metadata.labels", meta.Labels); err != nil {
		return model.Namespace{}, err
	}
	return model.Namespace{Name: meta.Name, Labels: cloneLabels(meta.Labels)}, nil
}

// annotationMs reads one of podpath's millisecond annotations.
func annotationMs(c *objectContext, annotations map[string]string, key string) (int64, error) {
	value, ok := annotations[key]
	if !ok {
		return 0, nil
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil || ms < 0 || ms > maxAnnotationMs {
		return 0, c.fail("metadata.annotations["+key+"]", "must be a whole number of milliseconds between 0 and %d, got %q", maxAnnotationMs, value)
	}
	return ms, nil
}

// convertService converts a core/v1 Service.
func convertService(c *objectContext, s *corev1.Service) (model.Service, error) {
	namespace, err := c.objectNamespace(s.Namespace)
	if err != nil {
		return model.Service{}, err
	}
	c.setName(namespace, s.Name)
	if err := c.checkDNS1035Label("metadata.name", s.Name); err != nil {
		return model.Service{}, err
	}
	out := model.Service{Namespace: namespace, Name: s.Name}
	if err := c.checkLabels("spec.selector", s.Spec.Selector); err != nil {
		return out, err
	}
	out.Selector = cloneLabels(s.Spec.Selector)
	switch s.Spec.Type {
	case "", corev1.ServiceTypeClusterIP:
	case corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		c.warn("spec.type", "%s is simulated as ClusterIP; traffic from outside comes through the router", s.Spec.Type)
	case corev1.ServiceTypeExternalName:
		c.warn("spec.type", "ExternalName is not simulated; the Service has no endpoints")
	default:
		return out, c.fail("spec.type", "%q is not one of ClusterIP, NodePort, LoadBalancer, ExternalName", s.Spec.Type)
	}
	if len(s.Spec.Selector) == 0 && s.Spec.Type != corev1.ServiceTypeExternalName {
		c.warn("spec.selector", "none: the Service gets no endpoints (hand-made EndpointSlices are not simulated)")
	}
	switch ip := s.Spec.ClusterIP; {
	case ip == "", ip == corev1.ClusterIPNone:
		out.ClusterIP = ip
	default:
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return out, c.fail("spec.clusterIP", "%q is not an IP address or None", ip)
		}
		if serviceNetwork.Contains(addr) {
			out.ClusterIP = ip
		} else {
			c.warn("spec.clusterIP", "%s is outside the service network %s; a new one is allocated", ip, serviceNetwork)
		}
	}
	if len(s.Spec.Ports) == 0 && out.ClusterIP != corev1.ClusterIPNone {
		return out, c.fail("spec.ports", "required: at least one port")
	}
	names := map[string]bool{}
	for i, port := range s.Spec.Ports {
		field := fmt.Sprintf("spec.ports[%d]", i)
		if len(s.Spec.Ports) > 1 && port.Name == "" {
			return out, c.fail(field+".name", "required when the Service has more than one port")
		}
		if port.Name != "" {
			if err := c.checkDNS1123Label(field+".name", port.Name); err != nil {
				return out, err
			}
			if names[port.Name] {
				return out, c.fail(field+".name", "duplicate port name %q", port.Name)
			}
			names[port.Name] = true
		}
		if err := c.checkPortNumber(field+".port", port.Port); err != nil {
			return out, err
		}
		protocol := string(port.Protocol)
		if protocol == "" {
			protocol = string(corev1.ProtocolTCP)
		}
		if err := c.checkOneOf(field+".protocol", protocol, false, "TCP", "UDP", "SCTP"); err != nil {
			return out, err
		}
		targetPort, err := c.intOrStringPort(field+".targetPort", port.TargetPort)
		if err != nil {
			return out, err
		}
		out.Ports = append(out.Ports, model.ServicePort{Name: port.Name, Protocol: protocol, Port: int(port.Port), TargetPort: targetPort})
	}
	if err := c.checkOneOf("spec.sessionAffinity", string(s.Spec.SessionAffinity), true, "None", "ClientIP"); err != nil {
		return out, err
	}
	out.SessionAffinity = string(s.Spec.SessionAffinity)
	if s.Spec.InternalTrafficPolicy != nil {
		if err := c.checkOneOf("spec.internalTrafficPolicy", string(*s.Spec.InternalTrafficPolicy), true, "Cluster", "Local"); err != nil {
			return out, err
		}
		out.InternalTrafficPolicy = string(*s.Spec.InternalTrafficPolicy)
	}
	return out, nil
}

// convertRoute converts a route.openshift.io/v1 Route, validating it as
// OpenShift's API server does.
func convertRoute(c *objectContext, r *routev1.Route) (model.Route, error) {
	namespace, err := c.objectNamespace(r.Namespace)
	if err != nil {
		return model.Route{}, err
	}
	c.setName(namespace, r.Name)
	if err := c.checkDNS1123Subdomain("metadata.name", r.Name); err != nil {
		return model.Route{}, err
	}
	spec := &r.Spec
	defaultRoute(spec)
	out := model.Route{Namespace: namespace, Name: r.Name, Path: spec.Path}
	if err := c.checkOneOf("spec.wildcardPolicy", string(spec.WildcardPolicy), true, "None", "Subdomain"); err != nil {
		return out, err
	}
	out.WildcardPolicy = string(spec.WildcardPolicy)
	if spec.Host != "" {
		if err := c.checkRouteHost("spec.host", spec.Host); err != nil {
			return out, err
		}
		out.Host = spec.Host
	} else if out.WildcardPolicy == "Subdomain" {
		return out, c.fail("spec.host", "required with wildcardPolicy Subdomain (no host is generated for a wildcard route)")
	} else if spec.Subdomain != "" {
		c.warn("spec.subdomain", "not supported; the host is generated from the name and namespace")
	}
	if spec.Path != "" && !strings.HasPrefix(spec.Path, "/") {
		return out, c.fail("spec.path", "%q must start with /", spec.Path)
	}
	if out.To, err = routeTarget(c, "spec.to", spec.To); err != nil {
		return out, err
	}
	if len(spec.AlternateBackends) > maxAlternates {
		return out, c.fail("spec.alternateBackends", "at most %d alternate backends, got %d", maxAlternates, len(spec.AlternateBackends))
	}
	seen := map[string]bool{out.To.Service: true}
	for i, backend := range spec.AlternateBackends {
		field := fmt.Sprintf("spec.alternateBackends[%d]", i)
		target, err := routeTarget(c, field, backend)
		if err != nil {
			return out, err
		}
		if seen[target.Service] {
			return out, c.fail(field+".name", "Service %q is already a backend of this route", target.Service)
		}
		seen[target.Service] = true
		out.AlternateBackends = append(out.AlternateBackends, target)
	}
	if spec.Port != nil {
		if out.TargetPort, err = c.intOrStringPort("spec.port.targetPort", spec.Port.TargetPort); err != nil {
			return out, err
		}
		if out.TargetPort == "" {
			return out, c.fail("spec.port.targetPort", "required when spec.port is set")
		}
	}
	if tls := spec.TLS; tls != nil {
		termination := string(tls.Termination)
		if err := c.checkOneOf("spec.tls.termination", termination, false, "edge", "passthrough", "reencrypt"); err != nil {
			return out, err
		}
		insecure := string(tls.InsecureEdgeTerminationPolicy)
		if err := c.checkOneOf("spec.tls.insecureEdgeTerminationPolicy", insecure, true, "None", "Allow", "Redirect"); err != nil {
			return out, err
		}
		if termination == "passthrough" {
			if insecure == "Allow" {
				return out, c.fail("spec.tls.insecureEdgeTerminationPolicy", "Allow is not valid with passthrough termination; use None or Redirect")
			}
			if spec.Path != "" {
				return out, c.fail("spec.path", "passthrough termination does not support paths")
			}
		}
		out.TLS = &model.RouteTLS{Termination: termination, InsecureEdgeTerminationPolicy: insecure}
	}
	if spec.HTTPHeaders != nil {
		c.warn("spec.httpHeaders", "not simulated")
	}
	out.Annotations = routeAnnotations(r.Annotations)
	return out, nil
}

// defaultRoute applies openshift-apiserver's Route defaulting
// (pkg/route/apis/route/v1/defaults.go, SetDefaults_TLSConfig): a tls
// block without termination (and without destinationCACertificate) is
// edge, and the capitalised Edge, Reencrypt and Passthrough that older
// clients wrote become edge, reencrypt and passthrough.
func defaultRoute(spec *routev1.RouteSpec) {
	tls := spec.TLS
	if tls == nil {
		return
	}
	if tls.Termination == "" && tls.DestinationCACertificate == "" {
		tls.Termination = routev1.TLSTerminationEdge
	}
	switch tls.Termination {
	case "Edge":
		tls.Termination = routev1.TLSTerminationEdge
	case "Reencrypt":
		tls.Termination = routev1.TLSTerminationReencrypt
	case "Passthrough":
		tls.Termination = routev1.TLSTerminationPassthrough
	}
}

// routeTarget converts spec.to or one alternate backend.
func routeTarget(c *objectContext, field string, ref routev1.RouteTargetReference) (model.RouteTarget, error) {
	if ref.Kind != "" && ref.Kind != "Service" {
		return model.RouteTarget{}, c.fail(field+".kind", "%q is not supported; must be Service", ref.Kind)
	}
	if err := c.checkDNS1035Label(field+".name", ref.Name); err != nil {
		return model.RouteTarget{}, err
	}
	target := model.RouteTarget{Service: ref.Name}
	if ref.Weight != nil {
		if w := *ref.Weight; w < 0 || w > maxRouteWeight {
			return target, c.fail(field+".weight", "must be between 0 and %d, got %d", maxRouteWeight, w)
		}
		w := int(*ref.Weight)
		target.Weight = &w
	}
	return target, nil
}

// routeAnnotations keeps a Route's annotations but the bulky
// last-applied-configuration copy.
func routeAnnotations(annotations map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range annotations {
		if k != corev1.LastAppliedConfigAnnotation {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// convertNetworkPolicy converts a networking.k8s.io/v1 NetworkPolicy.
func convertNetworkPolicy(c *objectContext, p *networkingv1.NetworkPolicy) (model.NetworkPolicy, error) {
	namespace, err := c.objectNamespace(p.Namespace)
	if err != nil {
		return model.NetworkPolicy{}, err
	}
	c.setName(namespace, p.Name)
	if err := c.checkDNS1123Subdomain("metadata.name", p.Name); err != nil {
		return model.NetworkPolicy{}, err
	}
	out := model.NetworkPolicy{Namespace: namespace, Name: p.Name}
	selector, err := labelSelector(c, "spec.podSelector", &p.Spec.PodSelector)
	if err != nil {
		return out, err
	}
	out.PodSelector = *selector
	for i, policyType := range p.Spec.PolicyTypes {
		if err := c.checkOneOf(fmt.Sprintf("spec.policyTypes[%d]", i), string(policyType), false, "Ingress", "Egress"); err != nil {
			return out, err
		}
		out.PolicyTypes = append(out.PolicyTypes, string(policyType))
	}
	if len(out.PolicyTypes) == 0 {
		// The API server's default: Ingress, plus Egress when there are
		// egress rules.
		out.PolicyTypes = []string{"Ingress"}
		if len(p.Spec.Egress) > 0 {
			out.PolicyTypes = append(out.PolicyTypes, "Egress")
		}
	}
	for i, rule := range p.Spec.Ingress {
		converted, err := policyRule(c, fmt.Sprintf("spec.ingress[%d]", i), "from", rule.From, rule.Ports)
		if err != nil {
			return out, err
		}
		out.Ingress = append(out.Ingress, converted)
	}
	for i, rule := range p.Spec.Egress {
		converted, err := policyRule(c, fmt.Sprintf("spec.egress[%d]", i), "to", rule.To, rule.Ports)
		if err != nil {
			return out, err
		}
		out.Egress = append(out.Egress, converted)
	}
	return out, nil
}

// policyRule converts one ingress or egress rule.
func policyRule(c *objectContext, field, peersField string, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) (model.PolicyRule, error) {
	var out model.PolicyRule
	for i, peer := range peers {
		peerField := fmt.Sprintf("%s.%s[%d]", field, peersField, i)
		var converted model.PolicyPeer
		set := 0
		if peer.PodSelector != nil {
			selector, err := labelSelector(c, peerField+".podSelector", peer.PodSelector)
			if err != nil {
				return out, err
			}
			converted.PodSelector = selector
			set++
		}
		if peer.NamespaceSelector != nil {
			selector, err := labelSelector(c, peerField+".namespaceSelector", peer.NamespaceSelector)
			if err != nil {
				return out, err
			}
			converted.NamespaceSelector = selector
			set++
		}
		if peer.IPBlock != nil {
			if set > 0 {
				return out, c.fail(peerField+".ipBlock", "may not be combined with podSelector or namespaceSelector")
			}
			if _, _, err := net.ParseCIDR(peer.IPBlock.CIDR); err != nil {
				return out, c.fail(peerField+".ipBlock.cidr", "%q is not a CIDR", peer.IPBlock.CIDR)
			}
			if len(peer.IPBlock.Except) > 0 {
				c.warn(peerField+".ipBlock.except", "not simulated; the whole CIDR matches")
			}
			converted.IPBlock = peer.IPBlock.CIDR
			set++
		}
		if set == 0 {
			return out, c.fail(peerField, "must set podSelector, namespaceSelector or ipBlock")
		}
		out.Peers = append(out.Peers, converted)
	}
	for i, port := range ports {
		portField := fmt.Sprintf("%s.ports[%d]", field, i)
		converted := model.PolicyPort{}
		if port.Protocol != nil {
			if err := c.checkOneOf(portField+".protocol", string(*port.Protocol), false, "TCP", "UDP", "SCTP"); err != nil {
				return out, err
			}
			converted.Protocol = string(*port.Protocol)
		}
		if port.Port != nil {
			value, err := c.intOrStringPort(portField+".port", *port.Port)
			if err != nil {
				return out, err
			}
			converted.Port = value
		}
		if port.EndPort != nil {
			c.warn(portField+".endPort", "not simulated; only port matches")
		}
		out.Ports = append(out.Ports, converted)
	}
	return out, nil
}

// labelSelector converts a metav1.LabelSelector.
func labelSelector(c *objectContext, field string, s *metav1.LabelSelector) (*model.LabelSelector, error) {
	if err := c.checkLabels(field+".matchLabels", s.MatchLabels); err != nil {
		return nil, err
	}
	out := &model.LabelSelector{MatchLabels: cloneLabels(s.MatchLabels)}
	for i, requirement := range s.MatchExpressions {
		reqField := fmt.Sprintf("%s.matchExpressions[%d]", field, i)
		operator := string(requirement.Operator)
		if err := c.checkOneOf(reqField+".operator", operator, false, "In", "NotIn", "Exists", "DoesNotExist"); err != nil {
			return nil, err
		}
		switch operator {
		case "In", "NotIn":
			if len(requirement.Values) == 0 {
				return nil, c.fail(reqField+".values", "required for operator %s", operator)
			}
		default:
			if len(requirement.Values) > 0 {
				return nil, c.fail(reqField+".values", "must be empty for operator %s", operator)
			}
		}
		out.MatchExpressions = append(out.MatchExpressions, model.SelectorRequirement{
			Key:      requirement.Key,
			Operator: operator,
			Values:   append([]string(nil), requirement.Values...),
		})
	}
	return out, nil
}
