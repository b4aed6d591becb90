package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Request bodies: maxBodyBytes (errors.go, 1 MiB) for every JSON body;
// MaxImportBytes (scenarios_api.go, 10 MiB) for a scenario import, whose
// YAML holds many manifests.

// Defaults for Limits.
const (
	DefaultMaxClients   = 1000 // WebSocket connections per server
	DefaultCommandRate  = 20   // messages per second per WebSocket connection
	DefaultCommandBurst = 40
	DefaultAPIRate      = 50 // /api/* requests per second per client IP
	DefaultAPIBurst     = 100
	DefaultLoadsAtOnce  = 2                // POST /api/load runs at a time, per server
	DefaultResumeWindow = 10 * time.Second // of frames kept for ?since=
	// DefaultResumeBytes caps the memory of the frames kept for resuming.
	DefaultResumeBytes = 32 << 20

	// maxTrackedIPs bounds the per-IP rate limiter's memory; when that
	// many addresses are active at once, new ones are refused.
	maxTrackedIPs = 10_000
)

// Limits are the server's protections against too much of anything. A
// zero field takes its default; a negative rate turns that limit off
// (for tests and benchmarks only).
type Limits struct {
	// MaxClients caps the WebSocket connections of the server; one more
	// is refused with 503 before the upgrade.
	MaxClients int
	// CommandRate and CommandBurst bound the messages one WebSocket
	// connection may send (a token bucket, golang.org/x/time/rate, as
	// every rate below); a message over the limit is
	// answered with an error envelope and not applied, the connection
	// stays open.
	CommandRate  float64
	CommandBurst int
	// APIRate and APIBurst bound the /api/* writes (not GET or HEAD)
	// of one client IP (IPv6: one /64); over the limit the answer is
	// 429. The address is the TCP peer's: behind a reverse proxy every
	// client shares one.
	APIRate  float64
	APIBurst int
	// LoadsAtOnce caps the POST /api/load runs in progress (each may
	// take a core for seconds); one more gets 429.
	LoadsAtOnce int
	// ResumeWindow is how much of the stream (wall time) is kept for
	// clients that reconnect with ?since=; ResumeBytes caps its memory.
	ResumeWindow time.Duration
	ResumeBytes  int

	// MaxRooms caps the rooms of the server, the default one included;
	// one more is refused with 503. RoomIdle is how long a room (not
	// the default one) lives without clients and commands.
	MaxRooms int
	RoomIdle time.Duration
	// RoomCommandRate and RoomCommandBurst bound the commands of one
	// room, all its connections and API calls together (429 / an error
	// envelope), on top of the per-connection and per-address limits.
	RoomCommandRate  float64
	RoomCommandBurst int
	// MaxPodsPerRoom (app pods), MaxRoutesPerRoom and MaxServicesPerRoom
	// bound a room's cluster: a command or scenario over them is refused
	// with 409 and changes nothing.
	MaxPodsPerRoom     int
	MaxRoutesPerRoom   int
	MaxServicesPerRoom int
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	if l.MaxClients == 0 {
		l.MaxClients = DefaultMaxClients
	}
	if l.CommandRate == 0 {
		l.CommandRate = DefaultCommandRate
	}
	if l.CommandBurst == 0 {
		l.CommandBurst = DefaultCommandBurst
	}
	if l.APIRate == 0 {
		l.APIRate = DefaultAPIRate
	}
	if l.APIBurst == 0 {
		l.APIBurst = DefaultAPIBurst
	}
	if l.LoadsAtOnce == 0 {
		l.LoadsAtOnce = DefaultLoadsAtOnce
	}
	if l.ResumeWindow == 0 {
		l.ResumeWindow = DefaultResumeWindow
	}
	if l.ResumeBytes == 0 {
		l.ResumeBytes = DefaultResumeBytes
	}
	if l.MaxRooms == 0 {
		l.MaxRooms = DefaultMaxRooms
	}
	if l.RoomIdle == 0 {
		l.RoomIdle = DefaultRoomIdle
	}
	if l.RoomCommandRate == 0 {
		l.RoomCommandRate = DefaultRoomCommandRate
	}
	if l.RoomCommandBurst == 0 {
		l.RoomCommandBurst = DefaultRoomCommandBurst
	}
	if l.MaxPodsPerRoom == 0 {
		l.MaxPodsPerRoom = DefaultMaxPodsPerRoom
	}
	if l.MaxRoutesPerRoom == 0 {
		l.MaxRoutesPerRoom = DefaultMaxRoutesPerRoom
	}
	if l.MaxServicesPerRoom == 0 {
		l.MaxServicesPerRoom = DefaultMaxServicesPerRoom
	}
	return l
}

// The errors of a limit. errRateLimited maps to 429, errBusy to 503.
var (
	errRateLimited = errors.New("server: rate limit")
	errBusy        = errors.New("server: busy")
)

// newLimiter is a token bucket (golang.org/x/time/rate) of rate events
// per second on average and burst at once, full at the start; a negative
// rate turns the limit off. A rate.Limiter is safe for concurrent use.
func newLimiter(perSecond float64, burst int) *rate.Limiter {
	if perSecond < 0 {
		return rate.NewLimiter(rate.Inf, burst)
	}
	return rate.NewLimiter(rate.Limit(perSecond), burst)
}

// ipLimiter keeps one limiter per client address.
//
// Ownership: mu guards limiters; any request goroutine may call allow.
type ipLimiter struct {
	rate  float64
	burst int
	now   func() time.Time

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

func newIPLimiter(perSecond float64, burst int, now func() time.Time) *ipLimiter {
	return &ipLimiter{rate: perSecond, burst: burst, now: now, limiters: make(map[string]*rate.Limiter)}
}

// allow takes a token from key's limiter. When maxTrackedIPs addresses
// are busy at once, an unknown one is refused; a limiter that has
// refilled completely is forgotten first (forgetting it changes
// nothing).
func (l *ipLimiter) allow(key string) bool {
	if l.rate < 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.limiters[key]
	if !ok {
		if len(l.limiters) >= maxTrackedIPs {
			for k, old := range l.limiters {
				if old.TokensAt(now) >= float64(l.burst) {
					delete(l.limiters, k)
				}
			}
			if len(l.limiters) >= maxTrackedIPs {
				return false
			}
		}
		lim = newLimiter(l.rate, l.burst)
		l.limiters[key] = lim
	}
	return lim.AllowN(now, 1)
}

// clientKey is the rate-limit key of a request: the peer's IP, or its
// /64 for IPv6 (one host usually owns a whole /64).
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// limitByIP answers 429 to a client IP over the API rate. Reads (GET,
// HEAD) are not limited: they are cheap, and a class behind one NAT
// address loads them all at once when the lesson starts.
func limitByIP(l *ipLimiter, stats *serverStats) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			read := r.Method == http.MethodGet || r.Method == http.MethodHead
			if !read && !l.allow(clientKey(r)) {
				stats.rateLimitedHTTP.Add(1)
				w.Header().Set("Retry-After", "1")
				writeError(w, loggerFrom(r.Context()), fmt.Errorf("%w: at most %g API requests per second from one address (bursts of %d); slow down", errRateLimited, l.rate, l.burst))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// gate counts things in progress and refuses one more than max.
type gate struct {
	max int64
	n   atomic.Int64
}

func newGate(max int) *gate { return &gate{max: int64(max)} }

// enter takes a place if one is free; call leave when done.
func (g *gate) enter() bool {
	if g.max < 0 {
		g.n.Add(1)
		return true
	}
	if g.n.Add(1) > g.max {
		g.n.Add(-1)
		return false
	}
	return true
}

func (g *gate) leave() { g.n.Add(-1) }

// limitLoads refuses a load while LoadsAtOnce are running.
func limitLoads(g *gate, max int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.enter() {
			w.Header().Set("Retry-After", "1")
			writeError(w, loggerFrom(r.Context()), fmt.Errorf("%w: %d loads are running, the most at once; try again when one has finished", errRateLimited, max))
			return
		}
		defer g.leave()
		next.ServeHTTP(w, r)
	})
}

// withLimits applies the server's limits to the WebSocket handler: the
// connections of the whole server (conns, shared by every room) and the
// message rate of each one.
func (h *socketHandler) withLimits(l Limits, stats *serverStats, conns *gate) *socketHandler {
	h.conns = conns
	h.server = stats
	h.commandRate, h.commandBurst = l.CommandRate, l.CommandBurst
	return h
}
