package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWalkthroughAPI(t *testing.T) {
	h := newHarness(t, withCatalog(""))

	status, data := h.call(http.MethodGet, "/api/walkthrough", "")
	require.Equal(t, http.StatusOK, status, string(data))
	var w Walkthrough
	decode(t, data, &w)
	assert.Equal(t, "shop", w.Scenario)
	assert.Equal(t, 0, w.Step)
	assert.Equal(t, 0, w.Total, "shop has no walkthrough")

	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"scenario":"nope","step":1}`, 404, `scenario \"nope\"`},
		{`{"scenario":"scaling","step":9}`, 400, "step: 9 is out of range; allowed 1 to 8"},
		{`{"scenario":"scaling","step":0}`, 400, "allowed 1 to 8"},
		{`{"scenario":"shop","step":1}`, 400, "has no walkthrough steps"},
		{`{"step":1}`, 400, "scenario: required"},
		{`{"scenario":"scaling","step":1,"x":1}`, 400, "unknown field"},
	} {
		status, data := h.call(http.MethodPost, "/api/walkthrough", tc.body)
		assert.Equal(t, tc.status, status, tc.body)
		assert.Contains(t, string(data), tc.want, tc.body)
	}

	// Step 3 of scaling: 5 pods, the new ones Running but not ready.
	status, data = h.call(http.MethodPost, "/api/walkthrough", `{"scenario":"scaling","step":3}`)
	require.Equal(t, http.StatusOK, status, string(data))
	decode(t, data, &w)
	assert.Equal(t, 3, w.Step)
	assert.Equal(t, 8, w.Total)
	assert.False(t, w.AwaitingAnswer)
	require.NotNil(t, w.State)
	assert.Equal(t, 5, appPods(*w.State, "shop"))
	assert.Equal(t, 5, appPods(h.state(), "shop"), "the live cluster is the step's")
	require.NotNil(t, w.Steps[1].Predict)
	assert.Nil(t, w.Steps[1].Predict.Answer, "no answer before it is answered")
	assert.Empty(t, w.Steps[1].Predict.Explanation)

	// Step 2 asks first: the state is the one before the scale.
	status, data = h.call(http.MethodPost, "/api/walkthrough", `{"scenario":"scaling","step":2}`)
	require.Equal(t, http.StatusOK, status, string(data))
	decode(t, data, &w)
	assert.True(t, w.AwaitingAnswer)
	assert.Equal(t, 2, appPods(h.state(), "shop"))

	status, data = h.call(http.MethodPost, "/api/walkthrough/answer", `{"choice":7}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(data), "choice: 7 is out of range; allowed 0 to 2")
	status, data = h.call(http.MethodPost, "/api/walkthrough/answer", `{"choice":0}`)
	require.Equal(t, http.StatusOK, status, string(data))
	var a AnswerResult
	decode(t, data, &a)
	assert.False(t, a.Correct)
	assert.Equal(t, 1, a.Answer)
	assert.NotEmpty(t, a.Explanation)
	assert.False(t, a.Walkthrough.AwaitingAnswer)
	assert.Equal(t, 5, appPods(h.state(), "shop"), "after the answer the simulation shows it")
	require.NotNil(t, a.Walkthrough.Steps[1].Predict.Answer)

	status, _ = h.call(http.MethodPost, "/api/walkthrough/answer", `{"choice":1}`)
	assert.Equal(t, http.StatusConflict, status, "nothing waits for an answer")

	// GET tells the same; back to step 1 restores the state exactly.
	status, data = h.call(http.MethodGet, "/api/walkthrough", "")
	require.Equal(t, http.StatusOK, status)
	decode(t, data, &w)
	assert.Equal(t, "scaling", w.Scenario)
	assert.Equal(t, 2, w.Step)
	h.post("/api/walkthrough", `{"scenario":"scaling","step":1}`)
	first := h.state()
	h.post("/api/walkthrough", `{"scenario":"scaling","step":5}`)
	h.post("/api/walkthrough", `{"scenario":"scaling","step":1}`)
	again := h.state()
	assert.Equal(t, first.Pods, again.Pods)
	assert.Equal(t, first.Services, again.Services)

	list := h.scenarioList()
	assert.Equal(t, "scaling", list.Current.Name)
	for _, s := range list.Scenarios {
		if s.Name == "scaling" {
			assert.Equal(t, 8, s.Steps)
		}
	}

	// Another load ends the walkthrough: step 0.
	h.post("/api/scenarios/shop/load", "")
	status, data = h.call(http.MethodGet, "/api/walkthrough", "")
	require.Equal(t, http.StatusOK, status)
	decode(t, data, &w)
	assert.Equal(t, "shop", w.Scenario)
	assert.Equal(t, 0, w.Step)
}

// The walkthrough's state is the runner's, tied to the live cluster's
// generation: a load ends the waiting prompt (answers and votes are
// refused), and a step computed from an older generation is not swapped
// in.
func TestWalkthroughStateFollowsTheClustersGeneration(t *testing.T) {
	h := newHarness(t, withCatalog(""))
	h.post("/api/walkthrough", `{"scenario":"scaling","step":2}`) // a prompt waits
	now, err := h.srv.runner.Walkthrough(t.Context())
	require.NoError(t, err)
	require.True(t, now.live)
	before := now.gen

	h.post("/api/scenarios/shop/load", "")
	now, err = h.srv.runner.Walkthrough(t.Context())
	require.NoError(t, err)
	assert.Equal(t, before+1, now.gen, "a load is a new generation")
	assert.False(t, now.live)
	for path, body := range map[string]string{
		"/api/walkthrough/answer": `{"choice":1}`,
		"/api/walkthrough/vote":   `{"choice":1,"voter":"voter-one"}`,
	} {
		status, data := h.call(http.MethodPost, path, body)
		assert.Equal(t, http.StatusConflict, status, "%s: %s", path, data)
		var e ErrorPayload
		decode(t, data, &e)
		assert.Equal(t, "conflict", e.Code)
	}

	// A swap computed from the old generation is refused; nothing changes.
	state := h.stateJSON()
	sc, steps, err := h.srv.rooms.rooms[LocalRoomID].walk.catalog.Walkthrough("scaling")
	require.NoError(t, err)
	st := &walkState{name: "scaling", sc: sc, steps: steps, step: 3, answered: map[int]int{}}
	_, err = h.srv.rooms.rooms[LocalRoomID].walk.swap(t.Context(), st, before)
	assert.ErrorIs(t, err, errStale)
	assert.JSONEq(t, string(state), string(h.stateJSON()))
}
