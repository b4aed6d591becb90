package scenarios

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// allBuiltins is the library the issue asks for; a new file must be
// added here on purpose.
var allBuiltins = []string{
	"shop", "api-ingress", "app-dev", "az-outage", "blue-green", "canary", "large",
	"microservices", "network-policy", "passthrough-tls", "podpath-on-openshift", "reencrypt-tls",
	"route-conflict",
	// walkthroughs (issue 6)
	"golden-path", "scaling", "weights", "why-503", "calico", "tls",
}

// builtinWarnings names the warnings a built-in is allowed to have (none
// so far).
var builtinWarnings = map[string][]string{}

func TestNamesListsTheLibraryWithShopFirst(t *testing.T) {
	names := Names()
	assert.Equal(t, DefaultName, names[0])
	assert.ElementsMatch(t, allBuiltins, names)
	assert.IsIncreasing(t, names[1:])
}

func TestEveryBuiltinParses(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			sc, warnings, err := Load(name)
			require.NoError(t, err)
			var messages []string
			for _, w := range warnings {
				messages = append(messages, w.String())
			}
			assert.Equal(t, builtinWarnings[name], messages)
			assert.Equal(t, name, sc.Name)
			assert.NotEmpty(t, sc.Title)
			assert.NotEmpty(t, sc.Description)
			assert.NotEmpty(t, sc.Workloads)
			assert.NotEmpty(t, sc.Services)
			assert.NotEmpty(t, sc.Routes)
			assert.NotEmpty(t, sc.Settings.Traffic.Mix, "a built-in makes traffic")
			_, err = Steps(name)
			require.NoError(t, err)
		})
	}
}

func TestListDescribesEveryBuiltin(t *testing.T) {
	infos := List()
	require.Len(t, infos, len(allBuiltins))
	steps := map[string]int{}
	for i, info := range infos {
		assert.Equal(t, Names()[i], info.Name)
		assert.NotEmpty(t, info.Title, info.Name)
		assert.Greater(t, len(info.Description), 100, "%s: a one-paragraph description", info.Name)
		steps[info.Name] = info.Steps
	}
	assert.Equal(t, 3, steps["canary"])
	assert.Equal(t, 2, steps["blue-green"])
	assert.Equal(t, walkthroughs["network-policy"], steps["network-policy"])
	assert.Equal(t, walkthroughs["az-outage"], steps["az-outage"])
	assert.Equal(t, 2, steps["route-conflict"])
	assert.Equal(t, 0, steps["shop"])
}

func TestShopIsTheDefaultCluster(t *testing.T) {
	sc, warnings, err := Load("shop")
	require.NoError(t, err)
	assert.Empty(t, warnings)

	s := sc.Settings
	assert.Equal(t, "demo", s.ClusterName)
	assert.Equal(t, "example.com", s.BaseDomain)
	assert.Equal(t, "us-east-1", s.Region)
	assert.Equal(t, []string{"us-east-1a", "us-east-1b", "us-east-1c"}, s.Zones)
	assert.Equal(t, 1, s.WorkersPerZone)
	assert.Equal(t, "4.16", s.OpenShiftVersion)
	assert.Equal(t, "Classic", s.LBType)
	assert.False(t, s.CrossZone)
	assert.Equal(t, 2, *s.RouterReplicas)
	assert.Equal(t, "VXLAN", s.Encapsulation)
	assert.Equal(t, "iptables", s.KubeProxyMode)
	assert.Equal(t, int64(5000), s.ReloadIntervalMs)
	assert.InDelta(t, 8, s.Traffic.RPS, 0.001)
	clients := map[string]bool{}
	for _, mix := range s.Traffic.Mix {
		assert.Equal(t, "https://shop.apps.demo.example.com/", mix.URL)
		assert.Empty(t, mix.From)
		clients[mix.Client] = true
	}
	assert.Equal(t, map[string]bool{"browser": true, "curl": true}, clients)

	assert.Equal(t, []model.Namespace{{Name: "shop"}}, sc.Namespaces)
	require.Len(t, sc.Workloads, 1)
	d := sc.Workloads[0]
	assert.Equal(t, "shop", d.Namespace)
	assert.Equal(t, "shop", d.Name)
	assert.Equal(t, 4, d.Replicas)
	assert.Equal(t, map[string]string{"app": "shop"}, d.Selector)
	assert.Equal(t, map[string]string{"app": "shop"}, d.Labels)
	assert.Equal(t, []model.ContainerPort{{Name: "http", Port: 8080}}, d.Ports)

	require.Len(t, sc.Services, 1)
	svc := sc.Services[0]
	assert.Equal(t, "shop", svc.Name)
	assert.Equal(t, map[string]string{"app": "shop"}, svc.Selector)
	assert.Equal(t, []model.ServicePort{{Name: "http", Protocol: "TCP", Port: 80, TargetPort: "8080"}}, svc.Ports)
	assert.Empty(t, svc.ClusterIP, "allocated by the model")

	require.Len(t, sc.Routes, 1)
	r := sc.Routes[0]
	assert.Equal(t, "shop", r.Namespace)
	assert.Equal(t, "shop", r.Name)
	assert.Equal(t, "shop.apps.demo.example.com", r.Host)
	assert.Equal(t, "/", r.Path)
	assert.Equal(t, "shop", r.To.Service)
	assert.Equal(t, &model.RouteTLS{Termination: "edge", InsecureEdgeTerminationPolicy: "Redirect"}, r.TLS)
	assert.Empty(t, sc.NetworkPolicies)
}

func TestLoadUnknownNameListsTheLibrary(t *testing.T) {
	_, _, err := Load("nope")
	require.Error(t, err)
	assert.True(t, errors.Is(err, model.ErrNotFound))
	assert.ErrorContains(t, err, `scenario "nope"`)
	assert.ErrorContains(t, err, "shop, api-ingress")
	_, err = Steps("nope")
	assert.ErrorIs(t, err, model.ErrNotFound)
}

func TestLoadReturnsTheCallersOwnCopy(t *testing.T) {
	first, _, err := Load("shop")
	require.NoError(t, err)
	first.Workloads[0].Selector["app"] = "changed"
	first.Settings.Zones[0] = "changed"
	second, _, err := Load("shop")
	require.NoError(t, err)
	assert.Equal(t, "shop", second.Workloads[0].Selector["app"])
	assert.Equal(t, "us-east-1a", second.Settings.Zones[0])
}

func TestBuiltinShapes(t *testing.T) {
	t.Run("api-ingress becomes one Route like OpenShift's controller makes", func(t *testing.T) {
		sc, _, err := Load("api-ingress")
		require.NoError(t, err)
		require.Len(t, sc.Routes, 1)
		r := sc.Routes[0]
		assert.Equal(t, "default", r.Namespace)
		assert.Regexp(t, `^api-ingress-[bcdfghjklmnpqrstvwxz2456789]{5}$`, r.Name)
		assert.Equal(t, "api.hadywafa.com", r.Host)
		assert.Equal(t, "/", r.Path)
		assert.Equal(t, "api-service", r.To.Service)
		assert.Equal(t, "http", r.TargetPort, "the Service port's name, as the controller sets it")
		assert.Equal(t, &model.RouteTLS{Termination: "edge", InsecureEdgeTerminationPolicy: "Redirect"}, r.TLS)
		assert.Equal(t, 3, sc.Workloads[0].Replicas)
		assert.Len(t, sc.Settings.Zones, 2, "two workers, so the 3 pods share nodes and some requests cross nodes")
		assert.Equal(t, []model.Namespace{{Name: "default"}}, sc.Namespaces, "implicit namespace")
	})
	t.Run("app-dev", func(t *testing.T) {
		sc, _, err := Load("app-dev")
		require.NoError(t, err)
		assert.Equal(t, "app-dev", sc.Workloads[0].Namespace)
		assert.Equal(t, 4, sc.Workloads[0].Replicas)
	})
	t.Run("canary is 90/10", func(t *testing.T) {
		sc, _, err := Load("canary")
		require.NoError(t, err)
		r := sc.Routes[0]
		assert.Equal(t, 90, *r.To.Weight)
		require.Len(t, r.AlternateBackends, 1)
		assert.Equal(t, 10, *r.AlternateBackends[0].Weight)
		steps, err := Steps("canary")
		require.NoError(t, err)
		apply, ok := steps[1].Command.(model.Apply)
		require.True(t, ok, "step 2 applies a Route")
		assert.Equal(t, 50, *apply.Route.AlternateBackends[0].Weight)
	})
	t.Run("blue-green is 100/0", func(t *testing.T) {
		sc, _, err := Load("blue-green")
		require.NoError(t, err)
		r := sc.Routes[0]
		assert.Equal(t, 100, *r.To.Weight)
		assert.Equal(t, 0, *r.AlternateBackends[0].Weight)
	})
	t.Run("passthrough and reencrypt", func(t *testing.T) {
		sc, _, err := Load("passthrough-tls")
		require.NoError(t, err)
		assert.Equal(t, "passthrough", sc.Routes[0].TLS.Termination)
		assert.Empty(t, sc.Routes[0].Path)
		sc, _, err = Load("reencrypt-tls")
		require.NoError(t, err)
		assert.Equal(t, "reencrypt", sc.Routes[0].TLS.Termination)
	})
	t.Run("network-policy denies by default and lets the router in", func(t *testing.T) {
		sc, _, err := Load("network-policy")
		require.NoError(t, err)
		require.Len(t, sc.NetworkPolicies, 2)
		deny, allow := sc.NetworkPolicies[0], sc.NetworkPolicies[1]
		assert.Equal(t, []string{"Ingress"}, deny.PolicyTypes)
		assert.Empty(t, deny.Ingress)
		require.Len(t, allow.Ingress, 1)
		assert.Equal(t, map[string]string{"policy-group.network.openshift.io/ingress": ""}, allow.Ingress[0].Peers[0].NamespaceSelector.MatchLabels)
	})
	t.Run("az-outage", func(t *testing.T) {
		sc, _, err := Load("az-outage")
		require.NoError(t, err)
		assert.Equal(t, 2, *sc.Settings.RouterReplicas)
		assert.Len(t, sc.Settings.Zones, 3)
		assert.False(t, sc.Settings.CrossZone)
		assert.Equal(t, int64(60000), sc.Settings.EvictionDelayMs)
	})
	t.Run("microservices has east-west traffic", func(t *testing.T) {
		sc, _, err := Load("microservices")
		require.NoError(t, err)
		var from []string
		for _, mix := range sc.Settings.Traffic.Mix {
			if mix.From != "" {
				from = append(from, mix.From)
			}
		}
		assert.Equal(t, []string{"boutique/frontend", "boutique/cart"}, from)
		assert.Equal(t, int64(40), sc.Workloads[1].ServiceMs, "podpath.dev/service-ms")
	})
	t.Run("route-conflict claims one host twice in one namespace", func(t *testing.T) {
		sc, _, err := Load("route-conflict")
		require.NoError(t, err)
		require.Len(t, sc.Routes, 2)
		assert.Equal(t, sc.Routes[0].Host, sc.Routes[1].Host)
		assert.Equal(t, sc.Routes[0].Path, sc.Routes[1].Path)
		assert.Equal(t, "web", sc.Routes[0].Name, "the older (first) Route")
	})
	t.Run("large", func(t *testing.T) {
		sc, _, err := Load("large")
		require.NoError(t, err)
		pods := 0
		for _, d := range sc.Workloads {
			pods += d.Replicas
		}
		assert.GreaterOrEqual(t, pods, 200)
		assert.GreaterOrEqual(t, len(sc.Routes), 20)
		assert.Equal(t, 6, sc.Settings.WorkersPerZone*len(sc.Settings.Zones))
	})
}
