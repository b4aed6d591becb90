package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// realFixtures are public projects' manifests (scenarios/testdata/real,
// each naming its origin in its first line) and what a request to their
// Routes gets: they import as OpenShift takes them and serve traffic.
var realFixtures = []struct {
	file string
	// requests: URL → the owner kind/name of the pod that must answer 200.
	requests map[string]string
	// warnings that must be among the import's (substrings).
	warnings []string
}{
	{"istio-bookinfo.yaml", map[string]string{
		"https://productpage-default.apps.demo.example.com/": "Deployment/productpage-v1",
	}, []string{"v1 ServiceAccount ignored"}},
	{"google-microservices-demo.yaml", map[string]string{
		"http://frontend-default.apps.demo.example.com/": "Deployment/frontend",
	}, nil},
	{"sock-shop.yaml", map[string]string{
		"http://front-end-sock-shop.apps.demo.example.com/": "Deployment/front-end",
	}, []string{"spec.type: NodePort is simulated as ClusterIP"}},
	{"stefanprodan-podinfo.yaml", map[string]string{
		"https://podinfo-default.apps.demo.example.com/": "Deployment/podinfo",
	}, []string{"HorizontalPodAutoscaler ignored: autoscaling is not simulated"}},
	{"kubernetes-examples-guestbook.yaml", map[string]string{
		"http://frontend-default.apps.demo.example.com/": "Deployment/frontend",
	}, nil},
	{"kubernetes-website-statefulset.yaml", map[string]string{
		"http://nginx-default.apps.demo.example.com/": "StatefulSet/web",
	}, []string{"spec.volumeClaimTemplates: storage is not simulated"}},
	{"kube-prometheus-node-exporter.yaml", map[string]string{
		"https://node-exporter-monitoring.apps.demo.example.com/": "DaemonSet/node-exporter",
	}, []string{"hostNetwork: the pods use their node's IP"}},
	{"openshift-origin-router.yaml", map[string]string{
		"http://first.example.com/Letter":            "Pod/endpoint-1",
		"https://second.example.com/Letter":          "Pod/endpoint-1",
		"http://test-default.apps.demo.example.com/": "ReplicaSet/hello-openshift",
	}, []string{"spec.ports: unknown field; ignored (×5", "a bare Pod (no controller)"}},
	{"openshift-nodejs-ex.json", map[string]string{
		"http://nodejs-example-default.apps.demo.example.com/": "DeploymentConfig/nodejs-example",
	}, []string{"duplicate key (first given on line", "ImageChange from nodejs-example:latest", "BuildConfig ignored: podpath has no builds"}},
	{"openshift-library-httpd.json", map[string]string{
		"http://httpd-example-default.apps.demo.example.com/": "DeploymentConfig/httpd-example",
	}, []string{"ImageStream ignored"}},
	{"oc-get-deploy-dc-sts-ds-svc-route.yaml", map[string]string{
		"https://podinfo-myapp.apps.demo.example.com/":       "Deployment/podinfo",
		"http://httpd-example-myapp.apps.demo.example.com/":  "DeploymentConfig/httpd-example",
		"http://nginx-myapp.apps.demo.example.com/":          "StatefulSet/web",
		"https://node-exporter-myapp.apps.demo.example.com/": "DaemonSet/node-exporter",
	}, nil},
}

func readReal(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "real", name))
	require.NoError(t, err)
	return data
}

func TestRealManifestsServeTrafficThroughTheirRoutes(t *testing.T) {
	for _, fx := range realFixtures {
		t.Run(fx.file, func(t *testing.T) {
			data := readReal(t, fx.file)
			require.True(t, strings.HasPrefix(string(data), "# Origin: "), "the first line names the origin")
			sc, warnings, err := Parse(data)
			require.NoError(t, err)
			texts := strings.Join(warningTexts(warnings), "\n")
			for _, w := range fx.warnings {
				assert.Contains(t, texts, w)
			}
			sim, err := model.New(sc)
			require.NoError(t, err)
			snap := sim.Snapshot()
			for _, p := range snap.Pods {
				assert.True(t, p.Ready, "pod %s/%s Ready", p.Namespace, p.Name)
			}
			owners := map[string]string{}
			for _, p := range snap.Pods {
				owners[p.Namespace+"/"+p.Name] = p.OwnerKind + "/" + p.Owner
			}
			for url, owner := range fx.requests {
				res, err := sim.Trace(model.TraceRequest{URL: url})
				require.NoError(t, err, url)
				assert.Equal(t, 200, res.Status, "%s: %s", url, res.Reason)
				assert.Equal(t, owner, owners[res.Pod], "%s answered by %s", url, res.Pod)
			}
		})
	}
}

func TestRealManifestsRoundTripThroughExport(t *testing.T) {
	for _, fx := range realFixtures {
		t.Run(fx.file, func(t *testing.T) {
			sc, _, err := Parse(readReal(t, fx.file))
			require.NoError(t, err)
			sim, err := model.New(sc)
			require.NoError(t, err)
			exported, err := Export(sim.Scenario())
			require.NoError(t, err)
			again, _, err := Parse(exported)
			require.NoError(t, err, string(exported))
			reimported, err := model.New(again)
			require.NoError(t, err)
			assert.Equal(t, SameState(sim.Snapshot()), SameState(reimported.Snapshot()))
		})
	}
}
