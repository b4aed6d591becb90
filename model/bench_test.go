package model

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: a per-core figure that
// other processes on a busy machine barely disturb.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// largeScenario is ≥ 200 pods and ≥ 20 routes over 6 workers.
func largeScenario() Scenario {
	sc := Scenario{Name: "large", Settings: Settings{Seed: 7, WorkersPerZone: 2}}
	var mix []TrafficMix
	for i := 0; i < 24; i++ {
		name := fmt.Sprintf("app%02d", i)
		sel := map[string]string{"app": name}
		sc.Workloads = append(sc.Workloads, Deployment{Namespace: "large", Name: name, Replicas: 9, Selector: sel, Labels: sel, Ports: []ContainerPort{{Name: "http", Port: 8080}}})
		sc.Services = append(sc.Services, Service{Namespace: "large", Name: name, Selector: sel, Ports: []ServicePort{{Port: 80, TargetPort: "8080"}}})
		host := name + ".apps.demo.example.com"
		sc.Routes = append(sc.Routes, Route{Namespace: "large", Name: name, Host: host, To: RouteTarget{Service: name}, TLS: &RouteTLS{Termination: "edge"}})
		mix = append(mix, TrafficMix{URL: "https://" + host + "/", Client: "curl", Weight: 1})
	}
	sc.Settings.Traffic = TrafficProfile{RPS: 1000, Clients: 200, Mix: mix}
	return sc
}

// BenchmarkEngineLarge measures simulated requests per second with hops
// recorded, on the large cluster (216 pods, 24 routes).
func BenchmarkEngineLarge(b *testing.B) {
	s, err := New(largeScenario())
	if err != nil {
		b.Fatal(err)
	}
	s.traffic.next = -1 // only the benchmark's own requests
	u, _ := parseURL("https://app07.apps.demo.example.com/")
	c := s.clientFor("curl", 1)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		s.now += 1
		s.send(c, u, "https://app07.apps.demo.example.com/", false, true)
		if len(s.outRequests) > 4096 {
			s.outRequests = s.outRequests[:0]
			s.AdvanceTo(s.now)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "req/cpu-s")
}

// BenchmarkLoad100k is POST /api/load with 100,000 requests.
func BenchmarkLoad100k(b *testing.B) {
	s, err := New(largeScenario())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := s.Load(LoadRequest{URL: "https://app03.apps.demo.example.com/", Count: 100_000, RPS: 10_000}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshotLarge builds the snapshot of the large cluster.
func BenchmarkSnapshotLarge(b *testing.B) {
	s, err := New(largeScenario())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = s.Snapshot()
	}
}
