package model

// This file holds the model's own object types: what a scenario declares
// and what the apply command carries. They mirror the parts of the
// Kubernetes/OpenShift API that change traffic; conversion from the real
// API types happens outside this package (package scenarios).

// Scenario is a whole cluster to simulate: the settings that manifests do
// not say (the AWS side) plus the objects.
type Scenario struct {
	Name            string          `json:"name"`
	Title           string          `json:"title"`
	Description     string          `json:"description"`
	Settings        Settings        `json:"settings"`
	Namespaces      []Namespace     `json:"namespaces"`
	Workloads       []Workload      `json:"workloads"`
	Services        []Service       `json:"services"`
	Routes          []Route         `json:"routes"`
	NetworkPolicies []NetworkPolicy `json:"networkPolicies"`
}

// Settings are the cluster-wide knobs. Zero values are replaced by the
// documented defaults in WithDefaults.
type Settings struct {
	Seed             uint64   `json:"seed"`
	ClusterName      string   `json:"clusterName"`
	BaseDomain       string   `json:"baseDomain"`
	Region           string   `json:"region"`
	Zones            []string `json:"zones"`
	WorkersPerZone   int      `json:"workersPerZone"`
	OpenShiftVersion string   `json:"openShiftVersion"`
	// RouterReplicas is the default IngressController's replicas; nil
	// means the default, 2 (0 is a valid choice: no routers).
	RouterReplicas *int `json:"routerReplicas,omitempty"`
	// LBType is "Classic" (default) or "NLB".
	LBType    string `json:"lbType"`
	CrossZone bool   `json:"crossZone"`
	// Encapsulation is the Calico IP pool mode: VXLAN (default), IPIP,
	// VXLANCrossSubnet, IPIPCrossSubnet or None.
	Encapsulation string `json:"encapsulation"`
	// KubeProxyMode is iptables (default), nftables or ipvs. iptables and
	// nftables pick an endpoint at random per connection; they differ for a
	// ClusterIP port the Service does not define: iptables has no rule, so
	// the packet hangs, nftables rejects it (kubernetes
	// pkg/proxy/nftables/proxier.go, cluster-ips-check).
	KubeProxyMode string `json:"kubeProxyMode"`
	// LocalWithFallback says whether kube-proxy honours the
	// traffic-policy.network.alpha.openshift.io/local-with-fallback
	// annotation the ingress operator puts on router-default
	// (cluster-ingress-operator load_balancer_service.go,
	// shouldUseLocalWithFallback: on every Service with
	// externalTrafficPolicy Local, since 4.8): a node with no usable local
	// router forwards NodePort traffic to a router on another node (SNAT to
	// the node IP) instead of dropping it. nil follows the version: the
	// standalone kube-proxy OpenShift runs for Calico was built from
	// openshift/sdn, whose vendored kube-proxy carries the patch, up to
	// 4.18, and from openshift/kubernetes without it from 4.19 (upstream
	// kube-proxy ignores the annotation). OVN-Kubernetes honours it.
	LocalWithFallback *bool `json:"localWithFallback,omitempty"`
	// SourceDestCheck is the EC2 source/destination check (on by default).
	SourceDestCheck *bool `json:"sourceDestCheck,omitempty"`
	// ReloadIntervalMs is the router's minimum time between HAProxy
	// reloads (ROUTER_RELOAD_INTERVAL, 5 s).
	ReloadIntervalMs int64 `json:"reloadIntervalMs"`
	// EvictionDelayMs is how long pods on a failed node wait before they
	// are replaced (the default toleration, 300 s).
	EvictionDelayMs int64 `json:"evictionDelayMs"`
	// NodeGracePeriodMs is the node controller's node-monitor-grace-period:
	// how long a silent node stays Ready (40 s; newer Kubernetes releases
	// use 50 s — a setting because it varies).
	NodeGracePeriodMs int64 `json:"nodeGracePeriodMs"`
	// SecurityGroupsAllowIPIPAndBGP says whether the nodes' AWS security
	// groups admit IP protocol 4 (IP-in-IP) and TCP 179 (BGP) between
	// nodes. The installer's groups open VXLAN (UDP 4789) but, per
	// domain.md (marked "verify"), not these — so IPIP and unencapsulated
	// modes fail until someone adds the rules.
	SecurityGroupsAllowIPIPAndBGP bool `json:"securityGroupsAllowIPIPAndBGP"`
	// RouterRetries is HAProxy's `retries` for the router's backends: how
	// many times a failed connect to a server is tried again (the router's
	// template sets none, so HAProxy's default 3 applies; nil means 3).
	// HTTP backends have `option redispatch`: the last retry goes to
	// another server.
	RouterRetries *int `json:"routerRetries,omitempty"`
	// AllowWildcardRoutes is the IngressController's route admission
	// wildcard policy (WildcardsDisallowed by default).
	AllowWildcardRoutes bool           `json:"allowWildcardRoutes"`
	Traffic             TrafficProfile `json:"traffic"`
	Latency             Latency        `json:"latency"`
}

// TrafficProfile drives the live traffic generator.
type TrafficProfile struct {
	// RPS is new requests per second of virtual time (0 stops traffic).
	RPS float64 `json:"rps"`
	// Clients is how many distinct clients of each kind exist.
	Clients int          `json:"clients"`
	Mix     []TrafficMix `json:"mix"`
}

// TrafficMix is one kind of request in the generated traffic.
type TrafficMix struct {
	URL    string `json:"url"`
	Client string `json:"client"` // "browser" or "curl"
	Weight int    `json:"weight"`
	// From is "namespace/pod-prefix" for east–west traffic from a pod;
	// empty for clients on the Internet.
	From string `json:"from,omitempty"`
}

// Latency is the hop timing model in virtual milliseconds. Network times
// are stretched (about 100×) so that each hop is visible in the animation;
// their order and relative costs are what matters.
type Latency struct {
	DNSMs       int64 `json:"dnsMs"`
	InternetMs  int64 `json:"internetMs"`
	LBMs        int64 `json:"lbMs"`
	NodeMs      int64 `json:"nodeMs"`
	RouterMs    int64 `json:"routerMs"`
	PodNetMs    int64 `json:"podNetMs"`
	CrossZoneMs int64 `json:"crossZoneMs"`
	ServiceMs   int64 `json:"serviceMs"`
}

// Namespace is a namespace and its labels (NetworkPolicy selects on them).
type Namespace struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

// ContainerPort is a named port of the pod template.
type ContainerPort struct {
	Name string `json:"name,omitempty"`
	Port int    `json:"containerPort"`
}

// Workload kinds: the controllers that run pods (Workload.Kind).
const (
	KindDeployment            = "Deployment"
	KindDeploymentConfig      = "DeploymentConfig"
	KindStatefulSet           = "StatefulSet"
	KindDaemonSet             = "DaemonSet"
	KindReplicaSet            = "ReplicaSet"
	KindReplicationController = "ReplicationController"
	// KindPod is a bare pod: no controller makes it again once it is gone.
	KindPod = "Pod"
)

// WorkloadKinds lists the kinds a Workload may have.
var WorkloadKinds = []string{KindDeployment, KindDeploymentConfig, KindStatefulSet, KindDaemonSet, KindReplicaSet, KindReplicationController, KindPod}

// Workload is the part of a pod-running object the simulation uses: a
// Deployment, DeploymentConfig, StatefulSet, DaemonSet, ReplicaSet,
// ReplicationController or a bare Pod (Kind). The pod template fields
// are common; the rest belongs to one kind each.
type Workload struct {
	// Kind is one of WorkloadKinds; "" means Deployment.
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Replicas is the desired pod count (ignored for a DaemonSet, 1 for a
	// Pod).
	Replicas int               `json:"replicas"`
	Selector map[string]string `json:"selector"`
	// Labels are the pod template's labels.
	Labels map[string]string `json:"labels"`
	Ports  []ContainerPort   `json:"ports"`
	// StartupMs is image pull + container start (Pending → Running).
	StartupMs int64 `json:"startupMs"`
	// ReadinessDelayMs is Running → first passing readiness probe.
	ReadinessDelayMs int64 `json:"readinessDelayMs"`
	// GracePeriodMs is terminationGracePeriodSeconds in ms (30 s).
	GracePeriodMs int64 `json:"gracePeriodMs"`
	// ServiceMs is how long a pod takes to answer (0: Latency.ServiceMs).
	ServiceMs int64 `json:"serviceMs"`
	// HostNetwork pods use their node's network namespace: the node's IP
	// is the pod IP, and two of them cannot use one port on one node.
	HostNetwork bool `json:"hostNetwork,omitempty"`
	// NodeSelector limits the nodes the pods may run on (node labels:
	// kubernetes.io/hostname, kubernetes.io/os, topology.kubernetes.io/zone,
	// node-role.kubernetes.io/worker or /master, …).
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// Tolerations are the pod template's. Control-plane nodes are tainted
	// NoSchedule, so only pods that tolerate it run there (a DaemonSet runs
	// a pod on every node it tolerates).
	Tolerations []Toleration `json:"tolerations,omitempty"`

	// ServiceName is a StatefulSet's governing (headless) Service: its
	// pods are <pod>.<serviceName>.<namespace>.svc.cluster.local.
	ServiceName string `json:"serviceName,omitempty"`
	// PodManagementPolicy is a StatefulSet's OrderedReady (default: one
	// pod at a time, in ordinal order) or Parallel.
	PodManagementPolicy string `json:"podManagementPolicy,omitempty"`
	// Version is a DeploymentConfig's status.latestVersion: its pods
	// belong to ReplicationController <name>-<version>. 0 means it was
	// never deployed (no trigger fired): it runs no pods.
	Version int64 `json:"version,omitempty"`
	// Strategy is the rollout strategy as written (a Deployment's
	// RollingUpdate or Recreate, a DeploymentConfig's Rolling, Recreate or
	// Custom). podpath replaces a changed template's pods at once either
	// way; it is kept for the state and export.
	Strategy string `json:"strategy,omitempty"`
	// Triggers are a DeploymentConfig's trigger types (ConfigChange,
	// ImageChange).
	Triggers []string `json:"triggers,omitempty"`
}

// Deployment is a Workload of kind Deployment (the name the model's
// first version used; Kind "" means Deployment).
type Deployment = Workload

// Toleration is one of a pod template's tolerations.
type Toleration struct {
	Key      string `json:"key,omitempty"`
	Operator string `json:"operator,omitempty"` // Equal (default) or Exists
	Value    string `json:"value,omitempty"`
	Effect   string `json:"effect,omitempty"` // NoSchedule, PreferNoSchedule, NoExecute; "" all
}

// Taint is a node's taint.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

// ServicePort is one port of a Service.
type ServicePort struct {
	Name     string `json:"name,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	Port     int    `json:"port"`
	// TargetPort is a number or a container port name; empty means Port.
	TargetPort string `json:"targetPort,omitempty"`
}

// Service is the part of core/v1 Service the simulation uses.
type Service struct {
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Selector  map[string]string `json:"selector"`
	Ports     []ServicePort     `json:"ports"`
	// ClusterIP is empty to allocate one, "None" for a headless Service.
	ClusterIP string `json:"clusterIP,omitempty"`
	// SessionAffinity is "None" (default) or "ClientIP".
	SessionAffinity string `json:"sessionAffinity,omitempty"`
	// InternalTrafficPolicy is "Cluster" (default) or "Local".
	InternalTrafficPolicy string `json:"internalTrafficPolicy,omitempty"`
}

// RouteTarget is spec.to or an alternate backend. A nil Weight means 100.
type RouteTarget struct {
	Service string `json:"service"`
	Weight  *int   `json:"weight,omitempty"`
}

// Route is the part of route.openshift.io/v1 Route the simulation uses.
// TargetPort is spec.port.targetPort: an endpoint port, by the Service
// port's name or the pod's port number (not the Service's port); empty
// means every port of the Service. WildcardPolicy is None (or empty) or
// Subdomain: then, if the IngressController allows wildcards, the route
// serves every host one label below its host's domain (www.team.example.com
// serves *.team.example.com); a host starting with * is invalid.
type Route struct {
	Namespace         string            `json:"namespace"`
	Name              string            `json:"name"`
	Host              string            `json:"host"`
	Path              string            `json:"path,omitempty"`
	To                RouteTarget       `json:"to"`
	AlternateBackends []RouteTarget     `json:"alternateBackends,omitempty"`
	TargetPort        string            `json:"targetPort,omitempty"`
	TLS               *RouteTLS         `json:"tls,omitempty"`
	WildcardPolicy    string            `json:"wildcardPolicy,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
}

// LabelSelector is metav1.LabelSelector.
type LabelSelector struct {
	MatchLabels      map[string]string     `json:"matchLabels,omitempty"`
	MatchExpressions []SelectorRequirement `json:"matchExpressions,omitempty"`
}

// SelectorRequirement is one matchExpressions entry.
type SelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"` // In, NotIn, Exists, DoesNotExist
	Values   []string `json:"values,omitempty"`
}

// PolicyPeer is one from/to entry of a NetworkPolicy rule.
type PolicyPeer struct {
	PodSelector       *LabelSelector `json:"podSelector,omitempty"`
	NamespaceSelector *LabelSelector `json:"namespaceSelector,omitempty"`
	IPBlock           string         `json:"ipBlock,omitempty"` // CIDR
}

// PolicyPort is one ports entry of a NetworkPolicy rule.
type PolicyPort struct {
	Protocol string `json:"protocol,omitempty"`
	Port     string `json:"port,omitempty"` // number or name; empty: all
}

// PolicyRule is one ingress or egress rule. Empty Peers means every peer;
// empty Ports means every port.
type PolicyRule struct {
	Peers []PolicyPeer `json:"peers,omitempty"`
	Ports []PolicyPort `json:"ports,omitempty"`
}

// NetworkPolicy is networking.k8s.io/v1 NetworkPolicy.
type NetworkPolicy struct {
	Namespace   string        `json:"namespace"`
	Name        string        `json:"name"`
	PodSelector LabelSelector `json:"podSelector"`
	PolicyTypes []string      `json:"policyTypes"` // Ingress, Egress
	Ingress     []PolicyRule  `json:"ingress,omitempty"`
	Egress      []PolicyRule  `json:"egress,omitempty"`
}
