package quiz_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/quiz"
	"github.com/podpath/podpath/scenarios"
)

// variantScenarios are the clusters the generated questions are checked on.
var variantScenarios = []string{"shop", "canary", "network-policy", "passthrough-tls", "microservices"}

// variant builds a cluster from a seed: a scenario, then random changes of
// scale, routers, load balancer type and Calico pool mode, then a minute
// of virtual time so that everything settles.
func variant(t testing.TB, seed uint64) (*model.Sim, string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	name := variantScenarios[rng.IntN(len(variantScenarios))]
	sc, _, err := scenarios.Load(name)
	require.NoError(t, err)
	sc.Settings.Seed = seed
	sim, err := model.New(sc)
	require.NoError(t, err)
	desc := []string{name}
	snap := sim.Snapshot()
	for _, d := range snap.Deployments {
		if d.Namespace == "openshift-ingress" || rng.IntN(2) == 0 {
			continue
		}
		n := rng.IntN(7)
		require.NoError(t, sim.Apply(model.Scale{Namespace: d.Namespace, Deployment: d.Name, Replicas: n}))
		desc = append(desc, fmt.Sprintf("%s=%d", d.Name, n))
	}
	if rng.IntN(3) == 0 {
		n := 1 + rng.IntN(3)
		require.NoError(t, sim.Apply(model.ScaleRouters{Replicas: n}))
		desc = append(desc, fmt.Sprintf("routers=%d", n))
	}
	lb := model.LBTypes[rng.IntN(len(model.LBTypes))]
	enc := model.Encapsulations[rng.IntN(len(model.Encapsulations))]
	require.NoError(t, sim.Apply(model.SetLoadBalancer{LBType: &lb}))
	require.NoError(t, sim.Apply(model.SetNetwork{Encapsulation: &enc}))
	if enc == "None" && rng.IntN(2) == 0 {
		off := false
		require.NoError(t, sim.Apply(model.SetNetwork{SourceDestCheck: &off}))
		desc = append(desc, "srcDstCheck=off")
	}
	desc = append(desc, lb, enc)
	sim.AdvanceTo(sim.Now() + 60_000)
	return sim, strings.Join(desc, " ")
}

// errWrong marks a generated answer the simulation does not confirm.
var errWrong = errors.New("answer not confirmed by the simulation")

// check re-runs a generated question's probe on its own copy of the
// cluster and derives the right answer independently of package quiz's
// code (its own reading of the hops and the state), then compares.
func check(sim *model.Sim, q quiz.Question) error {
	p := q.Probe
	if p == nil {
		return fmt.Errorf("%s: no probe", q.ID)
	}
	if q.Answer < 0 || q.Answer >= len(q.Choices) {
		return fmt.Errorf("%s: answer %d out of range", q.ID, q.Answer)
	}
	cp := sim.Clone()
	for _, c := range p.Setup {
		if err := cp.Apply(c); err != nil {
			return fmt.Errorf("%s: setup: %w", q.ID, err)
		}
	}
	if p.AdvanceMs > 0 {
		cp.AdvanceTo(cp.Now() + p.AdvanceMs)
	}
	got := q.Choices[q.Answer]
	var res model.TraceResult
	if p.Trace != nil {
		var err error
		if res, err = cp.Trace(*p.Trace); err != nil {
			return fmt.Errorf("%s: trace: %w", q.ID, err)
		}
	}
	var ok func(string) bool
	switch q.Kind {
	case quiz.KindStatus, quiz.KindEnvVars:
		ok = func(c string) bool {
			switch {
			case res.Status > 0:
				return strings.HasPrefix(c, fmt.Sprint(res.Status)+" ") && !strings.Contains(c, "not ready")
			case res.Outcome == "reset":
				return strings.Contains(c, "closed")
			case res.Outcome == "refused":
				return strings.Contains(c, "refused")
			case res.Outcome == "timeout":
				return strings.Contains(c, "times out")
			}
			return false
		}
	case quiz.KindNextPod:
		if p.Load == nil || len(p.Loads) != 1 {
			return fmt.Errorf("%s: want two loads", q.ID)
		}
		a, err1 := cp.Load(*p.Load)
		b, err2 := cp.Load(p.Loads[0])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%s: load: %v %v", q.ID, err1, err2)
		}
		second := ""
		for pod, n := range b.ByPod {
			if n > a.ByPod[pod] {
				second = pod
			}
		}
		ok = func(c string) bool { return c == second }
	case quiz.KindSourceIP:
		hop := hopOf(res, model.HopPodNet)
		src, _, _ := net.SplitHostPort(hop.Src)
		isRouter := slices.ContainsFunc(cp.Snapshot().Routers, func(r model.RouterView) bool { return r.IP == src })
		ok = func(c string) bool { return isRouter && strings.HasPrefix(c, src+" ") && strings.Contains(c, "router") }
	case quiz.KindClientIP:
		hop := hopOf(res, model.HopPodNet)
		xff := slices.Contains(hop.Detail().Headers, "X-Forwarded-For: "+p.Trace.ClientIP)
		ok = func(c string) bool {
			if xff {
				return strings.Contains(c, "X-Forwarded-For")
			}
			return strings.HasPrefix(c, "nowhere")
		}
	case quiz.KindCrossNode:
		var hop model.Hop
		for _, h := range res.Hops {
			if (h.Kind == model.HopPodNet || h.Kind == model.HopService) && !h.Response && h.From != h.To {
				hop = h
				break
			}
		}
		snap := cp.Snapshot()
		nodeOf := func(el string) string {
			for _, pod := range snap.Pods {
				if "pod:"+pod.Namespace+"/"+pod.Name == el {
					return pod.Node
				}
			}
			return "?"
		}
		same := nodeOf(hop.From) == nodeOf(hop.To)
		ok = func(c string) bool {
			switch {
			case same:
				return strings.HasPrefix(c, "no: same node")
			case hop.Encapsulation == "vxlan":
				return strings.Contains(c, "VXLAN")
			case hop.Encapsulation == "ipip":
				return strings.Contains(c, "IP-in-IP")
			case hop.Failed:
				return strings.Contains(c, "never arrives")
			}
			return strings.Contains(c, "routed as it is")
		}
	case quiz.KindDNSZones:
		snap := cp.Snapshot()
		var zones []string
		for _, ip := range snap.DNS.Answer {
			for _, z := range snap.LoadBalancer.Zones {
				if z.IP == ip {
					zones = append(zones, z.Zone)
				}
			}
		}
		sort.Strings(zones)
		want := strings.Join(zones, ", ")
		ok = func(c string) bool { return c == want }
	case quiz.KindRoutePath:
		ok = func(c string) bool { return res.Route != "" && strings.HasPrefix(c, "Route "+res.Route+" ") }
	case quiz.KindRouteClaim:
		ok = func(c string) bool { return res.Route != "" && strings.HasPrefix(c, res.Route+", ") }
	default:
		return fmt.Errorf("%s: no checker for kind %q", q.ID, q.Kind)
	}
	// Exactly one choice is right, and it is the one marked.
	right := 0
	for _, c := range q.Choices {
		if ok(c) {
			right++
		}
	}
	if !ok(got) || right != 1 {
		return fmt.Errorf("%w: %s %q: marked %q (%d choices fit); trace: status %d %s %s", errWrong, q.ID, q.Prompt, got, right, res.Status, res.Outcome, res.Reason)
	}
	return nil
}

func hopOf(res model.TraceResult, kind string) model.Hop {
	for _, h := range res.Hops {
		if h.Kind == kind && !h.Response {
			return h
		}
	}
	return model.Hop{}
}

// TestGeneratedAnswersMatchTheSimulation: for 100 seeds, a cluster
// variant, its generated questions, each answer re-derived from an
// independent Trace / Load / Snapshot. A deliberately wrong answer must
// be caught.
func TestGeneratedAnswersMatchTheSimulation(t *testing.T) {
	kinds := map[string]int{}
	total := 0
	for seed := uint64(1); seed <= 100; seed++ {
		sim, desc := variant(t, seed)
		before := sim.StateVersion()
		qs := quiz.Generate(sim, seed, 12, nil)
		require.NotEmpty(t, qs, "seed %d (%s): no questions", seed, desc)
		require.Equal(t, before, sim.StateVersion(), "Generate must not change the cluster")
		for _, q := range qs {
			total++
			kinds[q.Kind]++
			require.GreaterOrEqual(t, len(q.Choices), 3, q.ID)
			require.LessOrEqual(t, len(q.Choices), 5, q.ID)
			require.Len(t, uniq(q.Choices), len(q.Choices), "%s: duplicate choices %q", q.ID, q.Choices)
			require.NotEmpty(t, q.Explanation, q.ID)
			require.Contains(t, quiz.Topics, q.Topic, q.ID)
			require.NoError(t, check(sim, q), "seed %d (%s)", seed, desc)

			wrong := q
			wrong.Answer = (q.Answer + 1) % len(q.Choices)
			require.ErrorIs(t, check(sim, wrong), errWrong, "seed %d (%s): a wrong answer to %s was not caught", seed, desc, q.ID)
		}
	}
	for kind := range quiz.GeneratedKinds() {
		require.Positive(t, kinds[kind], "kind %s never generated over 100 seeds", kind)
	}
	t.Logf("%d generated questions checked: %v", total, kinds)
}

func uniq(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestGenerateIsDeterministic: the same seed and state give the same
// questions, byte for byte.
func TestGenerateIsDeterministic(t *testing.T) {
	for _, seed := range []uint64{3, 17, 42} {
		sim, _ := variant(t, seed)
		a, err := json.Marshal(quiz.Generate(sim, seed, 10, nil))
		require.NoError(t, err)
		b, err := json.Marshal(quiz.Generate(sim, seed, 10, nil))
		require.NoError(t, err)
		require.JSONEq(t, string(a), string(b))
		qa, err := quiz.New(seed, sim, quiz.Options{Count: 12})
		require.NoError(t, err)
		qb, err := quiz.New(seed, sim, quiz.Options{Count: 12})
		require.NoError(t, err)
		require.Equal(t, qa.Questions, qb.Questions)
	}
}

// TestGenerateTopicsFilter: only questions of the asked topics.
func TestGenerateTopicsFilter(t *testing.T) {
	sim, _ := variant(t, 5)
	for _, q := range quiz.Generate(sim, 5, 10, []string{quiz.TopicCalico}) {
		require.Equal(t, quiz.TopicCalico, q.Topic)
		require.Equal(t, quiz.KindCrossNode, q.Kind)
	}
}
