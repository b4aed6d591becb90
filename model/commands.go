package model

// Command is one change to the cluster, applied with Sim.Apply. Each
// command is validated in full before anything changes.
type Command interface {
	// CommandType is the "type" field of the command's JSON form.
	CommandType() string
}

// Scale sets a Deployment's replicas.
type Scale struct {
	Namespace  string `json:"namespace"`
	Deployment string `json:"deployment"`
	Replicas   int    `json:"replicas"`
}

// DeletePod deletes a pod gracefully; its Deployment replaces it.
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
	Deployment    *Deployment    `json:"deployment,omitempty"`
	Service       *Service       `json:"service,omitempty"`
	Route         *Route         `json:"route,omitempty"`
	Routes        []Route        `json:"routes,omitempty"`
	NetworkPolicy *NetworkPolicy `json:"networkPolicy,omitempty"`
	Namespace     *Namespace     `json:"namespace,omitempty"`
}

// Delete removes one object by kind, namespace and name.
type Delete struct {
	Kind      string `json:"kind"` // Deployment, Service, Route, NetworkPolicy
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
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
