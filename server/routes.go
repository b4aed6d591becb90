package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// apiTimeout bounds every route but /ws.
const apiTimeout = 30 * time.Second

// routes is every route of the app, in one place: the server's own
// (health, metrics, static files, POST /api/rooms), the rooms under
// /r/{id}, and the default room at the root. Every room, the default
// one included, is served by the same roomRoutes; no route is
// registered anywhere else.
func routes(d *deps, local *room) http.Handler {
	cfg := d.cfg
	log := cfg.Logger
	mux := chi.NewRouter()
	mux.Use(accessLog(log, d.stats), recoverJSON(log), securityHeaders)
	notFoundAndMethods(mux, log)

	mux.Method(http.MethodGet, "/metrics", metricsHandler(&metricsCollector{server: d.stats, rooms: d.rooms, store: d.store}))
	mux.Group(func(mux chi.Router) {
		mux.Use(timeout(apiTimeout), compress)
		mux.Get("/healthz", healthz)
		if cfg.Static != nil {
			mux.Handle("/static/*", cfg.Static) // it answers GET and HEAD itself
		}
		mux.With(limitByIP(d.ips, d.stats)).Post("/api/rooms", d.createRoom)
	})
	mux.Mount("/r/{room}", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id := chi.URLParam(req, "room")
		rm, ok := d.rooms.get(id)
		if !ok || id == LocalRoomID {
			writeError(w, log, fmt.Errorf("%w: %q (it may have expired after %s without clients; start a new one on the home page)", errNoRoom, id, cfg.Limits.RoomIdle))
			return
		}
		rm.handler.ServeHTTP(w, req)
	}))
	mux.Mount("/", local.handler)
	return mux
}

// roomRoutes is every route of one room, relative to its base path.
// Reads and work on copies (trace, load, quiz, fork, vote) are open to
// every viewer; everything else sits behind presenterOnly.
func roomRoutes(d *deps, rm *room) http.Handler {
	cfg := d.cfg
	log := cfg.Logger
	limits := cfg.Limits
	r, h := rm.runner, rm.hub
	mux := chi.NewRouter()
	notFoundAndMethods(mux, log)

	// /ws lives for as long as the connection: no timeout, and no
	// compress middleware (its messages are deflated per message).
	mux.Method(http.MethodGet, "/ws", newSocketHandler(r, h, rm, cfg.ClientBuffer, log).withLimits(limits, d.stats, d.conns).forRoom(rm))

	mux.Group(func(mux chi.Router) {
		mux.Use(timeout(apiTimeout), compress)
		if cfg.Page != nil {
			mux.Method(http.MethodGet, "/", newPageHandler(rm, cfg.Page, log))
		}
		mux.Group(func(mux chi.Router) {
			mux.Use(limitByIP(d.ips, d.stats))
			// Anyone who can see the room.
			mux.Get("/api/room", func(w http.ResponseWriter, req *http.Request) {
				writeJSON(w, http.StatusOK, rm.info(rm.role(req)))
			})
			mux.Method(http.MethodGet, "/api/state", newStateHandler(r, log))
			mux.Method(http.MethodPost, "/api/trace", newPostHandler(traceWithOC(r), log))
			mux.Method(http.MethodPost, "/api/oc", newPostHandler(commandOC(r), log))
			mux.Method(http.MethodPost, "/api/load", limitLoads(d.loads, limits.LoadsAtOnce, newPostHandler(runLoad(r), log)))
			mux.Post("/api/fork", d.forkRoom(rm))
			mux.Post("/api/walkthrough/vote", rm.walk.vote)
			// Quizzes run on copies (quiz_api.go).
			mux.Post("/api/quiz", rm.quiz.create)
			mux.Post("/api/quiz/{id}/answer", rm.quiz.answer)
			mux.Get("/api/quiz/{id}", rm.quiz.get)
			// The presenter's: everything that changes the room.
			mux.Group(func(mux chi.Router) {
				mux.Use(rm.presenterOnly)
				mux.Method(http.MethodPost, "/api/commands", newCommandsHandler(countCommands(h.stats, applyCommand(rm)), log))
				mux.Method(http.MethodPost, "/api/clock", newPostHandler(rm.SetClock, log))
				mux.Post("/api/reset", d.resetRoom(rm))
				// The scenario library (scenarios_api.go).
				mux.Get("/api/scenarios", rm.scenarios.list)
				mux.Post("/api/scenarios/save", rm.scenarios.save)
				mux.Post("/api/scenarios/{name}/load", rm.scenarios.load)
				mux.Post("/api/import", rm.scenarios.importFile)
				mux.Get("/api/export", rm.scenarios.export)
				// The walkthrough player (walkthrough_api.go).
				mux.Get("/api/walkthrough", rm.walk.get)
				mux.Post("/api/walkthrough", rm.walk.post)
				mux.Post("/api/walkthrough/answer", rm.walk.answer)
			})
		})
	})
	return mux
}

// notFoundAndMethods answers unknown routes (404) and known routes with
// the wrong method (405 with Allow) as JSON.
func notFoundAndMethods(mux *chi.Mux, log *slog.Logger) {
	mux.NotFound(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, log, fmt.Errorf("%w: %s", errNoRoute, req.URL.Path))
	})
	mux.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		path := req.URL.Path
		if rctx := chi.RouteContext(req.Context()); rctx != nil && rctx.RoutePath != "" {
			path = rctx.RoutePath // inside a room: the path under its base
		}
		allowed := allowedMethods(mux, path)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, log, fmt.Errorf("%w: %s %s; allowed %s", errMethod, req.Method, req.URL.Path, strings.Join(allowed, ", ")))
	})
}

// allowedMethods lists the methods that have a route for path.
func allowedMethods(routes chi.Routes, path string) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if routes.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// contentSecurityPolicy allows no inline script; the page's initial
// state rides in a <script type="application/json">, which is data.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// permissionsPolicy turns off the browser features the page never uses.
const permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Permissions-Policy", permissionsPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// timeout cancels the request's context after d; handlers answer 503.
func timeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// recoverJSON turns a panic in a handler into a logged 500 JSON answer.
func recoverJSON(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				rec := recover()
				if rec == nil {
					return
				}
				if rec == http.ErrAbortHandler {
					panic(rec) // net/http's way to abort quietly
				}
				writeError(w, log, fmt.Errorf("panic in %s %s: %v", r.Method, r.URL.Path, rec))
			}()
			next.ServeHTTP(w, r)
		})
	}
}
