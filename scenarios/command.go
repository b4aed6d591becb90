package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/podpath/podpath/model"
)

// DecodeCommand decodes one command as POST /api/commands receives it.
// An apply command carries a real Kubernetes/OpenShift object (Route,
// Service, Deployment, NetworkPolicy, Namespace or Ingress) as JSON:
//
//	{"type": "apply", "object": {"apiVersion": "route.openshift.io/v1", "kind": "Route", …}}
//
// which is decoded with the real API types, validated as the API server
// would (unknown fields are errors, as with kubectl's default
// --validate=strict) and converted into a model.Apply. Every other
// command type is decoded by model.DecodeCommand. Errors wrap
// model.ErrInvalid.
func DecodeCommand(data []byte) (model.Command, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: body: malformed JSON: %v", model.ErrInvalid, err)
	}
	if head.Type != (model.Apply{}).CommandType() {
		return model.DecodeCommand(data)
	}
	var apply struct {
		Type   string          `json:"type"`
		Object json.RawMessage `json:"object"`
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&apply); err != nil {
		return nil, fmt.Errorf("%w: apply: %v (fields are type and object)", model.ErrInvalid, err)
	}
	if decoder.More() {
		return nil, fmt.Errorf("%w: apply: trailing data after the command", model.ErrInvalid)
	}
	object := bytes.TrimSpace(apply.Object)
	if len(object) == 0 || object[0] != '{' {
		return nil, fmt.Errorf("%w: object: required: a Kubernetes/OpenShift object with apiVersion and kind", model.ErrInvalid)
	}
	return decodeApplyObject(object)
}

// applyKinds are the kinds an apply command accepts.
var applyKinds = []string{"Namespace", "Deployment", "DeploymentConfig", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod", "Service", "Route", "Ingress", "NetworkPolicy"}

// decodeApplyObject converts one object for model.Apply.
func decodeApplyObject(data []byte) (model.Command, error) {
	var meta typeMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("%w: object: %v", model.ErrInvalid, err)
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

// applyError rewords a ParseError for a command (there is no document).
func applyError(err error) error {
	pe, ok := err.(*ParseError)
	if !ok {
		return err
	}
	message := pe.Message
	field := pe.Field
	if field != "" && field[:min(len(field), 7)] != "object." {
		field = "object." + field
	}
	if field != "" {
		message = field + ": " + message
	}
	name := ""
	if pe.Name != "" {
		name = " " + pe.Name
	}
	return fmt.Errorf("%w: apply %s%s: %s", model.ErrInvalid, pe.Kind, name, message)
}
