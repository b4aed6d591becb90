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
	{KindStatus, TopicServices, (*generator).statusClusterIP},
	{KindSourceIP, TopicRouter, (*generator).sourceIP},
	{KindClientIP, TopicRouter, (*generator).clientIP},
	{KindCrossNode, TopicCalico, (*generator).crossNode},
	{KindDNSZones, TopicLB, (*generator).dnsZones},
	{KindRoutePath, TopicRouting, (*generator).routePath},
	{KindRouteClaim, TopicRouting, (*generator).routeClaim},
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

func (g *generator) pod(key string) (model.PodView, bool) {
	for _, p := range g.snap.Pods {
		if p.Namespace+"/"+p.Name == key {
			return p, true
		}
	}
	return model.PodView{}, false
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

// Outcome labels: what a client gets.
const (
	Label200     = "200 OK, served by an app pod"
	Label302     = "302 Found, a redirect to https://"
	Label404     = "404 Not Found"
	Label502     = "502 Bad Gateway"
	Label503     = "503 \"Application is not available\", the router's page"
	Label504     = "504 Gateway Timeout"
	LabelReset   = "the TCP connection is closed, with no HTTP answer"
	LabelRefused = "connection refused at once"
	LabelTimeout = "the connection hangs until it times out"
	LabelNXDOM   = "DNS answers NXDOMAIN"
)

// OutcomeLabel names what a traced request got.
func OutcomeLabel(res model.TraceResult) string {
	switch res.Status {
	case 200:
		return Label200
	case 302:
		return Label302
	case 404:
		return Label404
	case 502:
		return Label502
	case 503:
		return Label503
	case 504:
		return Label504
	case 0:
	default:
		return fmt.Sprintf("HTTP %d", res.Status)
	}
	switch res.Outcome {
	case "reset":
		return LabelReset
	case "refused":
		return LabelRefused
	case "timeout":
		return LabelTimeout
	case "nxdomain":
		return LabelNXDOM
	}
	return res.Outcome
}

var outcomeLabels = []string{Label200, Label302, Label404, Label503, LabelReset, LabelRefused, LabelTimeout}

// statusQuestion traces req on the prepared copy and asks what it gets.
func (g *generator) statusQuestion(prompt string, setup []model.Command, setupText []string, advance int64, req model.TraceRequest, lesson string, misconception int, distractors []string) (Question, bool) {
	cp, ok := g.prepared(setup, advance)
	if !ok {
		return Question{}, false
	}
	res, err := cp.Trace(req)
	if err != nil {
		return Question{}, false
	}
	right := OutcomeLabel(res)
	if distractors == nil {
		distractors = outcomeLabels
	}
	// Always offer the 404 misconception when the answer is a 503.
	ds := slices.Clone(distractors)
	g.rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	if right == Label503 {
		ds = append([]string{Label404}, ds...)
	}
	expl := notes(res, model.HopPodNet, model.HopService, model.HopApp)
	if right == Label503 {
		expl += " The router answers 503 \"Application is not available\" whenever nothing can serve — never 404 (only with a custom error page)."
	}
	probe := &Probe{Setup: setup, SetupText: setupText, AdvanceMs: advance, Trace: &req}
	choices, answer, ok := g.choicesOrdered(right, ds, 4)
	if !ok {
		return Question{}, false
	}
	return Question{Prompt: prompt, Choices: choices, Answer: answer, Explanation: expl, Link: lessonLink(lesson), Misconception: misconception, Probe: probe}, true
}

// --- the kinds ---------------------------------------------------------

// nextPod: a browser keeps the router's cookie and sticks to one pod.
func (g *generator) nextPod() (Question, bool) {
	r, ok := pickOne(g, g.routes(func(r model.RouteView) bool {
		return r.Cookies && termination(r) != "passthrough" && len(g.readyPods(r)) >= 2
	}))
	if !ok {
		return Question{}, false
	}
	url := routeURL(r, "", "")
	first := model.LoadRequest{URL: url, Count: 1, Client: "browser", Clients: 1}
	second := first
	second.Count = 2
	r1, err1 := g.sim.Load(first)
	r2, err2 := g.sim.Load(second)
	if err1 != nil || err2 != nil || r1.ByPod == nil || len(r1.ByPod) != 1 || r2.StatusCodes["200"] != 2 {
		return Question{}, false
	}
	var firstPod, nextPod string
	for p := range r1.ByPod {
		firstPod = p
	}
	for p, n := range r2.ByPod {
		if n > r1.ByPod[p] {
			nextPod = p
		}
	}
	pods := g.readyPods(r)
	again := fmt.Sprintf("any of the %d pods: the router balances each request anew (%s)", len(pods), r.Balance)
	prompt := fmt.Sprintf("A browser opens %s and pod %s answers. The browser sends its next request with the cookies it got. Which pod serves it?", url, firstPod)
	expl := fmt.Sprintf("The simulation sent both requests: the second went to %s. Sticky sessions are on by default for http, edge and reencrypt Routes: the router's first answer set a cookie naming the chosen server, the browser sends it back, and the router skips balancing. curl without a cookie jar is balanced anew every time (%s); the cookie is off only with the annotation %s: \"true\".", nextPod, r.Balance, model.AnnotationDisableCookies)
	probe := &Probe{Load: &first, Loads: []model.LoadRequest{second}}
	return g.question(prompt, nextPod, append(slices.Clone(pods), again), expl, lessonSticky, 10, probe)
}

// statusUnknownHost: a host under the wildcard that no Route claims.
func (g *generator) statusUnknownHost() (Question, bool) {
	words := []string{"staging", "shop-old", "api-v0", "blog", "admin", "test"}
	var free []string
	for _, w := range words {
		host := w + "." + g.snap.Cluster.IngressDomain
		if !slices.ContainsFunc(g.snap.Routes, func(r model.RouteView) bool { return r.Host == host }) {
			free = append(free, host)
		}
	}
	host, ok := pickOne(g, free)
	if !ok {
		return Question{}, false
	}
	url := "https://" + host + "/"
	prompt := fmt.Sprintf("No Route claims the host %s. What does `curl %s` get?", host, url)
	return g.statusQuestion(prompt, nil, nil, 0, model.TraceRequest{URL: url, Client: "curl"}, lessonUnknownHost, 8, nil)
}

// statusInsecure: plain http to an edge or reencrypt Route, per its
// insecureEdgeTerminationPolicy (the current one or a what-if).
func (g *generator) statusInsecure() (Question, bool) {
	r, ok := pickOne(g, g.routes(func(r model.RouteView) bool {
		t := termination(r)
		return t == "edge" || t == "reencrypt"
	}))
	if !ok {
		return Question{}, false
	}
	spec, ok := g.routeSpec(routeKey(r))
	if !ok || spec.TLS == nil {
		return Question{}, false
	}
	policy := model.InsecurePolicies[g.rng.IntN(len(model.InsecurePolicies))]
	current := r.TLS.InsecureEdgeTerminationPolicy
	if current == "" {
		current = "None"
	}
	var setup []model.Command
	var text []string
	var advance int64
	if policy != current {
		tls := *spec.TLS
		tls.InsecureEdgeTerminationPolicy = policy
		spec.TLS = &tls
		setup = []model.Command{model.Apply{Route: &spec}}
		text = []string{fmt.Sprintf("Route %s gets insecureEdgeTerminationPolicy: %s", routeKey(r), policy)}
		advance = settleReloadMs
	}
	url := routeURL(r, "http", "")
	prompt := fmt.Sprintf("Route %s (TLS termination %s) has insecureEdgeTerminationPolicy: %s. What does `curl %s` (plain HTTP) get?", routeKey(r), termination(r), policy, url)
	return g.statusQuestion(prompt, setup, text, advance, model.TraceRequest{URL: url, Client: "curl"}, lessonInsecure, 0, nil)
}

// statusScaledToZero: a Route whose Deployments are scaled to 0.
func (g *generator) statusScaledToZero() (Question, bool) {
	return g.statusEmptyRoute(false)
}

// statusPassthroughEmpty: a passthrough Route with no endpoints: the
// connection is closed, no HTTP page.
func (g *generator) statusPassthroughEmpty() (Question, bool) {
	return g.statusEmptyRoute(true)
}

// statusEmptyRoute scales every Deployment behind a (passthrough or
// other) Route to 0 and asks what curl gets once the routers reloaded.
func (g *generator) statusEmptyRoute(passthrough bool) (Question, bool) {
	r, ok := pickOne(g, g.routes(func(r model.RouteView) bool {
		return (termination(r) == "passthrough") == passthrough && len(g.routeDeployments(r)) > 0
	}))
	if !ok {
		return Question{}, false
	}
	var setup []model.Command
	var names []string
	for _, d := range g.routeDeployments(r) {
		setup = append(setup, model.Scale{Namespace: d.Namespace, Deployment: d.Name, Replicas: 0})
		names = append(names, d.Namespace+"/"+d.Name)
	}
	text := []string{"scale " + strings.Join(names, ", ") + " to 0 replicas"}
	req := model.TraceRequest{URL: routeURL(r, "", ""), Client: "curl"}
	if passthrough {
		req.URL = routeURL(r, "https", "/")
		prompt := fmt.Sprintf("Route %s uses passthrough termination. %s scaled to 0 replicas. What does `curl %s` get 10 s later?", routeKey(r), deploymentsPhrase(names), req.URL)
		return g.statusQuestion(prompt, setup, text, settleReloadMs, req, lessonPassthrough, 8, nil)
	}
	prompt := fmt.Sprintf("%s behind Route %s scaled to 0 replicas; the Route and the Service stay. What does `curl %s` get 10 s later?", deploymentsPhrase(names), routeKey(r), req.URL)
	return g.statusQuestion(prompt, setup, text, settleReloadMs, req, lesson503, 8, nil)
}

// statusClusterIP: a pod calls a Service by name; half the time every
// endpoint has failed its readiness probe first.
func (g *generator) statusClusterIP() (Question, bool) {
	var cands []model.ServiceView
	for _, sv := range g.snap.Services {
		if sv.ClusterIP != "None" && sv.ClusterIP != "" && len(sv.Ports) > 0 && len(g.deploymentsOf(sv)) > 0 && !strings.HasPrefix(sv.Namespace, "openshift-") {
			cands = append(cands, sv)
		}
	}
	sv, ok := pickOne(g, cands)
	if !ok {
		return Question{}, false
	}
	deps := g.deploymentsOf(sv)
	isBehind := func(p model.PodView) bool {
		return p.Namespace == sv.Namespace && slices.ContainsFunc(deps, func(d model.DeploymentView) bool { return d.Name == p.Owner })
	}
	var callers, behind []model.PodView
	for _, p := range g.snap.Pods {
		if p.Router || p.Terminating || p.IP == "" || !p.Ready {
			continue
		}
		if isBehind(p) {
			behind = append(behind, p)
		} else {
			callers = append(callers, p)
		}
	}
	if len(callers) == 0 {
		callers = behind
	}
	caller, ok := pickOne(g, callers)
	if !ok {
		return Question{}, false
	}
	port := sv.Ports[0].Port
	url := fmt.Sprintf("http://%s.%s.svc.cluster.local:%d/", sv.Name, sv.Namespace, port)
	var setup []model.Command
	var text []string
	situation := fmt.Sprintf("Service %s/%s has %d ready endpoint(s).", sv.Namespace, sv.Name, countReady(sv))
	if g.rng.IntN(2) == 0 {
		for _, p := range behind {
			setup = append(setup, model.SetPodReady{Namespace: p.Namespace, Pod: p.Name, Ready: false})
		}
		if len(setup) == 0 {
			return Question{}, false
		}
		text = []string{fmt.Sprintf("every pod behind Service %s/%s fails its readiness probe", sv.Namespace, sv.Name)}
		situation = fmt.Sprintf("Every pod behind Service %s/%s (ClusterIP %s) fails its readiness probe.", sv.Namespace, sv.Name, sv.ClusterIP)
	}
	prompt := fmt.Sprintf("%s Pod %s/%s runs `curl %s`. What does it get?", situation, caller.Namespace, caller.Name, url)
	ds := []string{Label503, LabelTimeout, Label404, Label200, LabelRefused, "200 OK from a pod that is not ready"}
	return g.statusQuestion(prompt, setup, text, 0, model.TraceRequest{URL: url, From: caller.Namespace + "/" + caller.Name}, lessonNoEndpoints, 15, ds)
}

// deploymentsPhrase is "Deployment a/b is" or "Deployments a/b, c/d are".
func deploymentsPhrase(names []string) string {
	if len(names) == 1 {
		return "Deployment " + names[0] + " is"
	}
	return "Deployments " + strings.Join(names, ", ") + " are"
}

func countReady(sv model.ServiceView) int {
	n := 0
	for _, e := range sv.Endpoints {
		if e.Ready {
			n++
		}
	}
	return n
}

// servedRoute picks a route and traces a curl to it that gets 200.
func (g *generator) servedRoute() (model.RouteView, model.TraceRequest, model.TraceResult, bool) {
	r, ok := pickOne(g, g.routes(func(r model.RouteView) bool { return len(g.readyPods(r)) > 0 }))
	if !ok {
		return r, model.TraceRequest{}, model.TraceResult{}, false
	}
	req := model.TraceRequest{URL: routeURL(r, "", ""), Client: "curl", ClientIP: curlIP(g)}
	res, err := g.sim.Trace(req)
	if err != nil || res.Status != 200 {
		return r, req, res, false
	}
	return r, req, res, true
}

// Source-IP labels: who an address belongs to.
const (
	whoRouter  = "the router pod's IP"
	whoClient  = "the client's public IP"
	whoNode    = "the IP of the worker node that received it"
	whoLB      = "the load balancer node's private IP"
	whoCluster = "the Service's ClusterIP"
)

// sourceIP: the pod sees the router pod's IP at L3.
func (g *generator) sourceIP() (Question, bool) {
	_, req, res, ok := g.servedRoute()
	if !ok {
		return Question{}, false
	}
	pn, ok1 := firstHop(res, model.HopPodNet)
	np, ok2 := firstHop(res, model.HopNodePort)
	lb, ok3 := firstHop(res, model.HopLB)
	if !ok1 || !ok2 || !ok3 {
		return Question{}, false
	}
	seen := ipOf(pn.Src)
	node, _ := g.node(strings.TrimPrefix(np.From, "node:"))
	svcNS, svcName, _ := strings.Cut(res.Service, "/")
	sv, _ := g.service(svcNS, svcName)
	cands := map[string]string{ // who → IP
		whoRouter: ipOf(np.Dst),
		whoClient: req.ClientIP,
		whoNode:   node.IP,
	}
	if g.snap.LoadBalancer.Type == "Classic" {
		cands[whoLB] = ipOf(lb.Src)
	}
	if sv.ClusterIP != "" && sv.ClusterIP != "None" {
		cands[whoCluster] = sv.ClusterIP
	}
	label := func(who string) string { return cands[who] + " — " + who }
	right := ""
	var ds []string
	for _, who := range []string{whoRouter, whoClient, whoNode, whoLB, whoCluster} {
		if cands[who] == "" {
			continue
		}
		if cands[who] == seen && right == "" {
			right = label(who)
		} else {
			ds = append(ds, label(who))
		}
	}
	if right == "" {
		return Question{}, false
	}
	prompt := fmt.Sprintf("curl on %s fetches %s and pod %s answers. Which source IP does the pod see on its TCP connection?", req.ClientIP, req.URL, res.Pod)
	expl := notes(res, model.HopPodNet, model.HopApp)
	if termination(g.routeByKey(res.Route)) != "passthrough" {
		expl += fmt.Sprintf(" The client IP %s reaches the pod only in the X-Forwarded-For and Forwarded headers.", req.ClientIP)
	} else {
		expl += " With passthrough the router adds no headers, so the pod does not learn the client IP."
	}
	return g.question(prompt, right, ds, expl, lessonSourceIP, 9, &Probe{Trace: &req})
}

func (g *generator) routeByKey(key string) model.RouteView {
	for _, r := range g.snap.Routes {
		if routeKey(r) == key {
			return r
		}
	}
	return model.RouteView{}
}

// Client-IP labels: where the client's address shows up at the pod.
const (
	WhereXFF     = "in the X-Forwarded-For and Forwarded headers the router adds"
	WhereNowhere = "nowhere: the router adds no headers, and the pod sees the router's IP"
	WhereL3      = "as the source address of the packets"
	WhereProxy   = "in a PROXY protocol header the router sends to the pod"
	WhereAWS     = "in an X-Real-IP header the AWS load balancer adds"
)

// clientIP: X-Forwarded-For for http modes; nowhere for passthrough.
func (g *generator) clientIP() (Question, bool) {
	r, req, res, ok := g.servedRoute()
	if !ok {
		return Question{}, false
	}
	pn, ok := firstHop(res, model.HopPodNet)
	if !ok {
		return Question{}, false
	}
	right := WhereNowhere
	if slices.Contains(pn.Detail().Headers, "X-Forwarded-For: "+req.ClientIP) {
		right = WhereXFF
	} else if ipOf(pn.Src) == req.ClientIP {
		right = WhereL3
	}
	mode := termination(r)
	if mode == "" {
		mode = "none (plain HTTP)"
	}
	prompt := fmt.Sprintf("curl on %s fetches %s (Route %s, TLS termination %s). Where does the serving pod find the client's IP %s?", req.ClientIP, req.URL, routeKey(r), mode, req.ClientIP)
	expl := notes(res, model.HopLB, model.HopNodePort, model.HopPodNet)
	return g.question(prompt, right, []string{WhereXFF, WhereNowhere, WhereL3, WhereProxy, WhereAWS}, expl, lessonClientIP, 9, &Probe{Trace: &req})
}

// Cross-node labels.
const (
	PathSameNode = "no: same node — the router's veth, a /32 host route, the pod's cali* veth; no encapsulation"
	PathVXLAN    = "yes: VXLAN (vxlan.calico, UDP 4789), outer header node IP → node IP"
	PathIPIP     = "yes: IP-in-IP (tunl0, IP protocol 4), outer header node IP → node IP"
	PathRouted   = "yes: routed as it is, pod IPs on the wire, no encapsulation"
	PathDropped  = "it never arrives: the packet is dropped on the way, and the connect times out"
	PathService  = "yes: through the Service's ClusterIP, which forwards it to the pod's node"
)

// CrossNodeLabel names how a router → pod or pod → pod hop travelled.
func CrossNodeLabel(h model.Hop, sameNode bool) string {
	switch {
	case sameNode:
		return PathSameNode
	case h.Encapsulation == "vxlan":
		return PathVXLAN
	case h.Encapsulation == "ipip":
		return PathIPIP
	case h.Failed:
		return PathDropped
	}
	return PathRouted
}

// crossNode: same-node veth, VXLAN, IP-in-IP or plain routing per the
// pool mode; sometimes a what-if pool mode.
func (g *generator) crossNode() (Question, bool) {
	var setup []model.Command
	var text []string
	mode := g.snap.Network.Encapsulation
	if g.rng.IntN(2) == 0 {
		m := model.Encapsulations[g.rng.IntN(len(model.Encapsulations))]
		if m != mode {
			mode = m
			setup = []model.Command{model.SetNetwork{Encapsulation: &m}}
			text = []string{"set the Calico IP pool mode to " + m}
		}
	}
	cp, ok := g.prepared(setup, 0)
	if !ok {
		return Question{}, false
	}
	snap := cp.Snapshot()
	var req model.TraceRequest
	hopKind := model.HopPodNet
	eastWest := false
	if g.rng.IntN(3) == 0 {
		// East–west: a pod calls another namespace-local Service.
		if r, ok := g.eastWestRequest(); ok {
			req, hopKind, eastWest = r, model.HopService, true
		}
	}
	if !eastWest {
		r, ok := pickOne(g, g.routes(func(r model.RouteView) bool { return len(g.readyPods(r)) > 0 }))
		if !ok {
			return Question{}, false
		}
		req = model.TraceRequest{URL: routeURL(r, "", ""), Client: "curl"}
	}
	res, err := cp.Trace(req)
	if err != nil {
		return Question{}, false
	}
	h, ok := firstHop(res, hopKind)
	if !ok || !strings.HasPrefix(h.From, "pod:") || !strings.HasPrefix(h.To, "pod:") {
		return Question{}, false
	}
	from, ok1 := podIn(snap, strings.TrimPrefix(h.From, "pod:"))
	to, ok2 := podIn(snap, strings.TrimPrefix(h.To, "pod:"))
	if !ok1 || !ok2 {
		return Question{}, false
	}
	fromNode, _ := nodeIn(snap, from.Node)
	toNode, _ := nodeIn(snap, to.Node)
	right := CrossNodeLabel(h, from.Node == to.Node)
	who := "The router pod " + from.Name
	if eastWest {
		who = "Pod " + from.Name + " (calling " + req.URL + ")"
	}
	prompt := fmt.Sprintf("Calico IP pool mode %s, EC2 source/destination check %s. %s on node %s (%s) connects to pod %s on node %s (%s). Does the packet cross nodes, and how?",
		mode, onOff(snap.Network.SourceDestCheck), who, from.Node, fromNode.Zone, to.Name, to.Node, toNode.Zone)
	expl := h.Detail().Note
	if n := h.Detail().Outer; n != "" {
		expl += " Outer header: " + n + "."
	}
	ds := []string{PathSameNode, PathVXLAN, PathIPIP, PathRouted, PathDropped, PathService}
	lesson := lessonCalico
	if right == PathSameNode {
		lesson = lessonSameNode
	}
	return g.question(prompt, right, ds, expl, lesson, 1, &Probe{Setup: setup, SetupText: text, Trace: &req})
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// eastWestRequest is a request from an app pod to a Service of its
// namespace that has ready endpoints and is not its own.
func (g *generator) eastWestRequest() (model.TraceRequest, bool) {
	type pair struct {
		from string
		url  string
	}
	var pairs []pair
	for _, sv := range g.snap.Services {
		if sv.ClusterIP == "None" || countReady(sv) == 0 || len(sv.Ports) == 0 || strings.HasPrefix(sv.Namespace, "openshift-") {
			continue
		}
		deps := g.deploymentsOf(sv)
		for _, p := range g.snap.Pods {
			if p.Router || !p.Ready || p.Terminating || p.Namespace != sv.Namespace || slices.ContainsFunc(deps, func(d model.DeploymentView) bool { return d.Name == p.Owner }) {
				continue
			}
			pairs = append(pairs, pair{p.Namespace + "/" + p.Name, fmt.Sprintf("http://%s.%s.svc.cluster.local:%d/", sv.Name, sv.Namespace, sv.Ports[0].Port)})
		}
	}
	p, ok := pickOne(g, pairs)
	return model.TraceRequest{URL: p.url, From: p.from}, ok
}

func podIn(snap model.Snapshot, key string) (model.PodView, bool) {
	for _, p := range snap.Pods {
		if p.Namespace+"/"+p.Name == key {
			return p, true
		}
	}
	return model.PodView{}, false
}

func nodeIn(snap model.Snapshot, name string) (model.NodeView, bool) {
	for _, n := range snap.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return model.NodeView{}, false
}

// ZonesLabel names a set of AZs, sorted.
func ZonesLabel(zones []string) string {
	if len(zones) == 0 {
		return "none: the record has no address"
	}
	z := slices.Clone(zones)
	sort.Strings(z)
	return strings.Join(z, ", ")
}

// dnsZones: the DNS answer holds one IP per AZ with a healthy target.
func (g *generator) dnsZones() (Question, bool) {
	zones := g.snap.Cluster.Zones
	routerZones := func(snap model.Snapshot) []string {
		var out []string
		for _, r := range snap.Routers {
			if n, ok := nodeIn(snap, r.Node); ok && r.Ready && !slices.Contains(out, n.Zone) {
				out = append(out, n.Zone)
			}
		}
		return out
	}
	var setup []model.Command
	var text []string
	var situation string
	switch g.rng.IntN(3) {
	case 0:
		situation = fmt.Sprintf("The %d router pods run in %s.", len(g.snap.Routers), ZonesLabel(routerZones(g.snap)))
	case 1:
		rz := routerZones(g.snap)
		z, ok := pickOne(g, rz)
		if !ok {
			return Question{}, false
		}
		setup = []model.Command{model.SetZoneDown{Zone: z, Down: true}}
		text = []string{"fail availability zone " + z}
		situation = fmt.Sprintf("The router pods run in %s. Zone %s fails; 45 s pass.", ZonesLabel(rz), z)
	default:
		n := len(zones)
		setup = []model.Command{model.ScaleRouters{Replicas: n}}
		text = []string{fmt.Sprintf("scale the default IngressController to %d replicas", n)}
		situation = fmt.Sprintf("The default IngressController is scaled to %d replicas (one per worker zone); 45 s pass.", n)
	}
	advance := int64(0)
	if setup != nil {
		advance = settleLBMs
	}
	cp, ok := g.prepared(setup, advance)
	if !ok {
		return Question{}, false
	}
	snap := cp.Snapshot()
	var inDNS []string
	for _, z := range snap.LoadBalancer.Zones {
		if z.InDNS {
			inDNS = append(inDNS, z.Zone)
		}
	}
	url := "https://" + "console-check." + snap.Cluster.IngressDomain + "/"
	req := model.TraceRequest{URL: url, Client: "curl"}
	res, err := cp.Trace(req)
	if err != nil {
		return Question{}, false
	}
	right := ZonesLabel(inDNS)
	ds := []string{ZonesLabel(zones), ZonesLabel(routerZones(snap)), ZonesLabel(routerZones(g.snap))}
	for _, sub := range subsets(zones) {
		ds = append(ds, ZonesLabel(sub))
	}
	// Prefer the telling distractors: keep the first three in front.
	choices, answer, ok := g.choicesOrdered(right, ds, 4)
	if !ok {
		return Question{}, false
	}
	prompt := fmt.Sprintf("%s Cross-zone load balancing is %s. Which AZs' load balancer addresses are in the DNS answer for *.%s?", situation, onOff(snap.LoadBalancer.CrossZone), snap.Cluster.IngressDomain)
	expl := ""
	for _, h := range res.Hops {
		if h.Kind == model.HopDNS && h.Detail().Note != "" {
			expl += strings.TrimSuffix(h.Detail().Note, ".") + ". "
		}
	}
	expl += fmt.Sprintf("The simulation's DNS answer holds %d address(es): %s.", len(snap.DNS.Answer), right) + " An AZ whose LB node has no healthy target (no ready router on its workers, because of externalTrafficPolicy: Local) drops out of DNS; cross-zone load balancing is off as OpenShift creates the LB."
	return Question{Prompt: prompt, Choices: choices, Answer: answer, Explanation: expl, Link: lessonLink(lessonAZ), Misconception: 17,
		Probe: &Probe{Setup: setup, SetupText: text, AdvanceMs: advance, Trace: &req, State: true}}, true
}

// choicesOrdered is choices but keeps the distractors' order of
// preference before shuffling the final set.
func (g *generator) choicesOrdered(right string, distractors []string, most int) ([]string, int, bool) {
	var ds []string
	for _, d := range distractors {
		if d != right && !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	if len(ds) < 2 {
		return nil, 0, false
	}
	all := append([]string{right}, ds[:min(len(ds), most-1)]...)
	g.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all, slices.Index(all, right), true
}

// subsets lists the non-empty subsets of zones, smallest first.
func subsets(zones []string) [][]string {
	var out [][]string
	for mask := 1; mask < 1<<len(zones); mask++ {
		var s []string
		for i, z := range zones {
			if mask&(1<<i) != 0 {
				s = append(s, z)
			}
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) < len(out[j]) })
	return out
}

// routePath: a /cart Route beside the host's / Route; segment-aware
// prefixes, longest first.
func (g *generator) routePath() (Question, bool) {
	r, ok := pickOne(g, g.routes(func(r model.RouteView) bool {
		return termination(r) != "passthrough" && (r.Path == "" || r.Path == "/") && len(g.readyPods(r)) > 0
	}))
	if !ok {
		return Question{}, false
	}
	base, ok := g.routeSpec(routeKey(r))
	if !ok {
		return Question{}, false
	}
	cart := model.Route{Namespace: base.Namespace, Name: base.Name + "-cart", Host: base.Host, Path: "/cart", To: model.RouteTarget{Service: base.To.Service}, TLS: base.TLS}
	setup := []model.Command{model.Apply{Route: &cart}}
	text := []string{fmt.Sprintf("add Route %s/%s for %s with path /cart", cart.Namespace, cart.Name, cart.Host)}
	cp, ok := g.prepared(setup, settleReloadMs)
	if !ok {
		return Question{}, false
	}
	path, _ := pickOne(g, []string{"/cartoon", "/cart/x", "/cart", "/carts", "/Cart", "/cart?id=7", "/shop/cart"})
	req := model.TraceRequest{URL: routeURL(r, "", path), Client: "curl"}
	res, err := cp.Trace(req)
	if err != nil || res.Route == "" {
		return Question{}, false
	}
	label := func(key, p string) string { return fmt.Sprintf("Route %s (path %s)", key, p) }
	names := map[string]string{routeKey(r): label(routeKey(r), "/"), cart.Namespace + "/" + cart.Name: label(cart.Namespace+"/"+cart.Name, "/cart")}
	right, ok := names[res.Route]
	if !ok {
		return Question{}, false
	}
	ds := []string{label(routeKey(r), "/"), label(cart.Namespace+"/"+cart.Name, "/cart"), Label404, "neither: the router answers 503"}
	prompt := fmt.Sprintf("Host %s has Route %s with no path. You add Route %s/%s for the same host with path /cart. Which Route serves %s?", r.Host, routeKey(r), cart.Namespace, cart.Name, req.URL)
	expl := notes(res, model.HopPodNet) + " Paths are prefixes on segment boundaries (/cart matches /cart and /cart/x, not /cartoon; matching is case-sensitive), and for one host the longest matching path wins."
	return g.question(prompt, right, ds, expl, lessonRouting, 11, &Probe{Setup: setup, SetupText: text, AdvanceMs: settleReloadMs, Trace: &req})
}

// routeClaim: a newer Route for the same host and path is rejected; the
// oldest wins.
func (g *generator) routeClaim() (Question, bool) {
	r, ok := pickOne(g, g.routes(func(r model.RouteView) bool { return len(g.readyPods(r)) > 0 }))
	if !ok {
		return Question{}, false
	}
	base, ok := g.routeSpec(routeKey(r))
	if !ok {
		return Question{}, false
	}
	newer := base
	newer.Name = base.Name + "-new"
	newer.AlternateBackends = nil
	newer.Annotations = nil
	setup := []model.Command{model.Apply{Route: &newer}}
	newKey := newer.Namespace + "/" + newer.Name
	text := []string{fmt.Sprintf("create Route %s for the same host and path as %s", newKey, routeKey(r))}
	cp, ok := g.prepared(setup, settleReloadMs)
	if !ok {
		return Question{}, false
	}
	req := model.TraceRequest{URL: routeURL(r, "", ""), Client: "curl"}
	res, err := cp.Trace(req)
	if err != nil || res.Route == "" {
		return Question{}, false
	}
	older := fmt.Sprintf("%s, the older Route; %s is rejected HostAlreadyClaimed", routeKey(r), newKey)
	newerWins := fmt.Sprintf("%s, the newer Route; it replaces %s", newKey, routeKey(r))
	labels := map[string]string{routeKey(r): older, newKey: newerWins}
	right, ok := labels[res.Route]
	if !ok {
		return Question{}, false
	}
	ds := []string{older, newerWins, "both, in turn: the router balances between the two Routes", "neither: the clash makes the router answer 503"}
	prompt := fmt.Sprintf("Route %s serves %s. Someone creates Route %s in the same namespace with the same host and path. Which Route serves `curl %s` 10 s later?", routeKey(r), r.Host, newKey, req.URL)
	admission := ""
	for _, rv := range cp.Snapshot().Routes {
		if routeKey(rv) == newKey && rv.Reason != "" {
			admission = " Admission: " + rv.Reason + "."
		}
	}
	expl := notes(res, model.HopPodNet) + admission + " When two Routes claim the same host and path, the oldest wins."
	return g.question(prompt, right, ds, expl, lessonRouteClaim, 12, &Probe{Setup: setup, SetupText: text, AdvanceMs: settleReloadMs, Trace: &req})
}
