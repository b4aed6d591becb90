package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/scenarios"
)

// Every command type of the registry, over HTTP in a persisted room:
// accepted, answered with its oc equivalent, echoed to the viewers in a
// frame, kept in the journal and replayed from it to the same state.
func TestEveryCommandTypeRoundTripsThroughTheAPIAndTheJournal(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, func(c *Config) { c.StateDir = dir; c.Limits.RoomCommandRate = -1 })
	rm := h.newRoom(`{"scenario":"shop"}`)
	base := "/r/" + rm.ID
	conn := h.dialPath(base + "/ws")
	readSnapshot(t, conn)
	var echoed []CommandEcho
	for _, spec := range scenarios.Commands() {
		h.clock.Tick(3)
		status, data := h.callAs(rm.Token, "POST", base+"/api/commands?state=none", spec.Example)
		require.Equal(t, http.StatusOK, status, "%s: %s", spec.Name, data)
		var res CommandResult
		decode(t, data, &res)
		assert.True(t, res.OK)
		assert.NotEmpty(t, res.OC, spec.Name)
		for len(echoed) == 0 || echoed[len(echoed)-1].Type != spec.Name {
			m := read(t, conn)
			if m.Type != TypeFrame {
				continue
			}
			var f FramePayload
			decode(t, m.Payload, &f)
			echoed = append(echoed, f.Commands...)
		}
		assert.Equal(t, CommandEcho{Type: spec.Name, OC: res.OC}, echoed[len(echoed)-1], "the frame carries the answer's oc text")
	}
	assert.Len(t, echoed, len(scenarios.Commands()), "one echo per command, none twice")

	live, err := json.Marshal(h.roomState(rm.ID))
	require.NoError(t, err)
	h.srv.rooms.store.flushAll()
	got, err := h.srv.rooms.store.restore(rm.ID+".json", scenarios.NewCatalog(""))
	require.NoError(t, err)
	assert.Len(t, got.file.Log, len(scenarios.Commands()))
	replayed, err := json.Marshal(got.sim.Snapshot())
	require.NoError(t, err)
	assert.JSONEq(t, string(live), string(replayed), "the journal replays to the live state")
}

// POST /api/oc: the oc equivalent of a command, which is not applied.
func TestOCOfACommandWithoutApplyingIt(t *testing.T) {
	h := newHarness(t)
	before := h.stateJSON()
	var res OCResult
	decode(t, h.post("/api/oc", `{"type":"scale","namespace":"shop","deployment":"shop","replicas":9}`), &res)
	assert.Equal(t, "oc scale deployment/shop -n shop --replicas=9", res.OC)
	assert.JSONEq(t, string(before), string(h.stateJSON()), "nothing changed")

	status, data := h.call("POST", "/api/oc", `{"type":"scale","namespace":"shop","deployment":"shop","replicas":-9}`)
	assert.Equal(t, http.StatusBadRequest, status)
	var e ErrorPayload
	decode(t, data, &e)
	assert.Equal(t, ErrorPayload{Error: "model: invalid: replicas: 0..500, got -9", Code: "invalid", Field: "replicas", Reason: "0..500, got -9"}, e)
}

func TestTraceAnswersItsCurlEquivalent(t *testing.T) {
	h := newHarness(t)
	var res TraceAnswer
	decode(t, h.post("/api/trace", `{"url":"`+shopURL+`","client":"browser"}`), &res)
	assert.Equal(t, "curl -v --cookie-jar jar --cookie jar "+shopURL, res.OC)
	assert.Equal(t, 200, res.Status)
	assert.NotEmpty(t, res.Hops, "the trace itself is still there")
}

// The room's object limits count what a command would add, on the live
// cluster; a count that does not grow passes.
func TestRoomLimitsCountWhatACommandAdds(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Limits.MaxPodsPerRoom = 8
		c.Limits.MaxServicesPerRoom = 2
		c.Limits.RoomCommandRate = -1
	})
	rm := h.newRoom(`{"scenario":"shop"}`) // 4 pods, 1 Service
	base := "/r/" + rm.ID
	do := func(body string) (int, ErrorPayload) {
		status, data := h.callAs(rm.Token, "POST", base+"/api/commands?state=none", body)
		var e ErrorPayload
		decode(t, data, &e)
		return status, e
	}
	status, _ := do(`{"type":"scale","namespace":"shop","deployment":"shop","replicas":8}`)
	assert.Equal(t, http.StatusOK, status, "up to the limit")
	deploy := `{"type":"apply","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"shop"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}}`
	status, e := do(deploy)
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "model: conflict: a room holds at most 8 pods; this would make 9", e.Error)
	assert.Equal(t, "conflict", e.Code)

	svc := func(name string) string {
		return `{"type":"apply","object":{"apiVersion":"v1","kind":"Service","metadata":{"name":"` + name + `","namespace":"shop"},"spec":{"selector":{"app":"shop"},"ports":[{"port":80}]}}}`
	}
	status, _ = do(svc("b"))
	assert.Equal(t, http.StatusOK, status)
	status, _ = do(svc("b"))
	assert.Equal(t, http.StatusOK, status, "replacing a Service adds none")
	status, e = do(svc("c"))
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, e.Error, "at most 2 services; this would make 3")

	status, _ = do(`{"type":"scale","namespace":"shop","deployment":"shop","replicas":2}`)
	assert.Equal(t, http.StatusOK, status)
	status, _ = do(deploy)
	assert.Equal(t, http.StatusOK, status, "room again after the scale-down")
	assert.Equal(t, 2, deployment(t, h.roomState(rm.ID), "shop", "shop").Replicas)
}
