package server

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/quiz"
)

// createQuiz posts body to /api/quiz and requires 200.
func (h *harness) createQuiz(body string) QuizView {
	h.t.Helper()
	var v QuizView
	decode(h.t, h.post("/api/quiz", body), &v)
	return v
}

func TestQuizCreateAnswerScore(t *testing.T) {
	h := newHarness(t)
	v := h.createQuiz(`{"seed":7,"count":6,"topics":[],"timed":false}`)
	require.Len(t, v.ID, 16)
	require.EqualValues(t, 7, v.Seed)
	require.Len(t, v.Questions, 6)
	require.Equal(t, 0, v.Score.Answered)

	// Answers are withheld.
	status, raw := h.call(http.MethodGet, "/api/quiz/"+v.ID, "")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, string(raw), `"answer"`)
	require.NotContains(t, string(raw), `"explanation"`)

	// The same seed on the same state gives the same questions.
	again := h.createQuiz(`{"seed":7,"count":6}`)
	require.NotEqual(t, v.ID, again.ID)
	require.Equal(t, v.Questions, again.Questions)

	var fb quiz.Feedback
	decode(t, h.post("/api/quiz/"+v.ID+"/answer", `{"question":0,"choice":0,"elapsedMs":1500}`), &fb)
	require.NotEmpty(t, fb.Explanation)
	require.Equal(t, fb.Answer == 0, fb.Correct)
	require.Equal(t, v.Questions[0].Choices[fb.Answer], fb.AnswerText)
	require.Equal(t, 1, fb.Score.Answered)

	decode(t, h.post("/api/quiz/"+v.ID+"/answer", `{"question":1,"choice":1}`), &fb)
	var got QuizView
	status, raw = h.call(http.MethodGet, "/api/quiz/"+v.ID, "")
	require.Equal(t, http.StatusOK, status)
	decode(t, raw, &got)
	require.Equal(t, 2, got.Score.Answered)
	n := 0
	for _, tr := range got.Score.Topics {
		n += tr.Answered
	}
	require.Equal(t, 2, n, "per-topic results add up")
}

// TestQuizRejectsBadInput: every bad input gets a 4xx JSON error naming
// the field, and the live cluster does not change.
func TestQuizRejectsBadInput(t *testing.T) {
	h := newHarness(t)
	before := h.stateJSON()
	v := h.createQuiz(`{"seed":1,"count":3}`)
	timed := h.createQuiz(`{"seed":1,"count":3,"timed":true}`)
	h.post("/api/quiz/"+v.ID+"/answer", `{"question":0,"choice":0}`)

	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/api/quiz", `{"count":-1}`, 400, "count:"},
		{"POST", "/api/quiz", `{"count":51}`, 400, "count:"},
		{"POST", "/api/quiz", `{"topics":["router","kubelet"]}`, 400, "topics[1]:"},
		{"POST", "/api/quiz", `{"timeLimitMs":9000}`, 400, "timeLimitMs:"},
		{"POST", "/api/quiz", `{"timed":true,"timeLimitMs":1}`, 400, "timeLimitMs:"},
		{"POST", "/api/quiz", `{"seed":-1}`, 400, "seed"},
		{"POST", "/api/quiz", `{"count":"ten"}`, 400, "count"},
		{"POST", "/api/quiz", `{"cheat":true}`, 400, "cheat"},
		{"POST", "/api/quiz", `{"count":3`, 400, "malformed"},
		{"POST", "/api/quiz", ``, 400, "empty"},
		{"GET", "/api/quiz", ``, 405, "method not allowed"},
		{"GET", "/api/quiz/0123456789abcdef", ``, 404, "no such quiz"},
		{"GET", "/api/quiz/../../etc", ``, 404, ""},
		{"GET", "/api/quiz/NOT-AN-ID", ``, 404, "16 hex digits"},
		{"POST", "/api/quiz/0123456789abcdef/answer", `{"question":0,"choice":0}`, 404, "no such quiz"},
		{"POST", "/api/quiz/" + v.ID + "/answer", `{"choice":0}`, 400, "question:"},
		{"POST", "/api/quiz/" + v.ID + "/answer", `{"question":1}`, 400, "choice:"},
		{"POST", "/api/quiz/" + v.ID + "/answer", `{"question":3,"choice":0}`, 400, "question:"},
		{"POST", "/api/quiz/" + v.ID + "/answer", `{"question":-1,"choice":0}`, 400, "question:"},
		{"POST", "/api/quiz/" + v.ID + "/answer", `{"question":1,"choice":7}`, 400, "choice:"},
		{"POST", "/api/quiz/" + v.ID + "/answer", `{"question":1,"choice":0,"elapsedMs":-3}`, 400, "elapsedMs:"},
		{"POST", "/api/quiz/" + v.ID + "/answer", `{"question":0,"choice":1}`, 409, "already answered"},
		{"POST", "/api/quiz/" + timed.ID + "/answer", `{"question":0,"choice":1}`, 400, "elapsedMs:"},
		{"POST", "/api/quiz/" + v.ID + "/answer", `{"question":1,"choice":0,"extra":1}`, 400, "extra"},
	} {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			status, data := h.call(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, status, string(data))
			var e ErrorPayload
			decode(t, data, &e)
			require.Contains(t, e.Error, tc.want)
		})
	}
	// Rejected answers changed nothing: question 1 is still open.
	var got QuizView
	_, raw := h.call(http.MethodGet, "/api/quiz/"+v.ID, "")
	decode(t, raw, &got)
	require.Equal(t, 1, got.Score.Answered)
	require.False(t, got.Score.Results[1].Answered)
	// And the cluster is untouched by quizzes.
	require.JSONEq(t, string(before), string(h.stateJSON()))
}

// TestQuizGeneratedAnswersMatchAPITrace: for 100 seeds, every generated
// question that needs no what-if setup is checked against the live
// server's own /api/trace, /api/load and /api/state.
func TestQuizGeneratedAnswersMatchAPITrace(t *testing.T) {
	if testing.Short() {
		t.Skip("100 quizzes")
	}
	h := newHarness(t, func(c *Config) { c.Limits.APIRate, c.Limits.APIBurst = 1e6, 1_000_000 })
	checked := map[string]int{}
	for seed := 1; seed <= 100; seed++ {
		v := h.createQuiz(fmt.Sprintf(`{"seed":%d,"count":6,"topics":["router","tls","services","calico","load-balancer","routing"]}`, seed))
		for i, q := range v.Questions {
			if q.Source != quiz.SourceGenerated {
				continue
			}
			var fb quiz.Feedback
			decode(t, h.post("/api/quiz/"+v.ID+"/answer", fmt.Sprintf(`{"question":%d,"choice":0,"elapsedMs":100}`, i)), &fb)
			require.NotNil(t, fb.Probe, q.ID)
			if len(fb.Probe.SetupText) > 0 {
				continue // a what-if on a copy; checked in package quiz
			}
			require.NoError(t, h.confirm(q, fb), "seed %d", seed)
			checked[q.Kind]++
		}
	}
	require.NotEmpty(t, checked)
	t.Logf("confirmed through the API: %v", checked)
}

// confirm derives a generated question's answer from the API alone.
func (h *harness) confirm(q quiz.PublicQuestion, fb quiz.Feedback) error {
	p := fb.Probe
	var res model.TraceResult
	if p.Trace != nil {
		body, _ := json.Marshal(p.Trace)
		decode(h.t, h.post("/api/trace", string(body)), &res)
	}
	got := fb.AnswerText
	ok := false
	switch q.Kind {
	case quiz.KindStatus:
		switch {
		case res.Status > 0:
			ok = strings.HasPrefix(got, fmt.Sprint(res.Status)+" ")
		case res.Outcome == "refused":
			ok = strings.Contains(got, "refused")
		case res.Outcome == "reset":
			ok = strings.Contains(got, "closed")
		case res.Outcome == "timeout":
			ok = strings.Contains(got, "times out")
		}
	case quiz.KindSourceIP:
		for _, hop := range res.Hops {
			if hop.Kind == model.HopPodNet && !hop.Response {
				src, _, _ := net.SplitHostPort(hop.Src)
				ok = strings.HasPrefix(got, src+" ") && slices.ContainsFunc(h.state().Routers, func(r model.RouterView) bool { return r.IP == src })
				break
			}
		}
	case quiz.KindClientIP:
		for _, hop := range res.Hops {
			if hop.Kind == model.HopPodNet && !hop.Response {
				if slices.Contains(hop.Headers, "X-Forwarded-For: "+p.Trace.ClientIP) {
					ok = strings.Contains(got, "X-Forwarded-For")
				} else {
					ok = strings.HasPrefix(got, "nowhere")
				}
				break
			}
		}
	case quiz.KindCrossNode:
		snap := h.state()
		nodeOf := map[string]string{}
		for _, pod := range snap.Pods {
			nodeOf["pod:"+pod.Namespace+"/"+pod.Name] = pod.Node
		}
		for _, hop := range res.Hops {
			if (hop.Kind == model.HopPodNet || hop.Kind == model.HopService) && !hop.Response && hop.From != hop.To {
				switch {
				case nodeOf[hop.From] == nodeOf[hop.To]:
					ok = strings.HasPrefix(got, "no: same node")
				case hop.Encapsulation == "vxlan":
					ok = strings.Contains(got, "VXLAN")
				case hop.Encapsulation == "ipip":
					ok = strings.Contains(got, "IP-in-IP")
				case hop.Failed:
					ok = strings.Contains(got, "never arrives")
				default:
					ok = strings.Contains(got, "routed as it is")
				}
				break
			}
		}
	case quiz.KindDNSZones:
		snap := h.state()
		var zones []string
		for _, ip := range snap.DNS.Answer {
			for _, z := range snap.LoadBalancer.Zones {
				if z.IP == ip {
					zones = append(zones, z.Zone)
				}
			}
		}
		sort.Strings(zones)
		ok = got == strings.Join(zones, ", ")
	case quiz.KindNextPod:
		var a, b model.LoadResult
		first, _ := json.Marshal(p.Load)
		second, _ := json.Marshal(p.Loads[0])
		decode(h.t, h.post("/api/load", string(first)), &a)
		decode(h.t, h.post("/api/load", string(second)), &b)
		for pod, n := range b.ByPod {
			if n > a.ByPod[pod] {
				ok = got == pod
			}
		}
	default:
		return fmt.Errorf("%s: kind %s without setup", q.ID, q.Kind)
	}
	if !ok {
		return fmt.Errorf("%s %q: the API does not confirm %q (trace %d %s %s)", q.ID, q.Prompt, got, res.Status, res.Outcome, res.Reason)
	}
	return nil
}

func TestQuizStoreIsBoundedAndExpires(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := newQuizStore(func() time.Time { return now }, 3, time.Hour)
	q, err := quiz.New(1, nil, quiz.Options{Count: 3})
	require.NoError(t, err)
	var ids []string
	for range 4 {
		id, err := s.add(q)
		require.NoError(t, err)
		ids = append(ids, id)
		now = now.Add(time.Minute)
	}
	require.Len(t, s.quizzes, 3)
	require.ErrorIs(t, s.with(ids[0], func(*quiz.Quiz) error { return nil }), errQuizNotFound, "the oldest was dropped")
	require.NoError(t, s.with(ids[3], func(*quiz.Quiz) error { return nil }))
	now = now.Add(2 * time.Hour)
	require.ErrorIs(t, s.with(ids[3], func(*quiz.Quiz) error { return nil }), errQuizNotFound, "expired")
}
