package scenarios

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// walkthroughs are the built-in walkthroughs of issue 6 and their step
// counts; each must have 5 to 12 steps.
var walkthroughs = map[string]int{
	"golden-path":    9,
	"scaling":        8,
	"weights":        6,
	"why-503":        6,
	"calico":         5,
	"network-policy": 5,
	"az-outage":      6,
	"microservices":  11,
	"tls":            6,
}

// stepProof computes, from the simulation, the index of the right choice
// of a step's predict prompt. before is the state in which the prompt is
// asked, after the state once the step is shown.
type stepProof func(t *testing.T, before, after *model.Sim) int

// proofs prove every predict prompt of the built-in walkthroughs: the
// answer written in the YAML must be what the simulation does.
var proofs = map[string]stepProof{
	"golden-path#2": func(t *testing.T, _, s *model.Sim) int {
		return map[int]int{3: 0, 2: 1, 1: 2}[len(s.Snapshot().DNS.Answer)]
	},
	"golden-path#3": func(t *testing.T, _, s *model.Sim) int {
		lb := hopOf(t, trace(t, s, "https://shop.apps.demo.example.com/cart", "browser", ""), model.HopLB)
		if strings.HasPrefix(lb.To, "node:") && portOf(lb.Dst) == s.Snapshot().LoadBalancer.HTTPSNodePort {
			return 1
		}
		return 0
	},
	"golden-path#4": func(t *testing.T, _, s *model.Sim) int {
		snap := s.Snapshot()
		unhealthy := 0
		for _, tg := range snap.LoadBalancer.Targets {
			if tg.Healthy {
				continue
			}
			unhealthy++
			if !nodeReady(snap, tg.Node) || hasReadyRouter(snap, tg.Node) {
				return 0
			}
		}
		require.Equal(t, 1, unhealthy)
		return 1
	},
	"golden-path#5": func(t *testing.T, _, s *model.Sim) int {
		hop := hopOf(t, trace(t, s, "https://shop.apps.demo.example.com/cart", "browser", ""), model.HopNodePort)
		if routerNode(s.Snapshot(), strings.TrimPrefix(hop.To, "pod:")) == strings.TrimPrefix(hop.From, "node:") && strings.Contains(hop.Detail().NAT, "no SNAT") {
			return 1
		}
		return 0
	},
	"golden-path#6": func(t *testing.T, _, s *model.Sim) int {
		hop := hopOf(t, trace(t, s, "https://shop.apps.demo.example.com/cart", "browser", ""), model.HopPodNet)
		svc := service(t, s.Snapshot(), "shop", "shop")
		ip, port, _ := net.SplitHostPort(hop.Dst)
		if ip == svc.ClusterIP {
			return 0
		}
		for _, ep := range svc.Endpoints {
			if ep.IP == ip && port == "8080" {
				return 1
			}
		}
		return 2
	},
	"golden-path#8": func(t *testing.T, _, s *model.Sim) int {
		res := trace(t, s, "https://shop.apps.demo.example.com/cart", "browser", "")
		hop := hopOf(t, res, model.HopPodNet)
		client := strings.TrimPrefix(strings.Fields(hopOf(t, res, model.HopLB).Detail().Headers[0])[2], "")
		srcIP, _, _ := net.SplitHostPort(hop.Src)
		if srcIP == podIP(s.Snapshot(), strings.TrimPrefix(hop.From, "pod:")) && contains(hop.Detail().Headers, "X-Forwarded-For: "+client) {
			return 1
		}
		return 0
	},
	"golden-path#9": func(t *testing.T, _, s *model.Sim) int {
		browser, err := s.Load(model.LoadRequest{URL: "https://shop.apps.demo.example.com/cart", Count: 10, Client: "browser", Clients: 1})
		require.NoError(t, err)
		curl, err := s.Load(model.LoadRequest{URL: "https://shop.apps.demo.example.com/cart", Count: 40, Client: "curl"})
		require.NoError(t, err)
		if len(browser.ByPod) == 1 && len(curl.ByPod) > 1 {
			return 1
		}
		return 0
	},
	"scaling#2": func(t *testing.T, _, s *model.Sim) int {
		return map[int]int{5: 0, 2: 1, 0: 2}[podsServing(t, s, "https://shop.apps.demo.example.com/")]
	},
	"scaling#4": func(t *testing.T, _, s *model.Sim) int {
		svc := service(t, s.Snapshot(), "shop", "shop")
		require.Equal(t, 5, readyEndpoints(svc), "the EndpointSlice has them")
		for _, r := range s.Snapshot().Routers {
			require.True(t, r.PendingReload, "router %s waits for its reload", r.Name)
		}
		if podsServing(t, s, "https://shop.apps.demo.example.com/") == 2 {
			return 1
		}
		return 0
	},
	"scaling#6": func(t *testing.T, _, s *model.Sim) int {
		snap := s.Snapshot()
		p := pod(t, snap, "shop", "shop-df6k52rq6q-df6sp")
		if p.Restarts > 0 {
			return 0
		}
		res, err := s.Load(model.LoadRequest{URL: "https://shop.apps.demo.example.com/", Count: 200, Client: "curl"})
		require.NoError(t, err)
		if p.Phase == "Running" && !p.Ready && res.ByPod["shop/shop-df6k52rq6q-df6sp"] == 0 {
			return 1
		}
		return 2
	},
	"weights#2": func(t *testing.T, _, s *model.Sim) int {
		// The narration's server weights: 20 / 2 pods → 256, 10 / 4 pods → 64.
		note := hopOf(t, trace(t, s, "https://web.apps.demo.example.com/", "curl", ""), model.HopPodNet).Note
		require.Contains(t, note, "weights/web-a weight 20 over 2 pods: HAProxy weight 256 each")
		require.Contains(t, note, "weights/web-b weight 10 over 4 pods: HAProxy weight 64 each")
		res, err := s.Load(model.LoadRequest{URL: "https://web.apps.demo.example.com/", Count: 3000, Client: "curl"})
		require.NoError(t, err)
		share := float64(res.ByService["weights/web-b"]) / float64(res.Count)
		switch {
		case share > 0.28 && share < 0.38:
			return 1
		case share > 0.6:
			return 0
		}
		return 2
	},
	"weights#3": func(t *testing.T, _, s *model.Sim) int {
		return map[string]int{"random": 0, "roundrobin": 1, "leastconn": 2, "source": 3}[routeView(t, s.Snapshot(), "weights", "web").Balance]
	},
	"weights#5": func(t *testing.T, _, s *model.Sim) int {
		res, err := s.Load(model.LoadRequest{URL: "https://web.apps.demo.example.com/", Count: 500, Client: "curl"})
		require.NoError(t, err)
		if res.ByService["weights/web-a"] == 0 && res.ByService["weights/web-b"] == 500 {
			return 1
		}
		return 0
	},
	"why-503#2": func(t *testing.T, _, s *model.Sim) int {
		return statusChoice(trace(t, s, "https://shpo.apps.demo.example.com/", "curl", ""), map[int]int{404: 1, 503: 2})
	},
	"why-503#3": func(t *testing.T, _, s *model.Sim) int {
		return statusChoice(trace(t, s, "http://shop.apps.demo.example.com/", "curl", ""), map[int]int{302: 0, 200: 1, 503: 2})
	},
	"why-503#5": func(t *testing.T, _, s *model.Sim) int {
		return statusChoice(trace(t, s, "https://shop.apps.demo.example.com/", "curl", ""), map[int]int{404: 0, 503: 1, 502: 2})
	},
	"calico#1": func(t *testing.T, _, s *model.Sim) int {
		_, pool, err := net.ParseCIDR(s.Snapshot().Cluster.ClusterNetwork)
		require.NoError(t, err)
		for _, n := range s.Snapshot().Nodes {
			for _, block := range n.PodCIDRBlocks {
				ip, cidr, err := net.ParseCIDR(block)
				require.NoError(t, err)
				if ones, _ := cidr.Mask.Size(); ones != 26 || !pool.Contains(ip) {
					return 0
				}
			}
		}
		return 1
	},
	"calico#3": func(t *testing.T, _, s *model.Sim) int {
		return encapsulationChoice(t, s)
	},
	"calico#4": func(t *testing.T, before, after *model.Sim) int {
		old := pod(t, before.Snapshot(), "shop", "shop-sk56ztxzvl-2v8kx").IP
		var fresh []model.PodView
		for _, p := range after.Snapshot().Pods {
			if p.Namespace == "shop" && !podIn(before.Snapshot(), p.Name) {
				fresh = append(fresh, p)
			}
		}
		require.Len(t, fresh, 1, "one replacement pod")
		if fresh[0].IP == old {
			return 0
		}
		return 1
	},
	"calico#5": func(t *testing.T, _, s *model.Sim) int {
		require.Equal(t, "VXLANCrossSubnet", s.Snapshot().Network.Encapsulation)
		return encapsulationChoice(t, s)
	},
	"network-policy#2": func(t *testing.T, _, s *model.Sim) int {
		res := trace(t, s, "https://store.apps.demo.example.com/", "curl", "")
		if res.Status == 503 && strings.Contains(res.Reason, "timed out") {
			return 1
		}
		return statusChoice(res, map[int]int{200: 0, 403: 2})
	},
	"network-policy#3": func(t *testing.T, _, s *model.Sim) int {
		return statusChoice(trace(t, s, "https://store.apps.demo.example.com/", "curl", ""), map[int]int{503: 0, 200: 1})
	},
	"az-outage#1": func(t *testing.T, _, s *model.Sim) int {
		return map[int]int{3: 0, 2: 1, 1: 2}[len(s.Snapshot().DNS.Answer)]
	},
	"az-outage#3": func(t *testing.T, before, after *model.Sim) int {
		require.True(t, target(t, before.Snapshot(), "us-east-1a").Healthy, "healthy right after the failure")
		if !target(t, after.Snapshot(), "us-east-1a").Healthy {
			return 1
		}
		return 0
	},
	"az-outage#4": func(t *testing.T, before, after *model.Sim) int {
		svc := service(t, after.Snapshot(), "shop", "shop")
		require.Equal(t, 6, readyEndpoints(svc), "the dead pods are still ready endpoints")
		res, err := after.Load(model.LoadRequest{URL: "https://shop.apps.demo.example.com/", Count: 300, Client: "curl"})
		require.NoError(t, err)
		if res.StatusCodes["200"] == 300 {
			return 1
		}
		return 0
	},
	"az-outage#5": func(t *testing.T, _, after *model.Sim) int {
		snap := after.Snapshot()
		var dead string
		for _, n := range snap.Nodes {
			if n.Zone == "us-east-1a" && n.Role == "worker" {
				dead = n.Name
			}
		}
		terminating, replaced := 0, 0
		for _, p := range snap.Pods {
			if p.Node == dead && p.Terminating {
				terminating++
			}
			if p.Node != dead && p.Namespace == "shop" && p.Ready {
				replaced++
			}
		}
		switch {
		case terminating == 0 && replaced == 6:
			return 0
		case terminating > 0 && replaced == 6:
			return 1
		}
		return 2
	},
	"microservices#2": func(t *testing.T, _, s *model.Sim) int {
		res := trace(t, s, "http://cart.boutique.svc.cluster.local:8080/cart", "curl", "boutique/frontend")
		hop := hopOf(t, res, model.HopService)
		if strings.Contains(hop.Detail().NAT, service(t, s.Snapshot(), "boutique", "cart").ClusterIP+":8080 →") {
			return 1
		}
		return 0
	},
	"microservices#3": func(t *testing.T, _, s *model.Sim) int {
		res := trace(t, s, "http://cart.boutique.svc.cluster.local:8080/cart", "curl", "boutique/frontend")
		hop := hopOf(t, res, model.HopService)
		caller := pod(t, s.Snapshot(), "boutique", strings.TrimPrefix(hop.From, "pod:boutique/"))
		if strings.Contains(hop.Detail().NAT, "on "+caller.Node) {
			return 2
		}
		return 1
	},
	"microservices#4": func(t *testing.T, _, s *model.Sim) int {
		if s.Snapshot().Network.KubeProxyMode != "iptables" {
			return 0
		}
		from := resolvePod(t, s, "boutique/frontend")
		res, err := s.Load(model.LoadRequest{URL: "http://cart.boutique.svc.cluster.local:8080/cart", Count: 2000, Client: "curl", From: from})
		require.NoError(t, err)
		require.Len(t, res.ByPod, 2)
		for _, n := range res.ByPod {
			assert.InDelta(t, 1000, n, 150, "each endpoint gets 1/n")
		}
		return 1
	},
	"microservices#6": func(t *testing.T, _, s *model.Sim) int {
		res := trace(t, s, "http://cart.boutique.svc.cluster.local:8080/cart", "curl", "boutique/frontend")
		switch {
		case res.Outcome == "refused":
			return 1
		case res.Status == 503:
			return 0
		}
		return 2
	},
	"microservices#8": func(t *testing.T, before, _ *model.Sim) int {
		from := resolvePod(t, before, "boutique/frontend")
		snap, err := before.SnapshotWithEnv([]string{from})
		require.NoError(t, err)
		hosts := map[string]bool{}
		for _, p := range snap.Pods {
			if p.Env == nil {
				continue
			}
			for _, v := range p.Env.Vars {
				if name, ok := strings.CutSuffix(v.Name, "_SERVICE_HOST"); ok {
					hosts[name] = true
				}
			}
		}
		all := map[string]bool{"KUBERNETES": true}
		for _, sv := range snap.Services {
			if sv.Namespace == "boutique" {
				all[strings.ToUpper(sv.Name)] = true
			}
		}
		if assert.Equal(t, all, hosts, "the namespace's Services and kubernetes") {
			return 1
		}
		return 0
	},
	"microservices#10": func(t *testing.T, _, s *model.Sim) int {
		res := trace(t, s, "http://$CART_SERVICE_HOST:$CART_SERVICE_PORT/cart", "curl", "boutique/frontend")
		return map[string]int{"ok": 0, "refused": 1, "timeout": 2, "nxdomain": 3}[res.Outcome]
	},
	"tls#2": func(t *testing.T, _, s *model.Sim) int {
		hop := hopOf(t, trace(t, s, "https://web.apps.demo.example.com/", "browser", ""), model.HopPodNet)
		if strings.Contains(hop.Detail().Note, "plain HTTP") && contains(hop.Detail().Headers, "X-Forwarded-Proto: https") {
			return 1
		}
		return 0
	},
	"tls#4": func(t *testing.T, _, s *model.Sim) int {
		r := routeView(t, s.Snapshot(), "tls", "bank")
		hop := hopOf(t, trace(t, s, "https://bank.apps.demo.example.com/", "curl", ""), model.HopPodNet)
		if r.Path == "" && !r.Cookies && len(hop.Detail().Headers) == 0 {
			return 1
		}
		return 0
	},
	"tls#5": func(t *testing.T, _, s *model.Sim) int {
		hop := hopOf(t, trace(t, s, "https://bank.apps.demo.example.com/", "curl", ""), model.HopPodNet)
		for _, h := range hop.Detail().Headers {
			if strings.HasPrefix(h, "X-Forwarded-For") || strings.HasPrefix(h, "Forwarded") {
				return 0
			}
		}
		srcIP, _, _ := net.SplitHostPort(hop.Src)
		require.Equal(t, podIP(s.Snapshot(), strings.TrimPrefix(hop.From, "pod:")), srcIP)
		return 1
	},
	"tls#6": func(t *testing.T, _, s *model.Sim) int {
		return map[string]int{"roundrobin": 0, "random": 1, "source": 2, "leastconn": 3}[routeView(t, s.Snapshot(), "tls", "bank").Balance]
	},
}

func TestBuiltinWalkthroughs(t *testing.T) {
	for name, count := range walkthroughs {
		t.Run(name, func(t *testing.T) {
			sc, _, err := Load(name)
			require.NoError(t, err)
			steps, err := Steps(name)
			require.NoError(t, err)
			require.Len(t, steps, count)
			assert.GreaterOrEqual(t, count, 5)
			assert.LessOrEqual(t, count, 12)
			require.NoError(t, CheckSteps(sc, steps))
			predicts := 0
			for i, step := range steps {
				assert.NotEmpty(t, step.Narration, "step %d", i+1)
				if step.Predict == nil {
					continue
				}
				predicts++
				key := name + "#" + strconv.Itoa(i+1)
				proof, ok := proofs[key]
				require.True(t, ok, "%s: the predict prompt needs a proof from the simulation", key)
				before, err := BuildStep(sc, steps, i+1, true)
				require.NoError(t, err)
				after, err := BuildStep(sc, steps, i+1, false)
				require.NoError(t, err)
				assert.Equal(t, step.Predict.Answer, proof(t, before, after), "%s %q: the simulation proves another answer", key, step.Predict.Question)
			}
			assert.Positive(t, predicts, "a walkthrough asks at least one predict prompt")
		})
	}
	for key := range proofs {
		name, _, _ := strings.Cut(key, "#")
		_, ok := walkthroughs[name]
		assert.True(t, ok, "proof %s of no walkthrough", key)
	}
}

func TestSendRequestsOfBuiltinWalkthroughsTrace(t *testing.T) {
	for name := range walkthroughs {
		sc, _, err := Load(name)
		require.NoError(t, err)
		steps, err := Steps(name)
		require.NoError(t, err)
		for i, step := range steps {
			if step.SendRequest == nil {
				continue
			}
			s, err := BuildStep(sc, steps, i+1, false)
			require.NoError(t, err)
			res := trace(t, s, step.SendRequest.URL, step.SendRequest.Client, step.SendRequest.From)
			assert.NotEmpty(t, res.Hops, "%s#%d", name, i+1)
		}
	}
}

func TestBuildStepIsDeterministic(t *testing.T) {
	sc, _, err := Load("scaling")
	require.NoError(t, err)
	steps, err := Steps("scaling")
	require.NoError(t, err)
	for k := 1; k <= len(steps); k++ {
		a, err := BuildStep(sc, steps, k, false)
		require.NoError(t, err)
		b, err := BuildStep(sc, steps, k, false)
		require.NoError(t, err)
		assert.Equal(t, a.Snapshot(), b.Snapshot(), "step %d", k)
	}
	_, err = BuildStep(sc, steps, 0, false)
	assert.ErrorIs(t, err, model.ErrInvalid)
	assert.ErrorContains(t, err, "allowed 1 to 8")
	_, err = BuildStep(sc, steps, 9, false)
	assert.ErrorContains(t, err, "9 is out of range")
}

func TestStepFormat(t *testing.T) {
	head := "apiVersion: podpath.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  steps:\n"
	good := head + `  - title: one
    narration: "**bold** and ` + "`code`" + `"
    highlight: [router-pods, "route:shop/shop", "lb:us-east-1a"]
    command: {type: scale, namespace: shop, deployment: shop, replicas: 6}
    advanceMs: 5000
    predict: {question: "Q?", choices: [a, b], answer: 1, explanation: because}
    sendRequest: {url: "https://shop.apps.demo.example.com/"}
  - title: two
    description: the older name
`
	parsed, err := parseFile([]byte(good), Options{})
	require.NoError(t, err)
	require.Len(t, parsed.steps, 2)
	s := parsed.steps[0]
	assert.Equal(t, "**bold** and `code`", s.Narration)
	assert.Equal(t, []string{"router-pods", "route:shop/shop", "lb:us-east-1a"}, s.Highlight)
	assert.Equal(t, model.Scale{Namespace: "shop", Deployment: "shop", Replicas: 6}, s.Command)
	assert.Equal(t, int64(5000), s.AdvanceMs)
	assert.Equal(t, &Predict{Question: "Q?", Choices: []string{"a", "b"}, Answer: 1, Explanation: "because"}, s.Predict)
	assert.Equal(t, &SendRequest{URL: "https://shop.apps.demo.example.com/", Client: "curl"}, s.SendRequest)
	assert.Equal(t, "the older name", parsed.steps[1].Narration, "description is an alias")

	for _, tc := range []struct{ name, step, want string }{
		{"bad command names the step", "  - title: a\n  - title: b\n    command: {type: scale, replicas: many}\n", "spec.steps[1].command: model: invalid"},
		{"bad command says step 2", "  - title: a\n  - title: b\n    command: {type: nope}\n", "(step 2)"},
		{"no title", "  - narration: x\n", "spec.steps[0].title: required (step 1)"},
		{"bad highlight", "  - title: a\n    highlight: [everything]\n", "spec.steps[0].highlight[0]: step 1: \"everything\" is not a topology element id"},
		{"answer out of range", "  - title: a\n    predict: {question: q, choices: [a, b], answer: 2, explanation: e}\n", "spec.steps[0].predict.answer: step 1: 2 is out of range; allowed 0 to 1"},
		{"no answer", "  - title: a\n    predict: {question: q, choices: [a, b], explanation: e}\n", "spec.steps[0].predict.answer: step 1: required"},
		{"one choice", "  - title: a\n    predict: {question: q, choices: [a], answer: 0, explanation: e}\n", "predict.choices: step 1: 2 to 6 choices, got 1"},
		{"no explanation", "  - title: a\n    predict: {question: q, choices: [a, b], answer: 0}\n", "predict.explanation: step 1: required"},
		{"advance", "  - title: a\n    advanceMs: -1\n", "spec.steps[0].advanceMs: step 1: must be between 0 and 600000, got -1"},
		{"send url", "  - title: a\n    sendRequest: {url: ftp://x}\n", "spec.steps[0].sendRequest.url: step 1: \"ftp://x\" is not an http or https URL"},
		{"send client", "  - title: a\n    sendRequest: {url: \"https://x.example.com/\", client: wget}\n", "spec.steps[0].sendRequest.client"},
		{"both names", "  - title: a\n    narration: x\n    description: z\n", "has both narration and description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseFile([]byte(head+tc.step), Options{})
			require.Error(t, err)
			assert.ErrorIs(t, err, model.ErrInvalid)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestCheckStepsNamesTheStepTheModelRefuses(t *testing.T) {
	sc, _, err := Load("calico")
	require.NoError(t, err)
	steps, err := Steps("calico")
	require.NoError(t, err)
	steps[3].Command = model.DeletePod{Namespace: "shop", Pod: "no-such-pod"}
	err = CheckSteps(sc, steps)
	var stepErr *StepError
	require.ErrorAs(t, err, &stepErr)
	assert.Equal(t, 4, stepErr.Step)
	assert.ErrorIs(t, err, model.ErrNotFound)
	assert.ErrorContains(t, err, `walkthrough "calico": step 4 (Pod IPs are ephemeral)`)
}

// Helpers: read the simulation.

func trace(t *testing.T, s *model.Sim, url, client, from string) model.TraceResult {
	t.Helper()
	if from != "" {
		from = resolvePod(t, s, from)
	}
	res, err := s.Trace(model.TraceRequest{URL: url, Client: client, From: from})
	require.NoError(t, err)
	return res
}

// resolvePod turns "namespace/pod-prefix" into the first ready pod's name.
func resolvePod(t *testing.T, s *model.Sim, prefix string) string {
	t.Helper()
	for _, p := range s.Snapshot().Pods {
		if id := p.Namespace + "/" + p.Name; strings.HasPrefix(id, prefix) && p.Ready {
			return id
		}
	}
	t.Fatalf("no ready pod %s…", prefix)
	return ""
}

func hopOf(t *testing.T, res model.TraceResult, kind string) model.Hop {
	t.Helper()
	for _, h := range res.Hops {
		if h.Kind == kind && !h.Response {
			return h
		}
	}
	t.Fatalf("no %s hop in %+v", kind, res)
	return model.Hop{}
}

func statusChoice(res model.TraceResult, choices map[int]int) int {
	if c, ok := choices[res.Status]; ok {
		return c
	}
	return -1
}

func portOf(hostPort string) int {
	_, port, _ := net.SplitHostPort(hostPort)
	n, _ := strconv.Atoi(port)
	return n
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func nodeReady(snap model.Snapshot, node string) bool {
	for _, n := range snap.Nodes {
		if n.Name == node {
			return n.Ready
		}
	}
	return false
}

func hasReadyRouter(snap model.Snapshot, node string) bool {
	for _, r := range snap.Routers {
		if r.Node == node && r.Ready {
			return true
		}
	}
	return false
}

func routerNode(snap model.Snapshot, id string) string {
	for _, r := range snap.Routers {
		if r.Namespace+"/"+r.Name == id {
			return r.Node
		}
	}
	return ""
}

func podIP(snap model.Snapshot, id string) string {
	for _, p := range snap.Pods {
		if p.Namespace+"/"+p.Name == id {
			return p.IP
		}
	}
	return ""
}

func podIn(snap model.Snapshot, name string) bool {
	for _, p := range snap.Pods {
		if p.Name == name {
			return true
		}
	}
	return false
}

func pod(t *testing.T, snap model.Snapshot, namespace, name string) model.PodView {
	t.Helper()
	for _, p := range snap.Pods {
		if p.Namespace == namespace && p.Name == name {
			return p
		}
	}
	t.Fatalf("no pod %s/%s", namespace, name)
	return model.PodView{}
}

func service(t *testing.T, snap model.Snapshot, namespace, name string) model.ServiceView {
	t.Helper()
	for _, s := range snap.Services {
		if s.Namespace == namespace && s.Name == name {
			return s
		}
	}
	t.Fatalf("no service %s/%s", namespace, name)
	return model.ServiceView{}
}

func routeView(t *testing.T, snap model.Snapshot, namespace, name string) model.RouteView {
	t.Helper()
	for _, r := range snap.Routes {
		if r.Namespace == namespace && r.Name == name {
			return r
		}
	}
	t.Fatalf("no route %s/%s", namespace, name)
	return model.RouteView{}
}

func target(t *testing.T, snap model.Snapshot, zone string) model.LBTargetView {
	t.Helper()
	for _, tg := range snap.LoadBalancer.Targets {
		if tg.Zone == zone {
			return tg
		}
	}
	t.Fatalf("no target in %s", zone)
	return model.LBTargetView{}
}

func readyEndpoints(svc model.ServiceView) int {
	n := 0
	for _, ep := range svc.Endpoints {
		if ep.Ready {
			n++
		}
	}
	return n
}

// podsServing counts the pods that a burst of curl requests reaches.
func podsServing(t *testing.T, s *model.Sim, url string) int {
	t.Helper()
	res, err := s.Load(model.LoadRequest{URL: url, Count: 300, Client: "curl"})
	require.NoError(t, err)
	return len(res.ByPod)
}

// encapsulationChoice runs the live traffic for a while and proves that
// router → pod hops across nodes are VXLAN (choice 1) and those on one
// node are not encapsulated; choice 0 if a cross-node hop is plain.
func encapsulationChoice(t *testing.T, s *model.Sim) int {
	t.Helper()
	c := s.Clone()
	c.Drain()
	c.AdvanceTo(c.Now() + 20_000)
	snap := c.Snapshot()
	cross, same := 0, 0
	for _, r := range c.Drain().Requests {
		for _, h := range r.Hops {
			if h.Kind != model.HopPodNet || h.Response {
				continue
			}
			from := routerNode(snap, strings.TrimPrefix(h.From, "pod:"))
			to := podNode(snap, strings.TrimPrefix(h.To, "pod:"))
			if from == "" || to == "" {
				continue
			}
			if from == to {
				same++
				require.Empty(t, h.Encapsulation, "same node: no encapsulation")
				continue
			}
			cross++
			if h.Encapsulation != "vxlan" {
				return 0
			}
		}
	}
	require.Positive(t, cross)
	require.Positive(t, same)
	return 1
}

func podNode(snap model.Snapshot, id string) string {
	for _, p := range snap.Pods {
		if p.Namespace+"/"+p.Name == id {
			return p.Node
		}
	}
	return ""
}
