package model

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeAndApply feeds arbitrary command JSON through DecodeCommand
// and Apply, then runs the cluster: nothing may panic, and a rejected
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
		`{"type":"scale","kind":"StatefulSet","namespace":"shop","name":"shop","replicas":2}`,
		`{"type":"delete","kind":"Deployment","namespace":"shop","name":"shop"}`,
		`{"type":"expose","namespace":"shop","service":"shop","termination":"edge","hostname":"www.example.com","port":"http"}`,
		`{"type":"nope"}`, `{`, `[]`, `{"type":"scale","replicas":"6"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		s, err := New(shopScenario())
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
		if _, err := s.Trace(TraceRequest{URL: shopURL}); err != nil {
			t.Fatal(err)
		}
	})
}
