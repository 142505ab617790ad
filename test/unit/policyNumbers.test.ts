import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyEngine, type Approver, type Verdict } from '../../src/core/policy/engine';
import { MemoryCounterStore, type CounterStore } from '../../src/core/policy/stores';
import { clockAt, loadText, neverAsked, type Denial } from '../support/policyKit';

/** Numbers in rules: what a rule judges is a real number, comparisons and counters are exact, quota is held while a person decides. */

const NOW = Date.UTC(2026, 0, 5, 10, 30, 0);

function engineWith(policy: object, counterStore?: CounterStore) {
  const engine = new PolicyEngine({ clock: clockAt(NOW), counterStore, source: '/ws/.vscode/dingtalk-mcp-policy.json' });
  assert.deepEqual(loadText(engine, JSON.stringify(policy)), { ok: true });
  return engine;
}

async function use(engine: PolicyEngine, tool: string, args: unknown, approver: Approver = neverAsked): Promise<Verdict> {
  const verdict = await engine.evaluate({ tool, args, sessionId: 's1' }, approver);
  if (verdict.allowed) verdict.finish(true);
  return verdict;
}

function denied(verdict: Verdict): Denial {
  assert.equal(verdict.allowed, false, `expected a denial, got ${JSON.stringify(verdict)}`);
  return verdict;
}

/** A `pay` tool whose rule counts args.amount into `spent` per day, capped by `cap` (lt/lte) when given. */
function spending(cap?: { op: 'lt' | 'lte'; value: number }) {
  return {
    version: '1',
    tools: {
      pay: {
        rules: [
          {
            name: 'spend',
            conditions: cap ? [{ path: 'state.pay.spent', ...cap }] : [{ path: 'args.amount', op: 'gte', value: 0 }],
            on_deny: 'spending cap',
            state: { counter: 'spent', window: 'day', increment_from: 'args.amount' },
          },
        ],
      },
    },
  };
}

test('an argument too large for a double (1e400 arrives as Infinity) is refused by a rule that judges it, saying why', async () => {
  const engine = engineWith({
    version: '1',
    tools: {
      transfer: {
        rules: [
          { name: 'at least 1', conditions: [{ path: 'args.amount', op: 'gte', value: 1 }] },
          { name: 'at most 10', conditions: [{ path: 'args.fee', op: 'lte', value: 10 }] },
        ],
      },
    },
  });
  const args = JSON.parse('{"amount": 1e400, "fee": 1}') as Record<string, unknown>;
  assert.equal(args.amount, Infinity, 'what JSON.parse makes of it');
  const denial = denied(await use(engine, 'transfer', args));
  assert.equal(denial.rule, 'tools.transfer.rules[0] "at least 1"');
  assert.match(denial.reason, /judges args\.amount, which is Infinity: not a finite number/);
  assert.match(denied(await use(engine, 'transfer', JSON.parse('{"amount": 5, "fee": -1e400}'))).reason, /args\.fee, which is -Infinity/);
  assert.equal((await use(engine, 'transfer', { amount: 5, fee: 1 })).allowed, true);
});

test('lt on a counter is exact for fractions: at 9 of "lt 10" an amount of 0.5 passes, and 10 itself does not', async () => {
  const engine = engineWith(spending({ op: 'lt', value: 10 }));
  assert.equal((await use(engine, 'pay', { amount: 9 })).allowed, true);
  assert.equal((await use(engine, 'pay', { amount: 0.5 })).allowed, true, '9.5 is below 10');
  assert.equal((await use(engine, 'pay', { amount: 0.25 })).allowed, true, '9.75 is below 10');
  assert.equal(denied(await use(engine, 'pay', { amount: 0.25 })).reason, 'spending cap', '10 is not below 10');
});

test('counters are exact: 0.7 and 0.1 in flight together commit to 0.8, and a restart on the same store reads 0.8', async () => {
  const store = new MemoryCounterStore(() => NOW);
  const engine = engineWith(spending({ op: 'lte', value: 1 }), store);
  const first = await engine.evaluate({ tool: 'pay', args: { amount: 0.7 }, sessionId: 's1' }, neverAsked);
  const second = await engine.evaluate({ tool: 'pay', args: { amount: 0.1 }, sessionId: 's1' }, neverAsked);
  assert.ok(first.allowed && second.allowed);
  first.finish(true);
  second.finish(true);

  const restarted = engineWith(spending({ op: 'lte', value: 1 }), store);
  denied(await use(restarted, 'pay', { amount: 0.200001 }));
  assert.equal((await use(restarted, 'pay', { amount: 0.2 })).allowed, true, '0.8 + 0.2 is exactly 1');
  denied(await use(restarted, 'pay', { amount: 0.000001 }));
});

test('an amount with more than six decimal places is refused with the reason, never rounded into a counter', async () => {
  const engine = engineWith(spending());
  assert.match(denied(await use(engine, 'pay', { amount: 0.1234567 })).reason, /at most 6 decimal places/);
  assert.equal((await use(engine, 'pay', { amount: 0.123456 })).allowed, true);
});

test("a cap in another rule than the counter's own is judged on the count after this call: at 999 of 1000, 1e12 is denied", async () => {
  const engine = engineWith({
    version: '1',
    tools: {
      pay: {
        rules: [
          {
            name: 'count spending',
            conditions: [{ path: 'args.amount', op: 'gte', value: 0 }],
            state: { counter: 'spent', window: 'day', increment_from: 'args.amount' },
          },
          { name: 'daily cap', conditions: [{ path: 'state.pay.spent', op: 'lte', value: 1000 }], on_deny: 'daily cap reached' },
        ],
      },
    },
  });
  assert.equal((await use(engine, 'pay', { amount: 999 })).allowed, true);
  assert.equal(denied(await use(engine, 'pay', { amount: 1e12 })).reason, 'daily cap reached');
  assert.equal(denied(await use(engine, 'pay', { amount: 2 })).reason, 'daily cap reached', '1001 would pass the cap');
  assert.equal((await use(engine, 'pay', { amount: 1 })).allowed, true, 'exactly 1000');
});

test('20 calls at once under "2/minute" with approval ask the person twice; the rest are refused at once, and a declined call gives its quota back', async () => {
  const engine = engineWith({
    version: '1',
    tools: { send: { action: 'approve', rules: [{ name: 'two a minute', rate_limit: '2/minute' }] } },
  });
  const answers: ((answer: boolean) => void)[] = [];
  const asking: Approver = () => new Promise((resolve) => answers.push(resolve));
  const calls = Array.from({ length: 20 }, () => engine.evaluate({ tool: 'send', args: {}, sessionId: 's1' }, asking));
  const refused = (await Promise.all(calls.slice(2))).map((verdict) => denied(verdict));
  assert.equal(answers.length, 2, 'only the calls that can run are put to the person');
  assert.ok(refused.every((denial) => denial.rule === 'tools.send.rules[0] "two a minute"' && !denial.asked));

  answers[0]!(false);
  answers[1]!(true);
  const [declined, approved] = await Promise.all(calls.slice(0, 2));
  assert.ok(declined);
  assert.ok(approved);
  assert.equal(denied(declined).asked, true);
  assert.ok(approved.allowed && approved.asked);
  approved.finish(true);
  const again = await use(engine, 'send', {}, async () => true);
  assert.ok(again.allowed && again.asked, "the declined call's quota was given back");
  denied(await use(engine, 'send', {}));
});
