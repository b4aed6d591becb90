package quiz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/podpath/podpath/model"
)

// Questions on addresses: which source IP the pod sees and where the
// client IP shows up.

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
