package scenarios

import (
	"encoding/json"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ingressController is the part of operator.openshift.io/v1
// IngressController that podpath reads. The real type is not imported:
// its module drags in Kubernetes packages that no longer exist.
type ingressController struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ingressControllerSpec `json:"spec"`
	// Status is accepted and ignored (oc get -o yaml prints it).
	Status json.RawMessage `json:"status,omitempty"`
}

type ingressControllerSpec struct {
	Replicas                   *int32                      `json:"replicas,omitempty"`
	Domain                     string                      `json:"domain,omitempty"`
	EndpointPublishingStrategy *endpointPublishingStrategy `json:"endpointPublishingStrategy,omitempty"`
	RouteAdmission             *routeAdmission             `json:"routeAdmission,omitempty"`
	// TuningOptions is read for reloadInterval only.
	TuningOptions map[string]json.RawMessage `json:"tuningOptions,omitempty"`
	// Placement and sharding change which routers serve what; podpath
	// does not simulate them and warns.
	NodePlacement     json.RawMessage `json:"nodePlacement,omitempty"`
	NamespaceSelector json.RawMessage `json:"namespaceSelector,omitempty"`
	RouteSelector     json.RawMessage `json:"routeSelector,omitempty"`
	// Fields the API server defaults (oc get -o yaml prints them) that do
	// not change where a request goes: accepted and ignored.
	ClientTLS                       json.RawMessage `json:"clientTLS,omitempty"`
	HTTPCompression                 json.RawMessage `json:"httpCompression,omitempty"`
	HTTPEmptyRequestsPolicy         json.RawMessage `json:"httpEmptyRequestsPolicy,omitempty"`
	HTTPErrorCodePages              json.RawMessage `json:"httpErrorCodePages,omitempty"`
	HTTPHeaders                     json.RawMessage `json:"httpHeaders,omitempty"`
	Logging                         json.RawMessage `json:"logging,omitempty"`
	TLSSecurityProfile              json.RawMessage `json:"tlsSecurityProfile,omitempty"`
	DefaultCertificate              json.RawMessage `json:"defaultCertificate,omitempty"`
	IdleConnectionTerminationPolicy json.RawMessage `json:"idleConnectionTerminationPolicy,omitempty"`
	ClosedClientConnectionPolicy    json.RawMessage `json:"closedClientConnectionPolicy,omitempty"`
	UnsupportedConfigOverrides      json.RawMessage `json:"unsupportedConfigOverrides,omitempty"`
}

type endpointPublishingStrategy struct {
	Type         string                `json:"type"`
	LoadBalancer *loadBalancerStrategy `json:"loadBalancer,omitempty"`
}

type loadBalancerStrategy struct {
	Scope               string                `json:"scope,omitempty"`
	DNSManagementPolicy string                `json:"dnsManagementPolicy,omitempty"`
	ProviderParameters  *providerLoadBalancer `json:"providerParameters,omitempty"`
	AllowedSourceRanges []string              `json:"allowedSourceRanges,omitempty"`
}

type providerLoadBalancer struct {
	Type string                     `json:"type"`
	AWS  *awsLoadBalancerParameters `json:"aws,omitempty"`
}

type awsLoadBalancerParameters struct {
	Type string `json:"type"`
	// The LB-specific blocks are accepted and ignored.
	ClassicLoadBalancer json.RawMessage `json:"classicLoadBalancer,omitempty"`
	NetworkLoadBalancer json.RawMessage `json:"networkLoadBalancer,omitempty"`
}

type routeAdmission struct {
	NamespaceOwnership string `json:"namespaceOwnership,omitempty"`
	WildcardPolicy     string `json:"wildcardPolicy,omitempty"`
}

// ingressControllerSettings is what an IngressController changes.
type ingressControllerSettings struct {
	routerReplicas *int
	reloadInterval *int64 // ms
	lbType         string
	allowWildcards *bool
	domain         string
}

// convertIngressController reads the default IngressController; other
// (sharded) ones are ignored with a warning.
func convertIngressController(c *objectContext, ic *ingressController) (*ingressControllerSettings, error) {
	c.setName(ic.Namespace, ic.Name)
	if ic.Name != "default" {
		c.warn("metadata.name", "only the default IngressController is simulated; router shards are ignored")
		return nil, nil
	}
	if ic.Namespace != "" && ic.Namespace != "openshift-ingress-operator" {
		c.warn("metadata.namespace", "IngressControllers live in openshift-ingress-operator")
	}
	out := &ingressControllerSettings{domain: ic.Spec.Domain}
	if r := ic.Spec.Replicas; r != nil {
		if *r < 0 || *r > 20 {
			return nil, c.fail("spec.replicas", "must be between 0 and 20, got %d", *r)
		}
		n := int(*r)
		out.routerReplicas = &n
	}
	if s := ic.Spec.EndpointPublishingStrategy; s != nil {
		if err := c.checkOneOf("spec.endpointPublishingStrategy.type", s.Type, false, "LoadBalancerService", "HostNetwork", "NodePortService", "Private"); err != nil {
			return nil, err
		}
		if s.Type != "LoadBalancerService" {
			c.warn("spec.endpointPublishingStrategy.type", "%s is not simulated; podpath always publishes through an AWS load balancer", s.Type)
		}
		if lb := s.LoadBalancer; lb != nil {
			if lb.Scope == "Internal" {
				c.warn("spec.endpointPublishingStrategy.loadBalancer.scope", "Internal is not simulated; the load balancer is drawn on the Internet")
			}
			if p := lb.ProviderParameters; p != nil {
				if err := c.checkOneOf("spec.endpointPublishingStrategy.loadBalancer.providerParameters.type", p.Type, true, "AWS"); err != nil {
					return nil, err
				}
				if p.AWS != nil {
					if err := c.checkOneOf("spec.endpointPublishingStrategy.loadBalancer.providerParameters.aws.type", p.AWS.Type, false, "Classic", "NLB"); err != nil {
						return nil, err
					}
					out.lbType = p.AWS.Type
				}
			}
		}
	}
	if raw, ok := ic.Spec.TuningOptions["reloadInterval"]; ok {
		var text string
		interval, err := time.Duration(0), json.Unmarshal(raw, &text)
		if err == nil {
			interval, err = time.ParseDuration(text)
		}
		if err != nil || interval < 0 || interval > 120*time.Second {
			return nil, c.fail("spec.tuningOptions.reloadInterval", "must be a duration between 0s and 120s, got %s", raw)
		}
		if interval > 0 {
			ms := interval.Milliseconds()
			out.reloadInterval = &ms
		}
	}
	for _, placement := range []struct {
		field string
		raw   json.RawMessage
	}{{"spec.nodePlacement", ic.Spec.NodePlacement}, {"spec.namespaceSelector", ic.Spec.NamespaceSelector}, {"spec.routeSelector", ic.Spec.RouteSelector}} {
		if len(placement.raw) > 0 && string(placement.raw) != "null" && string(placement.raw) != "{}" {
			c.warn(placement.field, "not simulated; the default routers serve every Route and spread over the workers")
		}
	}
	if ra := ic.Spec.RouteAdmission; ra != nil {
		if err := c.checkOneOf("spec.routeAdmission.wildcardPolicy", ra.WildcardPolicy, true, "WildcardsAllowed", "WildcardsDisallowed"); err != nil {
			return nil, err
		}
		if ra.WildcardPolicy != "" {
			allowed := ra.WildcardPolicy == "WildcardsAllowed"
			out.allowWildcards = &allowed
		}
		if err := c.checkOneOf("spec.routeAdmission.namespaceOwnership", ra.NamespaceOwnership, true, "Strict", "InterNamespaceAllowed"); err != nil {
			return nil, err
		}
		if ra.NamespaceOwnership == "InterNamespaceAllowed" {
			c.warn("spec.routeAdmission.namespaceOwnership", "InterNamespaceAllowed is not simulated; ownership stays Strict")
		}
	}
	return out, nil
}
