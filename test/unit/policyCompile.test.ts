import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/core/policy/compile';
import { compileRules, conditionHolds, type Condition } from '../../src/core/policy/conditions';
import { ruleCounter, referenceKey } from '../../src/core/policy/counterIdentity';
import { toUnits } from '../../src/core/policy/exactNumbers';
import { parsePolicy } from '../../src/core/policy/file/parse';
import type { PolicyFile } from '../../src/core/policy/file/schema';

/** The rule compiler and condition evaluation on their own, below the engine. */

function checked(policy: object): PolicyFile {
  const parsed = parsePolicy(JSON.stringify(policy));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.policy;
}

test('compile: limits get rule ids and the grant scope by default; hide "*" hides all; "*" rules apply to every tool', () => {
  const policy = compile(
    checked({
      version: '1',
      default: 'deny',
      hide: ['list_apps', '*'],
      tools: {
        get_access_token: { action: 'approve', limits: [{ counter: 'c', window: 'hour', max: 3 }] },
        token_status: { action: 'deny', reason: 'off' },
        '*': { rules: [{ name: 'global', rate_limit: '9/day' }] },
      },
      all_tools: { limits: [{ counter: 'all', window: 'day', max: 100, scope: 'session' }] },
    }),
  );
  assert.equal(policy.defaultAction, 'deny');
  assert.equal(policy.hideAll, true);
  assert.deepEqual([...policy.tools.keys()], ['get_access_token', 'token_status'], '"*" is not a tool');
  assert.deepEqual(policy.tools.get('get_access_token')?.limits, [
    { rule: 'tools.get_access_token.limits[0]', target: 'tools.get_access_token', counter: 'c', window: 'hour', max: 3, scope: 'grant' },
  ]);
  assert.deepEqual(policy.tools.get('token_status'), { action: 'deny', reason: 'off', limits: [], rules: [] });
  assert.deepEqual(policy.allTools[0], { rule: 'all_tools.limits[0]', target: 'all_tools', counter: 'all', window: 'day', max: 100, scope: 'session' });
  assert.deepEqual(
    policy.everyTool.map((rule) => rule.id),
    ['tools["*"].rules[0] "global"'],
  );
  assert.deepEqual(policy.counters.get(referenceKey('_global', '_rate_day')), ruleCounter('_global', '_rate_day', 'day'));
  assert.equal(compile(checked({ version: '1' })).defaultAction, 'allow', 'allow when left out');
});

test('compileRules: rate_limit becomes an lte condition on its own counter; lt keeps its bound exclusive; increment_from is split into keys', () => {
  const [shorthand, capped, counted] = compileRules('pay', [
    { name: 'often', rate_limit: '5/hour' },
    { name: 'below ten', conditions: [{ path: 'state.pay.n', op: 'lt', value: 10 }], state: { counter: 'n', window: 'day', increment: 2 } },
    { name: 'sum', conditions: [{ path: 'args.a', op: 'gte', value: 0 }], state: { counter: 's', window: 'minute', increment_from: 'args.body.amount' } },
  ]);
  assert.ok(shorthand);
  assert.ok(capped);
  assert.ok(counted);
  assert.deepEqual(shorthand.conditions, [{ source: 'state', keys: ['pay', '_rate_hour'], op: 'lte', value: 5 }]);
  assert.equal(shorthand.onDeny, 'Rate limit of 5 per hour reached. Try again later.');
  assert.deepEqual(shorthand.state?.limit, { value: 5, inclusive: true });
  assert.deepEqual(capped.state?.limit, { value: 10, inclusive: false }, 'below 10, not at most 9');
  assert.equal(capped.state?.increment, toUnits(2));
  assert.deepEqual(counted.state?.incrementFrom, ['body', 'amount']);
  assert.equal(counted.state?.limit, undefined, 'no cap on its own counter');
  assert.equal(counted.id, 'tools.pay.rules[2] "sum"');
  assert.equal(compileRules('a b', [{ name: 'x', action: 'deny' }])[0]?.id, 'tools["a b"].rules[0] "x"');
});

const args = (keys: string[], op: Condition['op'], value: unknown): Condition => ({ source: 'args', keys, op, value });
const noCounters = () => 0n;

test('conditionHolds: a missing field or one of another type is undecided, and the caller picks the answer', () => {
  const condition = args(['n'], 'lt', 5);
  for (const undecided of [true, false]) {
    assert.equal(conditionHolds(condition, {}, noCounters, undecided), undecided);
    assert.equal(conditionHolds(condition, { n: '3' }, noCounters, undecided), undecided);
    assert.equal(conditionHolds(condition, null, noCounters, undecided), undecided);
  }
  assert.equal(conditionHolds(condition, { n: 4.999 }, noCounters, false), true);
  assert.equal(conditionHolds(condition, { n: 5 }, noCounters, true), false);
});

test('conditionHolds: exists looks at presence, never at inherited properties; eq compares numbers as numbers and scalars by text', () => {
  assert.equal(conditionHolds(args(['x'], 'exists', true), { x: 0 }, noCounters, false), true);
  assert.equal(conditionHolds(args(['x'], 'exists', true), { x: null }, noCounters, true), false);
  assert.equal(conditionHolds(args(['toString'], 'exists', true), {}, noCounters, true), false);
  assert.equal(conditionHolds(args(['x'], 'exists', false), {}, noCounters, false), true);
  assert.equal(conditionHolds(args(['a', 'b'], 'eq', 5), { a: { b: '5' } }, noCounters, false), true);
  assert.equal(conditionHolds(args(['a'], 'eq', { k: 1 }), { a: { k: 1 } }, noCounters, false), true);
  assert.equal(conditionHolds(args(['a'], 'contains', 'x'), { a: ['y', 'x'] }, noCounters, false), true);
});

test('conditionHolds: a counter is compared exactly, in millionths, against the number in the rule', () => {
  const state = (op: Condition['op'], value: unknown): Condition => ({ source: 'state', keys: ['pay', 'spent'], op, value });
  const at = (amount: number) => () => toUnits(amount)!;
  assert.equal(conditionHolds(state('lte', 0.8), {}, at(0.8), false), true);
  assert.equal(conditionHolds(state('lt', 0.8), {}, at(0.8), true), false);
  assert.equal(conditionHolds(state('gt', 0.799999), {}, at(0.8), false), true);
  assert.equal(conditionHolds(state('eq', 0.8), {}, at(0.8), false), true);
  assert.equal(conditionHolds(state('eq', '0.8'), {}, at(0.8), false), true);
  assert.equal(conditionHolds(state('in', [1, 2]), {}, at(2), false), true);
  assert.equal(conditionHolds(state('lte', 1e300), {}, at(1e12), false), true);
  let asked: string[] = [];
  conditionHolds(state('gte', 0), {}, (scope, name) => ((asked = [scope, name]), 0n), false);
  assert.deepEqual(asked, ['pay', 'spent']);
});
