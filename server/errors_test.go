package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errorShapes are requests whose error carries a code and, for a field
// error, the field as data.
var errorShapes = []struct {
	name, method, path, body string
	status                   int
	code, field              string
}{
	{"scale out of range", "POST", "/api/commands", `{"type":"scale","namespace":"shop","deployment":"shop","replicas":-1}`, 400, "invalid", "replicas"},
	{"wrong JSON type", "POST", "/api/commands", `{"type":"setPodReady","namespace":"shop","pod":"x","ready":"no"}`, 400, "invalid", "ready"},
	{"unknown command field", "POST", "/api/commands", `{"type":"scale","namespace":"shop","deployment":"shop","replicas":3,"force":true}`, 400, "invalid", "force"},
	{"unknown command type", "POST", "/api/commands", `{"type":"explode"}`, 400, "invalid", "type"},
	{"traffic mix", "POST", "/api/commands", `{"type":"setTraffic","rps":5,"mix":[{"url":"ftp://x","weight":1}]}`, 400, "invalid", "traffic.mix[0].url"},
	{"apply: a field of the object", "POST", "/api/commands", `{"type":"apply","object":{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"r","namespace":"shop"},"spec":{"host":"Bad_Host!","to":{"kind":"Service","name":"shop"}}}}`, 400, "invalid", "object.spec.host"},
	{"malformed", "POST", "/api/commands", `{"type":`, 400, "malformed", ""},
	{"not found", "POST", "/api/commands", `{"type":"scale","namespace":"shop","deployment":"nope","replicas":2}`, 404, "not_found", ""},
	{"clock speed", "POST", "/api/clock", `{"speed":11}`, 400, "invalid", "speed"},
	{"clock unknown field", "POST", "/api/clock", `{"pause":true}`, 400, "invalid", "pause"},
	{"load count", "POST", "/api/load", `{"url":"` + shopURL + `","count":0}`, 400, "invalid", "count"},
	{"trace client", "POST", "/api/trace", `{"url":"` + shopURL + `","client":"wget"}`, 400, "invalid", "client"},
	{"quiz topic", "POST", "/api/quiz", `{"topics":["kubelet"]}`, 400, "invalid", "topics[0]"},
	{"quiz not found", "GET", "/api/quiz/0123456789abcdef", ``, 404, "not_found", ""},
	{"walkthrough step", "POST", "/api/walkthrough", `{"scenario":"scaling","step":9}`, 400, "invalid", "step"},
	{"no prompt", "POST", "/api/walkthrough/answer", `{"choice":0}`, 409, "conflict", ""},
	{"import: a field of the file", "POST", "/api/import", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: a}\nspec:\n  replicas: -1\n", 400, "invalid", "spec.replicas"},
	{"no room", "GET", "/r/amber-fox-42/api/state", ``, 404, "no_room", ""},
	{"no route", "GET", "/api/nope", ``, 404, "no_route", ""},
	{"method", "GET", "/api/clock", ``, 405, "method_not_allowed", ""},
	{"too large", "POST", "/api/trace", `{"url":"` + strings.Repeat("x", maxBodyBytes) + `"}`, 413, "too_large", ""},
	{"not a handshake", "GET", "/ws", ``, 400, "bad_handshake", ""},
}

// Every HTTP error has one shape, from one place: {error, code, field,
// reason}, over a real httptest.Server.
func TestHTTPErrorsCarryCodeAndField(t *testing.T) {
	h := newHarness(t, withCatalog(""), func(c *Config) { c.Limits.APIRate = -1 })
	for _, tc := range errorShapes {
		t.Run(tc.name, func(t *testing.T) {
			e := h.errorOf(t, tc.method, tc.path, tc.body, tc.status)
			assert.NotEmpty(t, e.Error)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.field, e.Field)
			if tc.field != "" {
				assert.NotEmpty(t, e.Reason)
				assert.Contains(t, e.Error, e.Reason, "the reason is the end of the text")
			}
		})
	}
}

// The import error keeps its place in the file beside the field.
func TestImportErrorCarriesWhereInTheFile(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	status, data := h.call("POST", "/api/import", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: a}\nspec:\n  replicas: -1\n")
	require.Equal(t, http.StatusBadRequest, status)
	var e ErrorPayload
	decode(t, data, &e)
	assert.Equal(t, ErrorPayload{Error: e.Error, Code: "invalid", Field: "spec.replicas", Reason: e.Reason, Document: 2, Kind: "Deployment", Name: "a/d", Line: 9}, e)
}

// The socket's error envelopes have the same payload, over a real
// WebSocket dialer.
func TestSocketErrorsCarryCodeAndField(t *testing.T) {
	h := newHarness(t)
	rm := h.newRoom(`{"scenario":"shop"}`)
	conn := h.dial()
	readSnapshot(t, conn)
	follower := h.dialPath("/r/" + rm.ID + "/ws")
	readSnapshot(t, follower)
	for _, tc := range []struct {
		conn        *websocket.Conn
		msg         string
		code, field string
	}{
		{conn, `{"type":"command","payload":{"type":"scale","namespace":"shop","deployment":"shop","replicas":-1}}`, "invalid", "replicas"},
		{conn, `{"type":"command","payload":{"type":"apply","object":{"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"shop"},"spec":{"ports":[{"port":70000}]}}}}`, "invalid", "object.spec.ports[0].port"},
		{conn, `{"type":"command","seq":1}`, "invalid", "seq"},
		{conn, `{"type":"snapshot"}`, "invalid", "type"},
		{conn, `hello`, "malformed", ""},
		{conn, `{"type":"command","payload":{"type":"deletePod","namespace":"shop","pod":"nope"}}`, "not_found", ""},
		{follower, `{"type":"command","payload":{"type":"scaleRouters","replicas":3}}`, "forbidden", ""},
	} {
		require.NoError(t, tc.conn.WriteMessage(websocket.TextMessage, []byte(tc.msg)))
		_, e := readAs[ErrorPayload](t, tc.conn, TypeError)
		assert.Equal(t, tc.code, e.Code, tc.msg)
		assert.Equal(t, tc.field, e.Field, tc.msg)
		assert.NotEmpty(t, e.Error, tc.msg)
	}
}

// Every kind maps to a code, and a code to one status.
func TestErrorKindsTable(t *testing.T) {
	status := map[string]int{}
	for _, k := range errorKinds {
		assert.NotEmpty(t, k.code)
		if s, ok := status[k.code]; ok {
			assert.Equal(t, s, k.status, "code %s", k.code)
		}
		status[k.code] = k.status
	}
	p := errorPayload(assert.AnError)
	assert.Equal(t, ErrorPayload{Error: "internal error", Code: "internal"}, p, "an unknown error shows nothing of itself")
}

// errorOf sends one request, requires its status and a JSON answer, and
// decodes the error.
func (h *harness) errorOf(t *testing.T, method, path, body string, status int) ErrorPayload {
	t.Helper()
	req, err := http.NewRequest(method, h.http.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := h.http.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, status, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var e ErrorPayload
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	return e
}

// statusOfCode is the status errorKinds gives a code.
func statusOfCode(code string) int {
	if code == "bad_handshake" {
		return http.StatusBadRequest
	}
	for _, k := range errorKinds {
		if k.code == code {
			return k.status
		}
	}
	return http.StatusInternalServerError
}
