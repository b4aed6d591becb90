package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/podpath/podpath/model"
)

// Rooms. A room is one live cluster: one runner (the only owner of its
// *model.Sim), one hub, its stream statistics and resume ring, its
// walkthrough and quiz handlers, and a router built for it by
// roomRoutes. The default room (LocalRoomID) is the page on / and the
// API under /api; every other room lives under /r/{id}. Both are served
// by the same roomRoutes: one mechanism.
//
// The default room is open: anyone who reaches it controls it (it is
// the localhost page of one person). Any other room has a presenter: the
// holder of the token POST /api/rooms answered. Followers (no token, or
// a wrong one) may read, trace, load, quiz and vote, and get 403 on
// everything that changes the room.

// LocalRoomID names the default room.
const LocalRoomID = "local"

// Defaults of the room limits (see Limits).
const (
	DefaultMaxRooms           = 50
	DefaultRoomIdle           = 2 * time.Hour
	DefaultRoomCommandRate    = 60 // commands per second per room, all connections together
	DefaultRoomCommandBurst   = 120
	DefaultMaxPodsPerRoom     = 1000
	DefaultMaxRoutesPerRoom   = 200
	DefaultMaxServicesPerRoom = 200
)

// janitorEvery is how often idle rooms are looked for.
const janitorEvery = time.Minute

// The errors of rooms: errForbidden maps to 403, errNoRoom to 404.
var (
	errForbidden = errors.New("server: forbidden")
	errNoRoom    = errors.New("server: no such room")
)

// errFollower is what a follower is told when it tries to change a room.
var errFollower = fmt.Errorf("%w: only the room's presenter may change it; a follower may watch, trace, load, vote, or fork a private copy (POST /r/{id}/api/fork)", errForbidden)

// roomIDPattern is what a room id looks like: word-word-NN, or "local".
var roomIDPattern = regexp.MustCompile(`^[a-z]{2,12}-[a-z]{2,12}-[0-9]{2}$`)

var (
	idAdjectives = strings.Fields(`amber azure brave bright calm clever coral crisp cosmic dapper eager fancy
		gentle golden happy honest jolly keen lively lucky mellow merry misty noble olive proud quick quiet
		rapid ruby rustic sandy silver smooth sunny swift tidy vivid warm witty zesty bold cheery breezy`)
	idNouns = strings.Fields(`badger beaver bison cedar comet crane dolphin eagle falcon fern finch fox
		gecko harbor heron ibis koala lark lemur lynx maple marten meadow moose newt otter owl panda pebble
		pine puffin quail raven reef robin salmon seal sparrow spruce stork tiger trout tulip walrus willow wren yak`)
)

// newRoomID draws a short readable id, e.g. amber-fox-42.
func newRoomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	n := binary.LittleEndian.Uint64(b[:])
	adj := idAdjectives[n%uint64(len(idAdjectives))]
	n /= uint64(len(idAdjectives))
	noun := idNouns[n%uint64(len(idNouns))]
	n /= uint64(len(idNouns))
	return fmt.Sprintf("%s-%s-%02d", adj, noun, 10+n%90)
}

// newToken draws a presenter token (32 random bytes, base64url) and
// returns it with its hash, the only form the server keeps.
func newToken() (string, [32]byte) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	return token, sha256.Sum256([]byte(token))
}

// bearer is the token of an "Authorization: Bearer …" header, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// room is one live cluster and who may change it.
//
// Ownership: id, parent, created, open, tokenHash, runner, hub, handler
// and the handlers (walk, scenarios, quiz) are set before the room is
// published and never change.
// lastActive is atomic; commands is safe for concurrent use; the runner
// owns the Sim and the room's API state.
type room struct {
	id        string
	parent    string // the room this one was forked from, or ""
	created   time.Time
	open      bool     // the default room: everyone is presenter
	tokenHash [32]byte // sha256 of the presenter token
	runner    *runner
	hub       *hub
	handler   http.Handler
	walk      *walkthroughHandlers
	scenarios *scenarioHandlers
	quiz      *quizHandlers
	journal   *journal // nil without a state directory

	lastActive atomic.Int64 // unix ns of the last command or client

	commands *rate.Limiter // commands per second of the whole room

	limits Limits
	now    func() time.Time
	cancel context.CancelFunc
	done   chan struct{}
}

// basePath is where the room's page and API live.
func (rm *room) basePath() string {
	if rm.id == LocalRoomID {
		return ""
	}
	return "/r/" + rm.id
}

// isPresenter reports whether token controls the room, in constant time.
func (rm *room) isPresenter(token string) bool {
	if rm.open {
		return true
	}
	if token == "" {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(sum[:], rm.tokenHash[:]) == 1
}

// role is "presenter" or "follower" for a request.
func (rm *room) role(r *http.Request) string {
	if rm.isPresenter(bearer(r)) {
		return rolePresenter
	}
	return roleFollower
}

const (
	rolePresenter = "presenter"
	roleFollower  = "follower"
)

// touch records activity, which keeps the room from expiring.
func (rm *room) touch() { rm.lastActive.Store(rm.now().UnixNano()) }

// allowCommand takes a token from the room's command limiter.
func (rm *room) allowCommand() error {
	if !rm.commands.AllowN(rm.now(), 1) {
		return fmt.Errorf("%w: at most %g commands per second in one room (bursts of %d); this one was not applied", errRateLimited, rm.limits.RoomCommandRate, rm.limits.RoomCommandBurst)
	}
	return nil
}

// presenterOnly lets reads (GET, HEAD) through and answers 403 to any
// other request without the room's token: every route that changes the
// room sits behind it, and a new one is protected by default.
func (rm *room) presenterOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !rm.isPresenter(bearer(r)) {
			writeError(w, loggerFrom(r.Context()), errFollower)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Apply is the room's commander: the room's rate and object limits,
// then the runner. raw is the command's JSON, kept for the state file.
func (rm *room) Apply(ctx context.Context, cmd model.Command, raw []byte) (CommandResult, error) {
	if err := rm.allowCommand(); err != nil {
		return CommandResult{}, err
	}
	rm.touch()
	snap, oc, err := rm.runner.apply(ctx, cmd, raw, rm.limits.checkCommand)
	if err != nil {
		return CommandResult{}, err
	}
	return CommandResult{OK: true, OC: oc, State: &snap}, nil
}

// checkCommand refuses a command that would take the cluster over the
// room's object limits, counted on the live Sim (Sim.ObjectsAfter) before
// anything changes. It runs on the runner's loop.
func (l Limits) checkCommand(sim *model.Sim, cmd model.Command) error {
	return l.checkObjects(sim.Objects(), sim.ObjectsAfter(cmd))
}

// checkCluster refuses a new cluster (a scenario) over the room's limits.
func (l Limits) checkCluster(sim *model.Sim) error {
	return l.checkObjects(model.Objects{}, sim.Objects())
}

// checkObjects refuses a change that takes a count over its limit: the
// pods the Deployments ask for, the Routes, the Services. A count that
// does not grow passes (a scale-down in a room restored under a lower
// limit).
func (l Limits) checkObjects(before, after model.Objects) error {
	for _, c := range []struct {
		what                string
		before, after, most int
	}{
		{"pods", before.Pods, after.Pods, l.MaxPodsPerRoom},
		{"routes", before.Routes, after.Routes, l.MaxRoutesPerRoom},
		{"services", before.Services, after.Services, l.MaxServicesPerRoom},
	} {
		if c.after > c.before && c.after > c.most {
			return fmt.Errorf("%w: a room holds at most %d %s; this would make %d", model.ErrConflict, c.most, c.what, c.after)
		}
	}
	return nil
}

// RoomInfo is the answer to GET /api/room and POST /api/rooms (whose
// answer alone carries the token).
type RoomInfo struct {
	ID     string `json:"id"`
	URL    string `json:"url"` // the room's page, a path: /r/{id}, or / for the default room
	Role   string `json:"role"`
	Open   bool   `json:"open"` // the default room: anyone who reaches it controls it
	Parent string `json:"parent,omitempty"`
	Token  string `json:"token,omitempty"`
}

func (rm *room) info(role string) RoomInfo {
	url := rm.basePath()
	if url == "" {
		url = "/"
	}
	return RoomInfo{ID: rm.id, URL: url, Role: role, Open: rm.open, Parent: rm.parent}
}

// registry holds the rooms of the server.
//
// Ownership: mu guards rooms, started and ctx. A room is started (its
// runner's goroutine) once the registry runs; wg waits for them all.
type registry struct {
	mu      sync.Mutex
	rooms   map[string]*room
	started bool
	ctx     context.Context
	wg      sync.WaitGroup

	store *stateStore // nil without a state directory
	max   int
	idle  time.Duration
	now   func() time.Time
	log   *slog.Logger

	created, expired atomic.Uint64
	retired          streamStats // counters of rooms that expired, so totals never go down
}

// get finds a room.
func (g *registry) get(id string) (*room, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rm, ok := g.rooms[id]
	return rm, ok
}

// list is every room, by id.
func (g *registry) list() []*room {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*room, 0, len(g.rooms))
	for _, rm := range g.rooms {
		out = append(out, rm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// add publishes rm and starts it when the registry runs. It refuses a
// room over the limit (the default room is always added) or a taken id.
func (g *registry) add(rm *room) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started && g.ctx.Err() != nil {
		return ErrStopped // shutting down: no new room
	}
	if _, taken := g.rooms[rm.id]; taken {
		return fmt.Errorf("%w: room %q exists", model.ErrConflict, rm.id)
	}
	if rm.id != LocalRoomID && len(g.rooms) >= g.max {
		return g.fullError()
	}
	g.rooms[rm.id] = rm
	rm.touch()
	if g.started {
		g.start(rm)
	}
	return nil
}

// freeID draws a room id that no room and no state file has.
func (g *registry) freeID() string {
	for {
		id := newRoomID()
		g.mu.Lock()
		_, taken := g.rooms[id]
		g.mu.Unlock()
		if !taken && !g.store.exists(id) {
			return id
		}
	}
}

// start runs rm's loop under the registry's context. Hold mu.
func (g *registry) start(rm *room) {
	ctx, cancel := context.WithCancel(g.ctx)
	rm.cancel = cancel
	rm.done = make(chan struct{})
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer close(rm.done)
		rm.runner.Run(ctx)
	}()
}

// run starts every room, expires idle ones and writes state files until
// ctx is done; then it waits for every room's loop and writes every
// room's file a last time.
func (g *registry) run(ctx context.Context) {
	g.mu.Lock()
	g.ctx = ctx
	g.started = true
	for _, rm := range g.rooms {
		g.start(rm)
	}
	g.mu.Unlock()

	var flushed sync.WaitGroup
	if g.store != nil {
		flushed.Add(1)
		go func() {
			defer flushed.Done()
			g.store.run(ctx)
		}()
	}
	janitor := time.NewTicker(janitorEvery)
	defer janitor.Stop()
	for {
		select {
		case <-ctx.Done():
			g.wg.Wait()
			flushed.Wait()
			if g.store != nil {
				g.store.flushAll()
			}
			return
		case <-janitor.C:
			g.expireIdle(g.now())
		}
	}
}

// expireIdle stops and forgets the rooms (but the default one) that had
// no client and no command for the idle time, and deletes their files.
// It returns the ids expired.
func (g *registry) expireIdle(now time.Time) []string {
	var gone []*room
	g.mu.Lock()
	for id, rm := range g.rooms {
		if id == LocalRoomID {
			continue
		}
		if rm.hub.count() > 0 {
			rm.touch()
			continue
		}
		if now.Sub(time.Unix(0, rm.lastActive.Load())) >= g.idle {
			delete(g.rooms, id)
			gone = append(gone, rm)
		}
	}
	g.mu.Unlock()
	ids := make([]string, 0, len(gone))
	for _, rm := range gone {
		if rm.cancel != nil {
			rm.cancel()
			<-rm.done
		}
		g.retired.add(rm.hub.stats)
		g.store.remove(rm.id)
		g.expired.Add(1)
		g.log.Info("room expired", "room", rm.id, "idle", g.idle)
		ids = append(ids, rm.id)
	}
	sort.Strings(ids)
	return ids
}
