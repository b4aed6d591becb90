package quiz

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/podpath/podpath/model"
)

// Questions on DNS and the load balancer: which AZs the answer holds.

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
