import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyEngine, denialText, type Approver, type Verdict } from '../../src/core/policy/engine';
import { clockAt, neverAsked, type Denial, loadText } from '../support/policyKit';

/**
 * Rules on arguments and counters in Intercept's vocabulary (PolicyLayer/Intercept POLICY.md), in the
 * JSON policy file: operators, the rate_limit shorthand, state counters, evaluation order, validation.
 */

function engineWith(policy: object, clock = clockAt(Date.UTC(2026, 0, 5, 10, 30, 0))) {
  const engine = new PolicyEngine({ clock, source: '/ws/.vscode/dingtalk-mcp-policy.json' });
  const result = loadText(engine, JSON.stringify(policy));
  assert.deepEqual(result, { ok: true }, JSON.stringify(result));
  return { engine, clock };
}

async function use(engine: PolicyEngine, tool: string, args: unknown = {}, options: { approver?: Approver; succeeds?: boolean } = {}) {
  const verdict = await engine.evaluate({ tool, args, sessionId: 's1' }, options.approver ?? neverAsked);
  if (verdict.allowed) verdict.finish(options.succeeds ?? true);
  return verdict;
}

function denied(verdict: Verdict): Denial {
  assert.equal(verdict.allowed, false, `expected a denial, got ${JSON.stringify(verdict)}`);
  return verdict;
}

const oneCondition = (path: string, op: string, value: unknown) => ({
  version: '1',
  tools: { t: { rules: [{ name: 'check', conditions: [{ path, op, value }], on_deny: 'no' }] } },
});

// --- operators -------------------------------------------------------------------------------------

const OPERATOR_CASES: [op: string, value: unknown, passes: unknown[], fails: unknown[]][] = [
  ['eq', 'GET', ['GET'], ['POST', undefined, ['GET']]],
  ['eq', 5, [5, 5.0, '5'], [6, '6']],
  ['neq', 'GET', ['POST', 5], ['GET', undefined]],
  ['in', ['GET', 'HEAD'], ['GET', 'HEAD'], ['POST', undefined]],
  ['not_in', ['POST', 'PUT'], ['GET'], ['POST', 'PUT']],
  ['lt', 100, [99, -1], [100, 101, '50', undefined]],
  ['lte', 100, [100, 99], [101, '100']],
  ['gt', 0, [1, 0.5], [0, -1, '1']],
  ['gte', 1, [1, 2], [0, '2']],
  ['regex', '^/v1\\.0/contact/', ['/v1.0/contact/users'], ['/v1.0/robot/oToMessages/batchSend', 5, undefined]],
  ['contains', 'robot', ['/v1.0/robot/send', 'robot'], ['/v1.0/contact', 7]],
  ['contains', 'admin', [['user', 'admin']], [['user'], []]],
];

for (const [op, value, passes, fails] of OPERATOR_CASES) {
  test(`operator ${op} ${JSON.stringify(value)}: holds for ${JSON.stringify(passes)}, not for ${JSON.stringify(fails)} (or a missing field)`, async () => {
    const { engine } = engineWith(oneCondition('args.field', op, value));
    for (const field of passes) assert.equal((await use(engine, 't', { field })).allowed, true, `${op} on ${JSON.stringify(field)}`);
    for (const field of fails) {
      const denial = denied(await use(engine, 't', field === undefined ? {} : { field }));
      assert.equal(denial.rule, 'tools.t.rules[0] "check"');
      assert.equal(denialText(denial), '[POLICY DENIED] no');
    }
  });
}

test('operator exists: true needs the field present and not null; false needs it absent', async () => {
  const present = engineWith(oneCondition('args.body', 'exists', true)).engine;
  assert.equal((await use(present, 't', { body: {} })).allowed, true);
  assert.equal((await use(present, 't', { body: 0 })).allowed, true);
  denied(await use(present, 't', {}));
  denied(await use(present, 't', { body: null }));
  const absent = engineWith(oneCondition('args.body', 'exists', false)).engine;
  assert.equal((await use(absent, 't', {})).allowed, true);
  denied(await use(absent, 't', { body: 'x' }));
});

test('args paths descend with dots through objects only, and never into inherited properties', async () => {
  const { engine } = engineWith(oneCondition('args.body.msg.msgtype', 'eq', 'text'));
  assert.equal((await use(engine, 't', { body: { msg: { msgtype: 'text' } } })).allowed, true);
  denied(await use(engine, 't', { body: { msg: { msgtype: 'markdown' } } }));
  denied(await use(engine, 't', { body: [{ msg: { msgtype: 'text' } }] }));
  const inherited = engineWith(oneCondition('args.constructor', 'exists', true)).engine;
  denied(await use(inherited, 't', {}));
});

test('all conditions of a rule must hold (AND), and every rule must pass', async () => {
  const { engine } = engineWith({
    version: '1',
    tools: {
      dingtalk_api_request: {
        rules: [
          {
            name: 'reads only',
            conditions: [
              { path: 'args.method', op: 'eq', value: 'GET' },
              { path: 'args.path', op: 'regex', value: '^/v1\\.0/contact/' },
            ],
            on_deny: 'Only contact reads.',
          },
          { name: 'no other app', conditions: [{ path: 'args.app', op: 'exists', value: false }], on_deny: 'Only the active app.' },
        ],
      },
    },
  });
  assert.equal((await use(engine, 'dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/me' })).allowed, true);
  assert.equal(denied(await use(engine, 'dingtalk_api_request', { method: 'POST', path: '/v1.0/contact/users' })).reason, 'Only contact reads.');
  const other = denied(await use(engine, 'dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/me', app: 'hr' }));
  assert.equal(other.reason, 'Only the active app.');
  assert.equal(other.rule, 'tools.dingtalk_api_request.rules[1] "no other app"');
});

// --- deny rules, rate_limit, state ----------------------------------------------------------------

test('a deny rule denies with its on_deny, or names itself without one', async () => {
  const { engine } = engineWith({
    version: '1',
    tools: { a: { rules: [{ name: 'block', action: 'deny', on_deny: 'Not via agents.' }] }, b: { rules: [{ name: 'quiet', action: 'deny' }] } },
  });
  assert.equal(denialText(denied(await use(engine, 'a'))), '[POLICY DENIED] Not via agents.');
  assert.equal(denied(await use(engine, 'b')).reason, 'Denied by rule "quiet".');
});

test('rate_limit N/window allows N calls per calendar window, with the default message and the wait', async () => {
  const { engine, clock } = engineWith(
    { version: '1', tools: { t: { rules: [{ name: 'hourly', rate_limit: '2/hour' }] } } },
    clockAt(Date.UTC(2026, 0, 5, 10, 59, 30)),
  );
  assert.equal((await use(engine, 't')).allowed, true);
  assert.equal((await use(engine, 't')).allowed, true);
  const denial = denied(await use(engine, 't'));
  assert.equal(denial.reason, 'Rate limit of 2 per hour reached. Try again later.');
  assert.equal(denial.rule, 'tools.t.rules[0] "hourly"');
  assert.equal(denial.retryAfterSeconds, 30);
  clock.time = Date.UTC(2026, 0, 5, 11, 0, 0);
  assert.equal((await use(engine, 't')).allowed, true, 'the counter resets at the top of the UTC hour');
});

test('"*" rules apply to every tool after its own, with one _global counter shared by all tools', async () => {
  const { engine } = engineWith({
    version: '1',
    tools: {
      t: { rules: [{ name: 'own', rate_limit: '5/minute', on_deny: 'own limit' }] },
      '*': { rules: [{ name: 'global', rate_limit: '3/minute', on_deny: 'global limit' }] },
    },
  });
  assert.equal((await use(engine, 't')).allowed, true);
  assert.equal((await use(engine, 'u')).allowed, true);
  assert.equal((await use(engine, 'list_apps')).allowed, true);
  const denial = denied(await use(engine, 'u'));
  assert.equal(denial.reason, 'global limit');
  assert.equal(denial.rule, 'tools["*"].rules[0] "global"');
});

test('a state counter with lte N allows N; with lt N allows N-1; a condition can read it by state.<tool>.<counter>', async () => {
  for (const [op, allowed] of [
    ['lte', 3],
    ['lt', 2],
  ] as const) {
    const { engine } = engineWith({
      version: '1',
      tools: {
        t: {
          rules: [{ name: 'daily', conditions: [{ path: 'state.t.daily', op, value: 3 }], on_deny: 'daily cap', state: { counter: 'daily', window: 'day' } }],
        },
      },
    });
    for (let i = 0; i < allowed; i++) assert.equal((await use(engine, 't')).allowed, true, `${op}: call ${i + 1}`);
    assert.equal(denied(await use(engine, 't')).reason, 'daily cap', `${op}: call ${allowed + 1}`);
  }
});

test("increment_from adds an argument's amount; a missing, negative or non-numeric amount is denied, never counted", async () => {
  const { engine } = engineWith({
    version: '1',
    tools: {
      spend: {
        rules: [
          {
            name: 'cap',
            conditions: [{ path: 'state.spend.total', op: 'lte', value: 100 }],
            on_deny: 'cap reached',
            state: { counter: 'total', window: 'day', increment_from: 'args.amount' },
          },
        ],
      },
    },
  });
  assert.equal((await use(engine, 'spend', { amount: 60 })).allowed, true);
  assert.equal(denied(await use(engine, 'spend', { amount: 41 })).reason, 'cap reached', '60 + 41 would pass 100');
  for (const amount of [-50, '10', undefined, Number.NaN])
    assert.match(denied(await use(engine, 'spend', amount === undefined ? {} : { amount })).reason, /counts args\.amount, which must be a number/);
  assert.equal((await use(engine, 'spend', { amount: 40 })).allowed, true, 'exactly 100');
  denied(await use(engine, 'spend', { amount: 0.5 }));
  assert.equal((await use(engine, 'spend', { amount: 0 })).allowed, true);
});

test('increment counts each call that many times; a failed call gives its reservation back', async () => {
  const { engine } = engineWith({
    version: '1',
    tools: {
      t: {
        rules: [{ name: 'heavy', conditions: [{ path: 'state.t.units', op: 'lte', value: 10 }], state: { counter: 'units', window: 'hour', increment: 5 } }],
      },
    },
  });
  assert.equal((await use(engine, 't', {}, { succeeds: false })).allowed, true);
  assert.equal((await use(engine, 't')).allowed, true);
  assert.equal((await use(engine, 't')).allowed, true, 'the failed call used nothing: 10 of 10');
  assert.match(denied(await use(engine, 't')).reason, /Rate limit exceeded for heavy/);
});

test('a counter can be read by another tool\'s rule (state.<tool>.<counter>) and by "*" rules through _global', async () => {
  const { engine } = engineWith({
    version: '1',
    tools: {
      refresh_access_token: { rules: [{ name: 'count refreshes', rate_limit: '100/hour' }] },
      get_access_token: {
        rules: [
          {
            name: 'not after many refreshes',
            conditions: [{ path: 'state.refresh_access_token._rate_hour', op: 'lt', value: 2 }],
            on_deny: 'too many refreshes',
          },
        ],
      },
    },
  });
  assert.equal((await use(engine, 'get_access_token')).allowed, true);
  await use(engine, 'refresh_access_token');
  await use(engine, 'refresh_access_token');
  assert.equal(denied(await use(engine, 'get_access_token')).reason, 'too many refreshes');
});

// --- approve with conditions -----------------------------------------------------------------------

test('an approve rule asks only when its conditions hold: approve every call that is not a GET', async () => {
  const { engine } = engineWith({
    version: '1',
    tools: {
      dingtalk_api_request: { rules: [{ name: 'writes need a person', action: 'approve', conditions: [{ path: 'args.method', op: 'neq', value: 'GET' }] }] },
    },
  });
  const asked: string[] = [];
  const approver: Approver = async (request) => {
    asked.push(request.tool);
    return false;
  };
  const read = await use(engine, 'dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/me' }, { approver });
  assert.equal(read.allowed, true);
  assert.deepEqual(asked, []);
  const write = denied(await use(engine, 'dingtalk_api_request', { method: 'POST', path: '/v1.0/robot/oToMessages/batchSend' }, { approver }));
  assert.equal(write.rule, 'tools.dingtalk_api_request.rules[0] "writes need a person"');
  assert.deepEqual(asked, ['dingtalk_api_request']);
  const yes = await use(engine, 'dingtalk_api_request', { method: 'POST', path: '/x' }, { approver: async () => true });
  assert.equal(yes.allowed && yes.rule, 'tools.dingtalk_api_request.rules[0] "writes need a person"', 'the audit names the rule that asked');
});

// --- evaluation order ------------------------------------------------------------------------------

test('evaluation order: hide, then default deny, then the tool\'s rules in order, then "*" rules, then limits, then approval', async () => {
  const { engine } = engineWith({
    version: '1',
    default: 'deny',
    hide: ['hidden'],
    tools: {
      hidden: { rules: [{ name: 'never reached', action: 'deny' }] },
      t: {
        action: 'approve',
        limits: [{ counter: 'c', window: 'hour', max: 1 }],
        rules: [
          { name: 'first', conditions: [{ path: 'args.a', op: 'eq', value: 1 }], on_deny: 'first' },
          { name: 'second', conditions: [{ path: 'args.b', op: 'eq', value: 1 }], on_deny: 'second' },
        ],
      },
      '*': { rules: [{ name: 'everyone', conditions: [{ path: 'args.c', op: 'eq', value: 1 }], on_deny: 'star' }] },
    },
  });
  assert.equal(denied(await use(engine, 'hidden')).rule, 'hide');
  assert.equal(denied(await use(engine, 'unlisted', { a: 1, b: 1, c: 1 })).rule, 'default:deny', '"*" rules do not rescue unlisted tools');
  assert.equal(denied(await use(engine, 't', {})).reason, 'first');
  assert.equal(denied(await use(engine, 't', { a: 1 })).reason, 'second');
  assert.equal(denied(await use(engine, 't', { a: 1, b: 1 })).reason, 'star');
  const approved = await use(engine, 't', { a: 1, b: 1, c: 1 }, { approver: async () => true });
  assert.equal(approved.allowed && approved.rule, 'tools.t.approve');
  assert.equal(denied(await use(engine, 't', { a: 1, b: 1, c: 1 })).rule, 'tools.t.limits[0]', 'a full limit denies before anyone is asked');
});

test('a denied rule leaves every counter as it was (reserve happens only once all rules pass)', async () => {
  const { engine } = engineWith({
    version: '1',
    tools: {
      t: {
        rules: [
          { name: 'limit', rate_limit: '1/hour' },
          { name: 'gate', conditions: [{ path: 'args.ok', op: 'eq', value: true }] },
        ],
      },
      '*': { rules: [{ name: 'global', rate_limit: '1/hour' }] },
    },
  });
  for (let i = 0; i < 3; i++) denied(await use(engine, 't', { ok: false }));
  assert.equal((await use(engine, 't', { ok: true })).allowed, true, 'no counter was charged by the denials');
});

// --- validation ------------------------------------------------------------------------------------

function errorOf(policy: object): string {
  const result = loadText(new PolicyEngine(), JSON.stringify(policy));
  return result.ok ? 'ok' : result.error;
}
const withRule = (rule: object, tool = 'x') => ({ version: '1', tools: { [tool]: { rules: [rule] } } });
const cond = (path: string, op: string, value?: unknown) => ({ name: 'r', conditions: [{ path, op, value }] });

test('every validation error Intercept lists is caught and names where it is', () => {
  const cases: [object, RegExp][] = [
    [{ version: '1', hide: [''] }, /hide\[0\] must be a non-empty tool name/],
    [{ version: '1', hide: ['a', 'a'] }, /hide\[1\] repeats "a"/],
    [{ version: '2' }, /^version must be "1"$/],
    [{ version: '1', default: 'maybe' }, /^default must be "allow" or "deny"$/],
    [withRule({ action: 'deny' }), /^tools\.x\.rules\[0\]: rule must have a name$/],
    [withRule({ name: 'r', action: 'block' }), /^tools\.x\.rules\[0\]\.action: action must be "evaluate" or "deny" \(or "approve"\), got "block"$/],
    [
      withRule({ name: 'r', action: 'deny', conditions: [{ path: 'args.a', op: 'eq', value: 1 }] }),
      /tools\.x\.rules\[0\]: deny rules must not have conditions/,
    ],
    [withRule({ name: 'r' }), /tools\.x\.rules\[0\]: evaluate rules must have at least one condition/],
    [withRule(cond('amount', 'eq', 1)), /tools\.x\.rules\[0\]\.conditions\[0\]: path must start with "args\." or "state\.", got "amount"/],
    [withRule(cond('args.a', 'like', 1)), /conditions\[0\]: unknown operator "like"/],
    [withRule(cond('args.a', 'in', 'a')), /conditions\[0\]: operator "in" requires a list value/],
    [withRule(cond('args.a', 'not_in', 1)), /operator "not_in" requires a list value/],
    [withRule(cond('args.a', 'lte', '5')), /operator "lte" requires a numeric value/],
    [withRule(cond('args.a', 'exists', 'yes')), /operator "exists" requires a boolean value/],
    [withRule(cond('args.a', 'regex', 5)), /regex value must be a string/],
    [withRule(cond('args.a', 'regex', '(unclosed')), /invalid regex "\(unclosed": missing "\)"/],
    [withRule({ ...cond('state.x.c', 'lte', 1), state: { counter: '', window: 'hour' } }), /rules\[0\]\.state\.counter: counter must not be empty/],
    [
      withRule({ ...cond('state.x.c', 'lte', 1), state: { counter: 'c', window: 'week' } }),
      /state\.window: window must be "minute", "hour", or "day", got "week"/,
    ],
    [
      withRule({ ...cond('state.x.c', 'lte', 1), state: { counter: 'c', window: 'day', increment_from: 'amount' } }),
      /increment_from must start with "args\.", got "amount"/,
    ],
    [withRule(cond('state.x.missing', 'lte', 1)), /condition references state\.x\.missing but no matching state block found/],
    [withRule(cond('state._global.c', 'lte', 1)), /condition references state\._global\.c but no matching state block found/],
    [withRule({ name: 'r', rate_limit: '0/hour' }), /rate_limit count must be a positive integer, got "0"/],
    [withRule({ name: 'r', rate_limit: '5/week' }), /rate_limit window must be "minute", "hour", or "day", got "week"/],
    [withRule({ name: 'r', rate_limit: 'five' }), /rate_limit must be in the format "N\/window"/],
    [withRule({ name: 'r', rate_limit: '99999999999/day' }), /rate_limit count must be at most 1000000000/],
    [
      withRule({ name: 'r', rate_limit: '5/hour', conditions: [{ path: 'args.a', op: 'eq', value: 1 }] }),
      /rate_limit cannot be combined with conditions or state/,
    ],
    [withRule({ name: 'r', rate_limit: '5/hour', action: 'deny' }), /rate_limit cannot be used with action "deny"/],
    [
      {
        version: '1',
        tools: {
          x: {
            rules: [
              { name: 'a', rate_limit: '5/hour' },
              { name: 'b', rate_limit: '9/hour' },
            ],
          },
        },
      },
      /tools\.x\.rules\[1\]: duplicate state counter "_rate_hour" \(also used by rules\[0\]\)/,
    ],
  ];
  for (const [policy, expected] of cases) assert.match(errorOf(policy), expected, JSON.stringify(policy));
});

test('our own checks: approve rules, "*" holding only rules, unknown keys, malformed paths', () => {
  const cases: [object, RegExp][] = [
    [withRule({ name: 'r', rate_limit: '5/hour', action: 'approve' }), /rate_limit cannot be used with action "approve"/],
    [{ version: '1', tools: { '*': { action: 'deny' } } }, /tools\["\*"\]\.action is not allowed under "\*"/],
    [{ version: '1', tools: { x: { action: 'deny', rules: [] } } }, /tools\.x\.rules cannot be combined with "action": "deny"/],
    [withRule({ name: 'r', when: 'always' }), /tools\.x\.rules\[0\] has unknown key "when"/],
    [withRule(cond('args.', 'eq', 1)), /path must name a field after "args\."/],
    [withRule(cond('state.x', 'lte', 1)), /path must be state\.<tool>\.<counter>/],
    [
      withRule({ ...cond('state.x.c', 'lte', 1), state: { counter: 'c', window: 'day', increment: 0 } }),
      /state\.increment must be a whole number of at least 1/,
    ],
    [withRule(cond('args.a', 'regex', 'a'.repeat(600))), /invalid regex .*at most 512/],
    [withRule(cond('args.a', 'eq')), /operator "eq" requires a value/],
  ];
  for (const [policy, expected] of cases) assert.match(errorOf(policy), expected, JSON.stringify(policy));
});

test('a policy with a broken rule never takes effect: with no good policy before it, every call is denied', async () => {
  const engine = new PolicyEngine();
  loadText(engine, '{"version": "1", "default": "deny", "tools": {"x": {}}}');
  loadText(engine, JSON.stringify(withRule({ name: 'r', action: 'deny', conditions: [{ path: 'args.a', op: 'eq', value: 1 }] })));
  assert.equal(denied(await use(engine, 'y')).rule, 'default:deny', 'the last good policy stays');
  const fresh = new PolicyEngine();
  loadText(fresh, JSON.stringify(withRule({ name: 'r', rate_limit: 'lots' })));
  assert.equal(denied(await use(fresh, 'x')).rule, 'invalid-policy');
});

test("a rule's mistakes are reported together with mistakes elsewhere in the file, not one batch at a time", () => {
  const error = errorOf({
    version: '1',
    default: 'maybe',
    tools: { x: { rules: [{ action: 'deny', conditions: [{ path: 'args.a', op: 'eq', value: 1 }] }] }, y: { action: 'block' } },
  });
  assert.match(error, /default must be "allow" or "deny"/);
  assert.match(error, /tools\.x\.rules\[0\]: rule must have a name/);
  assert.match(error, /tools\.x\.rules\[0\]: deny rules must not have conditions/);
  assert.match(error, /tools\.y\.action must be "deny" or "approve"/);
});

test('what a condition cannot decide (text too long for a regex, a missing field, another type) fails closed: an evaluate rule denies, an approve rule asks', async () => {
  const long = `/v1.0/contact/${'x'.repeat(70_000)}`;
  const { engine } = engineWith({
    version: '1',
    tools: {
      read: { rules: [{ name: 'contacts', conditions: [{ path: 'args.path', op: 'regex', value: '^/v1\\.0/contact/' }], on_deny: 'contacts only' }] },
      send: { rules: [{ name: 'ask for messages', action: 'approve', conditions: [{ path: 'args.text', op: 'regex', value: 'urgent' }] }] },
    },
  });
  assert.equal(denied(await use(engine, 'read', { path: long })).reason, 'contacts only');
  const asked: string[] = [];
  const approver: Approver = async (request) => {
    asked.push(request.tool);
    return false;
  };
  denied(await use(engine, 'send', { text: 'y'.repeat(70_000) }, { approver }));
  assert.deepEqual(asked, ['send']);
  assert.equal((await use(engine, 'send', { text: 'calm' }, { approver })).allowed, true, 'short text is matched as usual');
  denied(await use(engine, 'send', {}, { approver }));
  denied(await use(engine, 'send', { text: 42 }, { approver }));
  assert.deepEqual(asked, ['send', 'send', 'send'], 'a missing field or one of another type is asked about, not waved through');
});
