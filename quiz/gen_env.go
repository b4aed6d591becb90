package quiz

import (
	"fmt"
	"strings"

	"github.com/podpath/podpath/model"
)

// Questions on the legacy discovery through environment variables: a
// Service deleted and created again, and a pod that still holds its old
// ClusterIP in <SVC>_SERVICE_HOST.

// envRecreated: the pod's variables were written when its container
// started; the recreated Service has a new ClusterIP, so the old address
// leads nowhere.
func (g *generator) envRecreated() (Question, bool) {
	specs := map[string]model.Service{}
	for _, sv := range g.sim.Scenario().Services {
		specs[sv.Namespace+"/"+sv.Name] = sv
	}
	type pair struct {
		spec   model.Service
		caller model.PodView
	}
	var cands []pair
	for _, sv := range g.snap.Services {
		spec, ok := specs[sv.Namespace+"/"+sv.Name]
		if !ok || sv.ClusterIP == "None" || sv.ClusterIP == "" || len(sv.Ports) == 0 || countReady(sv) == 0 || strings.HasPrefix(sv.Namespace, "openshift-") {
			continue
		}
		for _, p := range g.snap.Pods {
			if p.Namespace == sv.Namespace && !p.Router && p.Ready && !p.Terminating {
				cands = append(cands, pair{spec, p})
			}
		}
	}
	c, ok := pickOne(g, cands)
	if !ok {
		return Question{}, false
	}
	name := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(c.spec.Name))
	url := fmt.Sprintf("http://$%s_SERVICE_HOST:$%s_SERVICE_PORT/", name, name)
	setup := []model.Command{
		model.Delete{Kind: "Service", Namespace: c.spec.Namespace, Name: c.spec.Name},
		model.Apply{Service: &c.spec},
	}
	text := []string{
		fmt.Sprintf("oc delete service %s -n %s", c.spec.Name, c.spec.Namespace),
		fmt.Sprintf("oc apply the same Service %s/%s again", c.spec.Namespace, c.spec.Name),
	}
	prompt := fmt.Sprintf("Service %s/%s is deleted and created again from the same YAML. Pod %s/%s, running since before, runs `curl %s`. What does it get?",
		c.spec.Namespace, c.spec.Name, c.caller.Namespace, c.caller.Name, url)
	ds := []string{Label200, LabelRefused, LabelNXDOM, Label503, LabelTimeout}
	return g.statusQuestion(prompt, setup, text, 3000, model.TraceRequest{URL: url, From: c.caller.Namespace + "/" + c.caller.Name}, lessonEnvVars, 0, ds)
}
