package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

func TestDecodeCommandApplyRoute(t *testing.T) {
	cmd, err := DecodeCommand([]byte(`{"type":"apply","object":{
		"apiVersion":"route.openshift.io/v1","kind":"Route",
		"metadata":{"name":"web","namespace":"canary","annotations":{"haproxy.router.openshift.io/disable_cookies":"true"}},
		"spec":{"host":"web.apps.demo.example.com","path":"/cart",
			"to":{"kind":"Service","name":"web-v1","weight":20},
			"alternateBackends":[{"kind":"Service","name":"web-v2","weight":10}],
			"port":{"targetPort":8080},
			"tls":{"termination":"reencrypt"}}}}`))
	require.NoError(t, err)
	twenty, ten := 20, 10
	assert.Equal(t, model.Apply{Route: &model.Route{
		Namespace:         "canary",
		Name:              "web",
		Host:              "web.apps.demo.example.com",
		Path:              "/cart",
		To:                model.RouteTarget{Service: "web-v1", Weight: &twenty},
		AlternateBackends: []model.RouteTarget{{Service: "web-v2", Weight: &ten}},
		TargetPort:        "8080",
		TLS:               &model.RouteTLS{Termination: "reencrypt"},
		Annotations:       map[string]string{"haproxy.router.openshift.io/disable_cookies": "true"},
	}}, cmd)
}

func TestDecodeCommandApplyEveryKind(t *testing.T) {
	cases := map[string]struct {
		object string
		check  func(t *testing.T, a model.Apply)
	}{
		"Deployment": {`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"shop","namespace":"shop"},
			"spec":{"replicas":6,"selector":{"matchLabels":{"app":"shop"}},"template":{"metadata":{"labels":{"app":"shop"}},
			"spec":{"containers":[{"name":"shop","ports":[{"name":"http","containerPort":8080}]}]}}}}`,
			func(t *testing.T, a model.Apply) { assert.Equal(t, 6, a.Workload.Replicas) }},
		"Deployment without replicas gets 1": {`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"shop"},
			"spec":{"selector":{"matchLabels":{"app":"shop"}},"template":{"metadata":{"labels":{"app":"shop"}},"spec":{"containers":[{"name":"shop"}]}}}}`,
			func(t *testing.T, a model.Apply) {
				assert.Equal(t, 1, a.Workload.Replicas)
				assert.Equal(t, "default", a.Workload.Namespace)
			}},
		"Service": {`{"apiVersion":"v1","kind":"Service","metadata":{"name":"cart","namespace":"shop"},
			"spec":{"clusterIP":"None","selector":{"app":"cart"},"ports":[{"port":8080}],"sessionAffinity":"ClientIP"}}`,
			func(t *testing.T, a model.Apply) {
				assert.Equal(t, "None", a.Service.ClusterIP)
				assert.Equal(t, "ClientIP", a.Service.SessionAffinity)
			}},
		"NetworkPolicy": {`{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny","namespace":"shop"},
			"spec":{"podSelector":{},"egress":[{"to":[{"ipBlock":{"cidr":"10.0.0.0/16"}}],"ports":[{"protocol":"TCP","port":443}]}]}}`,
			func(t *testing.T, a model.Apply) {
				assert.Equal(t, []string{"Ingress", "Egress"}, a.NetworkPolicy.PolicyTypes, "the API server's default")
				assert.Equal(t, "10.0.0.0/16", a.NetworkPolicy.Egress[0].Peers[0].IPBlock)
				assert.Equal(t, "443", a.NetworkPolicy.Egress[0].Ports[0].Port)
			}},
		"Namespace": {`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team","labels":{"env":"dev"}}}`,
			func(t *testing.T, a model.Apply) {
				assert.Equal(t, &model.Namespace{Name: "team", Labels: map[string]string{"env": "dev"}}, a.Namespace)
			}},
		"Ingress with one rule": {`{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"api","namespace":"api"},
			"spec":{"rules":[{"host":"api.hadywafa.com","http":{"paths":[{"path":"/","pathType":"Prefix",
			"backend":{"service":{"name":"api-service","port":{"name":"http"}}}}]}}]}}`,
			func(t *testing.T, a model.Apply) {
				require.Len(t, a.Routes, 1)
				r := a.Routes[0]
				assert.Regexp(t, `^api-[a-z0-9]{5}$`, r.Name)
				assert.Equal(t, "api.hadywafa.com", r.Host)
				assert.Equal(t, "http", r.TargetPort)
				assert.Nil(t, r.TLS)
			}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd, err := DecodeCommand([]byte(`{"type":"apply","object":` + tc.object + `}`))
			require.NoError(t, err)
			apply, ok := cmd.(model.Apply)
			require.True(t, ok)
			tc.check(t, apply)
		})
	}
}

func TestDecodeCommandErrors(t *testing.T) {
	cases := []struct {
		name, input, want string
		field             string // the field the error carries as data
	}{
		{"malformed JSON", `{"type":`, "model: invalid: body: malformed JSON", "body"},
		{"unknown top-level field", `{"type":"apply","object":{},"force":true}`, `model: invalid: apply: force: unknown field (fields are type and object)`, "force"},
		{"no object", `{"type":"apply"}`, "model: invalid: object: required", "object"},
		{"unknown kind", `{"type":"apply","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p"}}}`,
			`model: invalid: apply ConfigMap p: object.kind: "ConfigMap" cannot be applied; one of Namespace, Deployment, DeploymentConfig, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Pod, Service, Route, Ingress, NetworkPolicy`, "object.kind"},
		{"wrong apiVersion", `{"type":"apply","object":{"apiVersion":"route.openshift.io/v2","kind":"Route","metadata":{"name":"r"}}}`,
			`model: invalid: apply Route r: object.apiVersion: "route.openshift.io/v2": Route needs apiVersion route.openshift.io/v1 or v1`, "object.apiVersion"},
		{"unknown field in the object is strict", `{"type":"apply","object":{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"prots":[]}}}`,
			"model: invalid: apply Service s: object.spec.prots: unknown field", "object.spec.prots"},
		{"wrong type", `{"type":"apply","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":"6"}}}`,
			"model: invalid: apply Deployment d: object.spec.replicas: expected an integer, got string", "object.spec.replicas"},
		{"route validation", `{"type":"apply","object":{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"r","namespace":"n"},
			"spec":{"host":"a.example.com","to":{"name":"s"},"tls":{"termination":"passthrough","insecureEdgeTerminationPolicy":"Allow"}}}}`,
			"model: invalid: apply Route n/r: object.spec.tls.insecureEdgeTerminationPolicy: Allow is not valid with passthrough termination", "object.spec.tls.insecureEdgeTerminationPolicy"},
		{"replicas out of range", `{"type":"apply","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1000000}}}`,
			"model: invalid: apply Deployment default/d: object.spec.replicas: must be between 0 and 500, got 1000000", "object.spec.replicas"},
		{"Ingress without a rule", `{"type":"apply","object":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"i"},
			"spec":{"rules":[{"host":"a.example.com"}]}}}`,
			"model: invalid: apply Ingress default/i: object.spec.rules: this Ingress makes no Route", "object.spec.rules"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd, err := DecodeCommand([]byte(tc.input))
			assert.Nil(t, cmd)
			require.Error(t, err)
			assert.ErrorIs(t, err, model.ErrInvalid)
			assert.ErrorContains(t, err, tc.want)
			var fe *model.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestDecodeCommandDecodesTheModelsTypes(t *testing.T) {
	cmd, err := DecodeCommand([]byte(`{"type":"scale","namespace":"shop","deployment":"shop","replicas":6}`))
	require.NoError(t, err)
	assert.Equal(t, model.Scale{Namespace: "shop", Deployment: "shop", Replicas: 6}, cmd)

	cmd, err = DecodeCommand([]byte(`{"type":"delete","kind":"Route","namespace":"team-a","name":"web"}`))
	require.NoError(t, err)
	assert.Equal(t, model.Delete{Kind: "Route", Namespace: "team-a", Name: "web"}, cmd)

	_, err = DecodeCommand([]byte(`{"type":"explode"}`))
	assert.ErrorIs(t, err, model.ErrInvalid)
}

func TestApplyIngressWithTwoPathsMakesTwoRoutesAtOnce(t *testing.T) {
	cmd, err := DecodeCommand([]byte(`{"type":"apply","object":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"i","namespace":"shop"},
		"spec":{"rules":[{"host":"a.apps.demo.example.com","http":{"paths":[{"path":"/a","pathType":"Prefix","backend":{"service":{"name":"shop","port":{"number":80}}}},
		{"path":"/b","pathType":"Prefix","backend":{"service":{"name":"shop","port":{"number":80}}}}]}}]}}}`))
	require.NoError(t, err)
	apply, ok := cmd.(model.Apply)
	require.True(t, ok)
	require.Len(t, apply.Routes, 2)
	sc, _, err := Load("shop")
	require.NoError(t, err)
	sim, err := model.New(sc)
	require.NoError(t, err)
	require.NoError(t, sim.Apply(apply))
	assert.Len(t, sim.Snapshot().Routes, 3)
}
