package quiz

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/podpath/podpath/model"
)

// Questions on what a URL gets: the outcome labels and the status
// questions (unknown host, insecure policy, no endpoints, a ClusterIP).

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
	LabelDNSWait = "DNS never answers: the name does not resolve, after the resolver's timeout"
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
	case "dns-timeout":
		return LabelDNSWait
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

// statusClusterIP: a pod calls a Service by name; a third of the time
// every endpoint has failed its readiness probe first (refused), a third
// of the time on a port the Service does not define (iptables: it hangs;
// nftables and IPVS: refused).
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
	var setup []model.Command
	var text []string
	situation := fmt.Sprintf("Service %s/%s has %d ready endpoint(s).", sv.Namespace, sv.Name, countReady(sv))
	lesson, misconception := lessonNoEndpoints, 15
	switch g.rng.IntN(3) {
	case 0:
		for _, p := range behind {
			setup = append(setup, model.SetPodReady{Namespace: p.Namespace, Pod: p.Name, Ready: false})
		}
		if len(setup) == 0 {
			return Question{}, false
		}
		text = []string{fmt.Sprintf("every pod behind Service %s/%s fails its readiness probe", sv.Namespace, sv.Name)}
		situation = fmt.Sprintf("Every pod behind Service %s/%s (ClusterIP %s) fails its readiness probe.", sv.Namespace, sv.Name, sv.ClusterIP)
	case 1:
		// A port the Service does not define: iptables has no rule for it.
		defined := make([]string, 0, len(sv.Ports))
		for _, p := range sv.Ports {
			defined = append(defined, fmt.Sprint(p.Port))
		}
		for slices.Contains(defined, fmt.Sprint(port)) {
			port++
		}
		situation = fmt.Sprintf("Service %s/%s (ClusterIP %s) has %d ready endpoint(s) and defines only port(s) %s; kube-proxy runs in %s mode.", sv.Namespace, sv.Name, sv.ClusterIP, countReady(sv), strings.Join(defined, ", "), g.snap.Network.KubeProxyMode)
		lesson, misconception = lessonEastWest, 0
	}
	url := fmt.Sprintf("http://%s.%s.svc.cluster.local:%d/", sv.Name, sv.Namespace, port)
	prompt := fmt.Sprintf("%s Pod %s/%s runs `curl %s`. What does it get?", situation, caller.Namespace, caller.Name, url)
	ds := []string{Label503, LabelTimeout, Label404, Label200, LabelRefused, "200 OK from a pod that is not ready"}
	return g.statusQuestion(prompt, setup, text, 0, model.TraceRequest{URL: url, From: caller.Namespace + "/" + caller.Name}, lesson, misconception, ds)
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

// statusRedirectSpecific: beside the host's edge or reencrypt Route with
// Redirect, a /cart Route (edge with None, or plain) — the redirect map's
// most specific match decides what plain HTTP to /cart gets.
func (g *generator) statusRedirectSpecific() (Question, bool) {
	r, ok := pickOne(g, g.routes(func(r model.RouteView) bool {
		t := termination(r)
		return (t == "edge" || t == "reencrypt") && r.TLS.InsecureEdgeTerminationPolicy == "Redirect" && (r.Path == "" || r.Path == "/") && len(g.readyPods(r)) > 0
	}))
	if !ok {
		return Question{}, false
	}
	base, ok := g.routeSpec(routeKey(r))
	if !ok {
		return Question{}, false
	}
	cart := model.Route{Namespace: base.Namespace, Name: base.Name + "-cart", Host: base.Host, Path: "/cart", To: base.To, TargetPort: base.TargetPort}
	kind := "plain, no TLS"
	if g.rng.IntN(2) == 0 {
		cart.TLS = &model.RouteTLS{Termination: "edge", InsecureEdgeTerminationPolicy: "None"}
		kind = "edge, insecureEdgeTerminationPolicy None"
	}
	setup := []model.Command{model.Apply{Route: &cart}}
	text := []string{fmt.Sprintf("add Route %s/%s (%s) for %s with path /cart", cart.Namespace, cart.Name, kind, cart.Host)}
	url := routeURL(r, "http", "/cart")
	prompt := fmt.Sprintf("Route %s (%s, insecureEdgeTerminationPolicy Redirect) serves %s on /. You add Route %s/%s (%s) on /cart. What does `curl %s` (plain HTTP) get?", routeKey(r), termination(r), r.Host, cart.Namespace, cart.Name, kind, url)
	return g.statusQuestion(prompt, setup, text, settleReloadMs, model.TraceRequest{URL: url, Client: "curl"}, lessonInsecure, 0, nil)
}

// statusTargetPort: a Route's spec.port.targetPort set to the Service's
// port, its pods' port number or the port's name; only the last two name
// an endpoint port.
func (g *generator) statusTargetPort() (Question, bool) {
	r, ok := pickOne(g, g.routes(func(r model.RouteView) bool { return len(r.To) == 1 && len(g.readyPods(r)) > 0 }))
	if !ok {
		return Question{}, false
	}
	sv, ok := g.service(r.Namespace, r.To[0].Service)
	if !ok || len(sv.Ports) != 1 || len(sv.Endpoints) == 0 || sv.Endpoints[0].Port == sv.Ports[0].Port {
		return Question{}, false
	}
	base, ok := g.routeSpec(routeKey(r))
	if !ok {
		return Question{}, false
	}
	p := sv.Ports[0]
	choices := []string{strconv.Itoa(p.Port), strconv.Itoa(sv.Endpoints[0].Port)}
	if p.Name != "" {
		choices = append(choices, p.Name)
	}
	base.TargetPort = choices[g.rng.IntN(len(choices))]
	setup := []model.Command{model.Apply{Route: &base}}
	text := []string{fmt.Sprintf("Route %s gets spec.port.targetPort: %s", routeKey(r), base.TargetPort)}
	prompt := fmt.Sprintf("Service %s/%s has port %d (name %q) → targetPort %s on the pods, which listen on %d. Route %s is given spec.port.targetPort: %s. What does `curl %s` get 10 s later?",
		sv.Namespace, sv.Name, p.Port, p.Name, p.TargetPort, sv.Endpoints[0].Port, routeKey(r), base.TargetPort, routeURL(r, "", ""))
	return g.statusQuestion(prompt, setup, text, settleReloadMs, model.TraceRequest{URL: routeURL(r, "", ""), Client: "curl"}, lessonRouting, 19, nil)
}
