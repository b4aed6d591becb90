package model

import (
	"slices"
	"strconv"
)

// Command is one change to the cluster, applied with Sim.Apply. Each
// command is validated in full before anything changes: first its own
// fields (Validate), then against the cluster (Sim.Apply).
//
// The command types, their JSON names, decoders, oc equivalents and doc
// lines are registered in one place, package scenarios' command registry
// (scenarios/command.go); a new type is one entry there, its Apply case
// here, and — when it can add pods, Routes or Services — its case in
// ObjectsAfter.
type Command interface {
	// CommandType is the "type" field of the command's JSON form.
	CommandType() string
	// Validate checks the command's own fields, without the cluster: what
	// is required, ranges, allowed values.
	Validate() error
}

// Scale sets a workload's replicas, as `oc scale KIND/NAME --replicas=N`.
// Kind is Deployment (the default), DeploymentConfig, StatefulSet,
// ReplicaSet or ReplicationController; the workload is named by Name, or
// by Deployment (the older field, for a Deployment).
type Scale struct {
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name,omitempty"`
	Deployment string `json:"deployment,omitempty"`
	Replicas   int    `json:"replicas"`
}

// DeletePod deletes a pod gracefully; its controller replaces it (a
// StatefulSet or DaemonSet once it is gone; a bare pod is not replaced).
// A pod that is already terminating on a node that does not answer is
// force-deleted (oc delete pod --force --grace-period=0).
type DeletePod struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
}

// SetPodReady makes a pod's readiness probe pass or fail.
type SetPodReady struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	Ready     bool   `json:"ready"`
}

// SetPodLive makes a pod's liveness probe pass or fail (a failing one
// restarts the container).
type SetPodLive struct {
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	Live      bool   `json:"live"`
}

// SetNodeReady fails or recovers a worker node.
type SetNodeReady struct {
	Node  string `json:"node"`
	Ready bool   `json:"ready"`
}

// SetZoneDown fails or recovers a whole availability zone.
type SetZoneDown struct {
	Zone string `json:"zone"`
	Down bool   `json:"down"`
}

// ScaleRouters sets the default IngressController's replicas.
type ScaleRouters struct {
	Replicas int `json:"replicas"`
}

// SetLoadBalancer changes the AWS load balancer. Nil fields keep their
// value.
type SetLoadBalancer struct {
	LBType    *string `json:"lbType,omitempty"`
	CrossZone *bool   `json:"crossZone,omitempty"`
}

// SetNetwork changes Calico and kube-proxy. Nil fields keep their value.
type SetNetwork struct {
	Encapsulation   *string `json:"encapsulation,omitempty"`
	KubeProxyMode   *string `json:"kubeProxyMode,omitempty"`
	SourceDestCheck *bool   `json:"sourceDestCheck,omitempty"`
	// SecurityGroupsAllowIPIPAndBGP adds (or removes) the security group
	// rules for IP protocol 4 and TCP 179 between nodes.
	SecurityGroupsAllowIPIPAndBGP *bool `json:"securityGroupsAllowIPIPAndBGP,omitempty"`
	// LocalWithFallback forces whether kube-proxy honours router-default's
	// local-with-fallback annotation (Settings.LocalWithFallback).
	LocalWithFallback *bool `json:"localWithFallback,omitempty"`
}

// SetTraffic replaces the live traffic profile.
type SetTraffic struct {
	RPS     float64      `json:"rps"`
	Clients int          `json:"clients,omitempty"`
	Mix     []TrafficMix `json:"mix,omitempty"`
}

// SetOpenShiftVersion changes the cluster version (it changes router
// defaults: leastconn up to 4.10, random from 4.11).
type SetOpenShiftVersion struct {
	Version string `json:"version"`
}

// Apply creates or replaces one object, as `oc apply` does. Exactly one
// field is set. Routes carries the Routes one Ingress turns into; they are
// validated together and applied all or none.
type Apply struct {
	Workload      *Workload      `json:"workload,omitempty"`
	Service       *Service       `json:"service,omitempty"`
	Route         *Route         `json:"route,omitempty"`
	Routes        []Route        `json:"routes,omitempty"`
	NetworkPolicy *NetworkPolicy `json:"networkPolicy,omitempty"`
	Namespace     *Namespace     `json:"namespace,omitempty"`
}

// Delete removes one object by kind, namespace and name. Deleting a
// workload deletes its pods (background cascading deletion).
type Delete struct {
	Kind      string `json:"kind"` // one of WorkloadKinds, Service, Route, NetworkPolicy
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Expose creates a Route for a Service, as `oc expose service/NAME` does
// (Termination "" or "none": a plain HTTP Route) or `oc create route edge
// --service=NAME` (Termination "edge"). The Route is named after the
// Service; its host is Hostname or <name>-<namespace>.<ingress domain>;
// spec.port.targetPort is Port when given, else the Service's first TCP
// port's name — and when that port has none, oc expose (not oc create
// route) writes that port's targetPort.
type Expose struct {
	Namespace string `json:"namespace"`
	Service   string `json:"service"`
	// Name is the Route's name (oc expose --name); the Service's when
	// empty.
	Name        string `json:"name,omitempty"`
	Termination string `json:"termination,omitempty"` // "", "none" or "edge"
	Hostname    string `json:"hostname,omitempty"`
	Port        string `json:"port,omitempty"`
}

func (Scale) CommandType() string               { return "scale" }
func (DeletePod) CommandType() string           { return "deletePod" }
func (SetPodReady) CommandType() string         { return "setPodReady" }
func (SetPodLive) CommandType() string          { return "setPodLive" }
func (SetNodeReady) CommandType() string        { return "setNodeReady" }
func (SetZoneDown) CommandType() string         { return "setZoneDown" }
func (ScaleRouters) CommandType() string        { return "scaleRouters" }
func (SetLoadBalancer) CommandType() string     { return "setLoadBalancer" }
func (SetNetwork) CommandType() string          { return "setNetwork" }
func (SetTraffic) CommandType() string          { return "setTraffic" }
func (SetOpenShiftVersion) CommandType() string { return "setOpenShiftVersion" }
func (Apply) CommandType() string               { return "apply" }
func (Delete) CommandType() string              { return "delete" }
func (Expose) CommandType() string              { return "expose" }

// deleteKinds are the kinds Delete removes.
var deleteKinds = append(slices.Clone(WorkloadKinds), "Service", "Route", "NetworkPolicy")

// required is the error of an empty required field.
func required(field, v string) error {
	if v == "" {
		return invalidf(field, "required")
	}
	return nil
}

// firstError is the first of errs that is not nil.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// podRef checks a namespace/pod pair.
func podRef(ns, name string) error {
	return firstError(required("namespace", ns), required("pod", name))
}

// Validate checks the workload named by name (or deployment) and its
// kind; a DaemonSet or a Pod has no replicas to scale.
func (c Scale) Validate() error {
	if err := required("namespace", c.Namespace); err != nil {
		return err
	}
	switch {
	case c.Name != "" && c.Deployment != "":
		return invalidf("name", "give name or deployment, not both")
	case c.Name == "" && c.Deployment == "":
		return invalidf("name", "required: the workload to scale")
	}
	switch kind := kindOf(c.Kind); kind {
	case KindDaemonSet:
		return invalidf("kind", "a DaemonSet has no replicas: it runs one pod on every node it tolerates")
	case KindPod:
		return invalidf("kind", "a Pod cannot be scaled; scale its controller")
	default:
		if err := oneOf("kind", kind, WorkloadKinds); err != nil {
			return err
		}
	}
	if c.Replicas < 0 || c.Replicas > maxReplicas {
		return invalidf("replicas", "0..%d, got %d", maxReplicas, c.Replicas)
	}
	return nil
}

func (c DeletePod) Validate() error   { return podRef(c.Namespace, c.Pod) }
func (c SetPodReady) Validate() error { return podRef(c.Namespace, c.Pod) }
func (c SetPodLive) Validate() error  { return podRef(c.Namespace, c.Pod) }

// Validate accepts any node name: an unknown one is not found (Apply).
func (SetNodeReady) Validate() error { return nil }

// Validate accepts any zone name: an unknown one is not found (Apply).
func (SetZoneDown) Validate() error { return nil }

func (c ScaleRouters) Validate() error {
	if c.Replicas < 0 || c.Replicas > MaxRouterReplicas {
		return invalidf("replicas", "0..%d router replicas, got %d", MaxRouterReplicas, c.Replicas)
	}
	return nil
}

func (c SetLoadBalancer) Validate() error {
	if c.LBType != nil {
		return oneOf("lbType", *c.LBType, LBTypes)
	}
	return nil
}

func (c SetNetwork) Validate() error {
	if c.Encapsulation != nil {
		if err := oneOf("encapsulation", *c.Encapsulation, Encapsulations); err != nil {
			return err
		}
	}
	if c.KubeProxyMode != nil {
		return oneOf("kubeProxyMode", *c.KubeProxyMode, KubeProxyModes)
	}
	return nil
}

// Validate checks the fields given; Apply keeps the clients and the mix
// that are left out.
func (c SetTraffic) Validate() error {
	return validateTraffic("traffic", TrafficProfile(c))
}

func (c SetOpenShiftVersion) Validate() error {
	_, _, err := parseVersion(c.Version)
	return err
}

// Validate checks that exactly one object is set; the object itself is
// validated as the API server would when it is decoded (package
// scenarios) and again by Apply.
func (a Apply) Validate() error {
	set := 0
	for _, b := range []bool{a.Workload != nil, a.Service != nil, a.Route != nil, len(a.Routes) > 0, a.NetworkPolicy != nil, a.Namespace != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return invalidf("object", "exactly one object, got %d", set)
	}
	return nil
}

func (d Delete) Validate() error {
	return oneOf("kind", d.Kind, deleteKinds)
}

// Validate checks the fields; the Service and a clash with an existing
// Route are Apply's.
func (c Expose) Validate() error {
	if err := firstError(oneOf("termination", c.Termination, []string{"", "none", "edge"}), required("namespace", c.Namespace), required("service", c.Service)); err != nil {
		return err
	}
	if c.Name != "" {
		if err := validSubdomain("name", c.Name); err != nil {
			return err
		}
	}
	if n, err := strconv.Atoi(c.Port); err == nil {
		if n < 1 || n > 65535 {
			return invalidf("port", "1..65535 or a port name, got %d", n)
		}
	} else if c.Port != "" {
		if err := validName("port", c.Port); err != nil {
			return err
		}
	}
	if c.Hostname != "" {
		return validSubdomain("hostname", c.Hostname)
	}
	return nil
}

// Objects counts what a room's limits bound: the pods the app workloads
// ask for (their replicas, one for a bare pod, one per worker for a
// DaemonSet; the routers are not counted), the Routes and the Services.
type Objects struct {
	Pods     int
	Routes   int
	Services int
}

// Objects is what the cluster holds now.
func (s *Sim) Objects() Objects {
	o := Objects{Routes: len(s.routes), Services: len(s.services)}
	for _, w := range s.workloads {
		if !w.isRouter {
			o.Pods += s.wantedPods(w.Spec)
		}
	}
	return o
}

// wantedPods is how many pods a workload spec asks for.
func (s *Sim) wantedPods(w Workload) int {
	switch kindOf(w.Kind) {
	case KindPod:
		return 1
	case KindDaemonSet:
		return len(s.nodes)
	}
	return w.Replicas
}

// ObjectsAfter is what the cluster would hold after cmd, counted without
// applying it: a limit is checked before the change, and nothing is
// copied. A command Apply would refuse counts as it reads.
func (s *Sim) ObjectsAfter(cmd Command) Objects {
	o := s.Objects()
	wanted := func(kind, ns, name string) int {
		if w := s.workloads[workloadKey(kindOf(kind), ns, name)]; w != nil && !w.isRouter {
			return s.wantedPods(w.Spec)
		}
		return 0
	}
	switch c := cmd.(type) {
	case Scale:
		name := c.Name
		if name == "" {
			name = c.Deployment
		}
		o.Pods += c.Replicas - wanted(c.Kind, c.Namespace, name)
	case Apply:
		if w := c.Workload; w != nil {
			o.Pods += s.wantedPods(*w) - wanted(w.Kind, w.Namespace, w.Name)
		}
		if sv := c.Service; sv != nil && s.services[sv.Namespace+"/"+sv.Name] == nil {
			o.Services++
		}
		routes := c.Routes
		if c.Route != nil {
			routes = []Route{*c.Route}
		}
		added := map[string]bool{}
		for _, r := range routes {
			if key := r.Namespace + "/" + r.Name; s.routes[key] == nil && !added[key] {
				added[key] = true
				o.Routes++
			}
		}
	case Delete:
		key := c.Namespace + "/" + c.Name
		switch {
		case slices.Contains(WorkloadKinds, c.Kind):
			o.Pods -= wanted(c.Kind, c.Namespace, c.Name)
		case c.Kind == "Service" && s.services[key] != nil:
			o.Services--
		case c.Kind == "Route" && s.routes[key] != nil:
			o.Routes--
		}
	case Expose:
		if s.routes[c.Namespace+"/"+c.routeName()] == nil {
			o.Routes++
		}
	}
	return o
}

// Traffic is the live traffic profile (the mix a setTraffic without one
// keeps).
func (s *Sim) Traffic() TrafficProfile { return s.traffic.profile }
