package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/quiz"
	"github.com/podpath/podpath/scenarios"
)

// maxBodyBytes caps every request body and WebSocket message (1 MiB).
const maxBodyBytes = 1 << 20

// The server's own error kinds. Model errors (model.ErrInvalid,
// ErrNotFound, ErrConflict) pass through with their own text.
var (
	errInvalid   = errors.New("server: invalid")
	errMalformed = errors.New("server: malformed JSON")
	errTooLarge  = errors.New("server: body too large")
	errMethod    = errors.New("server: method not allowed")
	errNoRoute   = errors.New("server: no such route")
)

// ErrorPayload is the body of every HTTP error answer and the payload of
// a TypeError envelope on the WebSocket. errorPayload makes it; a client
// reads Code and Field, never the text.
type ErrorPayload struct {
	// Error is the whole message, for people: it names the field and what
	// is allowed.
	Error string `json:"error"`
	// Code is what kind of error it is, one of the codes of errorKinds
	// ("invalid", "not_found", "forbidden", …; docs/api.md, Errors).
	Code string `json:"code"`
	// Field is the JSON path of the field at fault ("replicas",
	// "object.spec.host", "spec.to.name" in a scenario file), when the
	// error is about one; Reason is what is wrong with it.
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Where in a scenario file (POST /api/import, a load): the 1-based
	// document, the item of a List, the object and the line.
	Document int    `json:"document,omitempty"`
	Item     int    `json:"item,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Name     string `json:"name,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// errorKinds is the one place that maps errors to HTTP statuses and
// codes: the first kind the error wraps (errors.Is) decides. Anything
// else is a 500 "internal" whose text is not shown.
var errorKinds = []struct {
	err    error
	status int
	code   string
}{
	{errTooLarge, http.StatusRequestEntityTooLarge, "too_large"},
	{errRateLimited, http.StatusTooManyRequests, "rate_limited"},
	{errBusy, http.StatusServiceUnavailable, "busy"},
	{errMalformed, http.StatusBadRequest, "malformed"},
	{errInvalid, http.StatusBadRequest, "invalid"},
	{model.ErrInvalid, http.StatusBadRequest, "invalid"},
	{quiz.ErrInvalid, http.StatusBadRequest, "invalid"},
	{errForbidden, http.StatusForbidden, "forbidden"},
	{model.ErrNotFound, http.StatusNotFound, "not_found"},
	{errQuizNotFound, http.StatusNotFound, "not_found"},
	{errNoRoom, http.StatusNotFound, "no_room"},
	{errNoRoute, http.StatusNotFound, "no_route"},
	{errMethod, http.StatusMethodNotAllowed, "method_not_allowed"},
	{model.ErrConflict, http.StatusConflict, "conflict"},
	{quiz.ErrAnswered, http.StatusConflict, "conflict"},
	{ErrStopped, http.StatusServiceUnavailable, "unavailable"},
	{context.Canceled, http.StatusServiceUnavailable, "unavailable"},
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "timeout"},
}

// codeInternal is the code of an error no kind claims (500).
const codeInternal = "internal"

// kindOf is err's status and code (errorKinds).
func kindOf(err error) (int, string) {
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.status, k.code
		}
	}
	return http.StatusInternalServerError, codeInternal
}

// statusOf is err's HTTP status.
func statusOf(err error) int {
	status, _ := kindOf(err)
	return status
}

// errorPayload is what a client is told of err: the text (unless it is
// internal), the code, and the field and the place in a scenario file
// when the error carries them.
func errorPayload(err error) ErrorPayload {
	_, code := kindOf(err)
	if code == codeInternal {
		return ErrorPayload{Error: "internal error", Code: code}
	}
	out := ErrorPayload{Error: err.Error(), Code: code}
	var fe *model.FieldError
	var pe *scenarios.ParseError
	switch {
	case errors.As(err, &fe):
		out.Field, out.Reason = fe.Field, fe.Reason
	case errors.As(err, &pe):
		out.Field, out.Reason = pe.Field, pe.Message
		out.Document, out.Item, out.Kind, out.Name, out.Line = pe.Document, pe.Item, pe.Kind, pe.Name, pe.Line
	}
	return out
}

// writeError answers with err's status and errorPayload(err); internal
// errors are logged, not shown.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		log.Error("request failed", "err", err)
	}
	noteError(w, err)
	writeJSON(w, status, errorPayload(err))
}

// noteError tells the access log's recorder what went wrong, through the
// writers that wrap it (compress).
func noteError(w http.ResponseWriter, err error) {
	for w != nil {
		if rec, ok := w.(interface{ noteError(error) }); ok {
			rec.noteError(err)
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// upgradeError answers a WebSocket handshake the upgrader refused (its
// status: 403 for another origin, 405 for another method, 400 else).
func upgradeError(w http.ResponseWriter, status int, reason error) {
	code := "bad_handshake"
	switch status {
	case http.StatusForbidden:
		code = "forbidden"
	case http.StatusMethodNotAllowed:
		code = "method_not_allowed"
	}
	writeJSON(w, status, ErrorPayload{Error: reason.Error(), Code: code})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// invalidf returns an errInvalid naming the field and what is allowed.
func invalidf(field, format string, args ...any) error {
	return model.FieldErrorf(errInvalid, field, format, args...)
}

// malformedf returns an errMalformed saying what is wrong.
func malformedf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// decodeBody decodes exactly one JSON value from the request body into
// v: at most maxBodyBytes, no unknown fields, nothing after the value.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case isTooLarge(err):
		return decodeError(err)
	default:
		return malformedf("body: unexpected data after the JSON value")
	}
}

// decodeError turns a JSON decoding error into one that names the
// problem and maps to the right status.
func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case isTooLarge(err):
		return fmt.Errorf("%w: the limit is %d bytes", errTooLarge, maxBodyBytes)
	case errors.Is(err, io.EOF):
		return malformedf("body: empty; expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return malformedf("body: unexpected end of JSON")
	case errors.As(err, &syntax):
		return malformedf("at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return invalidf(field, "got JSON %s, want %s", typeErr.Value, typeErr.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return invalidf(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
	default:
		return fmt.Errorf("%w: %v", errInvalid, err)
	}
}

// commandDecodeError keeps the model's errors and names JSON ones.
func commandDecodeError(err error) error {
	if errors.Is(err, model.ErrInvalid) || errors.Is(err, model.ErrNotFound) || errors.Is(err, model.ErrConflict) {
		return err
	}
	return decodeError(err)
}

func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}
