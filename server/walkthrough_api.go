package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"

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

// walkthroughHandlers play walkthroughs: each step's state is rebuilt
// from the scenario (scenarios.BuildStep) and swapped into the runner
// with Replace. The walkthrough's state (the step played, the answers,
// the votes) is the runner's (runner_state.go): a change computed from
// one generation of the cluster is swapped in only while that generation
// is live, so two calls at once cannot interleave.
type walkthroughHandlers struct {
	runner  *runner
	catalog *scenarios.Catalog
	log     *slog.Logger
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

func (h *walkthroughHandlers) get(w http.ResponseWriter, req *http.Request) {
	now, err := h.runner.Walkthrough(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	if now.live {
		out := now.walk.view(nil)
		out.Tally = now.tally
		writeJSON(w, http.StatusOK, out)
		return
	}
	// Not at a step: the walkthrough of whatever the cluster was loaded from.
	meta := now.meta
	out := Walkthrough{Scenario: meta.Name, Title: meta.Title, Steps: []WalkthroughStep{}}
	if meta.Source == scenarios.SourceBuiltin || meta.Source == scenarios.SourceDir {
		if sc, steps, err := h.catalog.Walkthrough(meta.Name); err == nil {
			st := &walkState{name: meta.Name, sc: sc, steps: steps, answered: now.answeredFor(meta.Name)}
			out = st.view(nil)
			out.Step = 0
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// answeredFor keeps the answers given when the same walkthrough goes on.
func (now walkNow) answeredFor(name string) map[int]int {
	if now.walk != nil && now.walk.name == name {
		return now.walk.answered
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
	now, err := h.runner.Walkthrough(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	answered := now.answeredFor(in.Scenario)
	if in.Reset {
		answered = map[int]int{}
	}
	st := &walkState{name: in.Scenario, sc: sc, steps: steps, step: in.Step, answered: answered}
	_, done := answered[in.Step]
	st.awaiting = steps[in.Step-1].Predict != nil && !done
	snap, err := h.swap(req.Context(), st, now.gen)
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
	now, err := h.runner.Walkthrough(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	if !now.live || !now.walk.awaiting {
		writeError(w, h.log, errNoPrompt)
		return
	}
	st := now.walk
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
	snap, err := h.swap(req.Context(), next, now.gen)
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

// swap builds st's state and hands it to the runner while the live
// cluster is still generation gen (the one st was computed from).
func (h *walkthroughHandlers) swap(ctx context.Context, st *walkState, gen uint64) (model.Snapshot, error) {
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
	return h.runner.Replace(ctx, cluster{sim: sim, meta: meta, base: base, walk: st}, &gen)
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
	res, err := h.runner.Vote(req.Context(), in.Voter, in.Choice)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
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
