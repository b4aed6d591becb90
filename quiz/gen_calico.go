package quiz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/podpath/podpath/model"
)

// Questions on the pod network: does a hop cross nodes, and how.

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
