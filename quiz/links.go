package quiz

// Lessons name the walkthrough steps questions link to. Questions refer
// to a lesson, never to a scenario and step directly, so that when the
// walkthroughs (scenarios/*.yaml, spec.steps) move, this table is the one
// place to fix. links_test.go checks every entry against the built-in
// scenarios.
const (
	lessonGolden      = "golden-path"     // one request hop by hop
	lessonSticky      = "sticky"          // browser cookie vs curl
	lessonWeights     = "weights"         // canary: weights per Service
	lessonWeightZero  = "weight-zero"     // promote: weight 0 takes no new traffic
	lesson503         = "why-503"         // nothing can serve → 503
	lessonTLS         = "tls"             // edge, reencrypt, passthrough, insecure policy
	lessonPassthrough = "passthrough"     // SNI only, no headers, connection closed
	lessonPolicy      = "network-policy"  // default deny, router allow
	lessonPolicyDeny  = "policy-deny"     // the allow removed → 503 after connect timeouts
	lessonAZ          = "az-outage"       // DNS answers shrink, cross-zone off
	lessonLBTargets   = "lb-targets"      // unhealthy targets by design
	lessonRouting     = "routing"         // paths and hosts
	lessonRouteClaim  = "route-claim"     // oldest route wins
	lessonEastWest    = "east-west"       // CoreDNS, ClusterIP, kube-proxy
	lessonCalico      = "calico"          // same node vs VXLAN
	lessonScaling     = "scaling"         // readiness, endpoints, reload
	lessonIngressComp = "ingress-objects" // components along the path
	lessonSourceIP    = "source-ip"       // the pod sees the router's IP
	lessonNodePort    = "nodeport"        // LB → worker NodePort
	lessonDNS         = "dns"             // the wildcard record
	lessonUnknownHost = "unknown-host"    // no Route claims the host → 503
	lessonInsecure    = "insecure-policy" // http to an edge Route
	lessonClientIP    = "client-ip"       // X-Forwarded-For, not for passthrough
	lessonHealth      = "lb-health"       // health checks notice
	lessonCoreDNS     = "coredns"         // CoreDNS answers the ClusterIP
	lessonSvcRandom   = "service-random"  // kube-proxy random per connection
	lessonNoEndpoints = "no-endpoints"    // ClusterIP without endpoints → refused
	lessonCalicoBlock = "calico-blocks"   // /26 blocks
	lessonSameNode    = "same-node"       // veth and a /32 route
	lessonEphemeral   = "ephemeral-ip"    // pod IPs change
	lessonReadiness   = "readiness"       // a failing readiness probe
	lessonEnvVars     = "env-vars"        // *_SERVICE_HOST written at container start
)

// lessons maps each lesson to the walkthrough step that shows it. Step
// 0 links to the scenario without a step.
var lessons = map[string]Link{
	lessonGolden:      {Scenario: "golden-path", Step: 6},
	lessonSticky:      {Scenario: "golden-path", Step: 9},
	lessonSourceIP:    {Scenario: "golden-path", Step: 8},
	lessonLBTargets:   {Scenario: "golden-path", Step: 4},
	lessonNodePort:    {Scenario: "golden-path", Step: 3},
	lessonDNS:         {Scenario: "golden-path", Step: 2},
	lessonIngressComp: {Scenario: "golden-path", Step: 1},
	lessonWeights:     {Scenario: "weights", Step: 2},
	lessonWeightZero:  {Scenario: "weights", Step: 5},
	lesson503:         {Scenario: "why-503", Step: 5},
	lessonUnknownHost: {Scenario: "why-503", Step: 2},
	lessonInsecure:    {Scenario: "why-503", Step: 3},
	lessonTLS:         {Scenario: "tls", Step: 2},
	lessonPassthrough: {Scenario: "tls", Step: 4},
	lessonClientIP:    {Scenario: "tls", Step: 5},
	lessonPolicy:      {Scenario: "network-policy", Step: 3},
	lessonPolicyDeny:  {Scenario: "network-policy", Step: 2},
	lessonAZ:          {Scenario: "az-outage", Step: 2},
	lessonHealth:      {Scenario: "az-outage", Step: 3},
	lessonRouting:     {Scenario: "route-conflict"},
	lessonRouteClaim:  {Scenario: "route-conflict", Step: 1},
	lessonEastWest:    {Scenario: "microservices", Step: 3},
	lessonCoreDNS:     {Scenario: "microservices", Step: 2},
	lessonSvcRandom:   {Scenario: "microservices", Step: 4},
	lessonNoEndpoints: {Scenario: "microservices", Step: 6},
	lessonEnvVars:     {Scenario: "microservices", Step: 10},
	lessonCalico:      {Scenario: "calico", Step: 3},
	lessonCalicoBlock: {Scenario: "calico", Step: 1},
	lessonSameNode:    {Scenario: "calico", Step: 2},
	lessonEphemeral:   {Scenario: "calico", Step: 4},
	lessonScaling:     {Scenario: "scaling", Step: 4},
	lessonReadiness:   {Scenario: "scaling", Step: 6},
}

// Lessons returns a copy of the lesson → link table.
func Lessons() map[string]Link {
	out := make(map[string]Link, len(lessons))
	for k, v := range lessons {
		out[k] = v
	}
	return out
}

// lessonLink is the link of a lesson; nil for none.
func lessonLink(lesson string) *Link {
	l, ok := lessons[lesson]
	if !ok {
		return nil
	}
	return &l
}
