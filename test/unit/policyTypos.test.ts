import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestName, editDistance } from '../../src/core/policy/closestName';
import { applyPolicyRead } from '../../src/core/policy/apply';
import { PolicyEngine } from '../../src/core/policy/engine';

const TOOLS = ['get_access_token', 'refresh_access_token', 'token_status', 'list_apps', 'dingtalk_api_request'];
const apply = (engine: PolicyEngine, read: ReturnType<typeof file>) => applyPolicyRead(engine, read, { knownTools: TOOLS });
const file = (policy: object) => ({ kind: 'text' as const, text: JSON.stringify(policy), resolvedPath: '/ws/policy.json' });

test('a policy naming tools that do not exist says so, with the closest real name', () => {
  const engine = new PolicyEngine({ source: '/ws/policy.json' });
  const report = apply(
    engine,
    file({
      version: '1',
      hide: ['Get_Access_Token', 'list_apps', '*'],
      tools: { 'refresh-access-token': { action: 'deny' }, token_stats: {}, send_message: {} },
    }),
  );
  assert.equal(report.ok, true);
  assert.equal(report.level, 'warn');
  assert.ok(report.ok);
  assert.deepEqual(report.unknownTools, [
    'hide[0] "Get_Access_Token" (did you mean "get_access_token"?)',
    'tools["refresh-access-token"] (did you mean "refresh_access_token"?)',
    'tools["token_stats"] (did you mean "token_status"?)',
    `tools["send_message"] (the tools are ${TOOLS.join(', ')})`,
  ]);
  assert.match(report.message, /loaded.*name no tool of this server.*Get_Access_Token.*did you mean "get_access_token"/);
});

test('a policy with only real tool names (and "*") loads quietly, and fixing a typo clears the warning', () => {
  const engine = new PolicyEngine({ source: '/ws/policy.json' });
  assert.equal(apply(engine, file({ version: '1', hide: ['list-apps'] })).level, 'warn');
  const fixed = apply(
    engine,
    file({ version: '1', hide: ['list_apps'], tools: { get_access_token: {}, '*': { rules: [{ name: 'all', rate_limit: '60/minute' }] } } }),
  );
  assert.deepEqual([fixed.level, fixed.ok && fixed.unknownTools], ['info', []]);
  assert.equal(engine.isHidden('list_apps'), true);
});

test('closestName: case, dashes and small typos find the tool; unrelated words find nothing', () => {
  assert.equal(closestName('GET-ACCESS-TOKEN', TOOLS), 'get_access_token');
  assert.equal(closestName('list_app', TOOLS), 'list_apps');
  assert.equal(closestName('dingtalk_api_requst', TOOLS), 'dingtalk_api_request');
  assert.equal(closestName('xyz', TOOLS), undefined);
  assert.equal(closestName('send_message', TOOLS), undefined);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  // Bounded work whatever the input length.
  assert.equal(typeof closestName('x'.repeat(100_000), TOOLS), 'undefined');
});

test('thousands of unknown names are summed up, shown bounded and with bidi controls visible', () => {
  const engine = new PolicyEngine();
  const hide = Array.from({ length: 5000 }, (_, index) => `tool_${index}`);
  hide[0] = 'list_apps\u202e';
  const report = apply(engine, file({ version: '1', hide }));
  assert.ok(report.ok);
  assert.equal(report.unknownTools.length, 11);
  assert.equal(report.unknownTools[10], 'and 4990 more');
  assert.match(report.unknownTools[0] ?? '', /^hide\[0\] "list_apps\\u202e" \(did you mean "list_apps"\?\)$/);
  assert.ok(!report.message.includes('\u202e'));
});
