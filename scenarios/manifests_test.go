package scenarios

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// Tests of reading manifests as OpenShift takes them: every workload
// kind, Templates, the API server's defaulting, strict decoding and the
// warnings that say how to fix what would answer 503.

func parseOK(t *testing.T, text string) (model.Scenario, []string) {
	t.Helper()
	sc, warnings, err := Parse([]byte(text))
	require.NoError(t, err)
	return sc, warningTexts(warnings)
}

func parseErr(t *testing.T, text string) *ParseError {
	t.Helper()
	_, _, err := Parse([]byte(text))
	require.Error(t, err)
	assert.True(t, errors.Is(err, model.ErrInvalid))
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "%v", err)
	return pe
}

const templateYAML = `apiVersion: template.openshift.io/v1
kind: Template
metadata: {name: app, namespace: team}
labels: {template: app, owner: "${OWNER}"}
parameters:
- {name: NAME, value: web, required: true}
- {name: REPLICAS, value: "3"}
- {name: OWNER, required: true}
- {name: SECRET, generate: expression, from: "[a-zA-Z0-9]{12}"}
- {name: PIN, generate: expression, from: "pin-[0-9]{4}"}
objects:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: "${NAME}", namespace: elsewhere, annotations: {secret: "${SECRET}", pin: "${PIN}"}}
  spec:
    replicas: "${{REPLICAS}}"
    selector: {matchLabels: {app: "${NAME}"}}
    template:
      metadata: {labels: {app: "${NAME}"}}
      spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
- apiVersion: v1
  kind: Service
  metadata: {name: "${NAME}", namespace: "${OWNER}-ns"}
  spec: {selector: {app: "${NAME}"}, ports: [{port: 80, targetPort: 8080}]}
`

func TestTemplateIsProcessedAsOcProcessDoes(t *testing.T) {
	res, err := ParseWithOptions([]byte(templateYAML), Options{Parameters: map[string]string{"OWNER": "ada"}})
	require.NoError(t, err)
	sc := res.Scenario
	require.Len(t, sc.Workloads, 1)
	d := sc.Workloads[0]
	assert.Equal(t, "web", d.Name, "${NAME} from its value")
	assert.Equal(t, 3, d.Replicas, `"${{REPLICAS}}" becomes the number 3`)
	assert.Equal(t, "team", d.Namespace, "a hard-coded namespace is stripped: the objects land in the Template's")
	require.Len(t, sc.Services, 1)
	assert.Equal(t, "ada-ns", sc.Services[0].Namespace, "a namespace holding a ${PARAMETER} stays")
	require.Len(t, res.Templates, 1)
	params := map[string]TemplateParam{}
	for _, p := range res.Templates[0].Parameters {
		params[p.Name] = p
	}
	assert.Equal(t, "given", params["OWNER"].Source)
	assert.Equal(t, "default", params["NAME"].Source)
	assert.Equal(t, "generated", params["SECRET"].Source)
	assert.Regexp(t, `^[a-yA-Y0-8]{12}$`, params["SECRET"].Value, "library-go's ranges stop one short of their upper end")
	assert.Regexp(t, `^pin-[0-8]{4}$`, params["PIN"].Value)
	again, err := ParseWithOptions([]byte(templateYAML), Options{Parameters: map[string]string{"OWNER": "ada"}})
	require.NoError(t, err)
	assert.Equal(t, res.Templates, again.Templates, "generated values are deterministic")
}

func TestTemplateLabelsAreAddedToEveryObject(t *testing.T) {
	res, err := ParseWithOptions([]byte(templateYAML), Options{Parameters: map[string]string{"OWNER": "ada", "NAME": "shop"}})
	require.NoError(t, err)
	assert.Equal(t, "shop", res.Scenario.Workloads[0].Name, "a given parameter wins over the value")
	// metadata.labels get the Template's labels; the pod template does not
	// (library-go adds them there only for typed DeploymentConfigs).
	assert.Equal(t, map[string]string{"app": "shop"}, res.Scenario.Workloads[0].Labels)
}

func TestTemplateParameterErrorsNameTheParameter(t *testing.T) {
	_, err := ParseWithOptions([]byte(templateYAML), Options{})
	require.Error(t, err)
	assert.ErrorContains(t, err, "document 1 (Template team/app), line 8: parameters[2]: parameter OWNER is required and must be specified")
	_, err = ParseWithOptions([]byte(templateYAML), Options{Parameters: map[string]string{"OWNER": "ada", "COLOUR": "red"}})
	require.Error(t, err)
	assert.ErrorContains(t, err, "param: parameter COLOUR is not defined by any Template in the file (its parameters: NAME, OWNER, PIN, REPLICAS, SECRET)")
	bad := strings.Replace(templateYAML, `from: "[a-zA-Z0-9]{12}"`, `from: "[a-z]{300}"`, 1)
	_, err = ParseWithOptions([]byte(bad), Options{Parameters: map[string]string{"OWNER": "ada"}})
	assert.ErrorContains(t, err, "parameters[3].from: parameter SECRET: range must be within [1-255] characters (300)")
	unknown := strings.Replace(templateYAML, "generate: expression, from: \"pin-[0-9]{4}\"", "generate: uuid", 1)
	_, err = ParseWithOptions([]byte(unknown), Options{Parameters: map[string]string{"OWNER": "ada"}})
	assert.ErrorContains(t, err, `parameters[4].generate: parameter PIN: unknown generator "uuid"`)
}

func TestHeaderParametersSetTemplateParameters(t *testing.T) {
	header := "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n  parameters: {OWNER: grace, REPLICAS: \"2\"}\n---\n"
	res, err := ParseWithOptions([]byte(header+templateYAML), Options{Parameters: map[string]string{"REPLICAS": "5"}})
	require.NoError(t, err)
	assert.Equal(t, "grace-ns", res.Scenario.Services[0].Namespace)
	assert.Equal(t, 5, res.Scenario.Workloads[0].Replicas, "an import's own parameters win over the header's")
}

func TestRouteTerminationIsDefaultedAsOpenShiftDoes(t *testing.T) {
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n---\n"
	for _, tc := range []struct{ tls, want string }{
		{"{termination: Edge}", "edge"},
		{"{termination: Reencrypt}", "reencrypt"},
		{"{termination: Passthrough}", "passthrough"},
		{"{}", "edge"},
		{"{insecureEdgeTerminationPolicy: Redirect}", "edge"},
	} {
		sc, _ := parseOK(t, svc+"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: web}\nspec:\n  to: {name: web}\n  tls: "+tc.tls+"\n")
		require.NotNil(t, sc.Routes[0].TLS, tc.tls)
		assert.Equal(t, tc.want, sc.Routes[0].TLS.Termination, tc.tls)
	}
	pe := parseErr(t, svc+"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: web}\nspec:\n  to: {name: web}\n  tls: {termination: EDGE}\n")
	assert.Equal(t, "spec.tls.termination", pe.Field, "only the three capitalised forms are defaulted")
}

func TestLegacyGrouplessOpenShiftKindsAreRead(t *testing.T) {
	sc, warnings := parseOK(t, `apiVersion: v1
kind: DeploymentConfig
metadata: {name: app}
spec:
  replicas: 2
  selector: {name: app}
  template:
    metadata: {labels: {name: app}}
    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: app}
spec: {selector: {name: app}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Route
metadata: {name: app.example}
spec: {to: {name: app}}
`)
	assert.Empty(t, warnings)
	require.Len(t, sc.Workloads, 1)
	assert.Equal(t, model.KindDeploymentConfig, sc.Workloads[0].Kind)
	assert.Equal(t, int64(1), sc.Workloads[0].Version, "the default ConfigChange trigger deploys version 1")
	assert.Equal(t, []string{"ConfigChange"}, sc.Workloads[0].Triggers)
	require.Len(t, sc.Routes, 1)
	assert.Equal(t, "app.example", sc.Routes[0].Name, "a Route name may be a DNS-1123 subdomain")
	assert.Equal(t, "app.example-default.apps.demo.example.com", sc.Routes[0].Host)
	sim, err := model.New(sc)
	require.NoError(t, err)
	res, err := sim.Trace(model.TraceRequest{URL: "http://app.example-default.apps.demo.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, 200, res.Status, res.Reason)
}

func TestDeploymentConfigDefaults(t *testing.T) {
	sc, warnings := parseOK(t, `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata: {name: app}
spec:
  triggers: []
  template:
    metadata: {labels: {name: app}}
    spec: {containers: [{name: c}]}
`)
	d := sc.Workloads[0]
	assert.Equal(t, 0, d.Replicas, "a DeploymentConfig's replicas have no default")
	assert.Equal(t, map[string]string{"name": "app"}, d.Selector, "the selector defaults to the template's labels")
	assert.Equal(t, "Rolling", d.Strategy)
	assert.Equal(t, int64(0), d.Version)
	assert.Contains(t, strings.Join(warnings, "\n"), "no trigger deploys it and status.latestVersion is 0: it runs no pods until `oc rollout latest dc/app`")
}

func TestJobsAndCronJobsAreWarnedAbout(t *testing.T) {
	_, _, err := Parse([]byte("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n"))
	require.Error(t, err, "a file with nothing to simulate is refused")
	assert.ErrorContains(t, err, "the file holds no objects podpath simulates (ignored: CronJob ×1, Job ×1")
	_, warnings := parseOK(t, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
	assert.Equal(t, []string{"document 1 (Job j), line 1: batch/v1 Job ignored: Jobs are not simulated (their pods run to completion and serve no traffic)"}, warnings)
}

func TestAFileWithNoObjectsIsRefused(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "---\n---\n", "apiVersion: v1\nkind: List\nitems: []\n"} {
		_, _, err := Parse([]byte(text))
		require.Error(t, err, "%q", text)
		assert.ErrorContains(t, err, "line 1: the file holds no objects")
	}
}

func TestDuplicateKeysAreErrorsWithTheirLine(t *testing.T) {
	pe := parseErr(t, "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\nspec: {ports: [{port: 80}]}\n")
	assert.Equal(t, 5, pe.Line)
	assert.Equal(t, "metadata.name", pe.Field)
	assert.Contains(t, pe.Error(), "duplicate key (first given on line 4)")
	pe = parseErr(t, `{"apiVersion": "v1", "kind": "Service",
 "metadata": {"name": "a"},
 "spec": {"ports": [{"port": 80, "port": 81}]}}`)
	assert.Equal(t, 3, pe.Line)
	assert.Equal(t, "spec.ports[0].port", pe.Field)
	assert.Equal(t, "Service", pe.Kind)
}

func TestConcatenatedJSONValuesAreAllRead(t *testing.T) {
	ns := func(name string) string {
		return `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"` + name + `"}}`
	}
	sc, _ := parseOK(t, ns("a")+ns("b")+"\n"+ns("c")+"\n")
	require.Len(t, sc.Namespaces, 3)
	pe := parseErr(t, ns("a")+"\n"+ns("b")+"\n{\"apiVersion\": \"v1\",\n")
	assert.Contains(t, pe.Error(), "line 3: invalid JSON in the value that starts here, after 2 good value(s)")
	pe = parseErr(t, ns("a")+"\n"+`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"Bad"}}`)
	assert.Equal(t, 2, pe.Document, "each value is a document")
}

func TestRouteToAMissingServiceIsAdmittedAndAnswers503(t *testing.T) {
	sc, warnings := parseOK(t, "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: web, namespace: x}\nspec:\n  host: web.apps.demo.example.com\n  to: {kind: Service, name: nope}\n")
	assert.Equal(t, []string{"document 1 (Route x/web), line 6: spec.to.name: Service x/nope not found: the Route is admitted, and the router answers 503 for it until the Service exists (add the Service, or fix the name)"}, warnings)
	sim, err := model.New(sc)
	require.NoError(t, err)
	assert.True(t, sim.Snapshot().Routes[0].Admitted)
	res, err := sim.Trace(model.TraceRequest{URL: "http://web.apps.demo.example.com/"})
	require.NoError(t, err)
	assert.Equal(t, 503, res.Status)
}

const ingressWithTLS = `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: [secure.example.com], secretName: web-tls}]
  rules:
  - host: secure.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
  - host: plain.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`

func TestIngressTLSNeedsAValidKubernetesTLSSecret(t *testing.T) {
	for _, tc := range []struct{ secret, problem string }{
		{"", "Secret default/web-tls is not in the file"},
		{"type: Opaque\ndata: {tls.crt: Yw==, tls.key: aw==}", "Secret default/web-tls cannot be used: its type is Opaque, not kubernetes.io/tls"},
		{"type: kubernetes.io/tls\ndata: {tls.crt: Yw==}", "Secret default/web-tls cannot be used: it has no tls.key"},
	} {
		text := ingressWithTLS
		if tc.secret != "" {
			text += "---\napiVersion: v1\nkind: Secret\nmetadata: {name: web-tls}\n" + tc.secret + "\n"
		}
		sc, warnings := parseOK(t, text)
		require.Len(t, sc.Routes, 1, tc.problem)
		assert.Equal(t, "plain.example.com", sc.Routes[0].Host, "the host with the bad secret gets no Route; the others do")
		assert.Contains(t, strings.Join(warnings, "\n"), `Invalid or missing TLS secret for rule host "secure.example.com": `+tc.problem)
	}
	sc, warnings := parseOK(t, ingressWithTLS+"---\napiVersion: v1\nkind: Secret\nmetadata: {name: web-tls}\ntype: kubernetes.io/tls\ndata: {tls.crt: Yw==, tls.key: aw==}\n")
	assert.Empty(t, warnings, "a Secret an Ingress uses is not 'ignored'")
	require.Len(t, sc.Routes, 2)
	assert.Equal(t, &model.RouteTLS{Termination: "edge", InsecureEdgeTerminationPolicy: "Redirect"}, sc.Routes[0].TLS)
	assert.Nil(t, sc.Routes[1].TLS)
}

func TestASecretNoIngressUsesIsNotSaidToNotMatter(t *testing.T) {
	_, warnings := parseOK(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
	assert.Equal(t, []string{"document 1 (Secret default/s), line 1: v1 Secret not simulated: podpath reads a Secret only when an Ingress's spec.tls names it (it must then be kubernetes.io/tls with tls.crt and tls.key, or that host gets no Route)"}, warnings)
}

func TestIngressToAMissingServiceMakesNoRouteYet(t *testing.T) {
	sc, warnings := parseOK(t, "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api}\nspec:\n  rules:\n  - host: api.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend: {service: {name: api, port: {number: 80}}}\n")
	assert.Empty(t, sc.Routes)
	assert.Equal(t, []string{`document 1 (Ingress default/api), line 11: spec.rules[0].http.paths[0].backend.service: Backend service "api" not found: no Route made for host api.example.com (the ingress-to-route controller makes it once the Service and port exist)`}, warnings)
}

func TestIngressClassOfTheIngressToRouteControllerIsServed(t *testing.T) {
	text := strings.Replace(ingressWithTLS, "spec:\n  tls:", "spec:\n  ingressClassName: mine\n  tls:", 1)
	sc, warnings := parseOK(t, text)
	assert.Empty(t, sc.Routes)
	assert.Contains(t, strings.Join(warnings, "\n"), `no IngressClass "mine" exists, so no router serves this Ingress and no Route is made; use ingressClassName openshift-default`)
	sc, _ = parseOK(t, text+"---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: mine}\nspec: {controller: openshift.io/ingress-to-route}\n")
	assert.Len(t, sc.Routes, 1, "an IngressClass whose controller is openshift.io/ingress-to-route is served")
	_, warnings = parseOK(t, text+"---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: mine}\nspec: {controller: k8s.io/ingress-nginx}\n")
	assert.Contains(t, strings.Join(warnings, "\n"), `IngressClass "mine" belongs to controller "k8s.io/ingress-nginx", which does not run on this cluster`)
}

func TestServicesThatReachNoPodAreWarnedAbout(t *testing.T) {
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}\n---\n"
	route := "---\napiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: web}\nspec: {host: web.example.com, to: {name: web}}\n"
	_, warnings := parseOK(t, deploy+"apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: wbe}, ports: [{port: 80, targetPort: http}]}\n"+route)
	assert.Equal(t, []string{
		"document 2 (Service default/web), line 13: spec.selector: app=wbe matches no pods: no workload in namespace default has pod labels app=wbe, so the Service has no endpoints; fix the selector or the pod template's labels",
		"document 3 (Route default/web), line 18: spec.to.name: Service default/web has no ready endpoints (its selector matches no pods), so the router answers 503 for web.example.com until it has; see the Service's warning",
	}, warnings)
	_, warnings = parseOK(t, deploy+"apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: htpp}]}\n"+route)
	assert.Contains(t, warnings[0], `spec.ports[0].targetPort: "htpp" names no container port of the pods it selects (Deployment default/web have ports named http), so this port has no endpoints; name a container port "htpp", or use the port number`)
	assert.Contains(t, warnings[1], `no pod has a port named "htpp"`)
	_, warnings = parseOK(t, strings.Replace(deploy, "spec:\n  selector", "spec:\n  replicas: 0\n  selector", 1)+"apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n")
	assert.Contains(t, warnings[0], "it selects only Deployment default/web, which run no pods (0 replicas, or a DeploymentConfig never deployed)")
	_, warnings = parseOK(t, strings.Replace(deploy, "kind: Deployment", "kind: StatefulSet", 1)+"apiVersion: v1\nkind: Service\nmetadata: {name: web-0}\nspec: {selector: {statefulset.kubernetes.io/pod-name: web-0}, ports: [{port: 80}]}\n")
	assert.Empty(t, warnings, "a Service may select a label the controller adds (one StatefulSet pod)")
}

func TestRepeatedWarningsAreGroupedWithACount(t *testing.T) {
	var b strings.Builder
	for _, name := range []string{"a", "b", "c"} {
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n---\n")
	}
	b.WriteString("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
	sc, warnings, err := Parse([]byte(b.String()))
	require.NoError(t, err)
	require.Len(t, warnings, 1)
	assert.Equal(t, 3, warnings[0].Count)
	assert.Equal(t, "document 1 (ConfigMap a), line 1: v1 ConfigMap ignored: it does not change how traffic flows (×3: also document 2 (ConfigMap b), line 5; document 3 (ConfigMap c), line 9)", warnings[0].String())
	assert.Len(t, sc.Namespaces, 1)
}

func TestObjectsTheirControllerMadeAreSkipped(t *testing.T) {
	_, warnings := parseOK(t, `apiVersion: v1
kind: ReplicationController
metadata:
  name: app-3
  annotations: {openshift.io/deployment-config.name: app}
spec:
  template:
    metadata: {labels: {name: app}}
    spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: a}
`)
	assert.Equal(t, []string{"document 1 (ReplicationController default/app-3), line 1: ReplicationController skipped: it was made by DeploymentConfig app, and podpath makes it from there (keep that owner in the file)"}, warnings)
}

func TestEveryWorkloadKindIsReadWithTheRealTypes(t *testing.T) {
	template := "  selector: {matchLabels: {app: w}}\n  template:\n    metadata: {labels: {app: w}}\n    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}\n"
	sc, _ := parseOK(t, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: s\n  podManagementPolicy: Parallel\n  replicas: 2\n"+template+
		"---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n"+template+
		"---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n"+template+
		"---\napiVersion: v1\nkind: ReplicationController\nmetadata: {name: c}\nspec:\n  template:\n    metadata: {labels: {app: w}}\n    spec: {containers: [{name: c}]}\n"+
		"---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: w}}\nspec: {hostNetwork: true, containers: [{name: c, ports: [{containerPort: 9100}]}], tolerations: [{operator: Exists}]}\n")
	kinds := map[string]model.Workload{}
	for _, w := range sc.Workloads {
		kinds[w.Kind] = w
	}
	assert.Equal(t, "s", kinds[model.KindStatefulSet].ServiceName)
	assert.Equal(t, "Parallel", kinds[model.KindStatefulSet].PodManagementPolicy)
	assert.Equal(t, 2, kinds[model.KindStatefulSet].Replicas)
	assert.Contains(t, kinds, model.KindDaemonSet)
	assert.Equal(t, 1, kinds[model.KindReplicaSet].Replicas, "replicas default to 1")
	assert.Equal(t, map[string]string{"app": "w"}, kinds[model.KindReplicationController].Selector, "an RC's selector defaults to its template's labels")
	assert.True(t, kinds[model.KindPod].HostNetwork)
	assert.Equal(t, []model.Toleration{{Operator: "Exists"}}, kinds[model.KindPod].Tolerations)
}

func TestTwoServicesOnOneClusterIPAreRefused(t *testing.T) {
	svc := func(name string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec: {clusterIP: 172.30.9.9, ports: [{port: 80}]}\n"
	}
	pe := parseErr(t, svc("a")+"---\n"+svc("b"))
	assert.Equal(t, "scenarios: document 2 (Service default/b), line 9: spec.clusterIP: 172.30.9.9 is already allocated to Service default/a (the API server refuses a second Service on one address); remove spec.clusterIP to get a free one", pe.Error())
}
