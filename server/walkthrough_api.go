package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/scenarios"
)

// WalkthroughRequest is the body of POST /api/walkthrough: go to a step.
type WalkthroughRequest struct {
	Scenario string `json:"scenario"`
	// Step counts from 1.
	Step int `json:"step"`
	// Reset forgets the predict prompts already answered (Restart).
	Reset bool `json:"reset,omitempty"`
}

// AnswerRequest is the body of POST /api/walkthrough/answer.
type AnswerRequest struct {
	Choice *int `json:"choice"`
}

// Walkthrough is the answer to GET and POST /api/walkthrough.
type Walkthrough struct {
	Scenario string `json:"scenario"`
	Title    string `json:"title,omitempty"`
	// Step is the current step, from 1; 0 when the live cluster is not at
	// a step of this walkthrough (it was loaded, or changed by another
	// load).
	Step  int `json:"step"`
	Total int `json:"total"`
	// AwaitingAnswer is true while the current step's predict prompt is
	// unanswered: the live state is then the one before the step's command.
	AwaitingAnswer bool              `json:"awaitingAnswer"`
	Steps          []WalkthroughStep `json:"steps"`
	// Tally counts the followers' votes per choice while a predict
	// prompt waits (POST /api/walkthrough/vote); absent otherwise.
	Tally []int `json:"tally,omitempty"`
	// State is the new cluster, in answers to POSTs.
	State *model.Snapshot `json:"state,omitempty"`
}

// WalkthroughStep is one step as the player shows it.
type WalkthroughStep struct {
	Index       int                    `json:"index"` // from 1
	Title       string                 `json:"title"`
	Narration   string                 `json:"narration"`
	Highlight   []string               `json:"highlight"`
	HasCommand  bool                   `json:"hasCommand"`
	AdvanceMs   int64                  `json:"advanceMs"`
	Predict     *PredictView           `json:"predict,omitempty"`
	SendRequest *scenarios.SendRequest `json:"sendRequest,omitempty"`
}

// PredictView is a predict prompt; the answer and the explanation are
// left out until the prompt is answered.
type PredictView struct {
	Question    string   `json:"question"`
	Choices     []string `json:"choices"`
	Answered    bool     `json:"answered"`
	Chosen      *int     `json:"chosen,omitempty"`
	Answer      *int     `json:"answer,omitempty"`
	Explanation string   `json:"explanation,omitempty"`
}

// AnswerResult is the answer to POST /api/walkthrough/answer.
type AnswerResult struct {
	Correct     bool        `json:"correct"`
	Choice      int         `json:"choice"`
	Answer      int         `json:"answer"`
	Explanation string      `json:"explanation"`
	Walkthrough Walkthrough `json:"walkthrough"`
}

var errNoPrompt = fmt.Errorf("%w: no predict prompt is waiting for an answer; go to a step with one (POST /api/walkthrough)", model.ErrConflict)

// newWalkthroughHandlers makes a room's walkthrough player.
func newWalkthroughHandlers(r *runner, catalog *scenarios.Catalog, log *slog.Logger) *walkthroughHandlers {
	return &walkthroughHandlers{runner: r, catalog: catalog, log: log}
}

// walkthroughRoutes registers the walkthrough player's routes that the
// presenter drives (POST /api/walkthrough/vote is registered beside the
// follower routes, see roomRoutes).
func walkthroughRoutes(mux chi.Router, h *walkthroughHandlers) {
	mux.Get("/api/walkthrough", h.get)
	mux.Post("/api/walkthrough", h.post)
	mux.Post("/api/walkthrough/answer", h.answer)
}

// walkthroughHandlers play walkthroughs: each step's state is rebuilt
// from the scenario (scenarios.BuildStep) and swapped into the runner
// with Replace, so the runner stays the only owner of the live Sim.
// mu serialises the walkthrough calls and guards cur.
type walkthroughHandlers struct {
	runner  *runner
	catalog *scenarios.Catalog
	log     *slog.Logger

	mu  sync.Mutex
	cur *walkState
	// votes are the followers' answers to the current prompt, by voter
	// id; they start over whenever the step changes.
	votes map[string]int
}

// maxVoters bounds the votes kept for one prompt.
const maxVoters = 5000

// VoteRequest is the body of POST /api/walkthrough/vote: a follower's
// answer to the waiting predict prompt. Voter is a random id the browser
// keeps (8 to 64 characters of A-Za-z0-9_-); a second vote replaces the
// first.
type VoteRequest struct {
	Choice *int   `json:"choice"`
	Voter  string `json:"voter"`
}

// VoteResult is the answer to a vote: the tally so far.
type VoteResult struct {
	OK    bool  `json:"ok"`
	Tally []int `json:"tally"`
}

// walkState is the walkthrough last played.
type walkState struct {
	name     string
	sc       model.Scenario
	steps    []scenarios.Step
	step     int
	awaiting bool
	answered map[int]int // step → the choice made
	// sim is the Sim handed to the runner; when the runner holds another
	// one, something else loaded a cluster and the walkthrough is off.
	sim *model.Sim
}

func (h *walkthroughHandlers) get(w http.ResponseWriter, req *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ctx := req.Context()
	if st := h.cur; st != nil {
		live, err := h.runner.holds(ctx, st.sim)
		if err != nil {
			writeError(w, h.log, err)
			return
		}
		if live {
			out := st.view(nil)
			if st.awaiting {
				out.Tally = h.tally(st)
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	// Not at a step: the walkthrough of whatever the cluster was loaded from.
	meta, err := h.runner.CurrentScenario(ctx)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	out := Walkthrough{Scenario: meta.Name, Title: meta.Title, Steps: []WalkthroughStep{}}
	if meta.Source == scenarios.SourceBuiltin || meta.Source == scenarios.SourceDir {
		if sc, steps, err := h.catalog.Walkthrough(meta.Name); err == nil {
			st := &walkState{name: meta.Name, sc: sc, steps: steps, answered: h.answeredFor(meta.Name)}
			out = st.view(nil)
			out.Step = 0
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// answeredFor keeps the answers given when the same walkthrough goes on.
func (h *walkthroughHandlers) answeredFor(name string) map[int]int {
	if h.cur != nil && h.cur.name == name {
		return h.cur.answered
	}
	return map[int]int{}
}

func (h *walkthroughHandlers) post(w http.ResponseWriter, req *http.Request) {
	var in WalkthroughRequest
	if err := decodeBody(w, req, &in); err != nil {
		writeError(w, h.log, err)
		return
	}
	if in.Scenario == "" {
		writeError(w, h.log, invalidf("scenario", "required: the name of a scenario with walkthrough steps"))
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	sc, steps, err := h.catalog.Walkthrough(in.Scenario)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	if len(steps) == 0 {
		writeError(w, h.log, invalidf("scenario", "%q has no walkthrough steps", in.Scenario))
		return
	}
	if in.Step < 1 || in.Step > len(steps) {
		writeError(w, h.log, invalidf("step", "%d is out of range; allowed 1 to %d", in.Step, len(steps)))
		return
	}
	answered := h.answeredFor(in.Scenario)
	if in.Reset {
		answered = map[int]int{}
	}
	st := &walkState{name: in.Scenario, sc: sc, steps: steps, step: in.Step, answered: answered}
	_, done := answered[in.Step]
	st.awaiting = steps[in.Step-1].Predict != nil && !done
	snap, err := h.swap(req.Context(), st)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, st.view(&snap))
}

func (h *walkthroughHandlers) answer(w http.ResponseWriter, req *http.Request) {
	var in AnswerRequest
	if err := decodeBody(w, req, &in); err != nil {
		writeError(w, h.log, err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	st, err := h.waiting(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	p := st.steps[st.step-1].Predict
	if in.Choice == nil {
		writeError(w, h.log, invalidf("choice", "required: the index of a choice, 0 to %d", len(p.Choices)-1))
		return
	}
	choice := *in.Choice
	if choice < 0 || choice >= len(p.Choices) {
		writeError(w, h.log, invalidf("choice", "%d is out of range; allowed 0 to %d", choice, len(p.Choices)-1))
		return
	}
	answered := maps.Clone(st.answered)
	answered[st.step] = choice
	next := &walkState{name: st.name, sc: st.sc, steps: st.steps, step: st.step, answered: answered}
	snap, err := h.swap(req.Context(), next)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, AnswerResult{
		Correct:     choice == p.Answer,
		Choice:      choice,
		Answer:      p.Answer,
		Explanation: p.Explanation,
		Walkthrough: next.view(&snap),
	})
}

// swap builds st's state and hands it to the runner; on success st is
// the current walkthrough.
func (h *walkthroughHandlers) swap(ctx context.Context, st *walkState) (model.Snapshot, error) {
	sim, err := scenarios.BuildStep(st.sc, st.steps, st.step, st.awaiting)
	var stepErr *scenarios.StepError
	if errors.As(err, &stepErr) {
		// The scenario file is at fault, not the request.
		return model.Snapshot{}, fmt.Errorf("%w: %v", model.ErrConflict, err)
	}
	if err != nil {
		return model.Snapshot{}, err
	}
	source := scenarios.SourceDir
	if builtinNames()[st.name] {
		source = scenarios.SourceBuiltin
	}
	meta := MetaOf(st.sc, source)
	meta.Name = st.name
	base := roomBase{Kind: baseWalkthrough, Walkthrough: st.name, Step: st.step, Awaiting: st.awaiting, Answered: st.answered}
	snap, err := h.runner.Replace(ctx, sim, meta, base)
	if err != nil {
		return model.Snapshot{}, err
	}
	st.sim = sim
	h.cur = st
	h.votes = nil
	return snap, nil
}

// resume makes the walkthrough step of a restored room current again.
func (h *walkthroughHandlers) resume(base roomBase, sim *model.Sim) {
	sc, steps, err := h.catalog.Walkthrough(base.Walkthrough)
	if err != nil || base.Step < 1 || base.Step > len(steps) {
		return
	}
	answered := maps.Clone(base.Answered)
	if answered == nil {
		answered = map[int]int{}
	}
	h.cur = &walkState{name: base.Walkthrough, sc: sc, steps: steps, step: base.Step, awaiting: base.Awaiting, answered: answered, sim: sim}
}

// waiting is the current walkthrough when its predict prompt waits for
// an answer and its cluster is still the live one. Hold mu.
func (h *walkthroughHandlers) waiting(ctx context.Context) (*walkState, error) {
	st := h.cur
	if st == nil || !st.awaiting {
		return nil, errNoPrompt
	}
	live, err := h.runner.holds(ctx, st.sim)
	if err != nil {
		return nil, err
	}
	if !live {
		return nil, errNoPrompt
	}
	return st, nil
}

// vote records a follower's answer to the waiting prompt. It changes
// nothing in the cluster, so followers may call it.
func (h *walkthroughHandlers) vote(w http.ResponseWriter, req *http.Request) {
	var in VoteRequest
	if err := decodeBody(w, req, &in); err != nil {
		writeError(w, h.log, err)
		return
	}
	if !validRequestID(in.Voter) || len(in.Voter) < 8 {
		writeError(w, h.log, invalidf("voter", "required: 8 to 64 characters of A-Za-z0-9._- (a random id the browser keeps)"))
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	st, err := h.waiting(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	p := st.steps[st.step-1].Predict
	if in.Choice == nil || *in.Choice < 0 || *in.Choice >= len(p.Choices) {
		writeError(w, h.log, invalidf("choice", "required: the index of a choice, 0 to %d", len(p.Choices)-1))
		return
	}
	if h.votes == nil {
		h.votes = map[string]int{}
	}
	if _, ok := h.votes[in.Voter]; !ok && len(h.votes) >= maxVoters {
		writeError(w, h.log, fmt.Errorf("%w: %d votes are in, the most one prompt takes", errRateLimited, maxVoters))
		return
	}
	h.votes[in.Voter] = *in.Choice
	writeJSON(w, http.StatusOK, VoteResult{OK: true, Tally: h.tally(st)})
}

// tally counts the votes per choice of st's prompt. Hold mu.
func (h *walkthroughHandlers) tally(st *walkState) []int {
	p := st.steps[st.step-1].Predict
	if p == nil {
		return nil
	}
	out := make([]int, len(p.Choices))
	for _, c := range h.votes {
		out[c]++
	}
	return out
}

// view is what the player is told; answers only for answered prompts.
func (st *walkState) view(snap *model.Snapshot) Walkthrough {
	out := Walkthrough{
		Scenario:       st.name,
		Title:          st.sc.Title,
		Step:           st.step,
		Total:          len(st.steps),
		AwaitingAnswer: st.awaiting,
		Steps:          make([]WalkthroughStep, 0, len(st.steps)),
		State:          snap,
	}
	for i, s := range st.steps {
		v := WalkthroughStep{
			Index:       i + 1,
			Title:       s.Title,
			Narration:   s.Narration,
			Highlight:   append([]string{}, s.Highlight...),
			HasCommand:  s.Command != nil,
			AdvanceMs:   s.AdvanceMs,
			SendRequest: s.SendRequest,
		}
		if p := s.Predict; p != nil {
			pv := &PredictView{Question: p.Question, Choices: p.Choices}
			if chosen, ok := st.answered[i+1]; ok {
				answer := p.Answer
				pv.Answered, pv.Chosen, pv.Answer, pv.Explanation = true, &chosen, &answer, p.Explanation
			}
			v.Predict = pv
		}
		out.Steps = append(out.Steps, v)
	}
	return out
}

// holds reports whether the runner's live Sim is sim.
func (r *runner) holds(ctx context.Context, sim *model.Sim) (bool, error) {
	var same bool
	err := r.do(ctx, func() { same = r.sim == sim })
	return same, err
}
