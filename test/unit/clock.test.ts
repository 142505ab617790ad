import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TIMER_DELAY_MS, systemClock, timerDelay } from '../../src/core/clock';

test("timerDelay keeps a delay inside Node's timer range: 0 up to 2^31 - 1 ms", () => {
  assert.equal(MAX_TIMER_DELAY_MS, 2_147_483_647);
  assert.equal(timerDelay(1500), 1500);
  assert.equal(timerDelay(-5), 0);
  assert.equal(timerDelay(MAX_TIMER_DELAY_MS), MAX_TIMER_DELAY_MS);
  assert.equal(timerDelay(MAX_TIMER_DELAY_MS + 1), MAX_TIMER_DELAY_MS);
  assert.equal(timerDelay(3_000_000_000), MAX_TIMER_DELAY_MS);
  assert.equal(timerDelay(Number.POSITIVE_INFINITY), MAX_TIMER_DELAY_MS);
  assert.equal(timerDelay(Number.NaN), MAX_TIMER_DELAY_MS, 'a delay that is not a number never fires at once');
});

test('the system clock never hands Node a delay it would cut to 1 ms', async () => {
  // Node warns (TimeoutOverflowWarning) each time it replaces a delay beyond its range with 1 ms.
  const warnings: string[] = [];
  const onWarning = (warning: Error) => void warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    for (const ms of [3_000_000_000, MAX_TIMER_DELAY_MS + 1, Number.POSITIVE_INFINITY]) {
      systemClock.clearTimeout(systemClock.setTimeout(() => assert.fail(`a ${ms} ms timer fired`), ms));
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});
