package scenarios

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/podpath/podpath/model"
)

// FuzzParse feeds Parse arbitrary bytes: it must never panic, and any
// error must be a ParseError wrapping model.ErrInvalid.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"*.yaml", "testdata/*.yaml", "testdata/real/*"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil && len(data) < 12<<10 {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(validHead))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: List, items: []}]\n"))
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Add([]byte(`{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"a"}}{"kind":"Namespace"`))
	f.Add([]byte(templateYAML))
	f.Add([]byte("apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: r}\nspec: {host: '*.x.com', wildcardPolicy: Subdomain, to: {name: s}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, warnings, err := Parse(data)
		if err != nil {
			var parseErr *ParseError
			if !errors.As(err, &parseErr) || !errors.Is(err, model.ErrInvalid) {
				t.Fatalf("error %v (%T) is not a ParseError wrapping model.ErrInvalid", err, err)
			}
			if warnings != nil || sc.Name != "" || sc.Routes != nil {
				t.Fatalf("an error came with results")
			}
		}
	})
}

// FuzzDecodeCommand: no panic for any command body.
func FuzzDecodeCommand(f *testing.F) {
	f.Add([]byte(`{"type":"apply","object":{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"r"},"spec":{"to":{"name":"s"}}}}`))
	f.Add([]byte(`{"type":"apply","object":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"i"},"spec":{"rules":[{"host":"a.b","http":{"paths":[{"backend":{"service":{"name":"s","port":{"number":80}}}}]}}]}}}`))
	f.Add([]byte(`{"type":"scale","namespace":"shop","deployment":"shop","replicas":6}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cmd, err := DecodeCommand(data)
		if err != nil && cmd != nil {
			t.Fatalf("an error came with a command")
		}
		if err != nil && !errors.Is(err, model.ErrInvalid) {
			t.Fatalf("error %v does not wrap model.ErrInvalid", err)
		}
	})
}

// FuzzDecodeAndApply feeds arbitrary command JSON through DecodeCommand
// (the registry) and the model's Apply, then runs the cluster: nothing may panic, and a rejected
// command must leave the snapshot unchanged.
func FuzzDecodeAndApply(f *testing.F) {
	for _, seed := range []string{
		`{"type":"scale","namespace":"shop","deployment":"shop","replicas":6}`,
		`{"type":"scale","namespace":"shop","deployment":"shop","replicas":-1}`,
		`{"type":"deletePod","namespace":"shop","pod":"x"}`,
		`{"type":"setZoneDown","zone":"us-east-1a","down":true}`,
		`{"type":"setNodeReady","node":"nope","ready":false}`,
		`{"type":"scaleRouters","replicas":3}`,
		`{"type":"setLoadBalancer","lbType":"NLB","crossZone":true}`,
		`{"type":"setNetwork","encapsulation":"None","sourceDestCheck":false}`,
		`{"type":"setTraffic","rps":50,"mix":[{"url":"http://shop.apps.demo.example.com/","client":"curl","weight":1}]}`,
		`{"type":"setOpenShiftVersion","version":"4.10"}`,
		`{"type":"delete","kind":"Route","namespace":"shop","name":"shop"}`,
		`{"type":"nope"}`, `{`, `[]`, `{"type":"scale","replicas":"6"}`,
	} {
		f.Add(seed)
	}
	sc, _, err := Load("shop")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) {
		s, err := model.New(sc)
		if err != nil {
			t.Fatal(err)
		}
		cmd, err := DecodeCommand([]byte(data))
		if err != nil {
			return
		}
		before, _ := json.Marshal(s.Snapshot())
		if err := s.Apply(cmd); err != nil {
			after, _ := json.Marshal(s.Snapshot())
			if string(before) != string(after) {
				t.Fatalf("rejected command %s changed the state: %v", data, err)
			}
			return
		}
		s.AdvanceTo(20_000)
		_ = s.Snapshot()
		if _, err := s.Trace(model.TraceRequest{URL: "https://shop.apps.demo.example.com/"}); err != nil {
			t.Fatal(err)
		}
	})
}
