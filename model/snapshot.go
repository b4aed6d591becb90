package model

// Snapshot is the whole observable state of a simulated cluster at one
// virtual instant. It is a value: the caller owns it and the Sim never
// touches it again. Field names follow Kubernetes JSON (camelCase).
type Snapshot struct {
	TimeMs       int64               `json:"timeMs"`
	Seed         uint64              `json:"seed"`
	Cluster      ClusterInfo         `json:"cluster"`
	Zones        []ZoneView          `json:"zones"`
	Nodes        []NodeView          `json:"nodes"`
	LoadBalancer LoadBalancerView    `json:"loadBalancer"`
	DNS          DNSView             `json:"dns"`
	Routers      []RouterView        `json:"routers"`
	Deployments  []DeploymentView    `json:"deployments"`
	Workloads    []WorkloadView      `json:"workloads"`
	Pods         []PodView           `json:"pods"`
	Services     []ServiceView       `json:"services"`
	Routes       []RouteView         `json:"routes"`
	Policies     []NetworkPolicyView `json:"networkPolicies"`
	Network      NetworkView         `json:"network"`
	Traffic      TrafficProfile      `json:"traffic"`
	Metrics      Metrics             `json:"metrics"`
}

// ClusterInfo names the cluster and where it runs.
type ClusterInfo struct {
	Name             string   `json:"name"`
	BaseDomain       string   `json:"baseDomain"`
	IngressDomain    string   `json:"ingressDomain"`
	Region           string   `json:"region"`
	Zones            []string `json:"zones"`
	OpenShiftVersion string   `json:"openShiftVersion"`
	VPCCIDR          string   `json:"vpcCIDR"`
	ClusterNetwork   string   `json:"clusterNetwork"`
	ServiceNetwork   string   `json:"serviceNetwork"`
}

// ZoneView is one availability zone and its two subnets.
type ZoneView struct {
	Name          string `json:"name"`
	Down          bool   `json:"down"`
	PublicSubnet  string `json:"publicSubnet"`
	PrivateSubnet string `json:"privateSubnet"`
}

// NodeView is one EC2 instance in the cluster.
type NodeView struct {
	Name   string `json:"name"`
	Role   string `json:"role"` // "worker" or "control-plane"
	Zone   string `json:"zone"`
	Subnet string `json:"subnet"`
	IP     string `json:"ip"`
	// Ready is the Kubernetes NodeReady condition: it stays True for the
	// node-monitor grace period after the instance stops answering.
	Ready bool `json:"ready"`
	// InstanceUp says whether the EC2 instance runs and its AZ is up.
	InstanceUp    bool     `json:"instanceUp"`
	PodCIDRBlocks []string `json:"podCIDRBlocks"`
}

// LoadBalancerView is the AWS load balancer in front of the routers.
type LoadBalancerView struct {
	Type                string         `json:"type"` // "Classic" or "NLB"
	CrossZone           bool           `json:"crossZone"`
	DNSName             string         `json:"dnsName"`
	HTTPNodePort        int            `json:"httpNodePort"`
	HTTPSNodePort       int            `json:"httpsNodePort"`
	HealthCheckNodePort int            `json:"healthCheckNodePort"`
	Zones               []LBZoneView   `json:"zones"`
	Targets             []LBTargetView `json:"targets"`
}

// LBZoneView is the load balancer's node in one AZ (its public subnet).
type LBZoneView struct {
	Zone  string `json:"zone"`
	IP    string `json:"ip"`
	InDNS bool   `json:"inDNS"`
}

// LBTargetView is one registered target: a worker node on the NodePort.
type LBTargetView struct {
	Node    string `json:"node"`
	Zone    string `json:"zone"`
	Healthy bool   `json:"healthy"`
	// Passing is what the last health check saw; Healthy flips only after
	// the threshold of consecutive checks agrees.
	Passing bool `json:"passing"`
}

// DNSView is the wildcard record for the ingress domain and its answer.
type DNSView struct {
	Record string   `json:"record"` // "*.apps.demo.example.com"
	Answer []string `json:"answer"` // one IP per AZ with a healthy target
}

// RouterView is one HAProxy router pod of the default IngressController.
type RouterView struct {
	Name         string `json:"name"`
	Namespace    string `json:"namespace"`
	Node         string `json:"node"`
	IP           string `json:"ip"`
	Ready        bool   `json:"ready"`
	LastReloadMs int64  `json:"lastReloadMs"`
	// PendingReload is true when endpoint or route changes wait for the
	// next batched reload.
	PendingReload bool `json:"pendingReload"`
}

// DeploymentView is one Deployment (Workloads lists every kind).
type DeploymentView struct {
	Namespace     string            `json:"namespace"`
	Name          string            `json:"name"`
	Replicas      int               `json:"replicas"`
	ReadyReplicas int               `json:"readyReplicas"`
	Labels        map[string]string `json:"labels"`
}

// WorkloadView is one workload: a controller that runs pods, or a bare
// Pod. Fields that belong to one kind are empty for the others.
type WorkloadView struct {
	Kind      string `json:"kind"` // one of WorkloadKinds
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Replicas is the desired pod count: spec.replicas, a DaemonSet's
	// number of nodes it tolerates, 1 for a Pod.
	Replicas      int               `json:"replicas"`
	ReadyReplicas int               `json:"readyReplicas"`
	Labels        map[string]string `json:"labels"`
	Selector      map[string]string `json:"selector,omitempty"`
	// Controller is the object that owns the pods directly:
	// "ReplicaSet/<name>-<hash>" for a Deployment,
	// "ReplicationController/<name>-<version>" for a DeploymentConfig; ""
	// for the other kinds (they own their pods themselves).
	Controller string `json:"controller,omitempty"`
	// Scalable says whether the scale command takes this kind.
	Scalable    bool `json:"scalable"`
	HostNetwork bool `json:"hostNetwork,omitempty"`
	// ServiceName and PodManagementPolicy are a StatefulSet's.
	ServiceName         string `json:"serviceName,omitempty"`
	PodManagementPolicy string `json:"podManagementPolicy,omitempty"`
	// Version, Strategy and Triggers are a DeploymentConfig's (Strategy
	// also a Deployment's): status.latestVersion, spec.strategy.type and
	// the trigger types.
	Version  int64    `json:"version,omitempty"`
	Strategy string   `json:"strategy,omitempty"`
	Triggers []string `json:"triggers,omitempty"`
}

// PodView is one pod, app or router.
type PodView struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	IP        string `json:"ip"`
	Node      string `json:"node"`
	Phase     string `json:"phase"` // Pending, Running
	// Ready: the pod is Ready and not terminating (a terminating pod may
	// still pass its readiness probe; its endpoint's serving says so).
	Ready       bool `json:"ready"`
	Live        bool `json:"live"`
	Terminating bool `json:"terminating"`
	// ReadinessFailing is set while the readiness probe is made to fail.
	ReadinessFailing bool              `json:"readinessFailing"`
	Restarts         int               `json:"restarts"`
	Labels           map[string]string `json:"labels"`
	// Owner and OwnerKind name the workload the pod belongs to: its
	// Deployment, DeploymentConfig, StatefulSet, DaemonSet, ReplicaSet or
	// ReplicationController; for a bare pod OwnerKind is "Pod" and
	// Unmanaged is true (nothing makes it again once it is gone).
	Owner     string `json:"owner"`
	OwnerKind string `json:"ownerKind"`
	// Controller is metadata.ownerReferences' controller:
	// "ReplicaSet/<name>-<hash>", "ReplicationController/<name>-<version>",
	// "StatefulSet/<name>", "DaemonSet/<name>", …; "" for a bare pod.
	Controller string `json:"controller,omitempty"`
	Unmanaged  bool   `json:"unmanaged"`
	// HostNetwork pods use their node's IP (IP is the node's).
	HostNetwork bool `json:"hostNetwork"`
	// Hostname is a StatefulSet pod's stable DNS name,
	// <pod>.<serviceName>.<namespace>.svc.cluster.local, when its
	// governing Service exists and is headless.
	Hostname string `json:"hostname,omitempty"`
	Router   bool   `json:"router"`
	Active   int    `json:"activeConnections"`
	// Env is the pod's service-link environment, only when asked for
	// (SnapshotWithEnv; GET /api/state?env=…).
	Env *PodEnv `json:"env,omitempty"`
}

// ServiceView is one Service with its EndpointSlice content.
type ServiceView struct {
	Namespace       string            `json:"namespace"`
	Name            string            `json:"name"`
	ClusterIP       string            `json:"clusterIP"` // "None" when headless
	Ports           []ServicePortView `json:"ports"`
	Selector        map[string]string `json:"selector"`
	Endpoints       []EndpointView    `json:"endpoints"`
	SessionAffinity string            `json:"sessionAffinity"`
}

// ServicePortView is one Service port.
type ServicePortView struct {
	Name       string `json:"name,omitempty"`
	Protocol   string `json:"protocol"`
	Port       int    `json:"port"`
	TargetPort string `json:"targetPort"` // a number or a port name
}

// EndpointView is one endpoint of an EndpointSlice.
type EndpointView struct {
	Pod         string `json:"pod"` // namespace/name
	IP          string `json:"ip"`
	Port        int    `json:"port"`
	Node        string `json:"node"`
	Ready       bool   `json:"ready"`
	Serving     bool   `json:"serving"`
	Terminating bool   `json:"terminating"`
}

// RouteView is one Route as the routers see it.
type RouteView struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Host      string `json:"host"`
	Path      string `json:"path"`
	// TargetPort is spec.port.targetPort: an endpoint port, by the Service
	// port's name or the pod's port number.
	TargetPort     string            `json:"targetPort,omitempty"`
	WildcardPolicy string            `json:"wildcardPolicy,omitempty"`
	To             []RouteTargetView `json:"to"`
	TLS            *RouteTLS         `json:"tls"`
	Balance        string            `json:"balance"` // effective algorithm
	Cookies        bool              `json:"cookies"`
	Admitted       bool              `json:"admitted"`
	Reason         string            `json:"reason,omitempty"`
	Annotations    map[string]string `json:"annotations,omitempty"`
}

// RouteTargetView is spec.to or one of spec.alternateBackends.
type RouteTargetView struct {
	Service string `json:"service"`
	Weight  int    `json:"weight"`
}

// RouteTLS is a Route's spec.tls.
type RouteTLS struct {
	Termination                   string `json:"termination"` // edge, reencrypt, passthrough
	InsecureEdgeTerminationPolicy string `json:"insecureEdgeTerminationPolicy"`
}

// NetworkPolicyView summarises one NetworkPolicy.
type NetworkPolicyView struct {
	Namespace   string            `json:"namespace"`
	Name        string            `json:"name"`
	PodSelector map[string]string `json:"podSelector"`
	PolicyTypes []string          `json:"policyTypes"`
	Summary     string            `json:"summary"`
}

// NetworkView is the CNI and kube-proxy configuration.
type NetworkView struct {
	CNI           string `json:"cni"`           // "Calico"
	Encapsulation string `json:"encapsulation"` // VXLAN, IPIP, VXLANCrossSubnet, IPIPCrossSubnet, None
	KubeProxyMode string `json:"kubeProxyMode"` // iptables, nftables, ipvs
	// LocalWithFallback is whether kube-proxy honours router-default's
	// local-with-fallback annotation (Settings.LocalWithFallback, resolved).
	LocalWithFallback bool `json:"localWithFallback"`
	SourceDestCheck   bool `json:"sourceDestCheck"`
	// SecurityGroupsAllowIPIPAndBGP: see Settings.
	SecurityGroupsAllowIPIPAndBGP bool `json:"securityGroupsAllowIPIPAndBGP"`
	BlockSize                     int  `json:"blockSize"` // 26
}

// Metrics counts finished requests since the scenario loaded.
type Metrics struct {
	Requests    int64            `json:"requests"`
	StatusCodes map[string]int64 `json:"statusCodes"`
	ByPod       map[string]int64 `json:"byPod"`
	ByService   map[string]int64 `json:"byService"`
	// Latency over the last seconds and one point per second of the
	// last two minutes (model/latency.go).
	Latency LatencyWindow  `json:"latency"`
	History []MetricsPoint `json:"history"`
}
