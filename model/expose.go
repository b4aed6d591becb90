package model

import (
	"fmt"
	"strconv"
	"strings"
)

// expose creates the Route `oc expose service/NAME` or `oc create route
// edge --service=NAME` would (openshift/oc pkg/cli/expose/expose.go and
// pkg/cli/create/route/route.go, UnsecuredRoute): named after the
// Service (or --name), to the Service, with spec.port.targetPort set to --port, else
// the first TCP port's name; when that port has no name, oc expose
// (forcePort) writes the Service's first port's targetPort and oc create
// route edge writes no port. The API server then gives the Route its host
// (<name>-<namespace>.<ingress domain>) unless a hostname is given.
func (s *Sim) expose(c Expose) error {
	sv := s.services[c.Namespace+"/"+c.Service]
	if sv == nil {
		return notFoundf("service %s/%s (oc expose: services %q not found)", c.Namespace, c.Service, c.Service)
	}
	name := c.routeName()
	if s.routes[c.Namespace+"/"+name] != nil {
		return fmt.Errorf("%w: routes.route.openshift.io %q already exists in namespace %s", ErrConflict, name, c.Namespace)
	}
	edge := c.Termination == "edge"
	r := Route{Namespace: c.Namespace, Name: name, Host: c.Hostname, To: RouteTarget{Service: c.Service}}
	var tcp *ServicePort
	for i := range sv.Spec.Ports {
		if p := &sv.Spec.Ports[i]; p.Protocol == "" || p.Protocol == "TCP" {
			tcp = p
			break
		}
	}
	switch {
	case c.Port != "":
		r.TargetPort = c.Port
	case tcp == nil:
		return invalidf("service", "service %q doesn't support TCP", c.Service)
	case tcp.Name != "":
		r.TargetPort = tcp.Name
	case !edge:
		r.TargetPort = sv.Spec.Ports[0].TargetPort
		if r.TargetPort == "" {
			r.TargetPort = strconv.Itoa(sv.Spec.Ports[0].Port) // the API server's default targetPort
		}
	}
	if edge {
		r.TLS = &RouteTLS{Termination: "edge"}
	}
	if err := s.applyRoute(r); err != nil {
		return err
	}
	s.logf("command", "route:"+c.Namespace+"/"+name, "%s", ExposeOC(c))
	return nil
}

// routeName is the Route's name: Name (oc expose --name, or oc create
// route edge's NAME argument), else the Service's.
func (c Expose) routeName() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Service
}

// ExposeOC is the oc command an Expose stands for.
func ExposeOC(c Expose) string {
	var b strings.Builder
	switch {
	case c.Termination == "edge" && c.Name != "":
		fmt.Fprintf(&b, "oc create route edge %s --service=%s -n %s", c.Name, c.Service, c.Namespace)
	case c.Termination == "edge":
		fmt.Fprintf(&b, "oc create route edge --service=%s -n %s", c.Service, c.Namespace)
	case c.Name != "":
		fmt.Fprintf(&b, "oc expose service/%s --name=%s -n %s", c.Service, c.Name, c.Namespace)
	default:
		fmt.Fprintf(&b, "oc expose service/%s -n %s", c.Service, c.Namespace)
	}
	if c.Hostname != "" {
		fmt.Fprintf(&b, " --hostname=%s", c.Hostname)
	}
	if c.Port != "" {
		fmt.Fprintf(&b, " --port=%s", c.Port)
	}
	return b.String()
}
