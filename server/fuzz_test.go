package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// Fuzz targets for every decoder of outside input in this package: the
// WebSocket messages and the bodies of the POST endpoints. (Scenario
// import is fuzzed in package scenarios.) Seeds: the f.Add calls below
// and server/testdata/fuzz/<target>/. Run one for a while with
//
//	go test -run '^$' -fuzz FuzzSocketMessage -fuzztime 60s ./server
//	go test -run '^$' -fuzz FuzzAPIBodies -fuzztime 60s ./server
//
// Plain `go test` runs the seeds only.

// fuzzSim is the shop scenario, built once per process; targets work on
// clones, so every input starts from the same cluster.
func fuzzSim(f *testing.F) *model.Sim {
	f.Helper()
	sc, _, err := scenarios.Load("shop")
	if err != nil {
		f.Fatal(err)
	}
	sim, err := model.New(sc)
	if err != nil {
		f.Fatal(err)
	}
	return sim
}

// cloneCommander applies each command to a fresh clone of base.
type cloneCommander struct{ base *model.Sim }

func (c cloneCommander) Apply(_ context.Context, cmd model.Command, _ []byte) (CommandResult, error) {
	return CommandResult{}, c.base.Clone().Apply(cmd)
}

// smallLoader runs loads of up to 200 requests on a clone of base and
// skips bigger ones (their decoding is what is fuzzed, not the model's
// speed).
type smallLoader struct{ base *model.Sim }

func (l smallLoader) Load(_ context.Context, req model.LoadRequest) (model.LoadResult, error) {
	if req.Count > 200 {
		return model.LoadResult{}, nil
	}
	return l.base.Clone().Load(req)
}

func FuzzSocketMessage(f *testing.F) {
	for _, tc := range badMessages {
		f.Add([]byte(tc.msg))
	}
	f.Add([]byte(`{"type":"command","payload":{"type":"scale","namespace":"shop","deployment":"shop","replicas":6}}`))
	f.Add([]byte(`{"type":"command","payload":{"type":"setTraffic","rps":50,"clients":10,"mix":[{"url":"https://shop.apps.demo.example.com/","client":"browser","weight":1}]}}`))

	base := fuzzSim(f)
	h := &socketHandler{commands: cloneCommander{base}}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := h.handle(context.Background(), data)
		if err == nil {
			return
		}
		if status := statusOf(err); status >= 500 {
			t.Fatalf("%q: status %d: %v", data, status, err)
		}
		if msg := errorPayload(err).Error; msg == "" || msg == "internal error" {
			t.Fatalf("%q: error text %q", data, msg)
		}
	})
}

// The endpoints FuzzAPIBodies posts to, by the first fuzz argument.
var fuzzEndpoints = []string{"/api/commands", "/api/clock", "/api/trace", "/api/load"}

func FuzzAPIBodies(f *testing.F) {
	index := map[string]byte{}
	for i, p := range fuzzEndpoints {
		index[p] = byte(i)
	}
	for _, tc := range moreBadInputs {
		if i, ok := index[tc.path]; ok && tc.method == http.MethodPost {
			f.Add(i, []byte(tc.body))
		}
	}
	f.Add(byte(1), []byte(`{"paused":true,"speed":2.5,"advanceMs":1000}`))
	f.Add(byte(2), []byte(`{"url":"https://shop.apps.demo.example.com/","client":"browser","clientIP":"203.0.113.9"}`))
	f.Add(byte(3), []byte(`{"url":"https://shop.apps.demo.example.com/","count":100,"clients":3,"rps":50}`))

	base := fuzzSim(f)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The clock endpoint only validates: nothing to run it on.
	validateClock := func(_ context.Context, c ClockChange) (ClockChange, error) { return c, c.Validate() }
	trace := func(_ context.Context, req model.TraceRequest) (model.TraceResult, error) { return base.Trace(req) }
	handlers := []http.Handler{
		newPostHandler(applyCommand(cloneCommander{base}), log),
		newPostHandler(validateClock, log),
		newPostHandler(trace, log),
		newPostHandler(runLoad(smallLoader{base}), log),
	}
	f.Fuzz(func(t *testing.T, endpoint byte, body []byte) {
		i := int(endpoint) % len(handlers)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, fuzzEndpoints[i], bytes.NewReader(body))
		handlers[i].ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", fuzzEndpoints[i], body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("POST %s %q: the answer is not JSON: %s", fuzzEndpoints[i], body, rec.Body)
		}
		if rec.Code != http.StatusOK {
			var e ErrorPayload
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("POST %s %q: %d without an error text: %s", fuzzEndpoints[i], body, rec.Code, rec.Body)
			}
		}
	})
}
