package scenarios

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return data
}

func warningTexts(warnings []Warning) []string {
	var out []string
	for _, w := range warnings {
		out = append(out, w.String())
	}
	return out
}

func TestOcGetDeploySvcRouteImportsCleanly(t *testing.T) {
	sc, warnings, err := Parse(readFixture(t, "oc-get-deploy-svc-route.yaml"))
	require.NoError(t, err)
	assert.Empty(t, warningTexts(warnings), "status, managedFields, resourceVersion and defaults are not worth a warning")

	assert.Equal(t, []model.Namespace{{Name: "myapp"}}, sc.Namespaces)
	require.Len(t, sc.Workloads, 1)
	d := sc.Workloads[0]
	assert.Equal(t, 3, d.Replicas)
	assert.Equal(t, map[string]string{"app": "frontend"}, d.Selector)
	assert.Equal(t, map[string]string{"app": "frontend", "deployment": "frontend"}, d.Labels)
	assert.Equal(t, []model.ContainerPort{{Name: "http", Port: 8080}, {Name: "https", Port: 8443}}, d.Ports)
	assert.Equal(t, int64(5000), d.ReadinessDelayMs)
	assert.Equal(t, int64(30000), d.GracePeriodMs)

	require.Len(t, sc.Services, 1)
	s := sc.Services[0]
	assert.Equal(t, "172.30.118.42", s.ClusterIP, "kept: inside 172.30.0.0/16")
	assert.Equal(t, []model.ServicePort{
		{Name: "http", Protocol: "TCP", Port: 8080, TargetPort: "http"},
		{Name: "https", Protocol: "TCP", Port: 8443, TargetPort: "8443"},
	}, s.Ports)
	assert.Equal(t, "None", s.SessionAffinity)
	assert.Equal(t, "Cluster", s.InternalTrafficPolicy)

	require.Len(t, sc.Routes, 1)
	r := sc.Routes[0]
	assert.Equal(t, "frontend-myapp.apps.demo.example.com", r.Host)
	assert.Equal(t, "http", r.TargetPort)
	assert.Equal(t, "None", r.WildcardPolicy)
	assert.Equal(t, 100, *r.To.Weight)
	assert.Equal(t, map[string]string{
		"haproxy.router.openshift.io/balance": "roundrobin",
		"haproxy.router.openshift.io/timeout": "60s",
		"openshift.io/host.generated":         "true",
	}, r.Annotations)
}

func TestOcGetIngressAndIngressControllerImportCleanly(t *testing.T) {
	sc, warnings, err := Parse(readFixture(t, "oc-get-ingress-netpol.yaml"))
	require.NoError(t, err)
	assert.Empty(t, warningTexts(warnings))
	assert.Equal(t, 3, *sc.Settings.RouterReplicas, "from the IngressController")
	assert.Equal(t, "NLB", sc.Settings.LBType, "from providerParameters.aws.type")
	require.Len(t, sc.Routes, 1)
	r := sc.Routes[0]
	assert.Equal(t, "api.hadywafa.com", r.Host)
	assert.Empty(t, r.TargetPort, "the Service port has no name: the Route targets its only port")
	assert.Equal(t, "edge", r.TLS.Termination)
	assert.Equal(t, int64(45000), sc.Workloads[0].GracePeriodMs)
	assert.Equal(t, []model.ContainerPort{{Port: 8080}}, sc.Workloads[0].Ports)
	require.Len(t, sc.NetworkPolicies, 1)
	assert.Equal(t, []string{"Ingress"}, sc.NetworkPolicies[0].PolicyTypes)
}

func TestOcGetAllWarnsAboutWhatPodpathMakesItself(t *testing.T) {
	sc, warnings, err := Parse(readFixture(t, "oc-get-all.yaml"))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"document 1 item 1 (Pod web/web-6d8f7c9b4-x2k9p), line 7: Pod skipped: it was made by ReplicaSet web-6d8f7c9b4, and podpath makes it from there (keep that owner in the file)",
		"document 1 item 2 (ReplicaSet web/web-6d8f7c9b4), line 23: ReplicaSet skipped: it was made by Deployment web, and podpath makes it from there (keep that owner in the file)",
		"document 1 item 4 (Service web/web), line 62: spec.clusterIP: 10.96.14.3 is outside the service network 172.30.0.0/16; a new one is allocated",
	}, warningTexts(warnings))
	assert.Empty(t, sc.Services[0].ClusterIP)
	assert.Len(t, sc.Routes, 1)
}

func TestParseWithoutHeaderUsesModelDefaults(t *testing.T) {
	sc, _, err := Parse([]byte(`
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`))
	require.NoError(t, err)
	assert.Equal(t, model.Settings{}, sc.Settings)
	assert.Equal(t, "default", sc.Services[0].Namespace)
	assert.Equal(t, []model.Namespace{{Name: "default"}}, sc.Namespaces)
}

// The header's network section sets the kube-proxy mode (nftables too) and
// forces local-with-fallback; unset, the fallback follows the version.
func TestHeaderSetsKubeProxyModeAndLocalWithFallback(t *testing.T) {
	sc, _, err := Parse([]byte("apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  network: {kubeProxyMode: nftables, localWithFallback: false}\n"))
	require.NoError(t, err)
	assert.Equal(t, "nftables", sc.Settings.KubeProxyMode)
	require.NotNil(t, sc.Settings.LocalWithFallback)
	assert.False(t, *sc.Settings.LocalWithFallback)
	sim, err := model.New(sc)
	require.NoError(t, err)
	assert.False(t, sim.Snapshot().Network.LocalWithFallback, "forced off on 4.16")
	sc.Settings.LocalWithFallback = nil
	sim, err = model.New(sc)
	require.NoError(t, err)
	assert.True(t, sim.Snapshot().Network.LocalWithFallback, "4.16 honours it")
}

func TestWarningsForUnknownKindsAndFields(t *testing.T) {
	_, warnings, err := Parse([]byte(`apiVersion: podpath.dev/v1alpha1
kind: Scenario
metadata: {name: w}
spec:
  cluster: {name: demo, colour: blue}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: x}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: x}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, tragetPort: 8080}]
`))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"document 1 (Scenario w), line 5: spec.cluster.colour: unknown field; ignored",
		"document 2 (Widget x/w), line 7: example.com/v1 Widget ignored: podpath does not simulate this kind",
		"document 3 (Ingress old), line 11: apiVersion: extensions/v1beta1 Ingress ignored: Kubernetes 1.22 removed that apiVersion; use networking.k8s.io/v1",
		"document 4 (Service x/web), line 21: spec.ports[0].tragetPort: unknown field; ignored",
		"document 4 (Service x/web), line 19: spec.type: LoadBalancer is simulated as ClusterIP; traffic from outside comes through the router",
		"document 4 (Service x/web), line 20: spec.selector: app=web matches no pods: no workload in namespace x has pod labels app=web, so the Service has no endpoints; fix the selector or the pod template's labels",
	}, warningTexts(warnings))
}

// validHead is a header plus a Service, for bad-file cases to build on.
const validHead = `apiVersion: podpath.dev/v1alpha1
kind: Scenario
metadata: {name: bad}
spec: {}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`

func route(spec string) string {
	return validHead + `---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: shop}
spec:
` + spec
}

func TestBadFilesAreRejectedWithWhereAndWhy(t *testing.T) {
	tenThousand := strings.Repeat("---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n", 10000)
	elevenMB := strings.Repeat("# padding\n", 11<<20/10)
	cases := []struct {
		name  string
		input string
		want  string
	}{
		{"bad YAML", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n",
			"scenarios: document 1, line 4: invalid YAML: did not find expected ',' or ']'"},
		{"bad YAML in a later document", validHead + "---\nkind: Route\n  name: x\n",
			"scenarios: document 3, line 14: invalid YAML: mapping values are not allowed in this context"},
		{"a document that is not a mapping", "- a\n- b\n",
			"scenarios: document 1, line 1: a document must be a mapping (an object with apiVersion and kind)"},
		{"missing kind", "apiVersion: v1\nmetadata: {name: x}\n",
			"scenarios: document 1, line 1: kind: required"},
		{"wrong type: replicas as a string", validHead + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: four\n",
			"scenarios: document 3 (Deployment shop/web), line 17: spec.replicas: expected an integer, got string"},
		{"wrong type: port as a mapping", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - port: {number: 80}\n",
			"scenarios: document 1 (Service web), line 6: spec.ports.port: expected an integer, got object"},
		{"wrong type in the header", "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  router:\n    replicas: two\n",
			"scenarios: document 1 (Scenario x), line 6: spec.router.replicas: expected an integer, got string"},
		{"router retries out of range", "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  router:\n    retries: 11\n",
			"scenarios: document 1 (Scenario x), line 6: spec.router.retries: must be between 0 and 10, got 11"},
		{"duplicate names", validHead + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}\n",
			"scenarios: document 3 (Service shop/web), line 15: metadata.name: Service shop/web is already defined in document 2, line 8"},
		{"duplicate in a List", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n",
			"scenarios: document 1 item 2 (Namespace a), line 5: metadata.name: Namespace /a is already defined in document 1 item 1, line 4"},
		{"10,000 documents", tenThousand,
			"scenarios: line 20001: more than 5000 documents; the limit is 5000"},
		{"11 MB input", elevenMB,
			"scenarios: input is 11.0 MB; the limit is 10 MB"},
		{"host not DNS-1123", route("  host: Web_Shop.example.com\n  to: {name: web}\n"),
			`scenarios: document 3 (Route shop/web), line 17: spec.host: "Web_Shop.example.com" is not a DNS-1123 subdomain`},
		{"host too long", route("  host: " + strings.Repeat("a.", 130) + "com\n  to: {name: web}\n"),
			"scenarios: document 3 (Route shop/web), line 17: spec.host: must be no more than 253 characters, got 263"},
		{"path without slash", route("  host: web.example.com\n  path: cart\n  to: {name: web}\n"),
			`scenarios: document 3 (Route shop/web), line 18: spec.path: "cart" must start with /`},
		{"path on passthrough", route("  host: web.example.com\n  path: /cart\n  to: {name: web}\n  tls: {termination: passthrough}\n"),
			"scenarios: document 3 (Route shop/web), line 18: spec.path: passthrough termination does not support paths"},
		{"Allow on passthrough", route("  host: web.example.com\n  to: {name: web}\n  tls: {termination: passthrough, insecureEdgeTerminationPolicy: Allow}\n"),
			"scenarios: document 3 (Route shop/web), line 19: spec.tls.insecureEdgeTerminationPolicy: Allow is not valid with passthrough termination; use None or Redirect"},
		{"weight above 256", route("  host: web.example.com\n  to: {name: web, weight: 300}\n"),
			"scenarios: document 3 (Route shop/web), line 18: spec.to.weight: must be between 0 and 256, got 300"},
		{"negative weight", route("  host: web.example.com\n  to: {name: web}\n  alternateBackends:\n  - {name: b, weight: -1}\n"),
			"scenarios: document 3 (Route shop/web), line 20: spec.alternateBackends[0].weight: must be between 0 and 256, got -1"},
		{"four alternate backends", route("  host: web.example.com\n  to: {name: web}\n  alternateBackends: [{name: a}, {name: b}, {name: c}, {name: d}]\n"),
			"scenarios: document 3 (Route shop/web), line 19: spec.alternateBackends: at most 3 alternate backends, got 4"},
		{"backend kind not Service", route("  host: web.example.com\n  to: {kind: Pod, name: web}\n"),
			`scenarios: document 3 (Route shop/web), line 18: spec.to.kind: "Pod" is not supported; must be Service`},
		{"bad termination", route("  host: web.example.com\n  to: {name: web}\n  tls: {termination: magic}\n"),
			`scenarios: document 3 (Route shop/web), line 19: spec.tls.termination: "magic" is not one of edge, passthrough, reencrypt`},
		{"replicas above 500", validHead + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 501\n  selector: {matchLabels: {app: web}}\n  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web}]}}\n",
			"scenarios: document 3 (Deployment shop/web), line 17: spec.replicas: must be between 0 and 500, got 501"},
		{"selector does not match the template", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: other}}\n    spec: {containers: [{name: web}]}\n",
			"scenarios: document 1 (Deployment default/web), line 7: spec.template.metadata.labels: `selector` does not match template `labels`: the selector wants app=web"},
		{"bad name", "apiVersion: v1\nkind: Namespace\nmetadata: {name: My_Namespace}\n",
			`scenarios: document 1 (Namespace My_Namespace), line 3: metadata.name: "My_Namespace" is not a valid name`},
		{"bad annotation", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {podpath.dev/startup-ms: soon}\nspec:\n  selector: {matchLabels: {app: web}}\n  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web}]}}\n",
			`scenarios: document 1 (Deployment default/web), line 5: metadata.annotations[podpath.dev/startup-ms]: must be a whole number of milliseconds between 0 and 600000, got "soon"`},
		{"header not first", validHead + "---\napiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\n",
			"scenarios: document 3 (Scenario x), line 14: kind: the Scenario header must be the first document"},
		{"bad header value", "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  loadBalancer: {type: ALB}\n",
			`scenarios: document 1 (Scenario x), line 5: spec.loadBalancer.type: "ALB" is not one of Classic, NLB`},
		{"bad kube-proxy mode", "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  network: {kubeProxyMode: nft}\n",
			`scenarios: document 1 (Scenario x), line 5: spec.network.kubeProxyMode: "nft" is not one of iptables, nftables, ipvs`},
		{"bad localWithFallback", "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  network: {localWithFallback: sometimes}\n",
			"localWithFallback"},
		{"traffic from a pod that does not exist", "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  traffic:\n    mix:\n    - {url: 'http://a.b.svc.cluster.local/', from: b/ghost}\n",
			"scenarios: document 1 (Scenario x), line 7: spec.traffic.mix[0].from: no workload in namespace b makes pods named ghost…"},
		{"bad step command", "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  steps:\n  - title: scale\n    command: {type: scale, replicas: many}\n",
			"scenarios: document 1 (Scenario x), line 7: spec.steps[0].command: model: invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc, warnings, err := Parse([]byte(tc.input))
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.want)
			assert.True(t, errors.Is(err, model.ErrInvalid), "maps to a 4xx")
			var parseErr *ParseError
			assert.True(t, errors.As(err, &parseErr))
			assert.Nil(t, warnings, "atomic: nothing but the error")
			assert.Equal(t, model.Scenario{}, sc)
		})
	}
}

func TestIngressConversionFollowsOpenShift(t *testing.T) {
	sc, warnings, err := Parse([]byte(`apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns1}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: admin, port: 9000}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ns1
  annotations: {haproxy.router.openshift.io/balance: leastconn}
spec:
  tls: [{hosts: [secure.example.com], secretName: s}]
  rules:
  - host: plain.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /admin, pathType: ImplementationSpecific, backend: {service: {name: web, port: {name: admin}}}}
      - {path: /exact, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}
  - host: secure.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
  - host: "*.wild.example.com"
    http:
      paths:
      - {backend: {service: {name: web, port: {number: 80}}}}
  - http:
      paths:
      - {backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: ns1}
type: kubernetes.io/tls
data: {tls.crt: Y2VydA==, tls.key: a2V5}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ns1}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, ports: [{containerPort: 8080}, {containerPort: 9000}]}]}
`))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"document 2 (Ingress ns1/web), line 22: spec.rules[0].http.paths[2].pathType: Exact is not supported by OpenShift's ingress-to-route controller; no Route made",
		"document 2 (Ingress ns1/web), line 31: spec.rules[3].host: no host; OpenShift makes no Route for it",
	}, warningTexts(warnings))
	require.Len(t, sc.Routes, 4)
	type summary struct{ host, path, port, tls, wildcard string }
	var got []summary
	names := map[string]bool{}
	for _, r := range sc.Routes {
		tls := ""
		if r.TLS != nil {
			tls = r.TLS.Termination + "/" + r.TLS.InsecureEdgeTerminationPolicy
		}
		got = append(got, summary{r.Host, r.Path, r.TargetPort, tls, r.WildcardPolicy})
		assert.Regexp(t, `^web-[a-z0-9]{5}$`, r.Name)
		names[r.Name] = true
		assert.Equal(t, "leastconn", r.Annotations["haproxy.router.openshift.io/balance"], "annotations are copied")
	}
	assert.Len(t, names, 4, "distinct names")
	assert.Equal(t, []summary{
		{"plain.example.com", "/", "http", "", ""},
		{"plain.example.com", "/admin", "admin", "", ""},
		{"secure.example.com", "/", "http", "edge/Redirect", ""},
		{"wildcard.wild.example.com", "", "http", "", "Subdomain"},
	}, got)

	again, _, err := Parse([]byte(`apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns1}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ns1}
spec:
  rules:
  - host: plain.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`))
	require.NoError(t, err)
	assert.Equal(t, sc.Routes[0].Name, again.Routes[0].Name, "names are stable")
}

func TestIngressOfAnotherClassIsNotServed(t *testing.T) {
	sc, warnings, err := Parse([]byte(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api}
spec:
  ingressClassName: nginx
  rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}}]
`))
	require.NoError(t, err)
	assert.Empty(t, sc.Routes)
	assert.Equal(t, []string{`document 1 (Ingress default/api), line 5: spec.ingressClassName: no IngressClass "nginx" exists, so no router serves this Ingress and no Route is made; use ingressClassName openshift-default, the class of OpenShift's routers (or remove the class)`}, warningTexts(warnings))
}

func TestSplitDocumentsKeepsLines(t *testing.T) {
	docs, err := splitDocuments([]byte("# c\n---\n---\na: 1\n--- # x\nb: 2\n...\n---\n# only a comment\n"), 10)
	require.NoError(t, err)
	require.Len(t, docs, 2)
	assert.Equal(t, 3, docs[0].firstLine)
	assert.Equal(t, 5, docs[1].firstLine)
	assert.Contains(t, string(docs[1].text), "b: 2")
}

func TestRouteWithoutHostGetsTheGeneratedOne(t *testing.T) {
	manifests := `apiVersion: v1
kind: Service
metadata: {name: web, namespace: team}
spec: {ports: [{port: 80}]}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: team}
spec: {to: {name: web}}
`
	sc, _, err := Parse([]byte(manifests))
	require.NoError(t, err)
	assert.Equal(t, "web-team.apps.demo.example.com", sc.Routes[0].Host, "the model's default domain")

	sc, _, err = Parse([]byte("apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec: {cluster: {name: prod, baseDomain: corp.io}}\n---\n" + manifests))
	require.NoError(t, err)
	assert.Equal(t, "web-team.apps.prod.corp.io", sc.Routes[0].Host)

	long := strings.Repeat("a", 60)
	_, _, err = Parse([]byte(strings.ReplaceAll(manifests, "{name: web, namespace: team}\nspec: {to", "{name: "+long+", namespace: team}\nspec: {to")))
	assert.ErrorContains(t, err, "is longer than 63 characters (generated from the name and namespace; set spec.host)")
}
