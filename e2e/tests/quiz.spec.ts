// The quiz: open it, answer, see the explanation and the score change.
// A ports-only quiz is answered from known facts (the bank), so the test
// can pick the right choice; a cluster quiz checks the generated
// questions' feedback and the timed mode.
import { test, expect } from '@playwright/test';
import { keepScreenshot, openLive, resetCluster } from './helpers';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await resetCluster(request);
});

/** Right answers of the ports questions (domain.md §6). */
const PORT_ANSWERS = [
  '1936',
  '6443',
  '30000–32767',
  '10250',
  'UDP 4789',
  'TCP 179',
  '2379 for clients, 2380 for peers',
  'TCP 80 and 443 only',
  'it sends to 172.30.0.10:53; kube-proxy DNATs to a CoreDNS pod on 5353',
];

test('answer a question: feedback, explanation, link, and the score changes', async ({ page }, testInfo) => {
  await openLive(page);
  const panel = page.getByTestId('quiz-panel');
  await expect(panel).toBeHidden();
  await page.getByTestId('quiz-open').click();
  await expect(panel).toBeVisible();

  await panel.locator('[data-testid="quiz-topic"][value="ports"]').check();
  await page.getByTestId('quiz-count').selectOption('5');
  await page.getByTestId('quiz-seed').fill('11');
  await page.getByTestId('quiz-start').click();

  const question = page.getByTestId('quiz-question');
  await expect(question).not.toBeEmpty();
  const score = page.getByTestId('quiz-score');
  await expect(score).toHaveAttribute('data-answered', '0');
  await expect(score).toHaveAttribute('data-correct', '0');

  // Pick the right choice by its text.
  const choices = page.getByTestId('quiz-choice');
  await expect(choices.first()).toBeVisible();
  const texts = await choices.allTextContents();
  const right = texts.findIndex((t) => PORT_ANSWERS.includes(t));
  expect(right, `a known right answer among ${JSON.stringify(texts)}`).toBeGreaterThanOrEqual(0);
  await page.locator(`[data-testid="quiz-choice"][data-index="${right}"]`).click();

  const feedback = page.getByTestId('quiz-feedback');
  await expect(feedback).toBeVisible();
  await expect(feedback).toHaveAttribute('data-correct', 'true');
  await expect(page.getByTestId('quiz-verdict')).toContainText('Right');
  await expect(page.getByTestId('quiz-explanation')).not.toBeEmpty();
  await expect(page.getByTestId('quiz-link')).toHaveAttribute('href', /\?scenario=[a-z-]+/);
  await expect(score).toHaveAttribute('data-answered', '1');
  await expect(score).toHaveAttribute('data-correct', '1');
  const ports = page.locator('[data-testid="quiz-topic-result"][data-topic="ports"]');
  await expect(ports).toHaveAttribute('data-correct', '1');
  await expect(choices.first()).toBeDisabled();

  // A wrong answer to the next question: marked, and the score's answered
  // count moves while the correct count stays.
  await page.getByTestId('quiz-next').click();
  await expect(question).toHaveAttribute('data-index', '1');
  const texts2 = await choices.allTextContents();
  const wrong = texts2.findIndex((t) => !PORT_ANSWERS.includes(t));
  await page.locator(`[data-testid="quiz-choice"][data-index="${wrong}"]`).click();
  await expect(feedback).toHaveAttribute('data-correct', 'false');
  await expect(page.getByTestId('quiz-verdict')).toContainText('The answer:');
  await expect(score).toHaveAttribute('data-answered', '2');
  await expect(score).toHaveAttribute('data-correct', '1');
  await keepScreenshot(page, testInfo, 'quiz-feedback');
});

test('a cluster quiz: generated questions say how the simulation checked them; timed mode counts down', async ({ page }) => {
  await openLive(page);
  await page.getByTestId('quiz-open').click();
  await page.locator('[data-testid="quiz-topic"][value="router"]').check();
  await page.getByTestId('quiz-timed').check();
  await page.getByTestId('quiz-seed').fill('5');
  await page.getByTestId('quiz-start').click();
  await expect(page.getByTestId('quiz-timer')).toContainText(/\d+ s left/);

  // Answer until a generated question has been answered.
  let sawGenerated = false;
  for (let i = 0; i < 10 && !sawGenerated; i++) {
    await expect(page.getByTestId('quiz-question')).toHaveAttribute('data-index', String(i));
    const progress = (await page.getByTestId('quiz-progress').textContent()) ?? '';
    sawGenerated = progress.includes('checked by the simulation');
    await page.locator('[data-testid="quiz-choice"][data-index="0"]').click();
    await expect(page.getByTestId('quiz-feedback')).toBeVisible();
    await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-answered', String(i + 1));
    if (sawGenerated) {
      await expect(page.getByTestId('quiz-probe')).toContainText('How the simulation checked it');
    } else {
      await page.getByTestId('quiz-next').click();
    }
  }
  expect(sawGenerated).toBe(true);
});
