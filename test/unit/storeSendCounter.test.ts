import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCounterStore } from '../../src/core/policy';
import { StoreSendCounter } from '../../src/core/dingtalk/robots/storeCounter';
import { robotCounterKey, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS } from '../../src/core/dingtalk/robots/limiter';

/** Robot sends counted in the policy's store: everyone sharing the store shares a robot's 20 a minute. */

const MINUTE_START = Date.UTC(2026, 11, 3, 10, 0, 0);

test('two senders sharing one store allow a robot 20 sends a minute between them, the 21st told when a send fits again', async () => {
  let now = MINUTE_START + 15_000;
  const store = new MemoryCounterStore(() => now);
  const [first, second] = [new StoreSendCounter(store), new StoreSendCounter(store)];
  const key = robotCounterKey('webhook-token-abc');
  const takes = await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 ? first : second).take(key, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS, now)));
  assert.equal(takes.filter((take) => take.taken).length, 20);
  // The window holding them that ends last runs from :10 to 1:20.
  assert.deepEqual(await first.take(key, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS, now), { taken: false, retryAfterMs: 65_000 });

  now += 65_000 - 1;
  assert.equal((await second.take(key, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS, now)).taken, false, 'not a moment before');
  now += 1;
  assert.deepEqual(await second.take(key, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS, now), { taken: true });
});

test('20 sends at the end of one minute leave none for the start of the next: never more than 20 within 60 seconds', async () => {
  let now = MINUTE_START + 55_000;
  const store = new MemoryCounterStore(() => now);
  const counter = new StoreSendCounter(store);
  const key = robotCounterKey('webhook-token-xyz');
  for (let i = 0; i < 20; i++) assert.equal((await counter.take(key, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS, now)).taken, true);
  now = MINUTE_START + ROBOT_WINDOW_MS + 5_000;
  const next = await counter.take(key, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS, now);
  assert.equal(next.taken, false, 'ten seconds after the burst, in the next calendar minute');
  assert.equal(now + (next.taken ? 0 : next.retryAfterMs), MINUTE_START + 55_000 + 65_000, 'one step past a minute after the burst');
});

test('a send given back frees its place, and a block stops every sharer until it ends', async () => {
  let now = MINUTE_START;
  const store = new MemoryCounterStore(() => now);
  const [first, second] = [new StoreSendCounter(store), new StoreSendCounter(store)];
  const key = robotCounterKey('webhook-token-def');
  assert.deepEqual(await first.take(key, 1, ROBOT_WINDOW_MS, now), { taken: true });
  await first.giveBack(key, now);
  assert.deepEqual(await second.take(key, 1, ROBOT_WINDOW_MS, now), { taken: true });

  await first.block(key, now + 600_000);
  now += 1_000;
  assert.deepEqual(await second.take(key, 20, ROBOT_WINDOW_MS, now), { taken: false, retryAfterMs: 599_000 });
  now = MINUTE_START + 600_000;
  assert.deepEqual(await second.take(key, 20, ROBOT_WINDOW_MS, now), { taken: true });
});

test('the shared store holds a digest of the robot token, never the token', async () => {
  const slots: string[] = [];
  const store = new MemoryCounterStore();
  const recording = {
    reserve: (charges: Parameters<MemoryCounterStore['reserve']>[0]) => (slots.push(...charges.map((charge) => charge.slot)), store.reserve(charges)),
    release: (charges: Parameters<MemoryCounterStore['release']>[0]) => store.release(charges),
    read: (names: readonly string[]) => (slots.push(...names), store.read(names)),
  };
  const counter = new StoreSendCounter(recording);
  const key = robotCounterKey('secret-webhook-token');
  await counter.take(key, 20, ROBOT_WINDOW_MS, Date.now());
  await counter.block(key, Date.now() + 1000);
  assert.ok(slots.length > 0);
  for (const slot of slots) assert.doesNotMatch(slot, /secret-webhook-token/);
});
