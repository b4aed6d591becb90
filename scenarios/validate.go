package scenarios

import (
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Value limits checked at the boundary, as the API server checks them.
const (
	maxReplicas    = 500
	maxRouteWeight = 256
	maxAlternates  = 3
	maxHostLength  = 253
	// defaultNamespace is where objects without metadata.namespace go,
	// as with `oc apply` in the default project.
	defaultNamespace = "default"
)

// checkDNS1123Label checks a namespace-style name.
func (c *objectContext) checkDNS1123Label(field, value string) error {
	return c.checkName(field, value, "name", content.IsDNS1123Label)
}

// checkDNS1123Subdomain checks an object name such as a Deployment's.
func (c *objectContext) checkDNS1123Subdomain(field, value string) error {
	return c.checkName(field, value, "name", content.IsDNS1123Subdomain)
}

// checkDNS1035Label checks a Service name (it must start with a letter).
func (c *objectContext) checkDNS1035Label(field, value string) error {
	return c.checkName(field, value, "Service name", validation.IsDNS1035Label)
}

// checkName checks a required name with one of apimachinery's validators.
func (c *objectContext) checkName(field, value, what string, validate func(string) []string) error {
	if value == "" {
		return c.fail(field, "required")
	}
	if msgs := validate(value); len(msgs) > 0 {
		return c.fail(field, "%q is not a valid %s: %s", value, what, strings.Join(msgs, "; "))
	}
	return nil
}

// checkLabels checks label keys and values.
func (c *objectContext) checkLabels(field string, labels map[string]string) error {
	for _, key := range sortedKeys(labels) {
		if msgs := content.IsLabelKey(key); len(msgs) > 0 {
			return c.fail(field+"["+key+"]", "%q is not a valid label key: %s", key, strings.Join(msgs, "; "))
		}
		if msgs := content.IsLabelValue(labels[key]); len(msgs) > 0 {
			return c.fail(field+"["+key+"]", "%q is not a valid label value: %s", labels[key], strings.Join(msgs, "; "))
		}
	}
	return nil
}

// checkPortNumber checks 1..65535.
func (c *objectContext) checkPortNumber(field string, port int32) error {
	if port < 1 || port > 65535 {
		return c.fail(field, "must be between 1 and 65535, got %d", port)
	}
	return nil
}

// checkPortName checks an IANA service name (a named port).
func (c *objectContext) checkPortName(field, name string) error {
	if msgs := validation.IsValidPortName(name); len(msgs) > 0 {
		return c.fail(field, "%q is not a valid port name: %s", name, strings.Join(msgs, "; "))
	}
	return nil
}

// intOrStringPort converts a targetPort to the model's string form,
// checking it: "" when unset, the number, or the port name.
func (c *objectContext) intOrStringPort(field string, port intstr.IntOrString) (string, error) {
	if port.Type == intstr.String {
		if port.StrVal == "" {
			return "", nil
		}
		return port.StrVal, c.checkPortName(field, port.StrVal)
	}
	if port.IntVal == 0 {
		return "", nil
	}
	return strconv.Itoa(int(port.IntVal)), c.checkPortNumber(field, port.IntVal)
}

// checkOneOf checks an enumerated string; "" passes when allowEmpty.
func (c *objectContext) checkOneOf(field, value string, allowEmpty bool, allowed ...string) error {
	if value == "" && allowEmpty {
		return nil
	}
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	if value == "" {
		return c.fail(field, "required: one of %s", strings.Join(allowed, ", "))
	}
	return c.fail(field, "%q is not one of %s", value, strings.Join(allowed, ", "))
}

// checkRouteHost checks a Route host as OpenShift does: a DNS-1123
// subdomain of at most 253 characters whose labels have at most 63. A
// host starting with * is not one: a wildcard route is wildcardPolicy
// Subdomain on an ordinary host.
func (c *objectContext) checkRouteHost(field, host string) error {
	name := host
	if strings.HasPrefix(host, "*") {
		return c.fail(field, "%q is not a DNS-1123 subdomain: a wildcard route is spec.wildcardPolicy: Subdomain on an ordinary host (host www.team.example.com serves *.team.example.com)", host)
	}
	if len(host) > maxHostLength {
		return c.fail(field, "must be no more than %d characters, got %d", maxHostLength, len(host))
	}
	if msgs := content.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return c.fail(field, "%q is not a DNS-1123 subdomain: %s", host, strings.Join(msgs, "; "))
	}
	for _, label := range strings.Split(name, ".") {
		if len(label) > 63 {
			return c.fail(field, "%q: label %q is longer than 63 characters", host, label)
		}
	}
	return nil
}

// objectNamespace returns the namespace an object lands in.
func (c *objectContext) objectNamespace(namespace string) (string, error) {
	if namespace == "" {
		return defaultNamespace, nil
	}
	return namespace, c.checkDNS1123Label("metadata.namespace", namespace)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// cloneLabels copies a label map; nil stays nil.
func cloneLabels(labels map[string]string) map[string]string {
	if len(labels) == 0 {
		return nil
	}
	out := make(map[string]string, len(labels))
	for k, v := range labels {
		out[k] = v
	}
	return out
}
