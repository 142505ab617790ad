import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDefaults } from '../../src/core/policy/apply';
import { PolicyEngine, denialText, type Approver, type Verdict } from '../../src/core/policy/engine';
import { clockAt, neverAsked, type Denial, loadText } from '../support/policyKit';
import { argsDigest } from '../../src/core/argsDigest';
import { CounterStoreUnavailable, MemoryCounterStore, type CounterStore } from '../../src/core/policy/stores';
import { DEFAULT_REFRESHES_PER_MINUTE } from '../../src/core/policy/defaults';
import { AuditTrail, type AuditEvent } from '../../src/core/audit';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function engineWith(policy: object | string | undefined, clock = clockAt(Date.UTC(2026, 0, 5, 10, 30, 0)), counterStore?: CounterStore) {
  const engine = new PolicyEngine({ clock, counterStore, source: '/ws/.vscode/dingtalk-mcp-policy.json' });
  const result = loadText(engine, typeof policy === 'object' ? JSON.stringify(policy) : policy);
  return { engine, clock, result };
}

/** One call as the MCP tools make it: evaluate, then (when allowed) run and report success. */
async function use(engine: PolicyEngine, tool: string, options: { session?: string; args?: unknown; approver?: Approver; succeeds?: boolean } = {}) {
  const verdict = await engine.evaluate({ tool, args: options.args ?? {}, sessionId: options.session ?? 's1' }, options.approver ?? neverAsked);
  if (verdict.allowed) verdict.finish(options.succeeds ?? true);
  return verdict;
}

function denied(verdict: Verdict): Denial {
  assert.equal(verdict.allowed, false, `expected a denial, got ${JSON.stringify(verdict)}`);
  return verdict;
}

function limited(tool: string, max: number, window: 'minute' | 'hour' | 'day', scope: 'grant' | 'session' = 'grant') {
  return { version: '1', tools: { [tool]: { limits: [{ counter: 'calls', window, max, scope }] } } };
}

// --- windows ---------------------------------------------------------------------------------------

for (const [window, size, start] of [
  ['minute', MINUTE, Date.UTC(2026, 0, 5, 10, 30, 0)],
  ['hour', HOUR, Date.UTC(2026, 0, 5, 10, 0, 0)],
  ['day', DAY, Date.UTC(2026, 0, 5, 0, 0, 0)],
] as const) {
  test(`a ${window} window is calendar-aligned in UTC: full until 1 ms before the boundary, empty at it`, async () => {
    const { engine, clock } = engineWith(limited('t', 2, window), clockAt(start));
    assert.equal((await use(engine, 't')).allowed, true, 'first call at the very start of the window');
    clock.time = start + size - 1;
    assert.equal((await use(engine, 't')).allowed, true, 'second call 1 ms before the end');
    const full = denied(await use(engine, 't'));
    assert.equal(full.rule, 'tools.t.limits[0]');
    assert.equal(full.retryAfterSeconds, 1);

    clock.time = start + size;
    assert.equal((await use(engine, 't')).allowed, true, 'a new window starts exactly at the boundary');
    assert.equal((await use(engine, 't')).allowed, true);
    assert.equal(denied(await use(engine, 't')).retryAfterSeconds, size / SECOND);
  });
}

test('a minute counter filled at hh:mm:59.999 does not carry into hh:mm+1:00.000 (no sliding window)', async () => {
  const { engine, clock } = engineWith(limited('t', 1, 'minute'), clockAt(Date.UTC(2026, 0, 5, 10, 30, 59, 999)));
  assert.equal((await use(engine, 't')).allowed, true);
  denied(await use(engine, 't'));
  clock.time += 1;
  assert.equal((await use(engine, 't')).allowed, true);
});

test('a day counter resets at UTC midnight, not 24 hours after the first call', async () => {
  const { engine, clock } = engineWith(limited('t', 1, 'day'), clockAt(Date.UTC(2026, 0, 5, 23, 59, 59, 999)));
  assert.equal((await use(engine, 't')).allowed, true);
  denied(await use(engine, 't'));
  clock.time = Date.UTC(2026, 0, 6, 0, 0, 0, 0);
  assert.equal((await use(engine, 't')).allowed, true);
});

test('retryAfterSeconds counts the seconds until the window resets, rounded up', async () => {
  const at = Date.UTC(2026, 0, 5, 10, 30, 15, 200);
  for (const [window, expected] of [
    ['minute', 45],
    ['hour', 29 * 60 + 45],
    ['day', 13 * 3600 + 29 * 60 + 45],
  ] as const) {
    const { engine } = engineWith(limited('t', 1, window), clockAt(at));
    await use(engine, 't');
    const denial = denied(await use(engine, 't'));
    assert.equal(denial.retryAfterSeconds, expected, window);
    assert.equal(denialText(denial), `[POLICY DENIED] ${denial.reason} Retry after ${expected} s.`);
  }
});

test('when several limits are full, the denial names the one that frees up last', async () => {
  const { engine } = engineWith(
    {
      version: '1',
      tools: {
        t: {
          limits: [
            { counter: 'm', window: 'minute', max: 1, scope: 'grant' },
            { counter: 'h', window: 'hour', max: 1, scope: 'grant' },
          ],
        },
      },
    },
    clockAt(Date.UTC(2026, 0, 5, 10, 30, 0)),
  );
  await use(engine, 't');
  const denial = denied(await use(engine, 't'));
  assert.equal(denial.rule, 'tools.t.limits[1]');
  assert.equal(denial.retryAfterSeconds, 30 * 60);
});

// --- scopes ----------------------------------------------------------------------------------------

test('a session-scoped counter belongs to one session; a grant-scoped one is shared by all', async () => {
  const perSession = engineWith(limited('t', 1, 'hour', 'session')).engine;
  assert.equal((await use(perSession, 't', { session: 'A' })).allowed, true);
  denied(await use(perSession, 't', { session: 'A' }));
  assert.equal((await use(perSession, 't', { session: 'B' })).allowed, true, 'B has its own counter');

  const shared = engineWith(limited('t', 1, 'hour', 'grant')).engine;
  assert.equal((await use(shared, 't', { session: 'A' })).allowed, true);
  assert.match(denied(await use(shared, 't', { session: 'B' })).reason, /all sessions together/);
});

test('scope defaults to grant when left out', async () => {
  const { engine, result } = engineWith({ version: '1', tools: { t: { limits: [{ counter: 'c', window: 'hour', max: 1 }] } } });
  assert.deepEqual(result, { ok: true });
  await use(engine, 't', { session: 'A' });
  denied(await use(engine, 't', { session: 'B' }));
});

// --- hide, deny, default ---------------------------------------------------------------------------

test('hide lists tools that are neither listed nor callable', async () => {
  const { engine } = engineWith({ version: '1', hide: ['refresh_access_token'], tools: { refresh_access_token: {} } });
  assert.equal(engine.isHidden('refresh_access_token'), true);
  assert.equal(engine.isHidden('get_access_token'), false);
  const denial = denied(await use(engine, 'refresh_access_token'));
  assert.equal(denial.rule, 'hide');
  assert.ok(denialText(denial).startsWith('[POLICY DENIED] '));
  assert.equal((await use(engine, 'get_access_token')).allowed, true);
});

test('hide "*" (or a "*" entry) hides every tool', async () => {
  for (const hide of ['*', ['*']]) {
    const { engine } = engineWith({ version: '1', hide });
    for (const tool of ['get_access_token', 'list_apps', 'anything']) {
      assert.equal(engine.isHidden(tool), true, `${JSON.stringify(hide)} hides ${tool}`);
      assert.equal(denied(await use(engine, tool)).rule, 'hide');
    }
  }
});

test('action "deny" denies with the reason, and the text starts with [POLICY DENIED]', async () => {
  const { engine } = engineWith({
    version: '1',
    tools: { dingtalk_api_request: { action: 'deny', reason: 'No raw API calls here.' }, list_apps: { action: 'deny' } },
  });
  const denial = denied(await use(engine, 'dingtalk_api_request'));
  assert.equal(denial.rule, 'tools.dingtalk_api_request.deny');
  assert.equal(denialText(denial), '[POLICY DENIED] No raw API calls here.');
  assert.equal(denial.retryAfterSeconds, undefined);
  assert.match(denialText(denied(await use(engine, 'list_apps'))), /^\[POLICY DENIED\] Tool "list_apps" is denied by policy\.$/);
  const allowed = await use(engine, 'token_status');
  assert.equal(allowed.allowed && allowed.rule, 'default:allow');
});

test('default "deny" allows only listed tools, and all_tools does not rescue unlisted ones', async () => {
  const { engine } = engineWith({
    version: '1',
    default: 'deny',
    tools: { token_status: {}, get_access_token: { limits: [{ counter: 'c', window: 'hour', max: 5, scope: 'grant' }] } },
    all_tools: { limits: [{ counter: 'all', window: 'hour', max: 100, scope: 'grant' }] },
  });
  const status = await use(engine, 'token_status');
  assert.equal(status.allowed && status.rule, 'tools.token_status');
  assert.equal((await use(engine, 'get_access_token')).allowed, true);
  const denial = denied(await use(engine, 'refresh_access_token'));
  assert.equal(denial.rule, 'default:deny');
  assert.ok(denialText(denial).startsWith('[POLICY DENIED] '));
});

// --- approve ---------------------------------------------------------------------------------------

function recordingApprover(answer: (tool: string) => boolean | Promise<boolean> = () => true) {
  const requests: Parameters<Approver>[0][] = [];
  const approver: Approver = async (request) => {
    requests.push(request);
    return answer(request.tool);
  };
  return { approver, requests };
}

test('approve asks with tool, summary, argument digest and policy version; every call asks again', async () => {
  const { engine } = engineWith({ version: '1', tools: { refresh_access_token: { action: 'approve' } } });
  const { approver, requests } = recordingApprover();
  const args = { app: 'sales' };

  const first = await use(engine, 'refresh_access_token', { args, approver });
  assert.equal(first.allowed && first.rule, 'tools.refresh_access_token.approve');
  assert.deepEqual(requests, [{ tool: 'refresh_access_token', args, argsDigest: argsDigest(args), policyVersion: 1 }]);

  await use(engine, 'refresh_access_token', { args: { app: 'sales' }, approver });
  assert.equal(requests.length, 2, 'an approval is single use: the same arguments ask again');
  assert.equal(requests[1]?.argsDigest, requests[0]?.argsDigest);

  await use(engine, 'refresh_access_token', { args: { app: 'hr' }, approver });
  assert.equal(requests.length, 3);
  assert.notEqual(requests[2]?.argsDigest, requests[0]?.argsDigest, 'changed arguments, changed digest');
});

test('a declined, dismissed or failed approval denies the call', async () => {
  const { engine } = engineWith({ version: '1', tools: { refresh_access_token: { action: 'approve' } } });
  for (const approver of [
    async () => false,
    async () => undefined as unknown as boolean,
    async () => {
      throw new Error('modal closed');
    },
  ] as Approver[]) {
    const denial = denied(await use(engine, 'refresh_access_token', { approver }));
    assert.equal(denial.rule, 'tools.refresh_access_token.approve');
    assert.match(denialText(denial), /^\[POLICY DENIED\] .*not approved/);
  }
});

test('an approval for one tool does not carry over to another', async () => {
  const { engine } = engineWith({ version: '1', tools: { get_access_token: { action: 'approve' }, refresh_access_token: { action: 'approve' } } });
  const { approver, requests } = recordingApprover((tool) => tool === 'get_access_token');
  assert.equal((await use(engine, 'get_access_token', { args: { app: 'a' }, approver })).allowed, true);
  denied(await use(engine, 'refresh_access_token', { args: { app: 'a' }, approver }));
  assert.deepEqual(
    requests.map((request) => request.tool),
    ['get_access_token', 'refresh_access_token'],
  );
});

test('an approval given while the policy was reloaded does not apply to the new policy', async () => {
  const { engine } = engineWith({ version: '1', tools: { t: { action: 'approve' } } });
  const approver: Approver = async () => {
    loadText(engine, JSON.stringify({ version: '1', tools: { t: { action: 'approve' }, other: {} } }));
    return true;
  };
  const denial = denied(await use(engine, 't', { approver }));
  assert.match(denial.reason, /policy changed/);
});

test('approve with limits: the quota is held while the person decides, so a second caller is refused without being asked', async () => {
  const { engine } = engineWith({ version: '1', tools: { t: { action: 'approve', limits: [{ counter: 'c', window: 'hour', max: 1, scope: 'grant' }] } } });
  let release!: (answer: boolean) => void;
  const waiting: Approver = () => new Promise((resolve) => (release = resolve));
  const slow = engine.evaluate({ tool: 't', args: {}, sessionId: 'A' }, waiting);
  assert.equal(denied(await use(engine, 't', { session: 'B', approver: neverAsked })).rule, 'tools.t.limits[0]', 'A holds the only unit');
  release(true);
  const approved = await slow;
  assert.ok(approved.allowed && approved.asked);
  approved.finish(true);
  denied(await use(engine, 't', { approver: neverAsked }));
});

// --- loading ---------------------------------------------------------------------------------------

test('an invalid file keeps the last good policy and the error names the JSON path', async () => {
  const { engine } = engineWith({ version: '1', tools: { list_apps: { action: 'deny', reason: 'no' } } });
  const result = loadText(
    engine,
    JSON.stringify({ version: '1', tools: { refresh_access_token: { limits: [{ counter: 'c', window: 'week', max: 1, scope: 'grant' }] } } }),
  );
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error : '', /tools\.refresh_access_token\.limits\[0\]\.window must be "minute", "hour" or "day"/);
  assert.equal(denied(await use(engine, 'list_apps')).reason, 'no', 'the last good policy still decides');
  const { failure, ...status } = engine.status();
  assert.deepEqual(status, {
    source: '/ws/.vscode/dingtalk-mcp-policy.json',
    inForce: 'file',
    usingDefault: false,
    valid: false,
    error: !result.ok ? result.error : '',
    policyVersion: 1,
  });
  assert.deepEqual(
    failure?.problems.map(({ code, params }) => [code, params]),
    [['mustBe', { at: 'tools.refresh_access_token.limits[0].window', what: 'window' }]],
    "the error as a code, for the person's language",
  );

  assert.deepEqual(loadText(engine, JSON.stringify({ version: '1' })), { ok: true });
  assert.deepEqual(engine.status(), { source: '/ws/.vscode/dingtalk-mcp-policy.json', inForce: 'file', usingDefault: false, valid: true, policyVersion: 2 });
  assert.equal((await use(engine, 'list_apps')).allowed, true);
});

test('validation errors name what is wrong and where', () => {
  const engine = new PolicyEngine();
  const errorOf = (text: string) => {
    const result = loadText(engine, text);
    return result.ok ? 'ok' : result.error;
  };
  assert.match(errorOf('{"version": "2"}'), /^version must be "1"$/);
  assert.match(errorOf('{"tools": {}}'), /^version is required$/);
  assert.match(errorOf('{"version": "1", "default": "maybe"}'), /^default must be "allow" or "deny"$/);
  assert.match(errorOf('{"version": "1", "tool": {}}'), /the policy has unknown key "tool"/);
  assert.match(errorOf('{"version": "1", "tools": {"x": {"action": "allow"}}}'), /tools\.x\.action must be "deny" or "approve"/);
  assert.match(
    errorOf('{"version": "1", "tools": {"x": {"limits": [{"counter": "c", "window": "hour", "max": 0}]}}}'),
    /tools\.x\.limits\[0\]\.max must be a whole number of at least 1/,
  );
  assert.match(errorOf('{"version": "1", "tools": {"x": {"limits": [{"counter": "c", "window": "hour", "max": "5"}]}}}'), /tools\.x\.limits\[0\]\.max must be/);
  assert.match(
    errorOf('{"version": "1", "tools": {"x": {"limits": [{"counter": "c", "window": "hour", "max": 1, "scope": "user"}]}}}'),
    /tools\.x\.limits\[0\]\.scope must be "grant" or "session"/,
  );
  assert.match(
    errorOf('{"version": "1", "all_tools": {"limits": [{"counter": "c", "window": "hour", "max": 1, "per": 1}]}}'),
    /all_tools\.limits\[0\] has unknown key "per"/,
  );
  assert.match(errorOf('{"version": "1", "hide": "list_apps"}'), /^hide must be a list of tool names or "\*"$/);
  assert.match(errorOf('{"version": "1", "tools": {"x": {"reason": "why"}}}'), /tools\.x\.reason is only used with "action": "deny"/);
  assert.match(errorOf('{"version": "1",\n  "tools": {,}}'), /^not valid JSON: .*\(line 2, column 13\)$/);
  assert.equal(engine.status().policyVersion, 0, 'no invalid text counts as a load');
});

test('a policy that was never valid denies every call and says which file to fix', async () => {
  const { engine, result } = engineWith('{"version": "1", "default": "deny", ');
  assert.equal(result.ok, false);
  for (const tool of ['get_access_token', 'token_status']) {
    assert.equal(engine.isHidden(tool), false, 'tools stay listed so the agent sees why they fail');
    const denial = denied(await use(engine, tool));
    assert.equal(denial.rule, 'invalid-policy');
    assert.match(denialText(denial), /^\[POLICY DENIED\] .*\/ws\/\.vscode\/dingtalk-mcp-policy\.json.*invalid.*not valid JSON/);
  }
  assert.equal(engine.status().valid, false);
  assert.equal(engine.status().usingDefault, false);
});

test('without a policy file: everything allowed, refresh_access_token at most DEFAULT_REFRESHES_PER_MINUTE (60) per minute', async () => {
  assert.equal(DEFAULT_REFRESHES_PER_MINUTE, 60, "PolicyLayer's advice, and what the product contract promises");
  const { engine, clock } = engineWith(undefined);
  assert.equal(engine.status().usingDefault, true);
  for (let i = 1; i <= DEFAULT_REFRESHES_PER_MINUTE; i++)
    assert.equal((await use(engine, 'refresh_access_token', { session: `s${i % 3}` })).allowed, true, `refresh ${i}`);
  const denial = denied(await use(engine, 'refresh_access_token'));
  assert.equal(denial.rule, 'tools.refresh_access_token.limits[0]');
  assert.equal(denial.retryAfterSeconds, 60);
  for (let i = 0; i < 100; i++) assert.equal((await use(engine, 'get_access_token')).allowed, true);
  assert.equal((await use(engine, 'dingtalk_api_request')).allowed, true);
  clock.time += MINUTE;
  assert.equal((await use(engine, 'refresh_access_token')).allowed, true);
});

test('a reload keeps the counters of the same tool, counter, window and scope', async () => {
  const { engine } = engineWith(limited('t', 3, 'hour'));
  await use(engine, 't');
  await use(engine, 't');
  assert.deepEqual(loadText(engine, JSON.stringify({ ...limited('t', 3, 'hour'), default: 'allow', hide: ['x'] })), { ok: true });
  assert.equal(engine.status().policyVersion, 2);
  assert.equal((await use(engine, 't')).allowed, true);
  denied(await use(engine, 't'));

  loadText(engine, JSON.stringify(limited('t', 4, 'hour')));
  assert.equal((await use(engine, 't')).allowed, true, 'a raised max counts on from 3');
  denied(await use(engine, 't'));
});

test('choosing the defaults after the file is gone keeps the counted refreshes', async () => {
  // The template "Open MCP Policy" writes uses counter "refreshes"; the built-in default shares it.
  const { engine } = engineWith({
    version: '1',
    tools: { refresh_access_token: { limits: [{ counter: 'refreshes', window: 'minute', max: 60, scope: 'grant' }] } },
  });
  for (let i = 0; i < 60; i++) await use(engine, 'refresh_access_token');
  useDefaults(engine);
  assert.equal(engine.status().usingDefault, true);
  denied(await use(engine, 'refresh_access_token'));
});

// --- reserve, commit, rollback ---------------------------------------------------------------------

test('a failed call gives its unit back; a succeeded one keeps it', async () => {
  const { engine } = engineWith(limited('t', 1, 'hour'));
  assert.equal((await use(engine, 't', { succeeds: false })).allowed, true);
  const second = await engine.evaluate({ tool: 't', args: {}, sessionId: 's1' }, neverAsked);
  assert.equal(second.allowed, true, 'the failed call used no quota');
  denied(await use(engine, 't')); // the reservation in flight holds the unit
  if (second.allowed) second.finish(true);
  denied(await use(engine, 't'));
});

test("finishing a call twice counts once and cannot release another call's unit", async () => {
  const { engine } = engineWith(limited('t', 2, 'hour'));
  const first = await engine.evaluate({ tool: 't', args: {}, sessionId: 's1' }, neverAsked);
  const second = await engine.evaluate({ tool: 't', args: {}, sessionId: 's1' }, neverAsked);
  assert.ok(first.allowed && second.allowed);
  first.finish(true);
  first.finish(false);
  denied(await use(engine, 't')); // one committed + one in flight
  second.finish(true);
  denied(await use(engine, 't'));
});

test('a call that straddles a window boundary does not release a unit of the new window', async () => {
  const { engine, clock } = engineWith(limited('t', 1, 'minute'), clockAt(Date.UTC(2026, 0, 5, 10, 30, 59, 999)));
  const old = await engine.evaluate({ tool: 't', args: {}, sessionId: 's1' }, neverAsked);
  assert.ok(old.allowed);
  clock.time += 1;
  const current = await engine.evaluate({ tool: 't', args: {}, sessionId: 's1' }, neverAsked);
  assert.ok(current.allowed, 'the new minute starts empty');
  old.finish(false);
  denied(await use(engine, 't'));
  current.finish(true);
  denied(await use(engine, 't'));
});

test('a denial by all_tools keeps nothing on the tool counter, and the reverse', async () => {
  const { engine, clock } = engineWith(
    {
      version: '1',
      tools: { t: { limits: [{ counter: 'c', window: 'hour', max: 1, scope: 'grant' }] } },
      all_tools: { limits: [{ counter: 'all', window: 'minute', max: 1, scope: 'grant' }] },
    },
    clockAt(Date.UTC(2026, 0, 5, 10, 30, 0)),
  );
  assert.equal((await use(engine, 'other')).allowed, true);
  assert.equal(denied(await use(engine, 't')).rule, 'all_tools.limits[0]');
  clock.time += MINUTE;
  assert.equal((await use(engine, 't')).allowed, true, 'the tool counter was not charged for the denied call');

  clock.time += MINUTE;
  assert.equal(denied(await use(engine, 't')).rule, 'tools.t.limits[0]');
  assert.equal((await use(engine, 'other')).allowed, true, 'the all_tools counter was not charged either');
});

test('denied calls never reach the upstream tool', async () => {
  const { engine } = engineWith({
    version: '1',
    hide: ['hidden'],
    tools: { blocked: { action: 'deny' }, asked: { action: 'approve' }, t: { limits: [{ counter: 'c', window: 'hour', max: 2, scope: 'grant' }] } },
  });
  const upstream: string[] = [];
  const runner = async (tool: string) => {
    const verdict = await engine.evaluate({ tool, args: {}, sessionId: 's' }, async () => false);
    if (!verdict.allowed) return denialText(verdict);
    upstream.push(tool);
    verdict.finish(true);
    return 'ok';
  };
  const results = [];
  for (const tool of ['hidden', 'blocked', 'asked', 't', 't', 't', 't', 'free']) results.push(await runner(tool));
  assert.deepEqual(upstream, ['t', 't', 'free']);
  assert.equal(results.filter((text) => text.startsWith('[POLICY DENIED]')).length, 5);
});

// --- persistence -----------------------------------------------------------------------------------

test('counters live in the counter store: a new engine on the same store counts on; a new window starts from zero', async () => {
  const clock = clockAt(Date.UTC(2026, 0, 5, 10, 30, 0));
  const counterStore = new MemoryCounterStore(() => clock.now());
  const policy = {
    version: '1',
    tools: {
      t: {
        limits: [
          { counter: 'c', window: 'hour', max: 3, scope: 'grant' },
          { counter: 's', window: 'hour', max: 10, scope: 'session' },
        ],
      },
    },
  };
  const first = engineWith(policy, clock, counterStore).engine;
  await use(first, 't');
  await use(first, 't');
  await use(first, 't', { succeeds: false });

  const second = engineWith(policy, clock, counterStore).engine;
  assert.equal((await use(second, 't')).allowed, true, 'the failed call gave its unit back');
  assert.equal(denied(await use(second, 't')).rule, 'tools.t.limits[0]');

  clock.time = Date.UTC(2026, 0, 5, 11, 0, 0);
  const third = engineWith(policy, clock, counterStore).engine;
  for (let i = 0; i < 3; i++) assert.equal((await use(third, 't')).allowed, true, 'a new hour starts from zero');
});

test('a counter store that cannot be used refuses calls with limits, saying why; calls without limits still pass', async () => {
  const clock = clockAt(Date.UTC(2026, 0, 5, 10, 30, 0));
  const down = new MemoryCounterStore(() => clock.now());
  const unavailable = async () => {
    throw new CounterStoreUnavailable('Redis at redis://team-cache:6379/0 cannot be reached (ECONNREFUSED).');
  };
  down.read = unavailable;
  down.reserve = unavailable;
  const { engine } = engineWith({ version: '1', tools: { t: { limits: [{ counter: 'c', window: 'hour', max: 5 }] }, free: {} } }, clock, down);
  const denial = denied(await use(engine, 't'));
  assert.equal(denial.rule, 'counter-store');
  assert.match(
    denial.reason,
    /^Redis at redis:\/\/team-cache:6379\/0 cannot be reached \(ECONNREFUSED\)\. Calls with limits are refused until it can be used again\.$/,
  );
  assert.equal((await use(engine, 'free')).allowed, true);
});

// --- helpers ---------------------------------------------------------------------------------------

test('argsDigest is the sha256 of canonical JSON: key order does not matter, values do', () => {
  assert.match(argsDigest({ a: 1 }), /^[0-9a-f]{64}$/);
  assert.equal(argsDigest({ app: 'x', query: { b: 2, a: 1 } }), argsDigest({ query: { a: 1, b: 2 }, app: 'x' }));
  assert.notEqual(argsDigest({ app: 'x' }), argsDigest({ app: 'y' }));
  assert.notEqual(argsDigest([1, 2]), argsDigest([2, 1]));
  assert.equal(argsDigest({}), '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'); // sha256("{}")
});

// --- audit -----------------------------------------------------------------------------------------

function event(n: number, extra: object = {}): AuditEvent {
  return {
    time: new Date(n * 1000).toISOString(),
    tool: 'get_access_token',
    decision: 'allow',
    rule: 'default:allow',
    durationMs: n,
    argsSha256: argsDigest({ n }),
    ...extra,
  };
}

test('the audit trail is a bounded ring, newest first, and tells its listeners', () => {
  const audit = new AuditTrail(3);
  const heard: number[] = [];
  const subscription = audit.onDidRecord((recorded) => heard.push(recorded.durationMs));
  audit.onDidRecord(() => {
    throw new Error('a broken listener');
  });
  for (let n = 1; n <= 5; n++) audit.record(event(n));
  assert.deepEqual(
    audit.recent().map((recorded) => recorded.durationMs),
    [5, 4, 3],
  );
  assert.deepEqual(
    audit.recent(2).map((recorded) => recorded.durationMs),
    [5, 4],
  );
  assert.equal(audit.recent(10).length, 3, 'older events are dropped, not just hidden');
  assert.deepEqual(heard, [1, 2, 3, 4, 5]);
  subscription.dispose();
  audit.record(event(6));
  assert.deepEqual(heard, [1, 2, 3, 4, 5]);
  assert.equal(new AuditTrail().recent().length, 0);
});

test('audit events keep only their declared fields, never argument values', () => {
  const audit = new AuditTrail();
  audit.record(event(1, { args: { accessToken: 'tok-secret-value' }, sessionId: 'S', retryAfterSeconds: 5 }));
  const [kept] = audit.recent();
  assert.ok(kept);
  assert.ok(!JSON.stringify(kept).includes('tok-secret-value'));
  assert.deepEqual(Object.keys(kept).sort(), ['argsSha256', 'decision', 'durationMs', 'retryAfterSeconds', 'rule', 'sessionId', 'time', 'tool']);
});
