package quiz

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/podpath/podpath/model"
)

// Generated question kinds.
const (
	KindNextPod    = "next-pod"    // which pod serves this browser's next request
	KindStatus     = "status"      // what a URL gets
	KindSourceIP   = "source-ip"   // which source IP the pod sees
	KindClientIP   = "client-ip"   // where the client IP shows up at the pod
	KindCrossNode  = "cross-node"  // does the request cross nodes, and how
	KindDNSZones   = "dns-zones"   // which AZs are in the DNS answer
	KindRoutePath  = "route-path"  // which Route serves a path
	KindRouteClaim = "route-claim" // which of two Routes for one host and path serves
	KindEnvVars    = "env-vars"    // a pod's *_SERVICE_HOST after its Service was recreated
	KindConcept    = "concept"     // a bank question
)

// Virtual time run after a setup: long enough for the routers' batched
// reload (≤ 5 s), kube-proxy, and two LB health checks (NLB: 2 × 10 s).
const (
	settleReloadMs = 10_000
	settleLBMs     = 45_000
)

// generator builds questions from one cluster state. It never changes
// sim: every what-if runs on a Clone.
type generator struct {
	sim  *model.Sim
	snap model.Snapshot
	rng  *rand.Rand
}

type genEntry struct {
	kind  string
	topic string
	fn    func(*generator) (Question, bool)
}

// generators lists every generated question, with its topic.
var generators = []genEntry{
	{KindNextPod, TopicRouter, (*generator).nextPod},
	{KindStatus, TopicRouter, (*generator).statusUnknownHost},
	{KindStatus, TopicTLS, (*generator).statusInsecure},
	{KindStatus, TopicRouter, (*generator).statusScaledToZero},
	{KindStatus, TopicTLS, (*generator).statusPassthroughEmpty},
	{KindStatus, TopicTLS, (*generator).statusRedirectSpecific},
	{KindStatus, TopicRouting, (*generator).statusTargetPort},
	{KindStatus, TopicServices, (*generator).statusClusterIP},
	{KindSourceIP, TopicRouter, (*generator).sourceIP},
	{KindClientIP, TopicRouter, (*generator).clientIP},
	{KindCrossNode, TopicCalico, (*generator).crossNode},
	{KindDNSZones, TopicLB, (*generator).dnsZones},
	{KindRoutePath, TopicRouting, (*generator).routePath},
	{KindRouteClaim, TopicRouting, (*generator).routeClaim},
	{KindEnvVars, TopicServices, (*generator).envRecreated},
}

// GeneratedKinds lists the generated kinds and their topics.
func GeneratedKinds() map[string][]string {
	out := map[string][]string{}
	for _, e := range generators {
		if !slices.Contains(out[e.kind], e.topic) {
			out[e.kind] = append(out[e.kind], e.topic)
		}
	}
	return out
}

// Generate returns up to n questions computed from sim's current state,
// of the given topics (all when empty), deterministic in seed and the
// state. Every answer comes from running the simulation (Trace, Load or
// Snapshot on a copy); the question's Probe says what ran. sim is only
// read.
func Generate(sim *model.Sim, seed uint64, n int, topics []string) []Question {
	g := &generator{sim: sim, snap: sim.Snapshot(), rng: rand.New(rand.NewPCG(seed, 0x67656e))}
	var gens []genEntry
	for _, e := range generators {
		if len(topics) == 0 || slices.Contains(topics, e.topic) {
			gens = append(gens, e)
		}
	}
	if len(gens) == 0 || n <= 0 {
		return nil
	}
	var out []Question
	seen := map[string]bool{}
	for attempt := 0; len(out) < n && attempt < n*4+len(gens); attempt++ {
		if attempt%len(gens) == 0 {
			g.rng.Shuffle(len(gens), func(i, j int) { gens[i], gens[j] = gens[j], gens[i] })
		}
		e := gens[attempt%len(gens)]
		q, ok := e.fn(g)
		if !ok || seen[q.Prompt] {
			continue
		}
		seen[q.Prompt] = true
		q.ID = fmt.Sprintf("g%d-%s", len(out)+1, e.kind)
		q.Kind, q.Source, q.Topic = e.kind, SourceGenerated, e.topic
		out = append(out, q)
	}
	return out
}

// --- helpers -----------------------------------------------------------

// prepared returns a copy of the cluster with setup applied and time run
// forward.
func (g *generator) prepared(setup []model.Command, advanceMs int64) (*model.Sim, bool) {
	cp := g.sim.Clone()
	for _, c := range setup {
		if err := cp.Apply(c); err != nil {
			return nil, false
		}
	}
	if advanceMs > 0 {
		cp.AdvanceTo(cp.Now() + advanceMs)
	}
	return cp, true
}

// choices makes 3 to 5 distinct choices holding right, the distractors
// taken in a random order; false when fewer than 2 distractors remain.
func (g *generator) choices(right string, distractors []string, most int) ([]string, int, bool) {
	var ds []string
	for _, d := range distractors {
		if d != right && !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	if len(ds) < 2 {
		return nil, 0, false
	}
	g.rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	all := append([]string{right}, ds[:min(len(ds), most-1)]...)
	g.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all, slices.Index(all, right), true
}

// question assembles a generated question; false when the choices do not
// work out.
func (g *generator) question(prompt, right string, distractors []string, explanation string, lesson string, misconception int, probe *Probe) (Question, bool) {
	choices, answer, ok := g.choices(right, distractors, 4)
	if !ok {
		return Question{}, false
	}
	return Question{Prompt: prompt, Choices: choices, Answer: answer, Explanation: explanation, Link: lessonLink(lesson), Misconception: misconception, Probe: probe}, true
}

func pickOne[T any](g *generator, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[g.rng.IntN(len(xs))], true
}

// routes lists the admitted routes that keep(r).
func (g *generator) routes(keep func(model.RouteView) bool) []model.RouteView {
	var out []model.RouteView
	for _, r := range g.snap.Routes {
		if r.Admitted && keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func termination(r model.RouteView) string {
	if r.TLS == nil {
		return ""
	}
	return r.TLS.Termination
}

func routeURL(r model.RouteView, scheme, path string) string {
	if scheme == "" {
		scheme = "http"
		if r.TLS != nil {
			scheme = "https"
		}
	}
	if path == "" {
		path = r.Path
		if path == "" {
			path = "/"
		}
	}
	return scheme + "://" + r.Host + path
}

func routeKey(r model.RouteView) string { return r.Namespace + "/" + r.Name }

func (g *generator) service(ns, name string) (model.ServiceView, bool) {
	for _, s := range g.snap.Services {
		if s.Namespace == ns && s.Name == name {
			return s, true
		}
	}
	return model.ServiceView{}, false
}

// readyPods lists the ready endpoints' pods of the route's Services with
// a weight above 0, sorted.
func (g *generator) readyPods(r model.RouteView) []string {
	var out []string
	for _, t := range r.To {
		sv, ok := g.service(r.Namespace, t.Service)
		if !ok || t.Weight == 0 {
			continue
		}
		for _, e := range sv.Endpoints {
			if e.Ready && !slices.Contains(out, e.Pod) {
				out = append(out, e.Pod)
			}
		}
	}
	sort.Strings(out)
	return out
}

// deploymentsOf lists the Deployments a Service selects.
func (g *generator) deploymentsOf(sv model.ServiceView) []model.DeploymentView {
	var out []model.DeploymentView
	if len(sv.Selector) == 0 {
		return nil
	}
	for _, d := range g.snap.Deployments {
		if d.Namespace != sv.Namespace {
			continue
		}
		match := true
		for k, v := range sv.Selector {
			if d.Labels[k] != v {
				match = false
			}
		}
		if match {
			out = append(out, d)
		}
	}
	return out
}

// routeDeployments lists the Deployments behind every Service of a route.
func (g *generator) routeDeployments(r model.RouteView) []model.DeploymentView {
	var out []model.DeploymentView
	for _, t := range r.To {
		if sv, ok := g.service(r.Namespace, t.Service); ok {
			for _, d := range g.deploymentsOf(sv) {
				if !slices.ContainsFunc(out, func(x model.DeploymentView) bool { return x.Name == d.Name }) {
					out = append(out, d)
				}
			}
		}
	}
	return out
}

// routeSpec is the current spec of a route, for a what-if apply.
func (g *generator) routeSpec(key string) (model.Route, bool) {
	for _, r := range g.sim.Scenario().Routes {
		if r.Namespace+"/"+r.Name == key {
			return r, true
		}
	}
	return model.Route{}, false
}

// notes joins the notes of the hops of the given kinds, in order, and
// the reason.
func notes(res model.TraceResult, kinds ...string) string {
	var parts []string
	for _, h := range res.Hops {
		if h.Response || (len(kinds) > 0 && !slices.Contains(kinds, h.Kind)) {
			continue
		}
		if n := h.Detail().Note; n != "" {
			parts = append(parts, strings.TrimSuffix(n, ".")+".")
		}
	}
	if res.Reason != "" {
		parts = append(parts, strings.TrimSuffix(res.Reason, ".")+".")
	}
	return strings.Join(parts, " ")
}

// firstHop returns the first request hop of a kind.
func firstHop(res model.TraceResult, kind string) (model.Hop, bool) {
	for _, h := range res.Hops {
		if h.Kind == kind && !h.Response {
			return h, true
		}
	}
	return model.Hop{}, false
}

func ipOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[:i]
	}
	return addr
}

func (g *generator) node(name string) (model.NodeView, bool) {
	for _, n := range g.snap.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return model.NodeView{}, false
}

func curlIP(g *generator) string { return fmt.Sprintf("198.51.100.%d", 10+g.rng.IntN(200)) }

// --- outcomes ----------------------------------------------------------
