import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { counterKey, limitCounter, parseStoredKey, ruleCounter, storedKey } from '../../src/core/policy/counterIdentity';
import { Counters, windowStart } from '../../src/core/policy/counters';
import { toUnits } from '../../src/core/policy/exactNumbers';
import { FileCounterStore } from '../../src/core/policy/stores';

/** One module names counters; what a store keeps reads back as the same counter, with the same count. */

const NOW = Date.UTC(2026, 0, 5, 10, 30, 15);
const clock = { now: () => NOW };

test('a stored key reads back as the counter and window it was stored for, session counters included', () => {
  for (const id of [
    limitCounter({ target: 'tools.get_access_token', counter: 'calls', window: 'hour', scope: 'grant' }, 'session-1'),
    limitCounter({ target: 'tools.t', counter: 'mine', window: 'minute', scope: 'session' }, 'session-1'),
    ruleCounter('_global', '_rate_minute', 'minute'),
    ruleCounter('pay', 'a "quoted" name', 'day'),
  ]) {
    const start = windowStart(NOW, id.window);
    assert.deepEqual(parseStoredKey(storedKey(id, start)), { id, windowStart: start });
  }
  for (const garbage of ['not json', '[]', '["tools.t","c","week","grant",0]', '["tools.t","c","hour","session:",0]', '["tools.t","c","hour","grant","0"]']) {
    assert.equal(parseStoredKey(garbage), undefined, garbage);
  }
});

test('a session counter is its own per session; a rule counter never shares a limit counter of the same names', () => {
  const limit = { target: 'tools.t', counter: 'c', window: 'hour' as const, scope: 'session' as const };
  assert.notEqual(counterKey(limitCounter(limit, 'A')), counterKey(limitCounter(limit, 'B')));
  assert.equal(counterKey(limitCounter({ ...limit, scope: 'grant' }, 'A')), counterKey(limitCounter({ ...limit, scope: 'grant' }, 'B')));
  assert.notEqual(counterKey(ruleCounter('t', 'c', 'hour')), counterKey(limitCounter({ ...limit, scope: 'grant' }, 'A')));
});

test('save → restore: counters kept in a file come back, after a restart, with their exact counts; released ones do not', async () => {
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'counter-identity-')), 'counters.json');
  const grant = limitCounter({ target: 'tools.t', counter: 'calls', window: 'hour', scope: 'grant' }, 'A');
  const spent = ruleCounter('pay', 'spent', 'day');
  const counters = new Counters(new FileCounterStore(file, clock.now), clock);
  const charge = async (id: typeof grant, amount: number, kept = true) => {
    const reserved = await counters.reserve([{ id, amount: toUnits(amount) ?? 0n }], NOW);
    assert.ok(reserved.ok);
    if (!kept) await counters.release(reserved.reservation);
  };
  await charge(grant, 1);
  await charge(grant, 1);
  await charge(spent, 0.7);
  await charge(spent, 0.1);
  await charge(spent, 5, false);
  await charge(spent, 999_999_999_999.5);

  const restarted = new Counters(new FileCounterStore(file, clock.now), clock);
  const counts = await restarted.read([grant, spent], NOW);
  assert.equal(counts.get(counterKey(grant)), toUnits(2));
  assert.equal(counts.get(counterKey(spent)), toUnits(1_000_000_000_000.3), 'exact to the millionth, past what a double holds');
  const tomorrow = NOW + 86_400_000;
  assert.equal((await restarted.read([spent], tomorrow)).get(counterKey(spent)), 0n, 'a later window starts from zero');
});
