package model

// Command is one change to the cluster, applied with Sim.Apply. Each
// command is validated in full before anything changes.
type Command interface {
	// CommandType is the "type" field of the command's JSON form.
	CommandType() string
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
	Namespace   string `json:"namespace"`
	Service     string `json:"service"`
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
