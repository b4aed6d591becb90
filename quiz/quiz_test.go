package quiz_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/quiz"
	"github.com/podpath/podpath/scenarios"
)

func TestBankQuestionsAreWellFormed(t *testing.T) {
	bank := quiz.Bank()
	require.GreaterOrEqual(t, len(bank), 40)
	ids := map[string]bool{}
	for _, q := range bank {
		require.False(t, ids[q.ID], "duplicate id %s", q.ID)
		ids[q.ID] = true
		require.Equal(t, quiz.SourceBank, q.Source)
		require.Contains(t, quiz.Topics, q.Topic, q.ID)
		require.NotEmpty(t, q.Prompt, q.ID)
		require.NotEmpty(t, q.Explanation, q.ID)
		require.GreaterOrEqual(t, len(q.Choices), 3, q.ID)
		require.LessOrEqual(t, len(q.Choices), 5, q.ID)
		require.Len(t, uniq(q.Choices), len(q.Choices), "%s: duplicate choices", q.ID)
		require.Equal(t, 0, q.Answer, "%s: one correct answer, written first", q.ID)
		require.NotNil(t, q.Link, "%s: every bank question links to a walkthrough", q.ID)
		for _, c := range q.Choices {
			require.NotEmpty(t, c, q.ID)
		}
	}
}

// TestBankCoversEveryMisconception: each of domain.md §8's 18 items has
// at least one question.
func TestBankCoversEveryMisconception(t *testing.T) {
	covered := map[int]bool{}
	for _, q := range quiz.Bank() {
		covered[q.Misconception] = true
	}
	for i := 1; i <= 18; i++ {
		require.True(t, covered[i], "§8 item %d has no bank question", i)
	}
}

// TestBankCoversTheSeedVocabulary: components, interfaces and ports.
func TestBankCoversTheSeedVocabulary(t *testing.T) {
	var text string
	per := map[string]int{}
	for _, q := range quiz.Bank() {
		per[q.Topic]++
		text += q.Prompt + " " + q.Choices[0] + " " + q.Explanation + "\n"
	}
	for _, topic := range quiz.Topics {
		require.Positive(t, per[topic], "no bank question for topic %s", topic)
	}
	for _, must := range []string{
		"openshift-ingress", "openshift-ingress-operator", "openshift-dns", "dns-default", "172.30.0.10", "5353",
		"openshift-kube-proxy", "calico-system", "calico-node", "calico-typha", "calico-kube-controllers", "tigera-operator",
		"CNI", "CSI", "CRI", "CRI-O", "EBS CSI",
		"1936", "6443", "30000–32767", "10250", "4789", "179", "2379", "2380",
		"Classic", "NLB", "every 5 s", "every 10 s", "60 s", "350 s", "0–256", "3 alternateBackends", "5 s", "oldest",
	} {
		require.Contains(t, text, must)
	}
}

// TestLessonLinksExist: every lesson points at a built-in scenario and,
// when it names a step, a step that scenario has.
func TestLessonLinksExist(t *testing.T) {
	steps := map[string]int{}
	for _, info := range scenarios.List() {
		steps[info.Name] = info.Steps
	}
	for lesson, link := range quiz.Lessons() {
		n, ok := steps[link.Scenario]
		require.True(t, ok, "lesson %s: no built-in scenario %q", lesson, link.Scenario)
		require.LessOrEqual(t, link.Step, n, "lesson %s: scenario %s has %d steps", lesson, link.Scenario, n)
		require.GreaterOrEqual(t, link.Step, 0)
	}
	require.Equal(t, "?scenario=canary&step=1", quiz.Link{Scenario: "canary", Step: 1}.Href())
	require.Equal(t, "?scenario=shop", quiz.Link{Scenario: "shop"}.Href())
}

func shopSim(t *testing.T) *model.Sim {
	t.Helper()
	sc, _, err := scenarios.Load("shop")
	require.NoError(t, err)
	sim, err := model.New(sc)
	require.NoError(t, err)
	return sim
}

func TestNewMixesGeneratedAndBank(t *testing.T) {
	q, err := quiz.New(1, shopSim(t), quiz.Options{Count: 10})
	require.NoError(t, err)
	require.Len(t, q.Questions, 10)
	src := map[string]int{}
	for _, x := range q.Questions {
		src[x.Source]++
	}
	require.Equal(t, 5, src[quiz.SourceGenerated])
	require.Equal(t, 5, src[quiz.SourceBank])

	// Without a cluster: the bank alone.
	b, err := quiz.New(1, nil, quiz.Options{Count: 7, Topics: []string{quiz.TopicPorts}})
	require.NoError(t, err)
	require.Len(t, b.Questions, 7)
	for _, x := range b.Questions {
		require.Equal(t, quiz.TopicPorts, x.Topic)
	}

	// Different seeds, different quizzes.
	c, err := quiz.New(2, nil, quiz.Options{Count: 10})
	require.NoError(t, err)
	d, err := quiz.New(3, nil, quiz.Options{Count: 10})
	require.NoError(t, err)
	require.NotEqual(t, c.Questions, d.Questions)
}

func TestOptionsAreValidated(t *testing.T) {
	for name, tc := range map[string]struct {
		opts  quiz.Options
		field string
	}{
		"count negative":  {quiz.Options{Count: -1}, "count"},
		"count too big":   {quiz.Options{Count: quiz.MaxCount + 1}, "count"},
		"unknown topic":   {quiz.Options{Topics: []string{"router", "kubelet"}}, "topics[1]"},
		"limit untimed":   {quiz.Options{TimeLimitMs: 10_000}, "timeLimitMs"},
		"limit too short": {quiz.Options{Timed: true, TimeLimitMs: 10}, "timeLimitMs"},
		"limit too long":  {quiz.Options{Timed: true, TimeLimitMs: quiz.MaxTimeLimitMs + 1}, "timeLimitMs"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := quiz.New(1, nil, tc.opts)
			require.ErrorIs(t, err, quiz.ErrInvalid)
			require.Contains(t, err.Error(), tc.field+":")
		})
	}
}

func TestAnswerScoreAndTopics(t *testing.T) {
	q, err := quiz.New(9, shopSim(t), quiz.Options{Count: 6})
	require.NoError(t, err)
	require.Len(t, q.Public(), 6)
	for _, p := range q.Public() {
		require.NotEmpty(t, p.Choices)
	}

	right := q.Questions[0].Answer
	fb, err := q.Answer(0, right, 1200)
	require.NoError(t, err)
	require.True(t, fb.Correct)
	require.Equal(t, right, fb.Answer)
	require.NotEmpty(t, fb.Explanation)
	require.Equal(t, 1, fb.Score.Correct)

	wrong := (q.Questions[1].Answer + 1) % len(q.Questions[1].Choices)
	fb, err = q.Answer(1, wrong, 500)
	require.NoError(t, err)
	require.False(t, fb.Correct)
	require.Equal(t, q.Questions[1].Answer, fb.Answer)

	_, err = q.Answer(1, q.Questions[1].Answer, 500)
	require.ErrorIs(t, err, quiz.ErrAnswered, "a question is answered once")

	for _, bad := range []struct {
		i, c  int
		ms    int64
		field string
	}{
		{-1, 0, 0, "question"}, {6, 0, 0, "question"}, {2, -1, 0, "choice"}, {2, 9, 0, "choice"}, {2, 0, -5, "elapsedMs"},
	} {
		_, err := q.Answer(bad.i, bad.c, bad.ms)
		require.ErrorIs(t, err, quiz.ErrInvalid)
		require.Contains(t, err.Error(), bad.field+":")
	}

	s := q.Score()
	require.Equal(t, 6, s.Questions)
	require.Equal(t, 2, s.Answered)
	require.Equal(t, 1, s.Correct)
	require.Equal(t, 16, s.Percent)
	require.False(t, s.Done)
	sum := 0
	for _, tr := range s.Topics {
		require.Contains(t, quiz.Topics, tr.Topic)
		sum += tr.Questions
	}
	require.Equal(t, 6, sum)
	require.True(t, s.Results[0].Correct)
	require.True(t, s.Results[1].Answered)
	require.False(t, s.Results[1].Correct)
}

func TestTimedMode(t *testing.T) {
	q, err := quiz.New(4, nil, quiz.Options{Count: 3, Timed: true})
	require.NoError(t, err)
	require.EqualValues(t, quiz.DefaultTimeLimitMs, q.Options.TimeLimitMs)
	fb, err := q.Answer(0, q.Questions[0].Answer, quiz.DefaultTimeLimitMs+1)
	require.NoError(t, err)
	require.False(t, fb.Correct, "right but too late")
	require.True(t, fb.TimedOut)
	fb, err = q.Answer(1, q.Questions[1].Answer, quiz.DefaultTimeLimitMs)
	require.NoError(t, err)
	require.True(t, fb.Correct)
	require.Equal(t, 1, q.Score().TimedOut)
}

func TestBankChoicesAreShuffledPerQuiz(t *testing.T) {
	positions := map[int]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		q, err := quiz.New(seed, nil, quiz.Options{Count: 5})
		require.NoError(t, err)
		for _, x := range q.Questions {
			positions[x.Answer] = true
			require.True(t, slices.Contains(x.Choices, x.Choices[x.Answer]))
		}
	}
	require.Greater(t, len(positions), 2, "the right answer is not always in one place")
}
