// @ts-check
// The quiz panel: interview prep. POST /api/quiz makes a quiz (questions
// without answers), POST /api/quiz/{id}/answer checks one answer and
// returns its explanation and walkthrough link, and the score. The
// server decides what is right (generated answers come from the
// simulation); this module only shows questions, times them in timed
// mode and reports the elapsed milliseconds. All data goes in with
// textContent.

import { postJSON } from './controls.js';

/**
 * @typedef {object} PublicQuestion
 * @property {number} index
 * @property {string} id
 * @property {string} kind
 * @property {string} source   generated or bank
 * @property {string} topic
 * @property {string} prompt
 * @property {string[]} choices
 */

/**
 * @typedef {object} TopicResult
 * @property {string} topic
 * @property {number} questions
 * @property {number} answered
 * @property {number} correct
 */

/**
 * @typedef {object} Score
 * @property {number} questions
 * @property {number} answered
 * @property {number} correct
 * @property {number} timedOut
 * @property {number} percent
 * @property {boolean} done
 * @property {TopicResult[]} topics
 */

/**
 * @typedef {object} QuizView
 * @property {string} id
 * @property {number} seed
 * @property {boolean} timed
 * @property {number} [timeLimitMs]
 * @property {PublicQuestion[]} questions
 * @property {Score} score
 */

/**
 * @typedef {object} Feedback
 * @property {number} question
 * @property {number} choice
 * @property {boolean} correct
 * @property {boolean} [timedOut]
 * @property {number} answer
 * @property {string} answerText
 * @property {string} explanation
 * @property {string} [linkHref]
 * @property {{setup?: string[], trace?: {url: string, client?: string, from?: string}, load?: {url: string}, state?: boolean}} [probe]
 * @property {Score} score
 */

/**
 * Wires the quiz panel, if the page has one; its opener (quiz-open) calls
 * toggle (extras.js loads this module on its first click).
 * @param {Document} doc
 */
export function wireQuiz(doc) {
  const q = (/** @type {string} */ id) => /** @type {any} */ (doc.querySelector(`[data-testid="${id}"]`));
  const panel = /** @type {HTMLElement | null} */ (q('quiz-panel'));
  const open = /** @type {HTMLButtonElement | null} */ (q('quiz-open'));
  if (!panel || !open) return null;
  const quiz = new QuizPanel(doc, panel, open);
  quiz.wire();
  return quiz;
}

class QuizPanel {
  /**
   * @param {Document} doc
   * @param {HTMLElement} panel
   * @param {HTMLButtonElement} openButton
   */
  constructor(doc, panel, openButton) {
    this.doc = doc;
    this.panel = panel;
    this.openButton = openButton;
    const q = (/** @type {string} */ id) => /** @type {any} */ (panel.querySelector(`[data-testid="${id}"]`));
    this.setup = /** @type {HTMLFormElement} */ (q('quiz-setup'));
    this.count = /** @type {HTMLSelectElement} */ (q('quiz-count'));
    this.timedBox = /** @type {HTMLInputElement} */ (q('quiz-timed'));
    this.seedInput = /** @type {HTMLInputElement} */ (q('quiz-seed'));
    this.body = /** @type {HTMLElement} */ (q('quiz-body'));
    this.progress = /** @type {HTMLElement} */ (q('quiz-progress'));
    this.timer = /** @type {HTMLElement} */ (q('quiz-timer'));
    this.question = /** @type {HTMLElement} */ (q('quiz-question'));
    this.choices = /** @type {HTMLOListElement} */ (q('quiz-choices'));
    this.feedback = /** @type {HTMLElement} */ (q('quiz-feedback'));
    this.verdict = /** @type {HTMLElement} */ (q('quiz-verdict'));
    this.explanation = /** @type {HTMLElement} */ (q('quiz-explanation'));
    this.probe = /** @type {HTMLElement} */ (q('quiz-probe'));
    this.link = /** @type {HTMLAnchorElement} */ (q('quiz-link'));
    this.next = /** @type {HTMLButtonElement} */ (q('quiz-next'));
    this.restart = /** @type {HTMLButtonElement} */ (q('quiz-restart'));
    this.score = /** @type {HTMLElement} */ (q('quiz-score'));
    this.topicResults = /** @type {HTMLUListElement} */ (q('quiz-topic-results'));
    this.error = /** @type {HTMLElement} */ (q('quiz-error'));
    /** @type {QuizView | null} */
    this.quiz = null;
    this.current = 0;
    this.shownAt = 0;
    this.busy = false;
    /** @type {number | undefined} */
    this.tick = undefined;
    /** @type {Record<string, string>} */
    this.topicTitles = {};
    for (const box of panel.querySelectorAll('[data-testid="quiz-topic"]')) {
      const input = /** @type {HTMLInputElement} */ (box);
      this.topicTitles[input.value] = input.parentElement?.textContent?.trim() || input.value;
    }
  }

  wire() {
    this.panel.querySelector('[data-testid="quiz-close"]')?.addEventListener('click', () => this.close());
    this.panel.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.stopPropagation();
        this.close();
      }
    });
    this.setup.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.start();
    });
    this.next.addEventListener('click', () => this.show(this.current + 1));
    this.restart.addEventListener('click', () => this.showSetup());
  }

  isOpen() {
    return !this.panel.hidden;
  }

  toggle() {
    if (this.isOpen()) this.close();
    else this.openPanel();
  }

  openPanel() {
    this.panel.hidden = false;
    this.openButton.setAttribute('aria-expanded', 'true');
    const focus = this.body.hidden ? this.panel.querySelector('[data-testid="quiz-start"]') : this.choices.querySelector('button:not([disabled])');
    /** @type {HTMLElement | null} */ (focus)?.focus();
  }

  close() {
    this.panel.hidden = true;
    this.openButton.setAttribute('aria-expanded', 'false');
    this.openButton.focus();
  }

  showSetup() {
    this.stopTimer();
    this.quiz = null;
    this.body.hidden = true;
    this.setup.hidden = false;
  }

  async start() {
    if (this.busy) return;
    const topics = [...this.panel.querySelectorAll('[data-testid="quiz-topic"]')]
      .map((el) => /** @type {HTMLInputElement} */ (el))
      .filter((el) => el.checked)
      .map((el) => el.value);
    /** @type {Record<string, any>} */
    const body = { count: Number(this.count.value), topics, timed: this.timedBox.checked };
    const seed = this.seedInput.value.trim();
    if (seed !== '') body.seed = Number(seed);
    this.busy = true;
    this.setError('');
    try {
      this.quiz = /** @type {QuizView} */ (await postJSON('/api/quiz', body));
      this.setup.hidden = true;
      this.body.hidden = false;
      this.renderScore(this.quiz.score);
      this.show(0);
    } catch (err) {
      this.setError(/** @type {Error} */ (err).message);
    } finally {
      this.busy = false;
    }
  }

  /** @param {number} i */
  show(i) {
    const quiz = this.quiz;
    if (!quiz) return;
    this.stopTimer();
    this.feedback.hidden = true;
    this.next.hidden = true;
    if (i >= quiz.questions.length) {
      this.progress.textContent = `Done: ${quiz.score.correct} of ${quiz.questions.length} right (seed ${quiz.seed}).`;
      this.question.textContent = '';
      this.choices.replaceChildren();
      return;
    }
    this.current = i;
    const x = quiz.questions[i];
    const origin = x.source === 'generated' ? 'about this cluster, checked by the simulation' : 'concept';
    this.progress.textContent = `Question ${i + 1} of ${quiz.questions.length} · ${this.topicTitles[x.topic] || x.topic} · ${origin}`;
    this.question.textContent = x.prompt;
    this.question.dataset.kind = x.kind;
    this.question.dataset.index = String(i);
    const items = x.choices.map((text, j) => {
      const li = this.doc.createElement('li');
      const b = this.doc.createElement('button');
      b.type = 'button';
      b.className = 'quiz-choice';
      b.dataset.testid = 'quiz-choice';
      b.dataset.index = String(j);
      b.textContent = text;
      b.addEventListener('click', () => this.answer(j));
      li.append(b);
      return li;
    });
    this.choices.replaceChildren(...items);
    this.shownAt = performance.now();
    if (quiz.timed) this.startTimer(quiz.timeLimitMs || 30000);
    /** @type {HTMLElement | null} */ (this.choices.querySelector('button'))?.focus();
  }

  /** @param {number} limitMs */
  startTimer(limitMs) {
    this.timer.hidden = false;
    const update = () => {
      const left = limitMs - (performance.now() - this.shownAt);
      if (left <= 0) {
        this.timer.textContent = "Time's up — you can still answer to see why, but it counts as wrong.";
        this.timer.classList.add('late');
        this.stopTimer(false);
        return;
      }
      this.timer.textContent = `${Math.ceil(left / 1000)} s left`;
    };
    this.timer.classList.remove('late');
    update();
    this.tick = window.setInterval(update, 250);
  }

  stopTimer(hide = true) {
    if (this.tick !== undefined) window.clearInterval(this.tick);
    this.tick = undefined;
    if (hide) this.timer.hidden = true;
  }

  /** @param {number} choice */
  async answer(choice) {
    const quiz = this.quiz;
    if (!quiz || this.busy) return;
    const i = this.current;
    const elapsedMs = Math.round(performance.now() - this.shownAt);
    this.busy = true;
    this.setError('');
    try {
      const fb = /** @type {Feedback} */ (
        await postJSON(`/api/quiz/${encodeURIComponent(quiz.id)}/answer`, { question: i, choice, elapsedMs })
      );
      this.stopTimer(!quiz.timed);
      quiz.score = fb.score;
      this.renderFeedback(fb);
      this.renderScore(fb.score);
    } catch (err) {
      this.setError(/** @type {Error} */ (err).message);
    } finally {
      this.busy = false;
    }
  }

  /** @param {Feedback} fb */
  renderFeedback(fb) {
    for (const el of this.choices.querySelectorAll('button')) {
      const b = /** @type {HTMLButtonElement} */ (el);
      const j = Number(b.dataset.index);
      b.disabled = true;
      b.classList.toggle('right', j === fb.answer);
      b.classList.toggle('wrong', j === fb.choice && !fb.correct);
      if (j === fb.choice) b.setAttribute('aria-pressed', 'true');
    }
    this.feedback.hidden = false;
    this.feedback.dataset.correct = String(fb.correct);
    let verdict = fb.correct ? '✓ Right.' : `✗ Not quite. The answer: ${fb.answerText}`;
    if (fb.timedOut) verdict = `⏱ Too late — it counts as wrong. The answer: ${fb.answerText}`;
    this.verdict.textContent = verdict;
    this.explanation.textContent = fb.explanation;
    const p = fb.probe;
    if (p) {
      const parts = [];
      if (p.setup?.length) parts.push(`On a copy of the cluster: ${p.setup.join('; ')}.`);
      if (p.trace) parts.push(`Then traced ${p.trace.from ? `from pod ${p.trace.from}: ` : ''}${p.trace.url}.`);
      else if (p.load) parts.push(`Then sent browser requests to ${p.load.url}.`);
      if (p.state && !p.trace) parts.push('Then read the state.');
      this.probe.textContent = `How the simulation checked it: ${parts.join(' ')}`;
      this.probe.hidden = false;
    } else {
      this.probe.hidden = true;
    }
    if (fb.linkHref) {
      this.link.href = '/' + fb.linkHref;
      this.link.hidden = false;
    } else {
      this.link.hidden = true;
    }
    const last = this.quiz && fb.question >= this.quiz.questions.length - 1;
    this.next.textContent = last ? 'See the score' : 'Next question';
    this.next.hidden = false;
    this.next.focus();
  }

  /** @param {Score} s */
  renderScore(s) {
    this.score.dataset.correct = String(s.correct);
    this.score.dataset.answered = String(s.answered);
    const late = s.timedOut ? `, ${s.timedOut} too late` : '';
    this.score.textContent = `Score: ${s.correct} of ${s.answered} answered right (${s.questions} questions${late})`;
    const items = s.topics.map((t) => {
      const li = this.doc.createElement('li');
      li.dataset.testid = 'quiz-topic-result';
      li.dataset.topic = t.topic;
      li.dataset.correct = String(t.correct);
      li.dataset.answered = String(t.answered);
      const name = this.doc.createElement('span');
      name.className = 'topic';
      name.textContent = this.topicTitles[t.topic] || t.topic;
      const n = this.doc.createElement('span');
      n.className = 'n';
      n.textContent = `${t.correct}/${t.answered} of ${t.questions}`;
      li.append(name, n);
      return li;
    });
    this.topicResults.replaceChildren(...items);
  }

  /** @param {string} msg */
  setError(msg) {
    this.error.textContent = msg;
    this.error.hidden = msg === '';
  }
}
