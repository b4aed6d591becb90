package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// commandTypes maps a command's "type" to a decoder for its fields.
var commandTypes = map[string]func() Command{
	"scale":               func() Command { return &Scale{} },
	"deletePod":           func() Command { return &DeletePod{} },
	"setPodReady":         func() Command { return &SetPodReady{} },
	"setPodLive":          func() Command { return &SetPodLive{} },
	"setNodeReady":        func() Command { return &SetNodeReady{} },
	"setZoneDown":         func() Command { return &SetZoneDown{} },
	"scaleRouters":        func() Command { return &ScaleRouters{} },
	"setLoadBalancer":     func() Command { return &SetLoadBalancer{} },
	"setNetwork":          func() Command { return &SetNetwork{} },
	"setTraffic":          func() Command { return &SetTraffic{} },
	"setOpenShiftVersion": func() Command { return &SetOpenShiftVersion{} },
	"delete":              func() Command { return &Delete{} },
	"expose":              func() Command { return &Expose{} },
}

// CommandTypeNames lists the command types DecodeCommand knows, plus
// "apply" (decoded by package scenarios from real manifests).
func CommandTypeNames() []string {
	names := []string{"apply"}
	for k := range commandTypes {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// DecodeCommand reads a command's JSON form, {"type": "...", ...fields}.
// Unknown types and fields are errors; "apply" is not decoded here.
func DecodeCommand(data []byte) (Command, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, invalidf("body", "malformed JSON: %v", jsonErr(err))
	}
	if head.Type == "" {
		return nil, invalidf("type", "required; one of %s", strings.Join(CommandTypeNames(), ", "))
	}
	mk, ok := commandTypes[head.Type]
	if !ok {
		return nil, invalidf("type", "unknown command %q; one of %s", head.Type, strings.Join(CommandTypeNames(), ", "))
	}
	// Decode into a struct that also accepts the "type" field.
	cmd := mk()
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, invalidf("body", "malformed JSON: %v", jsonErr(err))
	}
	delete(fields, "type")
	rest, _ := json.Marshal(fields)
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cmd); err != nil {
		return nil, invalidf(head.Type, "%v", jsonErr(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalidf("body", "trailing data after the command")
	}
	return deref(cmd), nil
}

func deref(c Command) Command {
	switch c := c.(type) {
	case *Scale:
		return *c
	case *DeletePod:
		return *c
	case *SetPodReady:
		return *c
	case *SetPodLive:
		return *c
	case *SetNodeReady:
		return *c
	case *SetZoneDown:
		return *c
	case *ScaleRouters:
		return *c
	case *SetLoadBalancer:
		return *c
	case *SetNetwork:
		return *c
	case *SetTraffic:
		return *c
	case *SetOpenShiftVersion:
		return *c
	case *Delete:
		return *c
	case *Expose:
		return *c
	}
	return c
}

// jsonErr makes encoding/json's messages name the field plainly.
func jsonErr(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q: want %s, got %s", te.Field, te.Type, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
