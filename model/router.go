package model

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// routerConfig is what one HAProxy process has loaded: the admitted
// routes and, per route, its backend servers (ready endpoints only). It is
// built at a reload and never changed afterwards, so copies share it.
type routerConfig struct {
	// Routes are the admitted routes in the order of HAProxy's map files
	// (see mapOrder): the first entry that matches a request wins.
	Routes   []*backend
	LoadedAt int64
}

// backend is one route's HAProxy backend and its entries in the maps.
type backend struct {
	Key       string // route ns/name
	Namespace string
	Host      string
	Path      string
	// Wildcard is spec.wildcardPolicy Subdomain (admitted only when the
	// IngressController allows wildcards): the route serves every host one
	// label below Domain, as the map's [^\.]*\.<domain> does.
	Wildcard    bool
	Domain      string // Host without its first label
	MapKey      string // the route's key in HAProxy's maps (see mapKey)
	Termination string // "" (plain http), edge, reencrypt, passthrough
	Insecure    string
	Balance     string
	Forced      string // why the balance algorithm was chosen
	Cookies     bool
	CookieName  string
	Services    []backendService
	Servers     []server
	// ActiveEndpoints counts the servers of Services with weight > 0; the
	// router's template health-checks servers only when it is above 1.
	ActiveEndpoints int
	TimeoutMs       int64
}

type backendService struct {
	Key    string
	Weight int // the Route's weight for it, 0..256
	// Endpoints is how many of its endpoints the router uses: ready, and
	// on the Route's target port when it names one.
	Endpoints int
	// ServerWeight is the HAProxy weight of each of its servers (see
	// serverWeights).
	ServerWeight int
	NoPort       string // the Route's target port when it names no endpoint port of this Service
	Ports        string // the Service's ports, said when NoPort is set
}

// server is one HAProxy server line: a pod endpoint with its Service's
// per-server weight.
type server struct {
	Pod     string // pod key
	IP      string
	Port    int
	Node    string
	Service string
	Weight  int
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
// ready endpoints, in the order of HAProxy's maps.
func (s *Sim) buildRouterConfig() *routerConfig {
	cfg := &routerConfig{LoadedAt: s.now}
	for _, k := range sortedKeys(s.routes) {
		r := s.routes[k]
		if !r.Admitted {
			continue
		}
		cfg.Routes = append(cfg.Routes, s.buildBackend(r))
	}
	slices.SortStableFunc(cfg.Routes, mapOrder)
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
		Wildcard:  sp.WildcardPolicy == "Subdomain",
		TimeoutMs: serverTimeoutMs,
	}
	b.Domain = domainOf(b.Host)
	b.MapKey = mapKey(b.Host, b.Domain, b.Path, b.Wildcard)
	if sp.TLS != nil {
		b.Termination = sp.TLS.Termination
		b.Insecure = sp.TLS.InsecureEdgeTerminationPolicy
		if b.Insecure == "" {
			b.Insecure = "None"
		}
	}
	targets := append([]RouteTarget{sp.To}, sp.AlternateBackends...)
	active := 0
	eps := make([][]endpoint, len(targets))
	for i, t := range targets {
		w := routeWeight(t)
		svcKey := sp.Namespace + "/" + t.Service
		bs := backendService{Key: svcKey, Weight: w}
		if sv := s.services[svcKey]; sv != nil {
			eps[i], bs.NoPort = s.routerEndpoints(sv, sp.TargetPort)
			if bs.NoPort != "" {
				bs.Ports = servicePortsText(sv)
			}
			bs.Endpoints = len(eps[i])
		}
		if w > 0 {
			active++
			b.ActiveEndpoints += bs.Endpoints
		}
		b.Services = append(b.Services, bs)
	}
	serverWeights(b.Services)
	for i, bs := range b.Services {
		if bs.ServerWeight == 0 && b.Termination == "passthrough" {
			continue // the template drops them: no cookie can ask for one
		}
		for _, e := range eps[i] {
			b.Servers = append(b.Servers, server{
				Pod: e.Pod.Key, IP: e.Pod.IP, Port: e.Port, Node: e.Pod.Node, Service: bs.Key,
				Weight: bs.ServerWeight,
				ID:     cookieID(e.Pod.IP, e.Port),
				Addr:   e.Pod.IP + ":" + strconv.Itoa(e.Port),
				HopID:  e.Pod.hopID,
			})
		}
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

// routerEndpoints is what the router serves of a Service for a Route
// (endpointsForAlias): its ready endpoints on every port when the Route
// names no target port, else only those whose port name (the Service
// port's name) or port number (the pod's port, not the Service's) is the
// target port. noPort is the target port when no port of the Service can
// match it, whatever its endpoints' readiness.
func (s *Sim) routerEndpoints(sv *service, target string) (out []endpoint, noPort string) {
	noPort = target
	for i, p := range sv.Spec.Ports {
		if target == "" || p.Name == target || targetNumber(p) == target {
			noPort = ""
		}
		for _, e := range s.endpointsOf(sv, i) {
			if target != "" && p.Name != target && strconv.Itoa(e.Port) != target {
				continue
			}
			noPort = ""
			if e.Ready {
				out = append(out, e)
			}
		}
	}
	return out, noPort
}

// targetNumber is a Service port's target port when the Service says the
// number ("" for a named target port: only the pods know its number).
func targetNumber(p ServicePort) string {
	switch {
	case p.TargetPort == "":
		return strconv.Itoa(p.Port)
	case isNumber(p.TargetPort):
		return p.TargetPort
	}
	return ""
}

func isNumber(v string) bool {
	_, err := strconv.Atoi(v)
	return err == nil
}

// servicePortsText lists a Service's ports as name port→targetPort.
func servicePortsText(sv *service) string {
	var parts []string
	for _, p := range sv.Spec.Ports {
		tp := p.TargetPort
		if tp == "" {
			tp = strconv.Itoa(p.Port)
		}
		name := p.Name
		if name == "" {
			name = "(no name)"
		}
		parts = append(parts, fmt.Sprintf("%s %d→%s", name, p.Port, tp))
	}
	return strings.Join(parts, ", ")
}

// serverWeights sets each Service's per-server HAProxy weight as the
// router does (calculateServiceWeights). With one active Service (weight
// above 0, with endpoints) its servers weigh 1 and zero-weight Services' 0.
// Otherwise a Service's weight is divided among its endpoints, the largest
// share is scaled to 256 and the others by the same factor, truncated to an
// integer and at least 1 when the Service's weight is above 0 — in float32,
// as the router computes it.
func serverWeights(svcs []backendService) {
	active := 0
	for _, bs := range svcs {
		if bs.Weight > 0 && bs.Endpoints > 0 {
			active++
		}
	}
	if active == 1 {
		for i, bs := range svcs {
			if bs.Weight > 0 && bs.Endpoints > 0 {
				svcs[i].ServerWeight = 1
			}
		}
		return
	}
	share := make([]float32, len(svcs))
	var top float32
	for i, bs := range svcs {
		if bs.Endpoints > 0 {
			share[i] = float32(bs.Weight) / float32(bs.Endpoints)
		}
		top = max(top, share[i])
	}
	var scale float32
	if top > 0 {
		scale = 256 / top
	}
	for i := range svcs {
		w := int(share[i] * scale)
		if share[i] > 0 && w < 1 {
			w = 1
		}
		svcs[i].ServerWeight = w
	}
}

// domainOf is a host without its first label (GetDomainForHost): the
// domain a Subdomain wildcard route serves.
func domainOf(host string) string {
	if i := strings.IndexByte(host, '.'); i >= 0 {
		return host[i+1:]
	}
	return ""
}

// mapKey is the route's key in HAProxy's map files as the router writes it
// (GenerateRouteRegexp): the host — [^\.]*\.<domain> for a wildcard, one
// label of any name — an optional port, then the path: a path that is only
// slashes matches everything, one ending in / matches what starts with it,
// any other matches itself and what follows after a /.
func mapKey(host, domain, path string, wildcard bool) string {
	h := regexp.QuoteMeta(host)
	if wildcard {
		h = `[^\.]*` + regexp.QuoteMeta("."+domain)
	}
	p, rest := regexp.QuoteMeta(path), `(/.*)?`
	switch {
	case strings.TrimRight(path, "/") == "":
		p = ""
	case strings.HasSuffix(path, "/"):
		rest = `(.*)?`
	}
	p = strings.NewReplacer(" ", `\x20`, "\t", `\t`).Replace(p)
	return "^" + h + `\.?(:[0-9]+)?` + p + rest + "$"
}

// mapOrder is the order of HAProxy's map files (SortMapPaths): exact hosts
// before wildcards, each group in reverse lexical order of the keys, which
// puts a longer path before a shorter one it extends. HAProxy takes the
// first entry that matches, so the most specific route wins.
func mapOrder(a, b *backend) int {
	if a.Wildcard != b.Wildcard {
		if a.Wildcard {
			return 1
		}
		return -1
	}
	return strings.Compare(b.MapKey, a.MapKey)
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

// admitRoutes recomputes route admission the way the router's plugins do,
// oldest route first, so that an older claim always wins:
//   - a wildcard route (spec.wildcardPolicy Subdomain) needs the
//     IngressController's WildcardsAllowed, else RouteNotAdmitted;
//   - the host index, namespace ownership Strict: the oldest route on a host
//     owns it for its namespace; a newer route from another namespace, one
//     with the same host and path, or a TLS route on a host that an older
//     passthrough route holds is rejected HostAlreadyClaimed;
//   - with wildcards allowed, the host admitter: a wildcard route and the
//     hosts of its domain must belong to one namespace, the older claim
//     blocking the newer; two wildcard routes of one namespace clash on the
//     same domain and path.
func (s *Sim) admitRoutes() {
	keys := sortedKeys(s.routes)
	slices.SortStableFunc(keys, func(a, b string) int { return int(s.routes[a].created - s.routes[b].created) })
	var held []*route // admitted so far, oldest first
	for _, k := range keys {
		r := s.routes[k]
		was, wasReason := r.Admitted, r.Reason
		r.Reason = s.rejection(r.Spec, held)
		r.Admitted = r.Reason == ""
		if r.Admitted {
			held = append(held, r)
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

// rejection says why the router rejects route sp beside the older admitted
// routes, "" when it admits it.
func (s *Sim) rejection(sp Route, held []*route) string {
	wild := sp.WildcardPolicy == "Subdomain"
	if wild && !s.settings.AllowWildcardRoutes {
		return "RouteNotAdmitted: wildcard routes are not allowed (IngressController routeAdmission.wildcardPolicy is WildcardsDisallowed)"
	}
	host, domain := sp.Host, domainOf(sp.Host)
	for _, o := range held {
		op := o.Spec
		older := op.Namespace + "/" + op.Name
		otherNS := op.Namespace != sp.Namespace
		holds := func(why string) string {
			return fmt.Sprintf("HostAlreadyClaimed: a route in another namespace holds host %s (%s; namespace ownership Strict)", host, why)
		}
		if op.Host == host {
			switch {
			case otherNS:
				return holds("route " + older + " is older")
			case op.Path == sp.Path:
				return fmt.Sprintf("HostAlreadyClaimed: route %s already exposes %s%s and is older", older, host, sp.Path)
			case sp.TLS != nil && op.TLS != nil && op.TLS.Termination == "passthrough":
				return fmt.Sprintf("HostAlreadyClaimed: route %s is older and holds %s with passthrough; a TLS route with a path cannot share its host", older, host)
			}
		}
		if !s.settings.AllowWildcardRoutes || domainOf(op.Host) != domain {
			continue
		}
		owild := op.WildcardPolicy == "Subdomain"
		blocking := fmt.Sprintf("older wildcard route %s has host *.%s, blocking %s", older, domain, host)
		switch {
		case owild && wild && !otherNS && op.Path == sp.Path:
			return "HostAlreadyClaimed: " + blocking
		case owild && otherNS:
			return holds(blocking)
		case wild && otherNS:
			return holds(fmt.Sprintf("older route %s has host %s, blocking *.%s", older, op.Host, domain))
		}
	}
	return ""
}

// pathMatches is a route path's match as the router's map key builds it
// (mapKey): a path of only slashes (or none) matches every path; one that
// ends in / matches the paths that start with it ("/cart/" matches
// "/cart/x", not "/cart"); any other matches itself and what follows after
// a / ("/cart" matches "/cart" and "/cart/x", not "/cartoon"). Case counts.
func pathMatches(routePath, reqPath string) bool {
	switch {
	case strings.TrimRight(routePath, "/") == "":
		return true
	case strings.HasSuffix(routePath, "/"):
		return strings.HasPrefix(reqPath, routePath)
	}
	rest, ok := strings.CutPrefix(reqPath, routePath)
	return ok && (rest == "" || rest[0] == '/')
}

// onHost says whether b's map entry matches a request host: the route's
// host, or for a wildcard any host one label below its domain (the
// regexp [^\.]*\.<domain>: "a.team.example.com" for www.team.example.com,
// not "a.b.team.example.com" nor "team.example.com").
func (b *backend) onHost(host string) bool {
	if !b.Wildcard {
		return host == b.Host
	}
	label, ok := strings.CutSuffix(host, "."+b.Domain)
	return ok && !strings.Contains(label, ".")
}

// routeEntry is the host part of a route's map entry, admitted or not.
func routeEntry(r Route) *backend {
	return &backend{Host: r.Host, Domain: domainOf(r.Host), Wildcard: r.WildcardPolicy == "Subdomain"}
}

func (b *backend) serves(host, path string) bool {
	return b.onHost(host) && pathMatches(b.Path, path)
}

// matchResult explains a route lookup.
type matchResult struct {
	Backend *backend
	// Redirect: a plain-HTTP request's most specific route has
	// insecureEdgeTerminationPolicy Redirect, so the router answers 302.
	Redirect bool
	Rejected []string // why other routes for the host were not chosen
}

// match finds the route for a request as the router's HAProxy frontends
// read their map files, each sorted most specific first (mapOrder), the
// first matching entry winning:
//   - HTTPS (port 443): os_sni_passthrough.map by the SNI host (passthrough
//     routes), else os_edge_reencrypt_be.map (edge and reencrypt routes);
//   - plain HTTP (port 80): os_route_http_redirect.map holds every route,
//     marked 1 with insecureEdgeTerminationPolicy Redirect and 0 otherwise;
//     when the request's first match is marked 1 the router answers 302,
//     else it looks in os_http_be.map (plain routes, edge and reencrypt
//     routes with Allow).
//
// So the most specific route decides the redirect too: beside an edge /
// route with Redirect, an edge /cart route with None leaves
// http://host/cart unredirected (503) and a plain /cart route serves it.
// The path is matched without its query string (HAProxy's base); explain
// collects why the host's other routes were not chosen.
func (cfg *routerConfig) match(host, path string, https, explain bool) matchResult {
	var res matchResult
	host = strings.TrimSuffix(host, ".")
	path, _, _ = strings.Cut(path, "?")
	first := func(inMap func(*backend) bool) *backend {
		for _, b := range cfg.Routes {
			if inMap(b) && b.serves(host, path) {
				return b
			}
		}
		return nil
	}
	var top *backend // the first match in the redirect map
	if https {
		res.Backend = first(func(b *backend) bool { return b.Termination == "passthrough" })
		if res.Backend == nil {
			res.Backend = first(func(b *backend) bool { return b.Termination == "edge" || b.Termination == "reencrypt" })
		}
	} else if top = first(func(*backend) bool { return true }); top != nil && top.Insecure == "Redirect" {
		res.Backend, res.Redirect = top, true
	} else {
		res.Backend = first(func(b *backend) bool {
			return b.Termination == "" || (b.Termination != "passthrough" && b.Insecure == "Allow")
		})
	}
	if explain {
		res.Rejected = cfg.notChosen(host, path, https, res, top)
	}
	return res
}

// notChosen says why each other route on the host lost.
func (cfg *routerConfig) notChosen(host, path string, https bool, res matchResult, top *backend) []string {
	var out []string
	for _, b := range cfg.Routes {
		if b == res.Backend || !b.onHost(host) {
			continue
		}
		why := ""
		switch {
		case https && b.Termination == "":
			why = "no TLS, so it is not served on HTTPS (the router presents its default certificate)"
		case !https && b.Insecure == "None":
			why = b.Termination + " with insecureEdgeTerminationPolicy None, so it is not served on plain HTTP"
		case !pathMatches(b.Path, path):
			why = pathMiss(b.Path, path)
		case !https && !res.Redirect && b.Insecure == "Redirect":
			why = fmt.Sprintf("insecureEdgeTerminationPolicy Redirect, but the router's redirect map holds every route, most specific first, and its first match for %s is %s, which does not redirect", path, top.Key)
		case https && res.Backend != nil && res.Backend.Termination == "passthrough":
			why = "passthrough route " + res.Backend.Key + " takes every TLS connection for the host by SNI, before any path is seen"
		case res.Backend != nil:
			why = res.Backend.Key + " comes first in the router's map (most specific first: exact hosts before wildcards, longer paths before the shorter ones they extend)"
		}
		if why != "" {
			out = append(out, b.Key+": "+why)
		}
	}
	return out
}

// pathMiss says why a route path does not match a request path.
func pathMiss(routePath, reqPath string) string {
	if strings.HasSuffix(routePath, "/") && strings.TrimSuffix(routePath, "/") == reqPath {
		return fmt.Sprintf("path %s ends in a slash, so it matches %s and below but not %s", routePath, routePath, reqPath)
	}
	return fmt.Sprintf("path %s does not match %s (a prefix on a segment boundary, case-sensitive)", routePath, reqPath)
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
