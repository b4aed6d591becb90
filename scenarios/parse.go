package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podpath/podpath/model"
)

// Parse reads a scenario file: an optional podpath Scenario header
// followed by Kubernetes/OpenShift manifests (see docs/scenarios.md). It is
// atomic: on any error it returns only the error, a *ParseError wrapping
// model.ErrInvalid that names the document, the object, the line and the
// field. Unknown kinds and unsupported fields come back as warnings.
func Parse(data []byte) (model.Scenario, []Warning, error) {
	parsed, err := parseFile(data, Options{})
	if err != nil {
		return model.Scenario{}, nil, err
	}
	return parsed.scenario, parsed.warnings, nil
}

// Options are what an import adds to the file.
type Options struct {
	// Parameters set Template parameters by name, as `oc process -p
	// NAME=VALUE` does; they override the header's spec.parameters. A
	// name no Template in the file defines is an error.
	Parameters map[string]string
}

// Result is what ParseWithOptions reads from a file.
type Result struct {
	Scenario model.Scenario
	Warnings []Warning
	// Templates are the file's Templates as they were processed.
	Templates []TemplateInfo
}

// ParseWithOptions is Parse with Template parameters; it also returns
// the Templates it processed, with every parameter's value.
func ParseWithOptions(data []byte, opts Options) (Result, error) {
	parsed, err := parseFile(data, opts)
	if err != nil {
		return Result{}, err
	}
	return Result{Scenario: parsed.scenario, Warnings: parsed.warnings, Templates: parsed.templates}, nil
}

// parsedFile is everything one file holds.
type parsedFile struct {
	scenario  model.Scenario
	steps     []Step
	warnings  []Warning
	templates []TemplateInfo
}

// parser collects the objects of one file.
type parser struct {
	out      parsedFile
	objects  int
	declared map[string]bool // namespaces declared by a Namespace document
	used     map[string]bool // namespaces referenced by any object
	// identities maps "Kind namespace/name" to where it was first seen.
	identities map[string]*objectContext
	routes     []routeAt
	ingresses  []ingressAt
	ingressCtl *ingressControllerSettings
	ingressAt  *objectContext
	headerAt   *objectContext
	// secrets are the file's Secrets (an Ingress's TLS needs one);
	// ingressClasses its IngressClasses, by name, with their controller.
	secrets        map[string]secretInfo
	ingressClasses map[string]string
	// params are the Template parameters given (header, then options);
	// paramUsed marks those a Template defines.
	params    map[string]string
	paramUsed map[string]bool
	// simulated counts the objects podpath simulates; ignored the kinds
	// it skipped (for the error when a file holds none).
	simulated int
	ignored   map[string]int
	// seed draws generated Template parameters (the header's seed).
	seed uint64
	// serviceAt is where each Service was read; usedSecrets the Secrets
	// an Ingress's TLS names.
	serviceAt   map[string]*objectContext
	usedSecrets map[string]bool
	clusterIPs  map[string]string // address → the Service that has it
}

type routeAt struct {
	at    *objectContext
	route model.Route
	// fromIngress names the field of the Ingress that produced the Route.
	fromIngress string
}

type ingressAt struct {
	at      *objectContext
	ingress *networkingv1.Ingress
}

func parseFile(data []byte, opts Options) (parsedFile, error) {
	if len(data) > MaxInputBytes {
		return parsedFile{}, &ParseError{Message: fmt.Sprintf("input is %.1f MB; the limit is %d MB", float64(len(data))/(1<<20), MaxInputBytes>>20)}
	}
	docs, err := splitDocuments(data, MaxDocuments)
	if err != nil {
		return parsedFile{}, err
	}
	p := &parser{declared: map[string]bool{}, used: map[string]bool{}, identities: map[string]*objectContext{},
		secrets: map[string]secretInfo{}, ingressClasses: map[string]string{}, params: map[string]string{},
		paramUsed: map[string]bool{}, ignored: map[string]int{}, serviceAt: map[string]*objectContext{}, usedSecrets: map[string]bool{}, clusterIPs: map[string]string{}}
	maps.Copy(p.params, opts.Parameters) // the header's spec.parameters fill in the rest
	for i, doc := range docs {
		if err := p.document(i+1, doc); err != nil {
			return parsedFile{}, err
		}
	}
	if err := p.finish(); err != nil {
		return parsedFile{}, err
	}
	p.out.warnings = groupWarnings(p.out.warnings)
	return p.out, nil
}

// typeMeta is what every object starts with.
type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// yamlLinePattern finds the line numbers in YAML parser messages.
var yamlLinePattern = regexp.MustCompile(`line (\d+)`)

// document handles one YAML document of the file.
func (p *parser) document(index int, doc rawDocument) error {
	lines := &lineIndex{text: doc.text, firstLine: doc.firstLine}
	at := &objectContext{document: index, lines: lines, warnings: &p.out.warnings}
	data, err := documentJSON(at, doc)
	if err != nil {
		return err
	}
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	if len(data) == 0 || data[0] != '{' {
		return at.fail("", "a document must be a mapping (an object with apiVersion and kind)")
	}
	var meta typeMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return at.decodeError(err)
	}
	at.kind = meta.Kind
	at.setName(meta.Metadata.Namespace, meta.Metadata.Name)
	if meta.Kind == KindScenario {
		if index != 1 {
			return at.fail("kind", "the Scenario header must be the first document")
		}
		var header scenarioDocument
		if err := at.decodeInto(data, &header); err != nil {
			return err
		}
		scenario, steps, err := convertHeader(at, &header)
		if err != nil {
			return err
		}
		p.seed = scenario.Settings.Seed
		for k, v := range header.Spec.Parameters {
			if _, given := p.params[k]; !given {
				p.params[k] = v
			}
		}
		p.out.scenario, p.out.steps, p.headerAt = scenario, steps, at
		return nil
	}
	if isList(meta) {
		return p.list(at, data)
	}
	return p.object(at, meta, data)
}

// yamlError reports a YAML syntax error at its input line.
func yamlError(at *objectContext, doc rawDocument, err error) error {
	message := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
	message = strings.TrimPrefix(message, "yaml: ")
	line := 0
	if m := yamlLinePattern.FindStringSubmatchIndex(message); m != nil {
		n, _ := strconv.Atoi(message[m[2]:m[3]])
		line = doc.firstLine + n - 1
		message = strings.TrimPrefix(strings.TrimSpace(message[:m[0]]+message[m[1]:]), ": ")
	}
	return &ParseError{Document: at.document, Line: line, Message: "invalid YAML: " + message}
}

// isList reports whether an object is a List ("oc get … -o yaml" prints
// kind: List; the API prints e.g. kind: RouteList).
func isList(meta typeMeta) bool {
	return meta.Kind == "List" || (strings.HasSuffix(meta.Kind, "List") && meta.Kind != "List" && meta.APIVersion != "")
}

// list handles the items of a List document.
func (p *parser) list(at *objectContext, data []byte) error {
	var list struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        json.RawMessage   `json:"metadata,omitempty"`
		Items           []json.RawMessage `json:"items"`
	}
	if err := at.decodeInto(data, &list); err != nil {
		return err
	}
	for i, item := range list.Items {
		itemAt := &objectContext{
			document:   at.document,
			item:       i + 1,
			pathPrefix: fmt.Sprintf("items[%d]", i),
			lines:      at.lines,
			warnings:   at.warnings,
		}
		var meta typeMeta
		if err := json.Unmarshal(item, &meta); err != nil {
			return itemAt.decodeError(err)
		}
		itemAt.kind = meta.Kind
		if isList(meta) || meta.Kind == KindScenario {
			itemAt.warn("", "a %s inside a List is not supported; ignored", meta.Kind)
			continue
		}
		if err := p.object(itemAt, meta, item); err != nil {
			return err
		}
	}
	return nil
}

// object handles one object (a document, a List item or an object of a
// Template).
func (p *parser) object(at *objectContext, meta typeMeta, data []byte) error {
	p.objects++
	if p.objects > MaxDocuments {
		return at.fail("", "more than %d objects; the limit is %d", MaxDocuments, MaxDocuments)
	}
	if meta.Kind == "" {
		return at.fail("kind", "required")
	}
	if meta.APIVersion == "" {
		return at.fail("apiVersion", "required")
	}
	at.setName(meta.Metadata.Namespace, meta.Metadata.Name)
	if ok, why := supportedKind(meta.Kind, meta.APIVersion); !ok {
		field := ""
		if _, known := apiVersions[meta.Kind]; known {
			field = "apiVersion"
		}
		at.warn(field, "%s", why)
		p.ignored[meta.Kind]++
		return nil
	}
	if meta.Kind == "Template" {
		return p.template(at, data)
	}
	converted, err := convertObject(at, meta.Kind, data, false)
	if err != nil {
		return err
	}
	if converted.skipped != "" {
		at.warn("", "%s skipped: it was made by %s, and podpath makes it from there (keep that owner in the file)", meta.Kind, converted.skipped)
		p.ignored[meta.Kind]++
		return nil
	}
	if converted.secret == nil {
		p.simulated++
	}
	return p.add(at, converted)
}

// decodeAndConvert decodes data into the real API type T and converts it.
func decodeAndConvert[T, M any](at *objectContext, data []byte, convert func(*objectContext, *T) (M, error)) (*M, error) {
	var object T
	if err := at.decodeInto(data, &object); err != nil {
		return nil, err
	}
	converted, err := convert(at, &object)
	if err != nil {
		return nil, err
	}
	return &converted, nil
}

// project is project.openshift.io/v1 Project; only its metadata matters.
type project struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              json.RawMessage `json:"spec,omitempty"`
	Status            json.RawMessage `json:"status,omitempty"`
}

// claim rejects a second object of the same kind, namespace and name.
func (p *parser) claim(at *objectContext, kind, namespace, name, field string) error {
	key := kind + " " + namespace + "/" + name
	if first, ok := p.identities[key]; ok {
		return at.fail(field, "%s %s/%s is already defined in %s", kind, namespace, name, where(first.document, first.item, "", "", first.lines.lineOf(joinPath(first.pathPrefix, "metadata.name"))))
	}
	p.identities[key] = at
	if namespace != "" {
		p.used[namespace] = true
	}
	return nil
}

// add files a converted object into the scenario.
func (p *parser) add(at *objectContext, c converted) error {
	sc := &p.out.scenario
	switch {
	case c.namespace != nil:
		if err := p.claim(at, "Namespace", "", c.namespace.Name, "metadata.name"); err != nil {
			return err
		}
		p.declared[c.namespace.Name] = true
		sc.Namespaces = append(sc.Namespaces, *c.namespace)
	case c.workload != nil:
		if err := p.claim(at, kindOrDeployment(c.workload.Kind), c.workload.Namespace, c.workload.Name, "metadata.name"); err != nil {
			return err
		}
		sc.Workloads = append(sc.Workloads, *c.workload)
	case c.secret != nil:
		if err := p.claim(at, "Secret", c.secret.namespace, c.secret.name, "metadata.name"); err != nil {
			return err
		}
		p.secrets[c.secret.namespace+"/"+c.secret.name] = *c.secret
	case c.ingressClass != nil:
		if err := p.claim(at, "IngressClass", "", c.ingressClass.Name, "metadata.name"); err != nil {
			return err
		}
		p.ingressClasses[c.ingressClass.Name] = c.ingressClass.Spec.Controller
	case c.service != nil:
		if err := p.claim(at, "Service", c.service.Namespace, c.service.Name, "metadata.name"); err != nil {
			return err
		}
		if ip := c.service.ClusterIP; ip != "" && ip != "None" {
			if other, taken := p.clusterIPs[ip]; taken {
				return at.fail("spec.clusterIP", "%s is already allocated to Service %s (the API server refuses a second Service on one address); remove spec.clusterIP to get a free one", ip, other)
			}
			p.clusterIPs[ip] = c.service.Namespace + "/" + c.service.Name
		}
		sc.Services = append(sc.Services, *c.service)
		p.serviceAt[c.service.Namespace+"/"+c.service.Name] = at
	case c.route != nil:
		if err := p.claim(at, "Route", c.route.Namespace, c.route.Name, "metadata.name"); err != nil {
			return err
		}
		p.routes = append(p.routes, routeAt{at: at, route: *c.route})
	case c.policy != nil:
		if err := p.claim(at, "NetworkPolicy", c.policy.Namespace, c.policy.Name, "metadata.name"); err != nil {
			return err
		}
		sc.NetworkPolicies = append(sc.NetworkPolicies, *c.policy)
	case c.ingress != nil:
		namespace, _ := at.objectNamespace(c.ingress.Namespace)
		if err := p.claim(at, "Ingress", namespace, c.ingress.Name, "metadata.name"); err != nil {
			return err
		}
		p.ingresses = append(p.ingresses, ingressAt{at: at, ingress: c.ingress})
	case c.ingressController != nil:
		if p.ingressCtl != nil {
			return at.fail("metadata.name", "IngressController default is already defined in %s", where(p.ingressAt.document, p.ingressAt.item, "", "", 0))
		}
		p.ingressCtl, p.ingressAt = c.ingressController, at
	}
	return nil
}

// finish resolves what needs every object: Ingresses into Routes, Route
// backends, IngressController settings and implicit namespaces.
func (p *parser) finish() error {
	sc := &p.out.scenario
	services := make(map[string]model.Service, len(sc.Services))
	for _, s := range sc.Services {
		services[s.Namespace+"/"+s.Name] = s
	}
	lookup := func(namespace, name string) (model.Service, bool) {
		s, ok := services[namespace+"/"+name]
		return s, ok
	}
	env := &ingressEnv{services: lookup, secrets: p.secrets, classes: p.ingressClasses, used: p.usedSecrets}
	for _, ing := range p.ingresses {
		routes, err := ingressRoutes(ing.at, ing.ingress, env)
		if err != nil {
			return err
		}
		for _, route := range routes {
			if err := p.claim(ing.at, "Route", route.Namespace, route.Name, "metadata.name"); err != nil {
				return err
			}
			p.routes = append(p.routes, routeAt{at: ing.at, route: route, fromIngress: "spec.rules"})
		}
	}
	domain := ingressDomain(sc.Settings)
	for _, r := range p.routes {
		if r.route.Host == "" {
			// What OpenShift's API server does for a Route without a host.
			r.route.Host = r.route.Name + "-" + r.route.Namespace + "." + domain
			if err := r.at.checkRouteHost("spec.host", r.route.Host); err != nil {
				if parseErr, ok := err.(*ParseError); ok {
					parseErr.Message += " (generated from the name and namespace; set spec.host)"
				}
				return err
			}
		}
		targets := append([]model.RouteTarget{r.route.To}, r.route.AlternateBackends...)
		for i, target := range targets {
			if _, ok := services[r.route.Namespace+"/"+target.Service]; ok {
				continue
			}
			field := "spec.to.name"
			if i > 0 {
				field = fmt.Sprintf("spec.alternateBackends[%d].name", i-1)
			}
			// The API server admits a Route to a Service that does not
			// exist (yet); the router answers 503 for it.
			r.at.warn(field, "Service %s/%s not found: the Route is admitted, and the router answers 503 for it until the Service exists (add the Service, or fix the name)", r.route.Namespace, target.Service)
		}
		sc.Routes = append(sc.Routes, r.route)
	}
	p.checkSecrets()
	p.checkEndpoints()
	if ic := p.ingressCtl; ic != nil {
		s := &sc.Settings
		if ic.routerReplicas != nil {
			if s.RouterReplicas != nil && *s.RouterReplicas != *ic.routerReplicas {
				p.ingressAt.warn("spec.replicas", "overrides the header's spec.router.replicas %d", *s.RouterReplicas)
			}
			r := *ic.routerReplicas
			s.RouterReplicas = &r
		}
		if ic.lbType != "" {
			if s.LBType != "" && s.LBType != ic.lbType {
				p.ingressAt.warn("spec.endpointPublishingStrategy.loadBalancer.providerParameters.aws.type", "overrides the header's spec.loadBalancer.type %s", s.LBType)
			}
			s.LBType = ic.lbType
		}
		if ic.reloadInterval != nil {
			s.ReloadIntervalMs = *ic.reloadInterval
		}
		if ic.allowWildcards != nil {
			s.AllowWildcardRoutes = *ic.allowWildcards
		}
		if ic.domain != "" && s.ClusterName != "" && s.BaseDomain != "" && ic.domain != "apps."+s.ClusterName+"."+s.BaseDomain {
			p.ingressAt.warn("spec.domain", "%q is not simulated; the ingress domain is apps.%s.%s", ic.domain, s.ClusterName, s.BaseDomain)
		}
	}
	if err := p.checkTraffic(); err != nil {
		return err
	}
	if err := p.checkParameters(); err != nil {
		return err
	}
	if p.simulated == 0 && p.headerAt == nil {
		return p.nothingToImport()
	}
	// Namespaces used but not declared are created, as `oc apply` into an
	// existing project would find them.
	for _, namespace := range sortedKeys(p.used) {
		if !p.declared[namespace] {
			sc.Namespaces = append(sc.Namespaces, model.Namespace{Name: namespace})
		}
	}
	return nil
}

// checkTraffic checks that east–west traffic starts from pods that exist.
func (p *parser) checkTraffic() error {
	sc := &p.out.scenario
	for i, mix := range sc.Settings.Traffic.Mix {
		if mix.From == "" {
			continue
		}
		namespace, prefix, _ := strings.Cut(mix.From, "/")
		found := false
		for _, d := range sc.Workloads {
			if d.Namespace == namespace && (strings.HasPrefix(prefix, d.Name) || strings.HasPrefix(d.Name, prefix)) {
				found = true
				break
			}
		}
		if !found {
			at := p.headerAt
			if at == nil {
				at = &objectContext{document: 1, kind: KindScenario}
			}
			return at.fail(fmt.Sprintf("spec.traffic.mix[%d].from", i), "no workload in namespace %s makes pods named %s…", namespace, prefix)
		}
	}
	return nil
}

// ingressDomain is apps.<cluster>.<baseDomain>, with the model's defaults
// for what the header leaves out.
func ingressDomain(settings model.Settings) string {
	defaults := model.DefaultSettings()
	cluster, base := settings.ClusterName, settings.BaseDomain
	if cluster == "" {
		cluster = defaults.ClusterName
	}
	if base == "" {
		base = defaults.BaseDomain
	}
	return "apps." + cluster + "." + base
}
