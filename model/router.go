package model

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// routerConfig is what one HAProxy process has loaded: the admitted
// routes and, per route, its backend servers (ready endpoints only). It is
// built at a reload and never changed afterwards, so copies share it.
type routerConfig struct {
	Routes   []*backend // admitted routes, in no particular order
	LoadedAt int64
}

// backend is one route's HAProxy backend.
type backend struct {
	Key         string // route ns/name
	Namespace   string
	Host        string
	Path        string
	Wildcard    bool   // host is *.domain
	Termination string // "" (plain http), edge, reencrypt, passthrough
	Insecure    string
	Balance     string
	Forced      string // why the balance algorithm was chosen
	Cookies     bool
	CookieName  string
	Services    []backendService
	Servers     []server
	TimeoutMs   int64
}

type backendService struct {
	Key       string
	Weight    int
	Endpoints int
	NoPort    string // the Route's target port when it names no port of this Service
}

// server is one HAProxy server line: a pod endpoint with its share of the
// Service's weight.
type server struct {
	Pod     string // pod key
	IP      string
	Port    int
	Node    string
	Service string
	Weight  float64
	ID      string // the cookie value that names it
	Addr    string // IP:port
	HopID   string // "pod:<key>"
}

// routerState is per router pod: its loaded config and its balancing state.
type routerState struct {
	Config        *routerConfig
	LastReload    int64
	PendingReload bool
	RR            map[string]int       // roundrobin position per backend
	Active        map[string]int       // open connections per server (pod key)
	SmoothRR      map[string][]float64 // smooth weighted round-robin state
}

// routersDirty records that endpoints or routes changed; each router
// applies them at its next reload, at most one per ReloadIntervalMs.
func (s *Sim) routersDirty() {
	for _, p := range s.routerPods() {
		rs := s.routerStateOf(p)
		if rs.PendingReload {
			continue
		}
		rs.PendingReload = true
		at := max(s.now, rs.LastReload+s.settings.ReloadIntervalMs)
		s.schedule(timer{At: at, Kind: tmRouterReload, Key: p.Key})
	}
	s.changed()
}

func (s *Sim) routerReload(key string) {
	p := s.pods[key]
	if p == nil {
		return
	}
	rs := s.routerStateOf(p)
	rs.PendingReload = false
	rs.LastReload = s.now
	rs.Config = s.buildRouterConfig()
	for _, k := range sortedKeys(s.goneAt) { // forget pods no config lists any more
		if s.now-s.goneAt[k] > 60_000 {
			delete(s.goneAt, k)
		}
	}
	s.changed()
	n := 0
	for _, b := range rs.Config.Routes {
		n += len(b.Servers)
	}
	s.logf("router", p.hopID, "router %s reloaded HAProxy: %d routes, %d servers", p.Name, len(rs.Config.Routes), n)
}

func (s *Sim) reloadAllRouters() {
	for _, p := range s.routerPods() {
		rs := s.routerStateOf(p)
		rs.Config = s.buildRouterConfig()
		rs.LastReload = s.now
		rs.PendingReload = false
	}
}

// routerStates live beside the pods, keyed by router pod key.
func (s *Sim) routerStateOf(p *pod) *routerState {
	if s.traffic.routers == nil {
		s.traffic.routers = map[string]*routerState{}
	}
	rs := s.traffic.routers[p.Key]
	if rs == nil {
		rs = &routerState{RR: map[string]int{}, Active: map[string]int{}, SmoothRR: map[string][]float64{}}
		s.traffic.routers[p.Key] = rs
	}
	return rs
}

// buildRouterConfig renders what a reload loads: admitted routes and their
// ready endpoints.
func (s *Sim) buildRouterConfig() *routerConfig {
	cfg := &routerConfig{LoadedAt: s.now}
	for _, k := range sortedKeys(s.routes) {
		r := s.routes[k]
		if !r.Admitted {
			continue
		}
		cfg.Routes = append(cfg.Routes, s.buildBackend(r))
	}
	return cfg
}

func routeWeight(t RouteTarget) int {
	if t.Weight == nil {
		return 100
	}
	return *t.Weight
}

func (s *Sim) buildBackend(r *route) *backend {
	sp := r.Spec
	b := &backend{
		Key:       sp.Namespace + "/" + sp.Name,
		Namespace: sp.Namespace,
		Host:      strings.ToLower(sp.Host),
		Path:      sp.Path,
		TimeoutMs: serverTimeoutMs,
	}
	if strings.HasPrefix(b.Host, "*.") {
		b.Wildcard = true
	}
	if sp.TLS != nil {
		b.Termination = sp.TLS.Termination
		b.Insecure = sp.TLS.InsecureEdgeTerminationPolicy
		if b.Insecure == "" {
			b.Insecure = "None"
		}
	}
	targets := append([]RouteTarget{sp.To}, sp.AlternateBackends...)
	active := 0
	for _, t := range targets {
		w := routeWeight(t)
		svcKey := sp.Namespace + "/" + t.Service
		bs := backendService{Key: svcKey, Weight: w}
		if sv := s.services[svcKey]; sv != nil {
			idx := routePortIndex(sv, sp.TargetPort)
			if idx < 0 {
				bs.NoPort = sp.TargetPort
			}
			var ready []endpoint
			for _, e := range s.endpointsOf(sv, idx) {
				if e.Ready {
					ready = append(ready, e)
				}
			}
			bs.Endpoints = len(ready)
			for _, e := range ready {
				b.Servers = append(b.Servers, server{
					Pod: e.Pod.Key, IP: e.Pod.IP, Port: e.Port, Node: e.Pod.Node, Service: svcKey,
					Weight: float64(w) / float64(len(ready)),
					ID:     cookieID(e.Pod.IP, e.Port),
					Addr:   e.Pod.IP + ":" + strconv.Itoa(e.Port),
					HopID:  e.Pod.hopID,
				})
			}
		}
		if w > 0 {
			active++
		}
		b.Services = append(b.Services, bs)
	}
	b.Balance, b.Forced = s.effectiveBalance(sp, b.Termination == "passthrough", active)
	b.Cookies = b.Termination != "passthrough" && sp.Annotations[AnnotationDisableCookies] != "true"
	if ms, ok := parseHAProxyDuration(sp.Annotations[AnnotationTimeout]); ok {
		b.TimeoutMs = ms
	}
	b.CookieName = cookieID(b.Key, 0)
	return b
}

// effectiveBalance applies the router template's rules: the balance
// annotation when it names an algorithm; else roundrobin when more than one
// Service is active on the route; else the version's default (random since
// 4.11, leastconn before; source for passthrough).
func (s *Sim) effectiveBalance(r Route, passthrough bool, active int) (algo, why string) {
	if a := r.Annotations[AnnotationBalance]; slices.Contains(BalanceAlgos, a) {
		return a, fmt.Sprintf("%s from the %s annotation", a, AnnotationBalance)
	}
	if active > 1 {
		return "roundrobin", fmt.Sprintf("roundrobin, the router's default when %d Services are active on the route and no balance annotation is set", active)
	}
	d := s.defaultBalance(passthrough)
	mode := "http/edge/reencrypt"
	if passthrough {
		mode = "passthrough"
	}
	return d, fmt.Sprintf("%s is the default for %s routes on OpenShift %s", d, mode, s.settings.OpenShiftVersion)
}

// routePortIndex finds the Service port a Route targets (spec.port.targetPort
// by name or number), the first port when unset.
func routePortIndex(sv *service, target string) int {
	if target == "" {
		return 0
	}
	for i, p := range sv.Spec.Ports {
		if p.Name == target || fmt.Sprint(p.Port) == target || p.TargetPort == target {
			return i
		}
	}
	return -1
}

// parseHAProxyDuration reads the timeout annotation: a number with an
// optional unit us, ms, s, m, h or d (no unit means milliseconds).
func parseHAProxyDuration(v string) (int64, bool) {
	if v == "" {
		return 0, false
	}
	units := []struct {
		suffix string
		ms     float64
	}{{"us", 0.001}, {"ms", 1}, {"s", 1000}, {"m", 60_000}, {"h", 3_600_000}, {"d", 86_400_000}}
	num, mult := v, 1.0
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			num, mult = strings.TrimSuffix(v, u.suffix), u.ms
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n <= 0 || n*mult > 86_400_000 {
		return 0, false
	}
	return int64(n * mult), true
}

func cookieID(a string, b int) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s:%d", a, b)
	return fmt.Sprintf("%016x", h.Sum64())
}

// admitRoutes recomputes route admission: for each host the oldest route
// claims it for its namespace (Strict ownership); a newer route for the
// same host and path, or any route for that host from another namespace,
// is rejected HostAlreadyClaimed.
func (s *Sim) admitRoutes() {
	keys := sortedKeys(s.routes)
	slices.SortStableFunc(keys, func(a, b string) int { return int(s.routes[a].created - s.routes[b].created) })
	owner := map[string]string{}   // host → namespace
	claimed := map[string]string{} // host+path → route key
	for _, k := range keys {
		r := s.routes[k]
		host := strings.ToLower(r.Spec.Host)
		was, wasReason := r.Admitted, r.Reason
		r.Admitted, r.Reason = true, ""
		if strings.HasPrefix(host, "*.") && !s.settings.AllowWildcardRoutes {
			r.Admitted, r.Reason = false, "RouteNotAdmitted: wildcard routes are not allowed (IngressController routeAdmission.wildcardPolicy is WildcardsDisallowed)"
		} else if ns, ok := owner[host]; ok && ns != r.Spec.Namespace {
			r.Admitted, r.Reason = false, fmt.Sprintf("HostAlreadyClaimed: host %s is owned by a route in namespace %s (namespace ownership Strict)", host, ns)
		} else if other, ok := claimed[host+r.Spec.Path]; ok {
			r.Admitted, r.Reason = false, fmt.Sprintf("HostAlreadyClaimed: route %s is older and claims %s%s", other, host, r.Spec.Path)
		} else {
			owner[host] = r.Spec.Namespace
			claimed[host+r.Spec.Path] = k
		}
		if was != r.Admitted || wasReason != r.Reason {
			if r.Admitted {
				s.logf("route", "route:"+k, "route %s admitted", k)
			} else {
				s.logf("route", "route:"+k, "route %s not admitted: %s", k, r.Reason)
			}
		}
	}
}

// pathMatches is HAProxy's segment-aware prefix match as the router
// builds it: "/cart" matches "/cart" and "/cart/x", not "/cartoon".
func pathMatches(routePath, reqPath string) bool {
	if routePath == "" || routePath == "/" {
		return true
	}
	rp := strings.TrimSuffix(routePath, "/")
	if !strings.HasPrefix(reqPath, rp) {
		return false
	}
	rest := reqPath[len(rp):]
	return rest == "" || rest[0] == '/' || rest[0] == '?'
}

// matchResult explains a route lookup.
type matchResult struct {
	Backend *backend
	// Redirect: a plain-HTTP request matched a route whose
	// insecureEdgeTerminationPolicy is Redirect, so the router answers 302.
	Redirect bool
	Rejected []string // why other routes for the host did not match
}

// match finds the route for a request the way the router's HAProxy
// frontends do; each consults only its own maps:
//   - HTTPS (port 443): a passthrough route for the SNI host (no path),
//     else the edge/reencrypt routes;
//   - plain HTTP (port 80): the routes with insecureEdgeTerminationPolicy
//     Redirect (a 302), else the plain routes and the edge/reencrypt routes
//     with Allow.
//
// Within a map the exact host comes before a wildcard for the parent
// domain, and the longest matching path wins.
func (cfg *routerConfig) match(host, path string, https bool) matchResult {
	var res matchResult
	wild := ""
	if i := strings.IndexByte(host, '.'); i > 0 {
		wild = "*" + host[i:]
	}
	onHost := func(b *backend) bool {
		return (b.Host == host && !b.Wildcard) || (wild != "" && b.Host == wild && b.Wildcard)
	}
	pick := func(serves func(*backend) bool) *backend {
		for _, h := range []string{host, wild} {
			if h == "" {
				continue
			}
			var best *backend
			for _, b := range cfg.Routes {
				if b.Host != h || b.Wildcard != (h == wild) || !serves(b) {
					continue
				}
				if b.Termination == "passthrough" {
					return b // SNI decides, or the redirect does: no path
				}
				if !pathMatches(b.Path, path) {
					res.Rejected = append(res.Rejected, fmt.Sprintf("%s: path %s does not match %s on a segment boundary", b.Key, orSlash(b.Path), path))
					continue
				}
				if best == nil || len(b.Path) > len(best.Path) {
					if best != nil {
						res.Rejected = append(res.Rejected, fmt.Sprintf("%s: path %s is shorter than %s", best.Key, orSlash(best.Path), orSlash(b.Path)))
					}
					best = b
				} else {
					res.Rejected = append(res.Rejected, fmt.Sprintf("%s: path %s is shorter than %s", b.Key, orSlash(b.Path), orSlash(best.Path)))
				}
			}
			if best != nil {
				return best
			}
		}
		return nil
	}
	// Routes this frontend never consults, said once.
	for _, b := range cfg.Routes {
		if !onHost(b) {
			continue
		}
		switch {
		case https && b.Termination == "":
			res.Rejected = append(res.Rejected, fmt.Sprintf("%s: no TLS, so it is not served on HTTPS (the router presents its default certificate)", b.Key))
		case !https && b.Termination != "" && b.Insecure != "Redirect" && b.Insecure != "Allow":
			res.Rejected = append(res.Rejected, fmt.Sprintf("%s: %s with insecureEdgeTerminationPolicy None, so it is not served on plain HTTP", b.Key, b.Termination))
		}
	}
	if https {
		if b := pick(func(b *backend) bool { return b.Termination == "passthrough" }); b != nil {
			res.Backend = b
			return res
		}
		res.Backend = pick(func(b *backend) bool { return b.Termination == "edge" || b.Termination == "reencrypt" })
		return res
	}
	if b := pick(func(b *backend) bool { return b.Termination != "" && b.Insecure == "Redirect" }); b != nil {
		res.Backend, res.Redirect = b, true
		return res
	}
	res.Backend = pick(func(b *backend) bool {
		return b.Termination == "" || (b.Termination != "passthrough" && b.Insecure == "Allow")
	})
	return res
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
