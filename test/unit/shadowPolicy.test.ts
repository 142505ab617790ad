import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyEngine } from '../../src/core/policy/engine';
import { ShadowPolicy } from '../../src/core/policy/shadow';
import { MemoryCounterStore } from '../../src/core/policy/stores';
import { clockAt, loadText, neverAsked } from '../support/policyKit';

/** A shadow policy is judged, never obeyed: it reads counts and reserves nothing, asks no one, and a broken file is no shadow. */

const ONE_A_MINUTE = {
  version: '1',
  tools: {
    t: { limits: [{ counter: 'calls', window: 'minute', max: 1, scope: 'grant' }] },
    u: { rules: [{ name: 'one u a minute', rate_limit: '1/minute' }] },
  },
};

function pair() {
  const clock = clockAt(Date.UTC(2026, 0, 5, 10, 30, 0));
  const counterStore = new MemoryCounterStore(() => clock.now());
  const policy = new PolicyEngine({ clock, counterStore, source: 'policy.json' });
  loadText(policy, JSON.stringify(ONE_A_MINUTE));
  const shadow = new ShadowPolicy('shadow.json', { clock, counterStore });
  shadow.apply({ kind: 'text', text: JSON.stringify(ONE_A_MINUTE), resolvedPath: 'shadow.json' });
  return { policy, shadow };
}

const call = (tool: string) => ({ tool, args: {}, sessionId: 's1' });

test('judging a call with a limit of 1 consumes neither its own quota nor the quota of the policy in force', async () => {
  const { policy, shadow } = pair();
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await shadow.judge(call('t')), { decision: 'allow', rule: 'tools.t' });
    assert.deepEqual(await shadow.judge(call('u')), { decision: 'allow', rule: 'tools.u' });
  }
  const first = await policy.evaluate(call('t'), neverAsked);
  assert.equal(first.allowed, true, 'the policy in force still has its one call');
  if (first.allowed) first.finish(true);
  const firstU = await policy.evaluate(call('u'), neverAsked);
  assert.equal(firstU.allowed, true, 'the rule counter in force was not charged by the shadow either');
  if (firstU.allowed) firstU.finish(true);
  // The shadow reads the counts the policy in force keeps: now it would deny, as the policy in force does.
  assert.deepEqual(await shadow.judge(call('t')), { decision: 'deny', rule: 'tools.t.limits[0]' });
  assert.equal((await policy.evaluate(call('t'), neverAsked)).allowed, false);
});

test('a shadow that would ask a person says approve without asking anyone', async () => {
  const { shadow } = pair();
  shadow.apply({
    kind: 'text',
    text: JSON.stringify({ version: '1', tools: { t: { action: 'approve' } } }),
    resolvedPath: 'shadow.json',
  });
  // judge takes no approver: there is no one it could ask.
  assert.deepEqual(await shadow.judge(call('t')), { decision: 'approve', rule: 'tools.t.approve' });
});

test('a missing or invalid shadow file is no shadow, never a deny-all; a good one later is judged again', async () => {
  const { shadow } = pair();
  const invalid = shadow.apply({ kind: 'text', text: '{"version": "1", "default": "maybe"}', resolvedPath: 'shadow.json' });
  assert.equal(invalid.ok, false);
  assert.equal(shadow.isActive(), false);
  assert.equal(await shadow.judge(call('t')), undefined);
  shadow.apply({ kind: 'missing' });
  assert.equal(await shadow.judge(call('t')), undefined);
  shadow.apply({ kind: 'text', text: JSON.stringify({ version: '1', default: 'deny' }), resolvedPath: 'shadow.json' });
  assert.deepEqual(await shadow.judge(call('t')), { decision: 'deny', rule: 'default:deny' });
});
