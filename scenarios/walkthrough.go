package scenarios

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/podpath/podpath/model"
)

// Walkthrough limits.
const (
	// MaxSteps caps the steps of one walkthrough.
	MaxSteps = 50
	// MaxStepAdvanceMs caps one step's advanceMs (10 minutes).
	MaxStepAdvanceMs = 600_000
	// DefaultStepAdvanceMs is the virtual time every step runs after its
	// command on top of its own advanceMs: none, so a step shows the
	// instant right after its command (new pods still Pending).
	DefaultStepAdvanceMs = 0
	// maxNarration caps a step's Markdown.
	maxNarration = 4000
	// maxChoices caps a predict prompt's choices.
	maxChoices = 6
)

// Predict is a question the learner answers before the simulation shows
// the step.
type Predict struct {
	Question string   `json:"question"`
	Choices  []string `json:"choices"`
	// Answer is the index of the right choice.
	Answer      int    `json:"answer"`
	Explanation string `json:"explanation"`
}

// SendRequest is one request the player traces (POST /api/trace).
type SendRequest struct {
	URL    string `json:"url"`
	Client string `json:"client,omitempty"` // browser or curl (default)
	// From is "namespace/pod" (or a pod-name prefix) for east–west.
	From string `json:"from,omitempty"`
}

type predictSpec struct {
	Question    string   `json:"question"`
	Choices     []string `json:"choices"`
	Answer      *int     `json:"answer"`
	Explanation string   `json:"explanation"`
}

type sendSpec struct {
	URL    string `json:"url"`
	Client string `json:"client,omitempty"`
	From   string `json:"from,omitempty"`
}

// highlightKinds are the kind words a step may highlight: every element
// of that kind on the picture.
var highlightKinds = []string{"internet", "dns", "load-balancer", "lb-targets", "nodes", "router-pods", "app-pods", "routes", "services", "zones"}

// highlightID is a topology element id (docs/contract.md) or a zone.
var highlightID = regexp.MustCompile(`^(lb|node|pod|route|svc|zone):[a-z0-9][-a-z0-9./]*$`)

// envReference is $NAME or ${NAME} in a URL sent from a pod.
var envReference = regexp.MustCompile(`\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)`)

// convertStep checks one step of spec.steps (index i, from 0).
func convertStep(c *objectContext, i int, step stepSpec) (Step, error) {
	field := fmt.Sprintf("spec.steps[%d]", i)
	out := Step{Title: strings.TrimSpace(step.Title), AdvanceMs: step.AdvanceMs}
	if out.Title == "" {
		return out, c.fail(field+".title", "required (step %d)", i+1)
	}
	narration := strings.TrimSpace(step.Narration)
	if narration == "" {
		narration = strings.TrimSpace(step.Description)
	} else if strings.TrimSpace(step.Description) != "" {
		return out, c.fail(field+".description", "step %d has both narration and description (its older name); keep one", i+1)
	}
	if len(narration) > maxNarration {
		return out, c.fail(field+".narration", "step %d: at most %d characters, got %d", i+1, maxNarration, len(narration))
	}
	out.Narration, out.Description = narration, narration
	for j, id := range step.Highlight {
		if !highlightID.MatchString(id) && !oneOf(id, highlightKinds) {
			return out, c.fail(fmt.Sprintf("%s.highlight[%d]", field, j), "step %d: %q is not a topology element id (lb:<zone>, node:<name>, pod:<ns>/<name>, route:<ns>/<name>, svc:<ns>/<name>, zone:<zone>) nor one of %s", i+1, id, strings.Join(highlightKinds, ", "))
		}
		out.Highlight = append(out.Highlight, id)
	}
	if len(step.Command) > 0 && string(step.Command) != "null" {
		cmd, err := DecodeCommand(step.Command)
		if err != nil {
			return out, c.fail(field+".command", "%v (step %d)", err, i+1)
		}
		out.Command = cmd
	}
	if step.AdvanceMs < 0 || step.AdvanceMs > MaxStepAdvanceMs {
		return out, c.fail(field+".advanceMs", "step %d: must be between 0 and %d, got %d", i+1, MaxStepAdvanceMs, step.AdvanceMs)
	}
	if p := step.Predict; p != nil {
		switch {
		case strings.TrimSpace(p.Question) == "":
			return out, c.fail(field+".predict.question", "step %d: required", i+1)
		case len(p.Choices) < 2 || len(p.Choices) > maxChoices:
			return out, c.fail(field+".predict.choices", "step %d: 2 to %d choices, got %d", i+1, maxChoices, len(p.Choices))
		case p.Answer == nil:
			return out, c.fail(field+".predict.answer", "step %d: required: the index of the right choice, 0 to %d", i+1, len(p.Choices)-1)
		case *p.Answer < 0 || *p.Answer >= len(p.Choices):
			return out, c.fail(field+".predict.answer", "step %d: %d is out of range; allowed 0 to %d", i+1, *p.Answer, len(p.Choices)-1)
		case strings.TrimSpace(p.Explanation) == "":
			return out, c.fail(field+".predict.explanation", "step %d: required", i+1)
		}
		predict := &Predict{Question: strings.TrimSpace(p.Question), Answer: *p.Answer, Explanation: strings.TrimSpace(p.Explanation)}
		for j, choice := range p.Choices {
			if strings.TrimSpace(choice) == "" {
				return out, c.fail(fmt.Sprintf("%s.predict.choices[%d]", field, j), "step %d: empty choice", i+1)
			}
			predict.Choices = append(predict.Choices, strings.TrimSpace(choice))
		}
		out.Predict = predict
	}
	if s := step.SendRequest; s != nil {
		raw := s.URL
		if s.From != "" { // $NAME from the calling pod's environment: checked when it is sent
			raw = envReference.ReplaceAllString(raw, "1")
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return out, c.fail(field+".sendRequest.url", "step %d: %q is not an http or https URL", i+1, s.URL)
		}
		if err := c.checkOneOf(field+".sendRequest.client", s.Client, true, "browser", "curl"); err != nil {
			return out, err
		}
		if s.From != "" {
			if ns, pod, ok := strings.Cut(s.From, "/"); !ok || ns == "" || pod == "" {
				return out, c.fail(field+".sendRequest.from", "step %d: %q is not namespace/pod", i+1, s.From)
			}
		}
		client := s.Client
		if client == "" {
			client = "curl"
		}
		out.SendRequest = &SendRequest{URL: s.URL, Client: client, From: s.From}
	}
	return out, nil
}

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if s == v {
			return true
		}
	}
	return false
}

// ErrStepRange is wrapped by BuildStep's error for a step outside 1..n.
var ErrStepRange = fmt.Errorf("%w: step", model.ErrInvalid)

// BuildStep builds the state at step k (1 to len(steps)) of a
// walkthrough, deterministically: a fresh Sim from sc, then for steps
// 1..k in order the step's command and advanceMs (plus
// DefaultStepAdvanceMs) of virtual time. The same scenario and k always
// give the same state, so going back restores a step exactly.
//
// With beforeLast, step k's own command and advance are left out: the
// state in which a predict prompt is asked, before the simulation shows
// the answer. A command the model refuses is an error naming the step.
func BuildStep(sc model.Scenario, steps []Step, k int, beforeLast bool) (*model.Sim, error) {
	if k < 1 || k > len(steps) {
		if len(steps) == 0 {
			return nil, fmt.Errorf("%w: scenario %q has no walkthrough steps", ErrStepRange, sc.Name)
		}
		return nil, fmt.Errorf("%w: %d is out of range; allowed 1 to %d", ErrStepRange, k, len(steps))
	}
	sim, err := model.New(sc)
	if err != nil {
		return nil, fmt.Errorf("scenarios: walkthrough %q: %w", sc.Name, err)
	}
	last := k
	if beforeLast {
		last = k - 1
	}
	for i := 0; i < last; i++ {
		step := steps[i]
		if step.Command != nil {
			if err := sim.Apply(step.Command); err != nil {
				return nil, &StepError{Scenario: sc.Name, Step: i + 1, Title: step.Title, Err: err}
			}
		}
		sim.AdvanceTo(sim.Now() + step.AdvanceMs + DefaultStepAdvanceMs)
		sim.Drain() // the requests of the fast-forward are not replayed
	}
	return sim, nil
}

// StepError is a step whose command the simulation refused.
type StepError struct {
	Scenario string
	Step     int // from 1
	Title    string
	Err      error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("scenarios: walkthrough %q: step %d (%s): %v", e.Scenario, e.Step, e.Title, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// CheckSteps plays every step of a walkthrough once, so that a step whose
// command the simulation refuses (a pod or Route that does not exist at
// that point) is found when the file is read rather than mid-class.
func CheckSteps(sc model.Scenario, steps []Step) error {
	if len(steps) == 0 {
		return nil
	}
	_, err := BuildStep(sc, steps, len(steps), false)
	return err
}

// Walkthrough returns a catalog scenario together with its steps: a
// built-in, or a file of the scenarios directory. Errors are those of
// Load.
func (c *Catalog) Walkthrough(name string) (model.Scenario, []Step, error) {
	if _, ok := loadBuiltins()[name]; ok {
		parsed, err := parseBuiltin(name)
		if err != nil {
			return model.Scenario{}, nil, err
		}
		return parsed.scenario, parsed.steps, nil
	}
	sc, _, err := c.Load(name) // the directory's rules and errors
	if err != nil {
		return model.Scenario{}, nil, err
	}
	files, err := c.files()
	if err != nil {
		return model.Scenario{}, nil, err
	}
	for _, f := range files {
		if f.name == name && f.problem == "" {
			parsed, err := readFile(f.path)
			if err != nil {
				return model.Scenario{}, nil, err
			}
			return sc, parsed.steps, nil
		}
	}
	return model.Scenario{}, nil, fmt.Errorf("%w: scenario %q", model.ErrNotFound, name)
}
