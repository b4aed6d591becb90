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

// invalidf returns an errInvalid naming the field and what is allowed.
func invalidf(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", errInvalid, field, fmt.Sprintf(format, args...))
}

// malformedf returns an errMalformed saying what is wrong.
func malformedf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

// statusOf is the one place that maps errors to HTTP statuses.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errRateLimited):
		return http.StatusTooManyRequests
	case errors.Is(err, errBusy):
		return http.StatusServiceUnavailable
	case errors.Is(err, errMalformed), errors.Is(err, errInvalid), errors.Is(err, model.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, errForbidden):
		return http.StatusForbidden
	case errors.Is(err, model.ErrNotFound), errors.Is(err, errNoRoute), errors.Is(err, errNoRoom):
		return http.StatusNotFound
	case errors.Is(err, model.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed
	case errors.Is(err, ErrStopped), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorText is what a client is told: the error itself, unless it is an
// internal one.
func errorText(err error) string {
	if statusOf(err) == http.StatusInternalServerError {
		return "internal error"
	}
	return err.Error()
}

// writeError answers with statusOf(err) and {"error": …}; internal
// errors are logged, not shown.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		log.Error("request failed", "err", err)
	}
	if rec, ok := w.(interface{ noteError(error) }); ok {
		rec.noteError(err) // for the access log line
	}
	writeJSON(w, status, ErrorPayload{Error: errorText(err)})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
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
		return invalidf(strings.TrimPrefix(err.Error(), "json: unknown field "), "unknown field")
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
