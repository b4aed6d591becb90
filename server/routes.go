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

// routes is every route of the app, in one place.
func routes(cfg Config, r *runner, h *hub) http.Handler {
	log := cfg.Logger
	mux := chi.NewRouter()
	mux.Use(recoverJSON(log), securityHeaders)
	mux.NotFound(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, log, fmt.Errorf("%w: %s", errNoRoute, req.URL.Path))
	})
	mux.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		allowed := allowedMethods(mux, req.URL.Path)
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, log, fmt.Errorf("%w: %s %s; allowed %s", errMethod, req.Method, req.URL.Path, strings.Join(allowed, ", ")))
	})

	// /ws lives for as long as the connection: no timeout.
	mux.Method(http.MethodGet, "/ws", newSocketHandler(r, h, r, cfg.DecodeCommand, cfg.ClientBuffer, log))

	mux.Group(func(mux chi.Router) {
		mux.Use(timeout(apiTimeout))
		mux.Get("/healthz", healthz)
		if cfg.Page != nil {
			mux.Method(http.MethodGet, "/", newPageHandler(r, cfg.Page, log))
		}
		if cfg.Static != nil {
			mux.Handle("/static/*", cfg.Static) // it answers GET and HEAD itself
		}
		mux.Method(http.MethodGet, "/api/state", newStateHandler(r, log))
		mux.Method(http.MethodPost, "/api/commands", newPostHandler(applyCommand(r, cfg.DecodeCommand), log))
		mux.Method(http.MethodPost, "/api/clock", newPostHandler(r.SetClock, log))
		mux.Method(http.MethodPost, "/api/trace", newPostHandler(r.Trace, log))
		mux.Method(http.MethodPost, "/api/load", newPostHandler(runLoad(r), log))
	})
	return mux
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
const contentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
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
