package quiz

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/podpath/podpath/model"
)

// Limits and defaults of a quiz.
const (
	DefaultCount       = 10
	MaxCount           = 50
	DefaultTimeLimitMs = 30_000
	MinTimeLimitMs     = 5_000
	MaxTimeLimitMs     = 600_000
	// MaxElapsedMs bounds the elapsed time a client may report (a day).
	MaxElapsedMs = 86_400_000
)

// Sentinel errors; the wrapped message names the field and the allowed
// values.
var (
	// ErrInvalid marks bad input (a field out of range, an unknown topic).
	ErrInvalid = errors.New("quiz: invalid")
	// ErrAnswered marks a second answer to the same question.
	ErrAnswered = errors.New("quiz: already answered")
)

func invalidf(field, format string, args ...any) error {
	return model.FieldErrorf(ErrInvalid, field, format, args...)
}

// Topics are the subjects a question belongs to, in display order.
var Topics = []string{
	TopicRouting, TopicRouter, TopicLB, TopicDNS, TopicServices, TopicCalico,
	TopicPolicy, TopicTLS, TopicComponents, TopicInterfaces, TopicPorts,
}

// TopicTitles are the topics in words, for pages.
var TopicTitles = map[string]string{
	TopicRouting:    "Route matching",
	TopicRouter:     "The router (HAProxy)",
	TopicLB:         "AWS load balancer",
	TopicDNS:        "DNS",
	TopicServices:   "Services and kube-proxy",
	TopicCalico:     "Calico pod network",
	TopicPolicy:     "NetworkPolicy",
	TopicTLS:        "TLS termination",
	TopicComponents: "Components and namespaces",
	TopicInterfaces: "CNI, CSI, CRI",
	TopicPorts:      "Ports",
}

// Topic names.
const (
	TopicRouting    = "routing"        // route matching and admission
	TopicRouter     = "router"         // HAProxy: balancing, cookies, weights, 503, reloads
	TopicLB         = "load-balancer"  // the AWS load balancer
	TopicDNS        = "dns"            // the wildcard record and cluster DNS
	TopicServices   = "services"       // Services, EndpointSlices, kube-proxy
	TopicCalico     = "calico"         // the pod network
	TopicPolicy     = "network-policy" // NetworkPolicy
	TopicTLS        = "tls"            // edge, reencrypt, passthrough
	TopicComponents = "components"     // what runs where (namespaces)
	TopicInterfaces = "cni-csi-cri"    // the plugin interfaces
	TopicPorts      = "ports"          // the common ports
)

// Sources of questions.
const (
	SourceGenerated = "generated" // computed from the live cluster
	SourceBank      = "bank"      // the conceptual bank
)

// Link points at the walkthrough step that shows a question's point.
// Links are data (see lessons in links.go) so that they can be fixed in
// one place when walkthroughs move.
type Link struct {
	Scenario string `json:"scenario"`
	// Step is 1-based; 0 links to the scenario itself.
	Step int `json:"step,omitempty"`
}

// Href is the page URL of the link: "?scenario=shop&step=2".
func (l Link) Href() string {
	if l.Step > 0 {
		return fmt.Sprintf("?scenario=%s&step=%d", l.Scenario, l.Step)
	}
	return "?scenario=" + l.Scenario
}

// Probe is what the simulation ran to compute a generated question's
// answer: commands applied to a copy of the cluster, virtual time run
// forward, then one traced request, a small load, or a look at the state.
// Anyone can run it again (POST /api/trace or /api/load) to check.
type Probe struct {
	// Setup is applied, in order, to a copy of the cluster.
	Setup []model.Command `json:"-"`
	// SetupText says in words what Setup does.
	SetupText []string `json:"setup,omitempty"`
	// AdvanceMs of virtual time run after the setup.
	AdvanceMs int64               `json:"advanceMs,omitempty"`
	Trace     *model.TraceRequest `json:"trace,omitempty"`
	Load      *model.LoadRequest  `json:"load,omitempty"`
	// Loads are further loads whose results the answer compares with
	// Load's (the same client, one more request).
	Loads []model.LoadRequest `json:"loads,omitempty"`
	// State is true when the answer is read from the state (Snapshot).
	State bool `json:"state,omitempty"`
}

// Question is one multiple-choice question with its answer.
type Question struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`   // a generated kind (Kind*) or "concept"
	Source string `json:"source"` // generated or bank
	Topic  string `json:"topic"`
	Prompt string `json:"prompt"`
	// Choices are 3 to 5 distinct answers; Answer indexes the right one.
	Choices     []string `json:"choices"`
	Answer      int      `json:"answer"`
	Explanation string   `json:"explanation"`
	Link        *Link    `json:"link,omitempty"`
	// Misconception is the number of the domain.md §8 item the question
	// teaches against, 0 for none.
	Misconception int `json:"misconception,omitempty"`
	// Probe is set on generated questions.
	Probe *Probe `json:"probe,omitempty"`
}

// PublicQuestion is a question as a learner sees it before answering:
// no answer, no explanation.
type PublicQuestion struct {
	Index   int      `json:"index"`
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Source  string   `json:"source"`
	Topic   string   `json:"topic"`
	Prompt  string   `json:"prompt"`
	Choices []string `json:"choices"`
}

// Options shape a quiz.
type Options struct {
	// Count is the number of questions, 1 to MaxCount (0: DefaultCount).
	Count int `json:"count"`
	// Topics keeps questions of these topics only; empty means all.
	Topics []string `json:"topics"`
	// Timed gives each question a time limit: an answer reported later
	// than TimeLimitMs counts as wrong.
	Timed bool `json:"timed"`
	// TimeLimitMs per question in timed mode (0: DefaultTimeLimitMs).
	TimeLimitMs int64 `json:"timeLimitMs"`
}

// Validate checks every field, as New does, without building a quiz.
func (o Options) Validate() error {
	_, err := o.normalize()
	return err
}

// normalize fills defaults and checks every field.
func (o Options) normalize() (Options, error) {
	if o.Count == 0 {
		o.Count = DefaultCount
	}
	if o.Count < 1 || o.Count > MaxCount {
		return o, invalidf("count", "%d is out of range; allowed 1 to %d", o.Count, MaxCount)
	}
	seen := map[string]bool{}
	var topics []string
	for i, t := range o.Topics {
		if !slices.Contains(Topics, t) {
			return o, invalidf(fmt.Sprintf("topics[%d]", i), "unknown topic %q; one of %s", t, strings.Join(Topics, ", "))
		}
		if !seen[t] {
			seen[t] = true
			topics = append(topics, t)
		}
	}
	o.Topics = topics
	if o.Timed {
		if o.TimeLimitMs == 0 {
			o.TimeLimitMs = DefaultTimeLimitMs
		}
		if o.TimeLimitMs < MinTimeLimitMs || o.TimeLimitMs > MaxTimeLimitMs {
			return o, invalidf("timeLimitMs", "%d is out of range; allowed %d to %d", o.TimeLimitMs, MinTimeLimitMs, MaxTimeLimitMs)
		}
	} else if o.TimeLimitMs != 0 {
		return o, invalidf("timeLimitMs", "set only with timed: true")
	}
	return o, nil
}

func (o Options) wants(topic string) bool {
	return len(o.Topics) == 0 || slices.Contains(o.Topics, topic)
}

// Quiz is one learner's session: questions, answers, score. It is not
// safe for concurrent use; the caller serialises access.
type Quiz struct {
	Seed      uint64     `json:"seed"`
	Options   Options    `json:"options"`
	Questions []Question `json:"questions"`
	answers   []answer
}

type answer struct {
	Done      bool
	Choice    int
	Correct   bool
	TimedOut  bool
	ElapsedMs int64
}

// New builds a quiz from a seed: the same seed, options and cluster
// state give the same quiz. Generated questions are computed from sim
// (on copies; sim itself is only read); with a nil sim the quiz uses the
// bank alone. About half the questions are generated when the topics
// allow.
func New(seed uint64, sim *model.Sim, opts Options) (*Quiz, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x71756978)) // "quix"
	genSeed := rng.Uint64()
	bank := bankFor(opts, rng)
	var generated []Question
	wantGen := 0
	if sim != nil {
		// Half generated; more when the bank has too few of the topics.
		wantGen = (opts.Count + 1) / 2
		generated = Generate(sim, genSeed, max(wantGen, opts.Count-len(bank)), opts.Topics)
	}
	// Take half generated, the rest bank; fill from the other when short.
	nGen := min(wantGen, len(generated))
	nBank := min(opts.Count-nGen, len(bank))
	nGen = min(opts.Count-nBank, len(generated))
	qs := append(append([]Question(nil), generated[:nGen]...), bank[:nBank]...)
	if len(qs) == 0 {
		return nil, invalidf("topics", "no questions for %s", strings.Join(opts.Topics, ", "))
	}
	rng.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	return &Quiz{Seed: seed, Options: opts, Questions: qs, answers: make([]answer, len(qs))}, nil
}

// bankFor returns the bank questions of the wanted topics, shuffled, each
// with its choices shuffled.
func bankFor(opts Options, rng *rand.Rand) []Question {
	var out []Question
	for _, item := range Bank() {
		if opts.wants(item.Topic) {
			out = append(out, item)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for i := range out {
		out[i] = shuffleChoices(out[i], rng)
	}
	return out
}

// shuffleChoices permutes a question's choices, keeping its answer.
func shuffleChoices(q Question, rng *rand.Rand) Question {
	right := q.Choices[q.Answer]
	q.Choices = slices.Clone(q.Choices)
	rng.Shuffle(len(q.Choices), func(i, j int) { q.Choices[i], q.Choices[j] = q.Choices[j], q.Choices[i] })
	q.Answer = slices.Index(q.Choices, right)
	return q
}

// Public returns the questions without answers.
func (q *Quiz) Public() []PublicQuestion {
	out := make([]PublicQuestion, len(q.Questions))
	for i, x := range q.Questions {
		out[i] = PublicQuestion{Index: i, ID: x.ID, Kind: x.Kind, Source: x.Source, Topic: x.Topic, Prompt: x.Prompt, Choices: slices.Clone(x.Choices)}
	}
	return out
}

// Feedback is the answer to Answer.
type Feedback struct {
	Question int  `json:"question"`
	Choice   int  `json:"choice"`
	Correct  bool `json:"correct"`
	TimedOut bool `json:"timedOut,omitempty"`
	Answer   int  `json:"answer"`
	// AnswerText is the right choice's text.
	AnswerText  string `json:"answerText"`
	Explanation string `json:"explanation"`
	Link        *Link  `json:"link,omitempty"`
	// LinkHref is Link.Href(), for pages.
	LinkHref string `json:"linkHref,omitempty"`
	// Probe is how the simulation computed a generated answer.
	Probe *Probe `json:"probe,omitempty"`
	Score Score  `json:"score"`
}

// Answer records the learner's choice for question i; elapsedMs is the
// time the learner took, as the client measured it (the quiz reads no
// clock). In timed mode an answer after the time limit counts as wrong.
// A question can be answered once.
func (q *Quiz) Answer(i, choice int, elapsedMs int64) (Feedback, error) {
	if i < 0 || i >= len(q.Questions) {
		return Feedback{}, invalidf("question", "%d is out of range; allowed 0 to %d", i, len(q.Questions)-1)
	}
	x := q.Questions[i]
	if choice < 0 || choice >= len(x.Choices) {
		return Feedback{}, invalidf("choice", "%d is out of range; allowed 0 to %d", choice, len(x.Choices)-1)
	}
	if elapsedMs < 0 || elapsedMs > MaxElapsedMs {
		return Feedback{}, invalidf("elapsedMs", "%d is out of range; allowed 0 to %d", elapsedMs, MaxElapsedMs)
	}
	if q.answers[i].Done {
		return Feedback{}, fmt.Errorf("%w: question %d", ErrAnswered, i)
	}
	a := answer{Done: true, Choice: choice, ElapsedMs: elapsedMs}
	a.TimedOut = q.Options.Timed && elapsedMs > q.Options.TimeLimitMs
	a.Correct = choice == x.Answer && !a.TimedOut
	q.answers[i] = a
	fb := Feedback{Question: i, Choice: choice, Correct: a.Correct, TimedOut: a.TimedOut, Answer: x.Answer,
		AnswerText: x.Choices[x.Answer], Explanation: x.Explanation, Link: x.Link, Probe: x.Probe, Score: q.Score()}
	if x.Link != nil {
		fb.LinkHref = x.Link.Href()
	}
	return fb, nil
}

// Score is how a quiz went so far.
type Score struct {
	Questions int `json:"questions"`
	Answered  int `json:"answered"`
	Correct   int `json:"correct"`
	TimedOut  int `json:"timedOut"`
	// Percent is Correct of Questions, rounded down.
	Percent int           `json:"percent"`
	Done    bool          `json:"done"`
	Topics  []TopicResult `json:"topics"`
	// Results has one entry per question, in order.
	Results []QuestionResult `json:"results"`
}

// TopicResult is the score of one topic.
type TopicResult struct {
	Topic     string `json:"topic"`
	Questions int    `json:"questions"`
	Answered  int    `json:"answered"`
	Correct   int    `json:"correct"`
}

// QuestionResult is the state of one question.
type QuestionResult struct {
	Answered  bool  `json:"answered"`
	Correct   bool  `json:"correct"`
	TimedOut  bool  `json:"timedOut,omitempty"`
	ElapsedMs int64 `json:"elapsedMs,omitempty"`
}

// Score counts the answers so far, in total and per topic (topics in
// Topics order, only those asked).
func (q *Quiz) Score() Score {
	s := Score{Questions: len(q.Questions), Topics: []TopicResult{}, Results: make([]QuestionResult, len(q.Questions))}
	per := map[string]*TopicResult{}
	for i, x := range q.Questions {
		t := per[x.Topic]
		if t == nil {
			t = &TopicResult{Topic: x.Topic}
			per[x.Topic] = t
		}
		t.Questions++
		a := q.answers[i]
		s.Results[i] = QuestionResult{Answered: a.Done, Correct: a.Correct, TimedOut: a.TimedOut, ElapsedMs: a.ElapsedMs}
		if !a.Done {
			continue
		}
		s.Answered++
		t.Answered++
		if a.Correct {
			s.Correct++
			t.Correct++
		}
		if a.TimedOut {
			s.TimedOut++
		}
	}
	for _, topic := range Topics {
		if t := per[topic]; t != nil {
			s.Topics = append(s.Topics, *t)
		}
	}
	if s.Questions > 0 {
		s.Percent = s.Correct * 100 / s.Questions
	}
	s.Done = s.Answered == s.Questions
	return s
}
