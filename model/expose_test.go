package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func routeView(s *Sim, ns, name string) (RouteView, bool) {
	for _, r := range s.Snapshot().Routes {
		if r.Namespace == ns && r.Name == name {
			return r, true
		}
	}
	return RouteView{}, false
}

func TestExposeMakesTheRouteOcExposeWould(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ports  []ServicePort
		cmd    Expose
		target string
		tls    *RouteTLS
		host   string
	}{
		{"a named port: its name", []ServicePort{{Name: "http", Port: 80, TargetPort: "8080"}}, Expose{}, "http", nil, "web-web.apps.demo.example.com"},
		{"an unnamed port: oc expose writes its targetPort", []ServicePort{{Port: 80, TargetPort: "8080"}}, Expose{}, "8080", nil, "web-web.apps.demo.example.com"},
		{"an unnamed port without targetPort: the port", []ServicePort{{Port: 80}}, Expose{}, "80", nil, "web-web.apps.demo.example.com"},
		{"oc create route edge writes no port for an unnamed one", []ServicePort{{Port: 80, TargetPort: "8080"}}, Expose{Termination: "edge"}, "", &RouteTLS{Termination: "edge", InsecureEdgeTerminationPolicy: "None"}, "web-web.apps.demo.example.com"},
		{"--port and --hostname win", []ServicePort{{Name: "http", Port: 80}, {Name: "admin", Port: 81}}, Expose{Port: "admin", Hostname: "admin.example.com"}, "admin", nil, "admin.example.com"},
		{"the first TCP port", []ServicePort{{Name: "dns", Protocol: "UDP", Port: 53}, {Name: "http", Port: 80}}, Expose{}, "http", nil, "web-web.apps.demo.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := withWorkload(Workload{Name: "app", Replicas: 1}, Service{Name: "svc", Ports: tc.ports})
			cmd := tc.cmd
			cmd.Namespace, cmd.Service = "web", "svc"
			require.NoError(t, s.Apply(Delete{Kind: "Route", Namespace: "web", Name: "web"}))
			require.NoError(t, s.Apply(cmd))
			r, ok := routeView(s, "web", "svc")
			require.True(t, ok)
			assert.Equal(t, tc.target, r.TargetPort)
			assert.Equal(t, tc.tls, r.TLS)
			want := tc.host
			if tc.cmd.Hostname == "" {
				want = "svc-web.apps.demo.example.com"
			}
			assert.Equal(t, want, r.Host, "<service>-<namespace>.<ingress domain> unless a hostname is given")
			assert.Equal(t, []RouteTargetView{{Service: "svc", Weight: 100}}, r.To)
		})
	}
}

func TestExposeRefusesWhatOcRefuses(t *testing.T) {
	s := withWorkload(Workload{Name: "app", Replicas: 1}, Service{})
	assert.ErrorIs(t, s.Apply(Expose{Namespace: "web", Service: "nope"}), ErrNotFound)
	err := s.Apply(Expose{Namespace: "web", Service: "web"})
	assert.ErrorIs(t, err, ErrConflict, "a Route named after the Service exists")
	assert.ErrorContains(t, err, `routes.route.openshift.io "web" already exists`)
	assert.ErrorContains(t, s.Apply(Expose{Namespace: "web", Service: "web", Termination: "reencrypt"}), "termination")
	assert.ErrorContains(t, s.Apply(Expose{Namespace: "web", Service: "web", Port: "99999"}), "port")
}

func TestExposeOCIsTheOcCommand(t *testing.T) {
	assert.Equal(t, "oc expose service/web -n shop", ExposeOC(Expose{Namespace: "shop", Service: "web"}))
	assert.Equal(t, "oc create route edge --service=web -n shop --hostname=www.example.com --port=http", ExposeOC(Expose{Namespace: "shop", Service: "web", Termination: "edge", Hostname: "www.example.com", Port: "http"}))
}
