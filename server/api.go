package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// MaxLoadCount caps the requests of one POST /api/load.
const MaxLoadCount = 1_000_000

// The small interfaces the handlers consume; the runner has them all.
// POST /api/clock and /api/trace take the runner's methods directly.
type (
	stateReader interface {
		State(ctx context.Context) (model.Snapshot, ClockState, error)
		// StateWithEnv adds the named pods' environment ("all": every pod).
		StateWithEnv(ctx context.Context, pods []string) (model.Snapshot, error)
	}
	// commander applies a command; raw is its JSON (for the room's
	// state file). A room is one (rooms.go).
	commander interface {
		Apply(ctx context.Context, cmd model.Command, raw []byte) (CommandResult, error)
	}
	loader interface {
		Load(ctx context.Context, req model.LoadRequest) (model.LoadResult, error)
	}
)

// PageRenderer writes the HTML page of a room for a state. main.go
// wires package web's page; the server does not import web so that it
// can be tested alone.
type PageRenderer interface {
	RenderPage(ctx context.Context, w io.Writer, state model.Snapshot, clock ClockState, room PageRoom) error
}

// PageFunc adapts a function to PageRenderer.
type PageFunc func(ctx context.Context, w io.Writer, state model.Snapshot, clock ClockState, room PageRoom) error

// RenderPage calls f.
func (f PageFunc) RenderPage(ctx context.Context, w io.Writer, state model.Snapshot, clock ClockState, room PageRoom) error {
	return f(ctx, w, state, clock, room)
}

// PageRoom is what the page needs to know of its room. The role is not
// in it: the token lives in the browser, which asks GET /api/room.
type PageRoom struct {
	ID string
	// BasePath prefixes the room's API and socket: "" for the default
	// room, /r/{id} for the others.
	BasePath string
	// Open is true for the default room: anyone who reaches it controls it.
	Open bool
	// ShareURL is the room's absolute URL as this request reached it
	// (empty for the default room); QR is its QR code.
	ShareURL string
	QR       QRCode
	Parent   string
}

// healthz answers GET /healthz.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// stateHandler answers GET /api/state with the snapshot.
type stateHandler struct {
	state stateReader
	log   *slog.Logger
}

func newStateHandler(state stateReader, log *slog.Logger) *stateHandler {
	return &stateHandler{state: state, log: log}
}

// ServeHTTP answers the snapshot; ?env=NS/POD (repeatable, or env=all)
// adds those pods' environment variables, which are left out otherwise:
// every pod holds every Service of its namespace several times over.
func (h *stateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var snap model.Snapshot
	var err error
	if pods := r.URL.Query()["env"]; len(pods) > 0 {
		snap, err = h.state.StateWithEnv(r.Context(), pods)
	} else {
		snap, _, err = h.state.State(r.Context())
	}
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, snap)
}

// postHandler answers a POST whose JSON body is an In with what its
// step returns. Every POST endpoint is one; the step is the part that
// differs.
type postHandler[In, Out any] struct {
	step func(context.Context, In) (Out, error)
	log  *slog.Logger
}

func newPostHandler[In, Out any](step func(context.Context, In) (Out, error), log *slog.Logger) *postHandler[In, Out] {
	return &postHandler[In, Out]{step: step, log: log}
}

func (h *postHandler[In, Out]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in In
	if err := decodeBody(w, r, &in); err != nil {
		writeError(w, h.log, err)
		return
	}
	out, err := h.step(r.Context(), in)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// CommandResult is the answer to POST /api/commands. State is left out
// when the request asks ?state=none.
type CommandResult struct {
	OK bool `json:"ok"`
	// OC is the command's oc equivalent (scenarios.OC): what does the
	// same on a real cluster. The page only shows it.
	OC    string          `json:"oc"`
	State *model.Snapshot `json:"state,omitempty"`
}

// OCResult is the answer to POST /api/oc.
type OCResult struct {
	OC string `json:"oc"`
}

// TraceAnswer is the answer to POST /api/trace: the explained request and
// its curl equivalent (scenarios.TraceOC).
type TraceAnswer struct {
	model.TraceResult
	OC string `json:"oc"`
}

// newCommandsHandler serves POST /api/commands. With ?state=none the
// answer is {"ok":true} alone: the page asks so while its stream is open,
// since the stream brings the new state to every viewer anyway.
func newCommandsHandler(step func(context.Context, json.RawMessage) (CommandResult, error), log *slog.Logger) http.Handler {
	full := newPostHandler(step, log)
	short := newPostHandler(func(ctx context.Context, raw json.RawMessage) (CommandResult, error) {
		res, err := step(ctx, raw)
		res.State = nil
		return res, err
	}, log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values, given := r.URL.Query()["state"]
		switch {
		case !given:
			full.ServeHTTP(w, r)
		case len(values) == 1 && values[0] == "none":
			short.ServeHTTP(w, r)
		default:
			writeError(w, log, invalidf("state", "%q is not allowed: leave it out for the new state in the answer, or give it once as none", strings.Join(values, ",")))
		}
	})
}

// decodeCommand decodes and validates one command's JSON with the
// command registry (scenarios.DecodeCommand).
func decodeCommand(raw json.RawMessage) (model.Command, error) {
	if bytes.Equal(raw, []byte("null")) {
		return nil, malformedf("body: null; expected a command object")
	}
	cmd, err := scenarios.DecodeCommand(raw)
	if err != nil {
		return nil, commandDecodeError(err)
	}
	return cmd, nil
}

// applyCommand is the step of POST /api/commands: decode one command,
// apply it, answer its oc equivalent and the new state.
func applyCommand(commands commander) func(context.Context, json.RawMessage) (CommandResult, error) {
	return func(ctx context.Context, raw json.RawMessage) (CommandResult, error) {
		cmd, err := decodeCommand(raw)
		if err != nil {
			return CommandResult{}, err
		}
		return commands.Apply(ctx, cmd, raw)
	}
}

// commandOC is the step of POST /api/oc: the oc equivalent of a command
// on the live cluster, which it does not change.
func commandOC(r *runner) func(context.Context, json.RawMessage) (OCResult, error) {
	return func(ctx context.Context, raw json.RawMessage) (OCResult, error) {
		cmd, err := decodeCommand(raw)
		if err != nil {
			return OCResult{}, err
		}
		oc, err := r.OC(ctx, cmd, raw)
		return OCResult{OC: oc}, err
	}
}

// traceWithOC is the step of POST /api/trace: the trace and its curl.
func traceWithOC(r *runner) func(context.Context, model.TraceRequest) (TraceAnswer, error) {
	return func(ctx context.Context, req model.TraceRequest) (TraceAnswer, error) {
		res, err := r.Trace(ctx, req)
		if err != nil {
			return TraceAnswer{}, err
		}
		return TraceAnswer{TraceResult: res, OC: scenarios.TraceOC(req)}, nil
	}
}

// runLoad is the step of POST /api/load: check the count, then load.
func runLoad(l loader) func(context.Context, model.LoadRequest) (model.LoadResult, error) {
	return func(ctx context.Context, req model.LoadRequest) (model.LoadResult, error) {
		if req.Count < 1 || req.Count > MaxLoadCount {
			return model.LoadResult{}, invalidf("count", "%d is out of range; allowed 1 to %d", req.Count, MaxLoadCount)
		}
		return l.Load(ctx, req)
	}
}

// pageHandler answers GET / (or /r/{id}) with the room's page.
type pageHandler struct {
	room *room
	page PageRenderer
	log  *slog.Logger
}

func newPageHandler(rm *room, page PageRenderer, log *slog.Logger) *pageHandler {
	return &pageHandler{room: rm, page: page, log: log}
}

func (h *pageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	snap, clock, err := h.room.runner.State(r.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	pr := PageRoom{ID: h.room.id, BasePath: h.room.basePath(), Open: h.room.open, Parent: h.room.parent}
	if !h.room.open {
		pr.ShareURL = shareURL(r, h.room.basePath())
		pr.QR = qrCode(pr.ShareURL)
	}
	var buf bytes.Buffer
	if err := h.page.RenderPage(r.Context(), &buf, snap, clock, pr); err != nil {
		writeError(w, h.log, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}
