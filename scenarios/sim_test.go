package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// intended5xx names the built-ins whose first minute is meant to show
// server errors, and why. None is: every scenario starts healthy, and the
// failures (a deleted NetworkPolicy, a failed zone) come with its steps.
var intended5xx = map[string]string{}

// runFor advances a Sim and tallies what its requests got.
func runFor(t *testing.T, sim *model.Sim, untilMs int64) (requests int, byStatus map[int]int, failures []string) {
	t.Helper()
	sim.AdvanceTo(untilMs)
	out := sim.Drain()
	byStatus = map[int]int{}
	for _, r := range out.Requests {
		byStatus[r.Status]++
		if r.Status >= 500 || r.Status == 0 {
			if len(failures) < 5 {
				failures = append(failures, fmt.Sprintf("%s %s → %d %s: %s", r.ClientKind, r.URL, r.Status, r.Outcome, r.Reason))
			}
		}
	}
	return len(out.Requests), byStatus, failures
}

func TestEveryBuiltinRunsAMinuteWithoutServerErrors(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			sc, _, err := Load(name)
			require.NoError(t, err)
			sim, err := model.New(sc)
			require.NoError(t, err)
			requests, byStatus, failures := runFor(t, sim, 60_000)
			assert.Greater(t, requests, 100, "the traffic profile makes requests")
			if reason, ok := intended5xx[name]; ok {
				t.Logf("5xx intended: %s", reason)
				return
			}
			assert.Empty(t, failures, "statuses %v", byStatus)
			assert.Greater(t, byStatus[200], requests/2, "statuses %v", byStatus)
		})
	}
}

func TestEveryBuiltinStepApplies(t *testing.T) {
	for _, name := range Names() {
		steps, err := Steps(name)
		require.NoError(t, err)
		if len(steps) == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			sc, _, err := Load(name)
			require.NoError(t, err)
			sim, err := model.New(sc)
			require.NoError(t, err)
			now := int64(30_000)
			sim.AdvanceTo(now)
			for i, step := range steps {
				if step.Command == nil {
					continue
				}
				require.NoError(t, sim.Apply(step.Command), "step %d %q", i+1, step.Title)
				now += 30_000
				sim.AdvanceTo(now)
			}
		})
	}
}

func TestBuiltinsShowWhatTheySay(t *testing.T) {
	t.Run("api-ingress: 3 pods on two nodes, some requests cross nodes in VXLAN", func(t *testing.T) {
		sc, _, err := Load("api-ingress")
		require.NoError(t, err)
		sim, err := model.New(sc)
		require.NoError(t, err)
		sim.AdvanceTo(60_000)
		nodes := map[string]bool{}
		for _, pod := range sim.Snapshot().Pods {
			if pod.Namespace == "default" {
				nodes[pod.Node] = true
			}
		}
		assert.Len(t, nodes, 2)
		crossing := 0
		for _, r := range sim.Drain().Requests {
			for _, hop := range r.Hops {
				if hop.Kind == model.HopPodNet && hop.Encapsulation == "vxlan" {
					crossing++
				}
			}
		}
		assert.Positive(t, crossing)
	})
	t.Run("route-conflict: the older Route serves", func(t *testing.T) {
		sc, _, err := Load("route-conflict")
		require.NoError(t, err)
		sim, err := model.New(sc)
		require.NoError(t, err)
		sim.AdvanceTo(30_000)
		for _, r := range sim.Drain().Requests {
			assert.Equal(t, "team-a/web", r.Route)
		}
	})
	t.Run("network-policy: without the router allow, clients get 503", func(t *testing.T) {
		sc, _, err := Load("network-policy")
		require.NoError(t, err)
		sim, err := model.New(sc)
		require.NoError(t, err)
		steps, err := Steps("network-policy")
		require.NoError(t, err)
		sim.AdvanceTo(20_000)
		sim.Drain()
		require.NoError(t, sim.Apply(steps[1].Command))
		_, byStatus, _ := runFor(t, sim, 60_000)
		assert.Positive(t, byStatus[503], "statuses %v", byStatus)
	})
}
