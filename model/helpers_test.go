package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// shopScenario is the default scenario of issue 2, built by hand so the
// model's tests do not depend on the YAML loader.
func shopScenario() Scenario {
	w := func(n int) *int { return &n }
	_ = w
	return Scenario{
		Name: "shop",
		Settings: Settings{
			Seed: 1,
			Traffic: TrafficProfile{RPS: 8, Clients: 20, Mix: []TrafficMix{
				{URL: "https://shop.apps.demo.example.com/", Client: "browser", Weight: 1},
				{URL: "https://shop.apps.demo.example.com/", Client: "curl", Weight: 1},
			}},
		},
		Namespaces: []Namespace{{Name: "shop"}},
		Workloads: []Workload{{
			Namespace: "shop", Name: "shop", Replicas: 4,
			Selector: map[string]string{"app": "shop"},
			Labels:   map[string]string{"app": "shop"},
			Ports:    []ContainerPort{{Name: "http", Port: 8080}},
		}},
		Services: []Service{{
			Namespace: "shop", Name: "shop",
			Selector: map[string]string{"app": "shop"},
			Ports:    []ServicePort{{Name: "http", Port: 80, TargetPort: "8080"}},
		}},
		Routes: []Route{{
			Namespace: "shop", Name: "shop", Host: "shop.apps.demo.example.com", Path: "/",
			To:  RouteTarget{Service: "shop"},
			TLS: &RouteTLS{Termination: "edge", InsecureEdgeTerminationPolicy: "Redirect"},
		}},
	}
}

func newShop(t testing.TB) *Sim {
	t.Helper()
	s, err := New(shopScenario())
	require.NoError(t, err)
	return s
}

func intp(n int) *int { return &n }

func appPods(s Snapshot, ns string) []PodView {
	var out []PodView
	for _, p := range s.Pods {
		if p.Namespace == ns && !p.Router {
			out = append(out, p)
		}
	}
	return out
}

func readyCount(ps []PodView) int {
	n := 0
	for _, p := range ps {
		if p.Ready && !p.Terminating {
			n++
		}
	}
	return n
}
