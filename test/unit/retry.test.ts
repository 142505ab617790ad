import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../support/fakeClock';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import {
  isTransient,
  MAX_TRANSIENT_RETRIES,
  retryDelayMs,
  TRANSIENT_RETRY_BUDGET_MS,
  withTransientRetries,
  type RetryOptions,
} from '../../src/core/dingtalk/retry';

const transientError = () => new DingTalkError('server', 'DingTalk answered HTTP 502.', { httpStatus: 502 });
type Outcome = { value: string } | { error: unknown };
/** As the token fetch and API requests judge: a thrown DingTalk 5xx, reset or timeout is worth another try. */
const transientFailure = (outcome: Outcome): boolean => 'error' in outcome && outcome.error instanceof DingTalkError && isTransient(outcome.error);

/**
 * Runs withTransientRetries over `answers` (an Error is thrown, a string returned; each attempt takes `takesMs` of
 * clock time), moving the clock along; returns what it settled to and when each attempt started.
 */
async function run(
  clock: FakeClock,
  answers: (string | Error)[],
  options: Partial<RetryOptions> = {},
  takesMs = 0,
  transient: (outcome: Outcome) => boolean = transientFailure,
) {
  const startedAt: number[] = [];
  const attempt = async () => {
    startedAt.push(clock.now());
    if (takesMs) await new Promise<void>((resolve) => clock.setTimeout(resolve, takesMs));
    const answer = answers[startedAt.length - 1] ?? 'unscripted';
    if (answer instanceof Error) throw answer;
    return answer;
  };
  let settled: Outcome | undefined;
  void withTransientRetries(attempt, transient, { clock, random: () => 0, ...options }).then(
    (value) => (settled = { value }),
    (error: unknown) => (settled = { error }),
  );
  while (settled === undefined) await clock.advance(50);
  return { settled, startedAt };
}

test('a call that succeeds is made once', async () => {
  const clock = new FakeClock();
  const { settled, startedAt } = await run(clock, ['ok']);
  assert.deepEqual(settled, { value: 'ok' });
  assert.equal(startedAt.length, 1);
});

test('a transient failure is retried after 150-300 ms, the next after 300-600 ms, jittered', async () => {
  assert.deepEqual(
    [retryDelayMs(1, () => 0), retryDelayMs(1, () => 0.999_999), retryDelayMs(2, () => 0), retryDelayMs(2, () => 0.999_999)],
    [150, 300, 300, 600],
  );
  const clock = new FakeClock();
  const start = clock.now();
  const { settled, startedAt } = await run(clock, [transientError(), transientError(), 'ok']);
  assert.deepEqual(settled, { value: 'ok' });
  assert.deepEqual(
    startedAt.map((at) => at - start),
    [0, 150, 450],
  );
});

test('after MAX_TRANSIENT_RETRIES retries the last failure is the answer', async () => {
  const clock = new FakeClock();
  const last = transientError();
  const { settled, startedAt } = await run(clock, [transientError(), transientError(), last, 'never reached']);
  assert.deepEqual(settled, { error: last });
  assert.equal(startedAt.length, 1 + MAX_TRANSIENT_RETRIES);
});

test('maxRetries lowers the retries, never raises them above MAX_TRANSIENT_RETRIES', async () => {
  const failures = () => Array.from({ length: 10 }, transientError);
  assert.equal((await run(new FakeClock(), failures(), { maxRetries: 0 })).startedAt.length, 1);
  assert.equal((await run(new FakeClock(), failures(), { maxRetries: 1 })).startedAt.length, 2);
  assert.equal((await run(new FakeClock(), failures(), { maxRetries: 50 })).startedAt.length, 1 + MAX_TRANSIENT_RETRIES);
});

test('a failure the caller does not call transient is not retried', async () => {
  const clock = new FakeClock();
  const refused = new DingTalkError('invalidCredentials', 'rejected');
  const { settled, startedAt } = await run(clock, [refused, 'ok']);
  assert.deepEqual(settled, { error: refused });
  assert.equal(startedAt.length, 1);
});

test('an answer the caller calls transient is retried too, and the last one returned once retries run out', async () => {
  const { settled, startedAt } = await run(new FakeClock(), ['busy-1', 'busy-2', 'busy-3', 'ok'], {}, 0, () => true);
  assert.deepEqual(settled, { value: 'busy-3' });
  assert.equal(startedAt.length, 1 + MAX_TRANSIENT_RETRIES);
});

test('mayRetry is asked before each retry, and false ends the retries', async () => {
  const clock = new FakeClock();
  let asked = 0;
  const { startedAt } = await run(clock, [transientError(), transientError(), 'ok'], { mayRetry: () => ++asked < 2 });
  assert.equal(asked, 2);
  assert.equal(startedAt.length, 2);
});

test('no retry starts later than the budget after the first attempt: one due exactly at it runs, one a millisecond later does not', async () => {
  // The first retry waits 150 ms (random 0): an attempt taking budget - 150 ms leaves it due exactly at the budget.
  const inBudget = await run(new FakeClock(), [transientError(), 'ok'], { maxRetries: 1 }, TRANSIENT_RETRY_BUDGET_MS - 150);
  assert.equal(inBudget.startedAt.length, 2);
  const overBudget = await run(new FakeClock(), [transientError(), 'ok'], { maxRetries: 1 }, TRANSIENT_RETRY_BUDGET_MS - 149);
  assert.equal(overBudget.startedAt.length, 1);
});
