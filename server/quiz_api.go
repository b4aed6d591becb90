package server

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/podpath/podpath/model"
	"github.com/podpath/podpath/quiz"
)

// Limits of the quiz store.
const (
	MaxQuizzes = 1000
	QuizTTL    = 2 * time.Hour
)

// errQuizNotFound answers 404 for an unknown or expired quiz.
var errQuizNotFound = errors.New("server: no such quiz")

// quizIDPattern is what a quiz id looks like (16 hex digits).
var quizIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// QuizRequest is the body of POST /api/quiz. Seed is optional: without
// it the server draws one (and answers it, so the quiz can be replayed).
type QuizRequest struct {
	Seed        *uint64  `json:"seed"`
	Count       int      `json:"count"`
	Topics      []string `json:"topics"`
	Timed       bool     `json:"timed"`
	TimeLimitMs int64    `json:"timeLimitMs"`
}

// QuizView is a quiz as a learner sees it: questions without answers.
type QuizView struct {
	ID          string                `json:"id"`
	Seed        uint64                `json:"seed"`
	Timed       bool                  `json:"timed"`
	TimeLimitMs int64                 `json:"timeLimitMs,omitempty"`
	Topics      []string              `json:"topics"`
	Questions   []quiz.PublicQuestion `json:"questions"`
	Score       quiz.Score            `json:"score"`
}

// QuizAnswerRequest is the body of POST /api/quiz/{id}/answer. ElapsedMs is
// the time the learner took, measured by the client; required in timed
// mode.
type QuizAnswerRequest struct {
	Question  *int   `json:"question"`
	Choice    *int   `json:"choice"`
	ElapsedMs *int64 `json:"elapsedMs"`
}

// quizStore keeps recent quizzes in memory, bounded in number and age.
// Its mutex guards the map and every Quiz in it (a Quiz is not safe for
// concurrent use).
type quizStore struct {
	mu      sync.Mutex
	now     func() time.Time
	max     int
	ttl     time.Duration
	quizzes map[string]*quizEntry
}

type quizEntry struct {
	quiz    *quiz.Quiz
	created time.Time
}

func newQuizStore(now func() time.Time, max int, ttl time.Duration) *quizStore {
	return &quizStore{now: now, max: max, ttl: ttl, quizzes: map[string]*quizEntry{}}
}

// add stores q under a new id, dropping expired quizzes and, when full,
// the oldest.
func (s *quizStore) add(q *quiz.Quiz) (string, error) {
	id, err := newQuizID()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, e := range s.quizzes {
		if now.Sub(e.created) > s.ttl {
			delete(s.quizzes, k)
		}
	}
	for len(s.quizzes) >= s.max {
		oldest := ""
		for k, e := range s.quizzes {
			if oldest == "" || e.created.Before(s.quizzes[oldest].created) || (e.created.Equal(s.quizzes[oldest].created) && k < oldest) {
				oldest = k
			}
		}
		delete(s.quizzes, oldest)
	}
	s.quizzes[id] = &quizEntry{quiz: q, created: now}
	return id, nil
}

// with runs fn on quiz id under the lock.
func (s *quizStore) with(id string, fn func(*quiz.Quiz) error) error {
	if !quizIDPattern.MatchString(id) {
		return fmt.Errorf("%w: %q (an id is 16 hex digits, from POST /api/quiz)", errQuizNotFound, id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.quizzes[id]
	if e == nil || s.now().Sub(e.created) > s.ttl {
		delete(s.quizzes, id)
		return fmt.Errorf("%w: %s (quizzes expire after %s)", errQuizNotFound, id, s.ttl)
	}
	return fn(e.quiz)
}

func newQuizID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) >> 11 // fits a JSON number exactly
}

// quizHandlers answer the quiz routes (routes.go): POST /api/quiz,
// POST /api/quiz/{id}/answer and GET /api/quiz/{id}. Quizzes are
// generated on the request's goroutine from a copy of the live cluster,
// so the loop is held only for the copy.
type quizHandlers struct {
	clone func(context.Context) (*model.Sim, error)
	store *quizStore
	log   *slog.Logger
}

// newQuizHandlers makes a room's quiz handlers, with their own store.
func newQuizHandlers(r *runner, now func() time.Time, log *slog.Logger) *quizHandlers {
	return &quizHandlers{clone: r.cloneSim, store: newQuizStore(now, MaxQuizzes, QuizTTL), log: log}
}

func (h *quizHandlers) create(w http.ResponseWriter, req *http.Request) {
	var in QuizRequest
	if err := decodeBody(w, req, &in); err != nil {
		writeError(w, h.log, err)
		return
	}
	seed := randomSeed()
	if in.Seed != nil {
		seed = *in.Seed
	}
	opts := quiz.Options{Count: in.Count, Topics: in.Topics, Timed: in.Timed, TimeLimitMs: in.TimeLimitMs}
	// Check the options before copying the cluster.
	if err := opts.Validate(); err != nil {
		writeError(w, h.log, err)
		return
	}
	sim, err := h.clone(req.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	q, err := quiz.New(seed, sim, opts)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	id, err := h.store.add(q)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, viewOf(id, q))
}

func viewOf(id string, q *quiz.Quiz) QuizView {
	topics := q.Options.Topics
	if topics == nil {
		topics = []string{}
	}
	return QuizView{ID: id, Seed: q.Seed, Timed: q.Options.Timed, TimeLimitMs: q.Options.TimeLimitMs, Topics: topics, Questions: q.Public(), Score: q.Score()}
}

func (h *quizHandlers) answer(w http.ResponseWriter, req *http.Request) {
	var in QuizAnswerRequest
	if err := decodeBody(w, req, &in); err != nil {
		writeError(w, h.log, err)
		return
	}
	if in.Question == nil {
		writeError(w, h.log, invalidf("question", "required: the question's index"))
		return
	}
	if in.Choice == nil {
		writeError(w, h.log, invalidf("choice", "required: the chosen answer's index"))
		return
	}
	var fb quiz.Feedback
	err := h.store.with(chi.URLParam(req, "id"), func(q *quiz.Quiz) error {
		elapsed := int64(0)
		if in.ElapsedMs != nil {
			elapsed = *in.ElapsedMs
		} else if q.Options.Timed {
			return invalidf("elapsedMs", "required in timed mode: the milliseconds the learner took")
		}
		var err error
		fb, err = q.Answer(*in.Question, *in.Choice, elapsed)
		return err
	})
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, fb)
}

func (h *quizHandlers) get(w http.ResponseWriter, req *http.Request) {
	id := chi.URLParam(req, "id")
	var view QuizView
	if err := h.store.with(id, func(q *quiz.Quiz) error {
		view = viewOf(id, q)
		return nil
	}); err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}
