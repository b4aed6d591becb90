package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/podpath/podpath/model"
)

// The command registry: every command type that POST /api/commands, the
// socket's command messages, walkthrough steps and the rooms' state
// files (server/persist.go) accept is one entry of commandSpecs, with
// its name (the JSON "type"), its Go type, its decoder, its validation
// (the type's Validate, run by DecodeCommand; Sim.Apply checks it
// against the cluster), its oc equivalent and its doc line. DecodeCommand,
// OC, the journal's replay and docs/api.md's command table
// (TestTheAPIDocsListEveryCommand) read it; adding a command type is one
// entry here (and its model.Command type with Validate and its Apply
// case).

// CommandSpec is one command type.
type CommandSpec struct {
	// Name is the "type" field of the command's JSON form.
	Name string
	// Type is the model.Command it decodes to.
	Type reflect.Type
	// Fields lists the JSON fields beside "type", as docs/api.md shows them.
	Fields string
	// Doc says what the command does, in one line (docs/api.md).
	Doc string
	// Example is one command of this type, as JSON, that the shop
	// scenario accepts (docs/api.md and the registry's tests).
	Example string

	decode func(data []byte) (model.Command, error)
	oc     func(cmd model.Command, raw []byte, at OCContext) string
}

// OCContext is what an oc equivalent may read of the cluster the command
// applies to; *model.Sim is one.
type OCContext interface {
	// Traffic is the live traffic profile (setTraffic keeps its mix when
	// the command names none).
	Traffic() model.TrafficProfile
}

// commandSpecs is the registry, in the order docs/api.md lists it.
var commandSpecs = []CommandSpec{
	command("sets a workload's replicas (`oc scale KIND/NAME`): kind Deployment (the default), DeploymentConfig, StatefulSet, ReplicaSet or ReplicationController, named by `name` (or `deployment`)",
		`{"type":"scale","namespace":"shop","deployment":"shop","replicas":6}`,
		func(c model.Scale, _ OCContext) string {
			kind, name := c.Kind, c.Name
			if kind == "" {
				kind = "Deployment"
			}
			if name == "" {
				name = c.Deployment
			}
			return fmt.Sprintf("oc scale %s/%s -n %s --replicas=%d", strings.ToLower(kind), shq(name), shq(c.Namespace), c.Replicas)
		}),
	command("deletes a pod gracefully; its controller replaces it (a bare Pod is gone); a terminating pod on an unreachable node is force-deleted",
		`{"type":"deletePod","namespace":"shop","pod":"shop-df6k52rq6q-9bv9n"}`,
		func(c model.DeletePod, _ OCContext) string {
			return fmt.Sprintf("oc delete pod %s -n %s", shq(c.Pod), shq(c.Namespace))
		}),
	command("makes a pod's readiness probe fail (it leaves the EndpointSlice, not restarted) or pass",
		`{"type":"setPodReady","namespace":"shop","pod":"shop-df6k52rq6q-9bv9n","ready":false}`,
		func(c model.SetPodReady, _ OCContext) string {
			if c.Ready {
				return fmt.Sprintf("# equivalent: the readiness probe passes again; the pod returns to the EndpointSlice\noc get pod %s -n %s -w", shq(c.Pod), shq(c.Namespace))
			}
			return fmt.Sprintf("# equivalent: the readiness probe fails (how is app-specific); the pod leaves the EndpointSlice and is NOT restarted\noc get endpointslices -n %s -w", shq(c.Namespace))
		}),
	command("makes a pod's liveness probe fail (the kubelet restarts the container) or pass",
		`{"type":"setPodLive","namespace":"shop","pod":"shop-df6k52rq6q-9bv9n","live":false}`,
		func(c model.SetPodLive, _ OCContext) string {
			if c.Live {
				return fmt.Sprintf("# equivalent: the liveness probe passes again\noc get pod %s -n %s -w", shq(c.Pod), shq(c.Namespace))
			}
			return fmt.Sprintf("# equivalent: the liveness probe fails (how is app-specific); the kubelet restarts the container (RESTARTS +1)\noc get pod %s -n %s -w", shq(c.Pod), shq(c.Namespace))
		}),
	command("stops (or starts again) a worker node's EC2 instance",
		`{"type":"setNodeReady","node":"ip-10-0-143-149.ec2.internal","ready":false}`,
		func(c model.SetNodeReady, _ OCContext) string {
			if c.Ready {
				return fmt.Sprintf("# equivalent: the EC2 instance is back (aws ec2 start-instances --instance-ids <id>)\noc get node %s -w", shq(c.Node))
			}
			return fmt.Sprintf("# equivalent: the EC2 instance stops (aws ec2 stop-instances --instance-ids <id>)\noc get node %s -w", shq(c.Node))
		}),
	command("fails (or recovers) a whole availability zone",
		`{"type":"setZoneDown","zone":"us-east-1a","down":true}`,
		func(c model.SetZoneDown, _ OCContext) string {
			what := "recovery of"
			if c.Down {
				what = "an outage of"
			}
			return fmt.Sprintf("# equivalent: %s availability zone %s; no oc command\noc get nodes -l topology.kubernetes.io/zone=%s -w", what, c.Zone, shq(c.Zone))
		}),
	command("sets the default IngressController's replicas (the router pods)",
		`{"type":"scaleRouters","replicas":3}`,
		func(c model.ScaleRouters, _ OCContext) string {
			return fmt.Sprintf("oc patch ingresscontroller/default -n %s --type=merge -p %s", ingressOperator, shq(fmt.Sprintf(`{"spec":{"replicas":%d}}`, c.Replicas)))
		}),
	command("changes the AWS load balancer: its type (recreated) or cross-zone load balancing",
		`{"type":"setLoadBalancer","lbType":"NLB"}`, ocLoadBalancer),
	command("changes Calico's encapsulation, kube-proxy's mode, the EC2 source/destination check, the security groups, or whether kube-proxy honours local-with-fallback",
		`{"type":"setNetwork","encapsulation":"VXLAN"}`, ocNetwork),
	command("replaces the live traffic: requests per second, clients, the mix of URLs (left out: kept)",
		`{"type":"setTraffic","rps":20}`,
		func(c model.SetTraffic, at OCContext) string {
			return fmt.Sprintf("# traffic comes from the clients, not from oc; for example %s requests per second:\nhey -z 60s -q %d -c 1 %s",
				jsonText(c.RPS), max(1, int(c.RPS+0.5)), shq(firstURL(c.Mix, at)))
		}),
	command("changes the cluster version, and with it the router's default balance (leastconn up to 4.10, random from 4.11)",
		`{"type":"setOpenShiftVersion","version":"4.10"}`,
		func(c model.SetOpenShiftVersion, _ OCContext) string {
			return fmt.Sprintf("# the router's default balance follows the version (leastconn up to 4.10, random from 4.11)\noc adm upgrade channel stable-%s\noc adm upgrade --to-latest", shq(c.Version))
		}),
	{
		Name:    (model.Apply{}).CommandType(),
		Type:    reflect.TypeOf(model.Apply{}),
		Fields:  "`object`: a real Namespace, Deployment, DeploymentConfig, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Pod, Service, Route, Ingress or NetworkPolicy",
		Doc:     "creates or replaces one object, as `oc apply` does (an Ingress becomes its Routes, all or none)",
		Example: `{"type":"apply","object":{"apiVersion":"v1","kind":"Service","metadata":{"name":"shop-b","namespace":"shop"},"spec":{"selector":{"app":"shop"},"ports":[{"name":"http","port":80,"targetPort":8080}]}}}`,
		decode:  decodeApply,
		oc:      ocApply,
	},
	command("removes one object by kind (a workload kind, Service, Route, NetworkPolicy), namespace and name; a workload's pods go with it",
		`{"type":"delete","kind":"Route","namespace":"shop","name":"shop"}`,
		func(c model.Delete, _ OCContext) string {
			return fmt.Sprintf("oc delete %s/%s -n %s", strings.ToLower(c.Kind), shq(c.Name), shq(c.Namespace))
		}),
	command("creates a Route for a Service as `oc expose service/NAME` (termination none) or `oc create route edge --service=NAME` does",
		`{"type":"expose","namespace":"shop","service":"shop","name":"shop-edge","termination":"edge","hostname":"shop-edge.apps.demo.example.com"}`,
		func(c model.Expose, _ OCContext) string { return model.ExposeOC(c) }),
}

// command makes the entry of a model command type T, decoded field by
// field from its JSON form (unknown fields are errors).
func command[T model.Command](doc, example string, oc func(T, OCContext) string) CommandSpec {
	var zero T
	typ := reflect.TypeOf(zero)
	return CommandSpec{
		Name:    zero.CommandType(),
		Type:    typ,
		Fields:  fieldsOf(typ),
		Doc:     doc,
		Example: example,
		decode:  decodeFields[T],
		oc:      func(c model.Command, _ []byte, at OCContext) string { return oc(c.(T), at) },
	}
}

// fieldsOf lists a command struct's JSON fields: `name` (type), optional
// ones marked with ?.
func fieldsOf(t reflect.Type) string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		typ := f.Type
		optional := strings.Contains(opts, "omitempty")
		if typ.Kind() == reflect.Pointer {
			typ, optional = typ.Elem(), true
		}
		kind := typ.Kind().String()
		switch typ.Kind() {
		case reflect.Float64:
			kind = "number"
		case reflect.Int:
			kind = "integer"
		case reflect.Slice:
			kind = "list"
		}
		if optional {
			name += "?"
		}
		out = append(out, fmt.Sprintf("`%s` (%s)", name, kind))
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, ", ")
}

// Commands is the registry: every command type, in the docs' order.
func Commands() []CommandSpec { return append([]CommandSpec(nil), commandSpecs...) }

// CommandNames lists the command types, sorted.
func CommandNames() []string {
	names := make([]string, 0, len(commandSpecs))
	for _, s := range commandSpecs {
		names = append(names, s.Name)
	}
	return sortedStrings(names)
}

// LookupCommand finds the entry of a command type.
func LookupCommand(name string) (CommandSpec, bool) {
	for _, s := range commandSpecs {
		if s.Name == name {
			return s, true
		}
	}
	return CommandSpec{}, false
}

// DecodeCommand decodes one command, {"type": "...", ...fields}, as POST
// /api/commands receives it, and validates its fields (Validate). An
// apply command carries a real Kubernetes/OpenShift object (Route,
// Service, Deployment, NetworkPolicy, Namespace or Ingress) as JSON:
//
//	{"type": "apply", "object": {"apiVersion": "route.openshift.io/v1", "kind": "Route", …}}
//
// which is decoded with the real API types, validated as the API server
// would (unknown fields are errors, as with kubectl's default
// --validate=strict) and converted into a model.Apply. Errors are
// *model.FieldError (the field as data) wrapping model.ErrInvalid.
func DecodeCommand(data []byte) (model.Command, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, invalidField("", "body", "malformed JSON: %v", jsonReason(err))
	}
	if head.Type == "" {
		return nil, invalidField("", "type", "required; one of %s", strings.Join(CommandNames(), ", "))
	}
	spec, ok := LookupCommand(head.Type)
	if !ok {
		return nil, invalidField("", "type", "unknown command %q; one of %s", head.Type, strings.Join(CommandNames(), ", "))
	}
	cmd, err := spec.decode(data)
	if err != nil {
		return nil, err
	}
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// OC is the oc equivalent of an accepted command: the shell line (or
// lines) that does on a real cluster what cmd did here; where there is no
// oc command (a failing probe, a stopped instance, the clients' traffic)
// a shell comment says what the equivalent is. raw is the command's JSON
// (apply shows its object); at is the cluster it applies to.
func OC(cmd model.Command, raw []byte, at OCContext) string {
	spec, ok := LookupCommand(cmd.CommandType())
	if !ok {
		return "# " + cmd.CommandType() + ": no oc equivalent"
	}
	return spec.oc(cmd, raw, at)
}

// TraceOC is the equivalent of a traced request: curl, with a cookie jar
// for a browser (it keeps the router's sticky cookie).
func TraceOC(req model.TraceRequest) string {
	jar := ""
	if req.Client == "browser" {
		jar = "--cookie-jar jar --cookie jar "
	}
	return "curl -v " + jar + shq(req.URL)
}

// decodeFields decodes a command of type T from its JSON form.
func decodeFields[T model.Command](data []byte) (model.Command, error) {
	var zero T
	name := zero.CommandType()
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, invalidField("", "body", "malformed JSON: %v", jsonReason(err))
	}
	delete(fields, "type")
	rest, _ := json.Marshal(fields)
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	var cmd T
	if err := dec.Decode(&cmd); err != nil {
		return nil, jsonFieldError(name, err)
	}
	return cmd, nil
}

// decodeApply decodes an apply command: its object with the real API
// types (decodeApplyObject).
func decodeApply(data []byte) (model.Command, error) {
	var apply struct {
		Type   string          `json:"type"`
		Object json.RawMessage `json:"object"`
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&apply); err != nil {
		e := jsonFieldError("apply", err).(*model.FieldError)
		e.Reason += " (fields are type and object)"
		return nil, e
	}
	if _, err := decoder.Token(); !errors.Is(err, io.EOF) {
		return nil, invalidField("apply", "body", "trailing data after the command")
	}
	object := bytes.TrimSpace(apply.Object)
	if len(object) == 0 || object[0] != '{' {
		return nil, invalidField("", "object", "required: a Kubernetes/OpenShift object with apiVersion and kind")
	}
	return decodeApplyObject(object)
}

// applyKinds are the kinds an apply command accepts.
var applyKinds = []string{"Namespace", "Deployment", "DeploymentConfig", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod", "Service", "Route", "Ingress", "NetworkPolicy"}

// decodeApplyObject converts one object for model.Apply.
func decodeApplyObject(data []byte) (model.Command, error) {
	var meta typeMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, invalidField("", "object", "%v", err)
	}
	at := &objectContext{kind: meta.Kind, strict: true}
	at.setName(meta.Metadata.Namespace, meta.Metadata.Name)
	if !slices.Contains(applyKinds, meta.Kind) {
		return nil, applyError(at.fail("object.kind", "%q cannot be applied; one of %s", meta.Kind, strings.Join(applyKinds, ", ")))
	}
	if versions := apiVersions[meta.Kind]; !slices.Contains(versions, meta.APIVersion) {
		return nil, applyError(at.fail("object.apiVersion", "%q: %s needs apiVersion %s", meta.APIVersion, meta.Kind, strings.Join(versions, " or ")))
	}
	c, err := convertObject(at, meta.Kind, data, true)
	if err != nil {
		return nil, applyError(err)
	}
	switch {
	case c.namespace != nil:
		return model.Apply{Namespace: c.namespace}, nil
	case c.skipped != "":
		return nil, applyError(at.fail("object.metadata.ownerReferences", "this %s was made by %s; apply that owner instead", meta.Kind, c.skipped))
	case c.workload != nil:
		return model.Apply{Workload: c.workload}, nil
	case c.service != nil:
		return model.Apply{Service: c.service}, nil
	case c.route != nil:
		return model.Apply{Route: c.route}, nil
	case c.policy != nil:
		return model.Apply{NetworkPolicy: c.policy}, nil
	}
	if len(c.routes) == 0 {
		return nil, applyError(at.fail("object.spec.rules", "this Ingress makes no Route (no rule with a host, path and Service backend)"))
	}
	// One Ingress may make several Routes; they are applied all or none.
	return model.Apply{Routes: c.routes}, nil
}

// applyError makes a ParseError a command's field error (there is no
// document): the field under "object.", the object as its context.
func applyError(err error) error {
	pe, ok := err.(*ParseError)
	if !ok {
		return err
	}
	field := pe.Field
	if field != "" && !strings.HasPrefix(field, "object.") {
		field = "object." + field
	}
	context := "apply " + pe.Kind
	if pe.Name != "" {
		context += " " + pe.Name
	}
	return &model.FieldError{Kind: model.ErrInvalid, Context: context, Field: field, Reason: pe.Message}
}

// invalidField is a model.ErrInvalid about field of a command.
func invalidField(context, field, format string, args ...any) error {
	return &model.FieldError{Kind: model.ErrInvalid, Context: context, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// jsonFieldError names the field encoding/json failed on.
func jsonFieldError(context string, err error) error {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		return invalidField(context, te.Field, "want %s, got %s", te.Type, te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return invalidField(context, strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
	}
	return invalidField(context, "body", "%s", jsonReason(err))
}

// jsonReason is encoding/json's message without its prefix.
func jsonReason(err error) string { return strings.TrimPrefix(err.Error(), "json: ") }
