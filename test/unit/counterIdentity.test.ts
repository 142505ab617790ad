import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counterKey, limitCounter, parseSnapshotKey, ruleCounter, snapshotKey } from '../../src/core/policy/counterIdentity';
import { Counters, windowStart, type CounterStore } from '../../src/core/policy/counters';
import { toUnits } from '../../src/core/policy/exactNumbers';

/** One module names counters; what it saves reads back as the same counter, with the same count. */

const NOW = Date.UTC(2026, 0, 5, 10, 30, 15);

function memoryStore(): CounterStore & { snapshot?: Record<string, number | string> } {
  const store: CounterStore & { snapshot?: Record<string, number | string> } = {
    load: () => store.snapshot,
    save: (snapshot) => void (store.snapshot = JSON.parse(JSON.stringify(snapshot)) as Record<string, number | string>),
  };
  return store;
}

test('a saved key reads back as the counter and window it was saved for', () => {
  for (const id of [
    limitCounter({ target: 'tools.get_access_token', counter: 'calls', window: 'hour', scope: 'grant' }, 'session-1'),
    ruleCounter('_global', '_rate_minute', 'minute'),
    ruleCounter('pay', 'a "quoted" name', 'day'),
  ]) {
    const start = windowStart(NOW, id.window);
    assert.deepEqual(parseSnapshotKey(snapshotKey(id, start)), { id, windowStart: start });
  }
  for (const garbage of ['not json', '[]', '["tools.t","c","week","grant",0]', '["tools.t","c","hour","session:x",0]', '["tools.t","c","hour","grant","0"]']) {
    assert.equal(parseSnapshotKey(garbage), undefined, garbage);
  }
});

test('a session counter is its own per session; a rule counter never shares a limit counter of the same names', () => {
  const limit = { target: 'tools.t', counter: 'c', window: 'hour' as const, scope: 'session' as const };
  assert.notEqual(counterKey(limitCounter(limit, 'A')), counterKey(limitCounter(limit, 'B')));
  assert.equal(counterKey(limitCounter({ ...limit, scope: 'grant' }, 'A')), counterKey(limitCounter({ ...limit, scope: 'grant' }, 'B')));
  assert.notEqual(counterKey(ruleCounter('t', 'c', 'hour')), counterKey(limitCounter({ ...limit, scope: 'grant' }, 'A')));
});

test('save → restore: grant counters come back with their exact counts; session counters and failed calls do not', () => {
  const store = memoryStore();
  const grant = limitCounter({ target: 'tools.t', counter: 'calls', window: 'hour', scope: 'grant' }, 'A');
  const session = limitCounter({ target: 'tools.t', counter: 'mine', window: 'hour', scope: 'session' }, 'A');
  const spent = ruleCounter('pay', 'spent', 'day');
  const counters = new Counters(store, NOW);
  const charge = (id: typeof grant, amount: number, succeeded = true) =>
    counters.finish([counters.reserve({ id, amount: toUnits(amount)! }, NOW)], succeeded, NOW);
  charge(grant, 1);
  charge(grant, 1);
  charge(session, 1);
  charge(spent, 0.7);
  charge(spent, 0.1);
  charge(spent, 5, false);

  const restored = new Counters(store, NOW);
  assert.equal(restored.count(grant, NOW), toUnits(2));
  assert.equal(restored.count(spent, NOW), toUnits(0.8));
  assert.equal(restored.count(session, NOW), 0n);
  assert.equal(new Counters(store, NOW + 86_400_000).count(spent, NOW + 86_400_000), 0n, 'a later window starts from zero');
});

test('a count no double holds exactly is saved as its decimal text and restored to the millionth', () => {
  const store = memoryStore();
  const id = ruleCounter('pay', 'spent', 'day');
  const counters = new Counters(store, NOW);
  for (const amount of [999_999_999_999.5, 999_999_999_999.5, 0.000001]) counters.finish([counters.reserve({ id, amount: toUnits(amount)! }, NOW)], true, NOW);
  assert.deepEqual(Object.values(store.snapshot ?? {}), ['1999999999999.000001']);
  assert.equal(new Counters(store, NOW).count(id, NOW), toUnits(1_999_999_999_999)! + 1n);
});
