package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// compressTypes are the answers compress gzips: the page, its scripts
// and styles, and the JSON API.
var compressTypes = []string{"text/html", "text/css", "text/javascript", "application/javascript", "application/json"}

// compressLevel is gzip's (and deflate's) level: 5 is most of level 9's
// size for a fraction of its time.
const compressLevel = 5

// compress gzips or deflates the answers whose client accepts it
// (Accept-Encoding; chi's middleware.Compress, which also sets Vary).
// Not for /ws: the WebSocket compresses its messages itself
// (permessage-deflate, socket.go).
func compress(next http.Handler) http.Handler {
	return middleware.Compress(compressLevel, compressTypes...)(next)
}

// requestIDHeader carries the request id in and out.
const requestIDHeader = "X-Request-Id"

type ctxKey int

const loggerKey ctxKey = iota

// loggerFrom is the request's logger (with its request_id), or
// slog.Default() outside a request.
func loggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// newRequestID is 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand's contract)
	return hex.EncodeToString(b[:])
}

// validRequestID accepts a caller's id when it is short and plain, so
// that it cannot forge log lines.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// accessLog gives every request an id (the caller's X-Request-Id when
// it is plain, else a new one; answered in X-Request-Id), a logger that
// carries it, and one log line when it ends: method, path, status,
// duration, bytes. 5xx lines are errors, the rest Info. It also counts
// the answers by status class.
func accessLog(base *slog.Logger, stats *serverStats) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := r.Header.Get(requestIDHeader)
			if !validRequestID(id) {
				id = newRequestID()
			}
			w.Header().Set(requestIDHeader, id)
			log := base.With("request_id", id)
			rec := &statusRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), loggerKey, log)))

			status := rec.status
			if status == 0 {
				status = http.StatusOK // the handler wrote nothing
			}
			stats.countHTTP(status)
			attrs := []any{
				"method", r.Method,
				"path", r.URL.Path,
				"status", status,
				"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
				"bytes", rec.bytes,
				"remote", r.RemoteAddr,
			}
			level := slog.LevelInfo
			if rec.err != nil {
				attrs = append(attrs, "err", rec.err.Error())
			}
			if status >= 500 {
				level = slog.LevelError
			}
			log.Log(r.Context(), level, "http request", attrs...)
		})
	}
}

// statusRecorder remembers the status, the bytes and the error of an
// answer. It passes Hijack and Flush through, so /ws can upgrade.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	err    error // set by writeError
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// noteError is how writeError tells the access log what went wrong.
func (r *statusRecorder) noteError(err error) { r.err = err }

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("server: the connection cannot be hijacked")
	}
	conn, rw, err := h.Hijack()
	if err == nil {
		r.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
