package model

// Output is what the Sim produced since the last Drain.
type Output struct {
	Requests []Request  `json:"requests"`
	Log      []LogEvent `json:"log"`
}

// Request is one simulated HTTP request (or TCP connection for
// passthrough) from a client to a pod and back, decided in full when it
// starts. Its hops carry virtual timestamps; a viewer places a dot at
// (now − start) / (end − start) along each hop.
type Request struct {
	ID         uint64 `json:"id"`
	Client     string `json:"client"`     // client id, e.g. "browser-3"
	ClientKind string `json:"clientKind"` // browser, curl, pod
	ClientIP   string `json:"clientIP"`
	URL        string `json:"url"`
	StartMs    int64  `json:"startMs"`
	EndMs      int64  `json:"endMs"`
	// Status is the HTTP status the client got; 0 when no HTTP answer
	// came (see Outcome).
	Status int `json:"status"`
	// Outcome is "ok", "http-error", "refused", "reset", "timeout",
	// "dropped", "nxdomain" (DNS has no such name) or "dns-timeout" (the
	// DNS query got no answer, so the name never resolved).
	Outcome string `json:"outcome"`
	Pod     string `json:"pod,omitempty"`     // namespace/name that served it
	Service string `json:"service,omitempty"` // namespace/name
	Route   string `json:"route,omitempty"`   // namespace/name
	Reason  string `json:"reason,omitempty"`  // why it failed, one sentence
	Hops    []Hop  `json:"hops"`
}

// Hop kinds.
const (
	HopDNS      = "dns"      // client asks DNS, answer comes back
	HopInternet = "internet" // client → AWS LB node
	HopLB       = "lb"       // LB node → worker node's NodePort
	HopNodePort = "nodeport" // node (kube-proxy DNAT) → router pod
	HopPodNet   = "podnet"   // pod → pod over Calico: router → app pod, or a pod dialling a pod IP (headless Service)
	HopService  = "service"  // pod → ClusterIP DNATed by kube-proxy (east–west)
	HopApp      = "app"      // the app pod handles the request
	HopEgress   = "egress"   // pod → its node, leaving the cluster (Calico natOutgoing SNAT)
	HopResponse = "response" // a hop of the response, retracing a request hop
)

// Hop is one leg of a request. From and To are topology element ids:
// "internet", "client:<id>", "dns", "lb:<zone>", "node:<name>",
// "pod:<namespace>/<name>".
type Hop struct {
	Kind          string `json:"kind"`
	From          string `json:"from"`
	To            string `json:"to"`
	Src           string `json:"src"`                     // ip:port
	Dst           string `json:"dst"`                     // ip:port
	Encapsulation string `json:"encapsulation,omitempty"` // vxlan, ipip
	StartMs       int64  `json:"startMs"`
	EndMs         int64  `json:"endMs"`
	Response      bool   `json:"response,omitempty"`
	// Failed marks the hop where the request ended badly.
	Failed bool `json:"failed,omitempty"`
	// HopDetail is set only in explained runs (Trace); its fields appear
	// flat in the JSON. Live traffic leaves it nil to stay light.
	*HopDetail
}

// HopDetail is the explanation of a hop.
type HopDetail struct {
	// Outer is the encapsulating header, "nodeIP → nodeIP", when any.
	Outer   string   `json:"outer,omitempty"`
	NAT     string   `json:"nat,omitempty"`
	Headers []string `json:"headers,omitempty"`
	// Note says in one sentence why this hop went where it did.
	Note string `json:"note,omitempty"`
}

// Detail returns the hop's explanation, empty when it has none.
func (h Hop) Detail() HopDetail {
	if h.HopDetail == nil {
		return HopDetail{}
	}
	return *h.HopDetail
}

func (h *Hop) detail() *HopDetail {
	if h.HopDetail == nil {
		h.HopDetail = &HopDetail{}
	}
	return h.HopDetail
}

// LogEvent is one cluster change, for the event log.
type LogEvent struct {
	TimeMs  int64  `json:"timeMs"`
	Kind    string `json:"kind"` // pod, endpoints, router, lb, dns, node, route, command
	Object  string `json:"object"`
	Message string `json:"message"`
}

// TraceRequest asks for one explained request on a copy of the state.
type TraceRequest struct {
	URL    string `json:"url"`
	Client string `json:"client"` // browser, curl (default curl)
	// From is "namespace/pod" for a request sent from inside a pod.
	From string `json:"from,omitempty"`
	// ClientIP overrides the client's public IP.
	ClientIP string `json:"clientIP,omitempty"`
}

// TraceResult is one explained request.
type TraceResult struct {
	Status  int    `json:"status"`
	Outcome string `json:"outcome"`
	Pod     string `json:"pod"`
	Service string `json:"service,omitempty"`
	Route   string `json:"route,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// ExpandedURL is the URL after the calling pod's shell expanded its
	// environment variables ($NAME), when it named any.
	ExpandedURL string `json:"expandedURL,omitempty"`
	Hops        []Hop  `json:"hops"`
}

// LoadRequest asks for many requests on a copy of the state.
type LoadRequest struct {
	URL     string `json:"url"`
	Count   int    `json:"count"`
	Client  string `json:"client"`  // browser, curl (default curl)
	Clients int    `json:"clients"` // distinct clients (default: one per request for curl, 1 for browser)
	From    string `json:"from,omitempty"`
	// RPS spaces the requests in virtual time (default 1000).
	RPS float64 `json:"rps,omitempty"`
}

// LoadResult counts where the requests went.
type LoadResult struct {
	Count       int            `json:"count"`
	StatusCodes map[string]int `json:"statusCodes"`
	Outcomes    map[string]int `json:"outcomes"`
	ByPod       map[string]int `json:"byPod"`
	ByService   map[string]int `json:"byService"`
	DurationMs  int64          `json:"durationMs"`
}
