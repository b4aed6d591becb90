package quiz

import (
	"fmt"

	"github.com/podpath/podpath/model"
)

// Questions on route matching and admission: paths and host claims.

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
