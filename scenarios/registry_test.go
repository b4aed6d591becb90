package scenarios

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

var updateDocs = flag.Bool("update", false, "rewrite the command table of ../docs/api.md from the registry")

func shopSim(t *testing.T) *model.Sim {
	t.Helper()
	sc, _, err := Load("shop")
	require.NoError(t, err)
	sim, err := model.New(sc)
	require.NoError(t, err)
	return sim
}

// Every entry of the registry goes the whole way: its example decodes to
// its Go type, passes its validation, applies to the shop scenario, has
// an oc equivalent, and decodes again from the JSON the journal keeps
// (the state file stores the accepted command's JSON as it came).
func TestEveryCommandTypeRoundTripsDecodeValidateOCJournal(t *testing.T) {
	seen := map[string]bool{}
	for _, spec := range Commands() {
		t.Run(spec.Name, func(t *testing.T) {
			assert.False(t, seen[spec.Name], "one entry per type")
			seen[spec.Name] = true
			raw := []byte(spec.Example)
			cmd, err := DecodeCommand(raw)
			require.NoError(t, err)
			assert.Equal(t, spec.Type, reflect.TypeOf(cmd), "the entry's Go type")
			assert.Equal(t, spec.Name, cmd.CommandType())
			require.NoError(t, cmd.Validate())

			sim := shopSim(t)
			require.NoError(t, sim.Apply(cmd), "the example applies to shop")
			oc := OC(cmd, raw, sim)
			assert.NotEmpty(t, oc)
			assert.NotContains(t, oc, "no oc equivalent")

			var journal struct { // server/persist.go's log entry
				AtMs    int64           `json:"atMs"`
				Command json.RawMessage `json:"command"`
			}
			line, err := json.Marshal(map[string]any{"atMs": 1, "command": json.RawMessage(raw)})
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(line, &journal))
			again, err := DecodeCommand(journal.Command)
			require.NoError(t, err)
			assert.Equal(t, cmd, again, "the journal's JSON decodes to the same command")
			assert.Equal(t, oc, OC(again, journal.Command, sim))
		})
	}
	assert.Len(t, CommandNames(), len(seen))
}

func TestUnknownCommandTypeNamesTheRegistrysTypes(t *testing.T) {
	_, err := DecodeCommand([]byte(`{"type":"explode"}`))
	var fe *model.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "type", fe.Field)
	assert.Equal(t, `unknown command "explode"; one of `+strings.Join(CommandNames(), ", "), fe.Reason)
	for _, name := range []string{"apply", "scale", "delete", "setTraffic"} {
		assert.Contains(t, fe.Reason, name)
	}
}

func TestDecodeErrorsCarryTheField(t *testing.T) {
	for _, tc := range []struct{ input, field, text string }{
		{`{"type":"scale","namespace":"shop","deployment":"shop","replicas":"six"}`, "replicas", "model: invalid: scale: replicas: want int, got string"},
		{`{"type":"scale","namespace":"shop","deployment":"shop","replicas":6,"force":true}`, "force", "model: invalid: scale: force: unknown field"},
		{`{"type":"scale","namespace":"shop","deployment":"shop","replicas":-1}`, "replicas", "model: invalid: replicas: 0..500, got -1"},
		{`{"type":"scale","deployment":"shop","replicas":1}`, "namespace", "model: invalid: namespace: required"},
		{`{"type":"setNetwork","kubeProxyMode":"nft"}`, "kubeProxyMode", `model: invalid: kubeProxyMode: "nft" is not one of iptables, nftables, ipvs`},
		{`{"replicas":3}`, "type", "model: invalid: type: required"},
		{`[]`, "body", "model: invalid: body: malformed JSON"},
	} {
		_, err := DecodeCommand([]byte(tc.input))
		var fe *model.FieldError
		require.ErrorAs(t, err, &fe, tc.input)
		assert.Equal(t, tc.field, fe.Field, tc.input)
		assert.ErrorContains(t, err, tc.text)
		assert.ErrorIs(t, err, model.ErrInvalid)
	}
}

// The oc equivalents, as the page showed them when oc.js computed them.
func TestOCEquivalents(t *testing.T) {
	sim := shopSim(t)
	for _, tc := range []struct{ cmd, oc string }{
		{`{"type":"scale","namespace":"shop","deployment":"shop","replicas":5}`, "oc scale deployment/shop -n shop --replicas=5"},
		{`{"type":"scaleRouters","replicas":3}`, `oc patch ingresscontroller/default -n openshift-ingress-operator --type=merge -p '{"spec":{"replicas":3}}'`},
		{`{"type":"deletePod","namespace":"shop","pod":"shop-df6k52rq6q-9bv9n"}`, "oc delete pod shop-df6k52rq6q-9bv9n -n shop"},
		{`{"type":"delete","kind":"NetworkPolicy","namespace":"shop","name":"deny all"}`, "oc delete networkpolicy/'deny all' -n shop"},
		{`{"type":"setLoadBalancer","lbType":"NLB"}`, `oc patch ingresscontroller/default -n openshift-ingress-operator --type=merge -p '{"spec":{"endpointPublishingStrategy":{"type":"LoadBalancerService","loadBalancer":{"scope":"External","providerParameters":{"type":"AWS","aws":{"type":"NLB"}}}}}}'` + "\n# the load balancer is recreated: new DNS name, minutes of disruption"},
		{`{"type":"setNetwork","encapsulation":"IPIP"}`, `oc patch ippool/default-ipv4-ippool --type=merge -p '{"spec":{"ipipMode":"Always","vxlanMode":"Never"}}'`},
		{`{"type":"setNetwork","kubeProxyMode":"ipvs","sourceDestCheck":false}`, `oc patch network.operator.openshift.io/cluster --type=merge -p '{"spec":{"kubeProxyConfig":{"proxyArguments":{"proxy-mode":["ipvs"]}}}}'` + "\n# per worker instance:\naws ec2 modify-instance-attribute --instance-id <id> --no-source-dest-check"},
		// No mix in the command: the live one's first Internet URL.
		{`{"type":"setTraffic","rps":2.5}`, "# traffic comes from the clients, not from oc; for example 2.5 requests per second:\nhey -z 60s -q 3 -c 1 https://shop.apps.demo.example.com/"},
		{`{"type":"setOpenShiftVersion","version":"4.10"}`, "# the router's default balance follows the version (leastconn up to 4.10, random from 4.11)\noc adm upgrade channel stable-4.10\noc adm upgrade --to-latest"},
	} {
		cmd, err := DecodeCommand([]byte(tc.cmd))
		require.NoError(t, err, tc.cmd)
		assert.Equal(t, tc.oc, OC(cmd, []byte(tc.cmd), sim), tc.cmd)
	}
	assert.Equal(t, "curl -v --cookie-jar jar --cookie jar 'https://shop.apps.demo.example.com/<b>'", TraceOC(model.TraceRequest{URL: "https://shop.apps.demo.example.com/<b>", Client: "browser"}))
}

// An apply's oc equivalent is the object as YAML, its keys in the order
// the command gave them, strings that YAML would misread quoted.
func TestApplyOCIsTheObjectAsYAMLInItsOwnOrder(t *testing.T) {
	raw := []byte(`{"type":"apply","object":{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"shop","namespace":"shop","annotations":{"haproxy.router.openshift.io/disable_cookies":"true"}},"spec":{"host":"shop.apps.demo.example.com","to":{"kind":"Service","name":"shop","weight":200},"alternateBackends":[{"kind":"Service","name":"shop-b","weight":50}]}}}`)
	cmd, err := DecodeCommand(raw)
	require.NoError(t, err)
	assert.Equal(t, `oc apply -f - <<'EOF'
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: shop
  namespace: shop
  annotations:
    haproxy.router.openshift.io/disable_cookies: "true"
spec:
  host: shop.apps.demo.example.com
  to:
    kind: Service
    name: shop
    weight: 200
  alternateBackends:
  - kind: Service
    name: shop-b
    weight: 50
EOF`, OC(cmd, raw, nil))
}

// docs/api.md's command table is the registry's (go test ./scenarios
// -run TestTheAPIDocsListEveryCommand -update rewrites it).
func TestTheAPIDocsListEveryCommand(t *testing.T) {
	const path = "../docs/api.md"
	const begin, end = "<!-- commands: generated from the registry (scenarios/command.go) -->\n", "<!-- end of commands -->\n"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	doc := string(data)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	require.True(t, i >= 0 && j > i, "docs/api.md has the command table's markers")
	want := commandTable()
	if *updateDocs {
		doc = doc[:i+len(begin)] + want + doc[j:]
		require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
		return
	}
	assert.Equal(t, want, doc[i+len(begin):j], "docs/api.md's command table differs from the registry: go test ./scenarios -run TestTheAPIDocsListEveryCommand -update")
}

// commandTable is docs/api.md's table of the command types.
func commandTable() string {
	var b strings.Builder
	b.WriteString("| `type` | fields | what it does | example |\n|---|---|---|---|\n")
	for _, spec := range Commands() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | `%s` |\n", spec.Name, spec.Fields, spec.Doc, spec.Example)
	}
	return b.String()
}
