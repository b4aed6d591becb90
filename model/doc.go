// Package model simulates how requests reach pods on OpenShift running on
// AWS: DNS, the AWS load balancer and its health checks, the NodePort and
// kube-proxy, the HAProxy router pods with their Routes and batched
// reloads, Services and EndpointSlices, and Calico's pod network.
//
// The model is a pure, deterministic state machine. It never reads the
// wall clock, never sleeps, never starts goroutines and never logs: time is
// virtual (milliseconds, an int64) and advances only when the caller says
// so, and all randomness comes from one PCG source seeded from the
// scenario. The same scenario, seed and commands give the same event trace,
// byte for byte.
//
// Usage:
//
//	sim, err := model.New(scenario)
//	if err != nil { … }
//	_ = sim.Apply(model.Scale{Namespace: "shop", Deployment: "shop", Replicas: 6})
//	sim.AdvanceTo(5_000)              // five virtual seconds
//	out := sim.Drain()                // requests (with hops) and log events
//	snap := sim.Snapshot()            // the observable state
//	tr, _ := sim.Trace(model.TraceRequest{URL: "https://shop.apps.demo.example.com/"})
//
// A Sim is not safe for concurrent use; one goroutine owns it (in podpath,
// the server's runner).
package model
