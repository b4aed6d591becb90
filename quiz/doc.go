// Package quiz drills what podpath shows: multiple-choice questions whose
// answers the simulation proves, plus a bank of conceptual questions.
//
// Two kinds of questions:
//
//   - Generated (Generate): computed from a live cluster. Each runs the
//     simulation on a copy — model.Sim.Trace, Load or Snapshot, sometimes
//     after a what-if setup (scale to 0, a new Route, another Calico pool
//     mode) — and turns the result into the right choice; distractors come
//     from the same cluster. The question's Probe says what ran, so anyone
//     can check it with POST /api/trace or /api/load.
//   - Bank (Bank): conceptual questions drawn from ../shared/domain.md: every
//     §8 misconception, the components and their namespaces, CNI vs CSI vs
//     CRI, the common ports, load balancer and router facts.
//
// Every question has a topic (Topics), an explanation and, where a
// walkthrough shows it, a Link to the scenario step (lessons in links.go).
//
// Usage:
//
//	q, err := quiz.New(seed, sim.Clone(), quiz.Options{Count: 10, Topics: []string{"router"}, Timed: true})
//	for i, question := range q.Public() { … show question.Prompt and question.Choices … }
//	fb, err := q.Answer(i, choice, elapsedMs) // fb.Correct, fb.Explanation, fb.Link
//	score := q.Score()                          // totals and per-topic results
//
// The package is pure and deterministic: no I/O, no wall clock (timed mode
// compares the elapsed time the caller reports), one random source seeded
// from the quiz seed. The same seed, options and cluster state give the
// same quiz. It reads the Sim it is given (Snapshot, Trace, Load, Clone) and
// never changes it; like the Sim, a Quiz is not safe for concurrent use.
package quiz
