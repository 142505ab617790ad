// The DingTalk view's two trees over fake apis (test/support/fakeApis.ts): the rows a person sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DingTalkView } from '../../src/extension/apps/view';
import type { McpProvider } from '../../src/extension/mcp/provider';
import { Emitter } from '../../src/extension/emitter';
import { registerMcpProvider } from '../../src/extension/mcp/provider';
import * as serverBundle from '../../src/mcp/bundle';
import { DingTalkError } from '../../src/core/dingtalk';
import { addApp, harness } from '../support/fakeApis';
import type { FakeTreeView } from '../support/fakeUi';

const idleMcp = {
  state: () => ({ enabled: true, running: false, source: '.vscode/dingtalk-mcp-policy.json' }),
  policyAsTyped: () => undefined,
  onDidChangeState: new Emitter<void>().event,
} as unknown as McpProvider;

/** Lets the view draw what it holds back until a change has settled. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

function tree(views: Map<string, FakeTreeView>, id: string): FakeTreeView {
  const view = views.get(id);
  assert.ok(view, `${id} registered`);
  return view;
}

test('the apps view lists each app with its countdown, the active one marked, and no rows without apps', async (t) => {
  const h = await harness();
  const view = new DingTalkView(h.services, idleMcp);
  t.after(() => view.dispose());
  const apps = tree(h.apis.treeViews, 'dingtalkToken.apps');
  assert.deepEqual(await apps.rows(), [], 'no rows, so VS Code shows the welcome view');

  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  await h.services.credentials.setActive('dingalpha0000001');
  await h.services.tokens.getToken('dingalpha0000001');
  const rows = await apps.rows();
  assert.deepEqual(
    rows.map((row) => [row.label, row.description, row.contextValue]),
    [
      ['Alpha', '2 h 0 min · active · dingalpha0000001', 'dingtalkApp.active'],
      ['Beta', 'no token · dingbeta00000002', 'dingtalkApp'],
    ],
  );
});

test('a token change draws only its own row again, so a context menu on another row keeps its app', async (t) => {
  const h = await harness();
  const view = new DingTalkView(h.services, idleMcp);
  t.after(() => view.dispose());
  const apps = tree(h.apis.treeViews, 'dingtalkToken.apps');
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  await apps.rows();
  apps.redraws.length = 0;

  await h.services.tokens.getToken('dingbeta00000002');
  await settled();
  assert.ok(apps.redraws.length > 0, 'the fetch was drawn');
  assert.deepEqual(
    new Set(apps.redraws.map((nodes) => (nodes === 'all' ? 'all' : nodes.map((node) => (node as { appKey: string }).appKey).join()))),
    new Set(['dingbeta00000002']),
    'only Beta was drawn again, never the whole list',
  );
  const rows = await apps.rows();
  assert.deepEqual(
    rows.map((row) => [row.label, row.description]),
    [
      ['Alpha', 'no token · dingalpha0000001'],
      ['Beta', '2 h 0 min · active · dingbeta00000002'],
    ],
  );

  apps.redraws.length = 0;
  await addApp(h.services, 'dinggamma0000003', 'Gamma');
  assert.ok(apps.redraws.length > 0 && apps.redraws.every((nodes) => nodes === 'all'), 'a new app rebuilds the list');
});

test('a failed refresh is drawn once it has settled: the row shows its failure, not a spinner beside it', async (t) => {
  const h = await harness();
  const view = new DingTalkView(h.services, idleMcp);
  t.after(() => view.dispose());
  const apps = tree(h.apis.treeViews, 'dingtalkToken.apps');
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await h.services.tokens.getToken('dingalpha0000001');
  await apps.rows();
  await settled();
  apps.drawn.length = 0;

  h.fetch = async () => {
    throw new DingTalkError('network', 'socket hang up');
  };
  // Past the minimum interval between two asks, so the refresh reaches DingTalk.
  await h.clock.advance(120_000);
  await h.services.tokens.forceRefresh('dingalpha0000001').catch(() => undefined);
  await settled();
  assert.deepEqual(
    apps.drawn.map((item) => [(item.iconPath as { id: string }).id, /\$\(warning\)/.test((item.tooltip as { value: string }).value)]),
    [['key', true]],
    'drawn once: the still-valid token, with the failure in its tooltip',
  );
});

test('the agents view shows the MCP server, the policy and the recent calls with their decisions', async (t) => {
  const h = await harness();
  const view = new DingTalkView(h.services, idleMcp);
  t.after(() => view.dispose());
  const agents = tree(h.apis.treeViews, 'dingtalkToken.agents');
  let rows = await agents.rows();
  assert.deepEqual(
    rows.map((row) => [row.label, row.description]),
    [
      ['MCP server', 'starts when an agent asks'],
      ['Policy', 'read when the server starts'],
      ['Recent calls', 'none yet'],
    ],
  );
  h.services.audit.record({
    time: new Date(h.clock.now()).toISOString(),
    tool: 'get_access_token',
    decision: 'allow',
    rule: 'defaults',
    app: 'dingalpha0000001',
    durationMs: 3,
    argsSha256: '0'.repeat(64),
  });
  rows = await agents.rows();
  assert.equal(rows[2]?.description, '1');
  assert.equal(rows[3]?.label, 'get_access_token');
  assert.match(String(rows[3]?.description), /^allowed · dingalpha0000001 · /);
});

test('a recent call the shadow policy would have decided otherwise is marked, with what it would have done', async (t) => {
  const h = await harness();
  const view = new DingTalkView(h.services, idleMcp);
  t.after(() => view.dispose());
  const agents = tree(h.apis.treeViews, 'dingtalkToken.agents');
  const call = { time: new Date(h.clock.now()).toISOString(), durationMs: 3, argsSha256: '0'.repeat(64), decision: 'allow' as const, rule: 'default:allow' };
  h.services.audit.record({ ...call, tool: 'token_status', shadow: { decision: 'allow', rule: 'default:allow' } });
  h.services.audit.record({ ...call, tool: 'get_access_token', shadow: { decision: 'deny', rule: 'default:deny' } });
  const rows = await agents.rows();
  const [marked, same] = [rows[3], rows[4]];
  assert.equal(marked?.label, 'get_access_token');
  assert.match(String(marked?.description), / · shadow: denied$/);
  assert.match(marked?.tooltip as string, /The shadow policy would have decided differently: denied by rule default:deny\./);
  assert.equal(same?.label, 'token_status');
  assert.doesNotMatch(String(same?.description), /shadow/);
});

test('the policy row says whether the policy file as typed would take effect, before any server starts', async (t) => {
  const h = await harness();
  const mcp = registerMcpProvider(h.services, () => serverBundle);
  const view = new DingTalkView(h.services, mcp);
  t.after(() => (view.dispose(), mcp.dispose()));
  const agents = tree(h.apis.treeViews, 'dingtalkToken.agents');
  const policyRow = async () => (await agents.rows()).find((row) => row.label === 'Policy')!;
  const file = '/workspace/.vscode/dingtalk-mcp-policy.json';

  h.apis.editors.open(file, '{\n  "version": "1",\n  "default": "block"\n}\n');
  let row = await policyRow();
  assert.equal(row.description, 'would not take effect: 1 error(s) to fix');
  assert.match((row.tooltip as { value: string }).value, /As typed in the editor, this file would not take effect/);

  h.apis.editors.type(file, '{\n  "version": "1",\n  "default": "deny"\n}\n');
  await h.clock.advance(300);
  row = await policyRow();
  assert.equal(row.description, 'would take effect');
});

test('the agents view shows where the counters live, and a store that cannot be used as refusing limited calls', async (t) => {
  const h = await harness();
  let counters = { kind: 'redis', where: 'redis://cache.example:6379/0', reachable: true } as {
    kind: string;
    where: string;
    reachable: boolean;
    problem?: string;
  };
  const changed = new Emitter<void>();
  const runningMcp = {
    state: () => ({ enabled: true, running: true, source: '/home/me/policy.json', policy: { inForce: 'defaults', valid: true }, counters }),
    policyAsTyped: () => undefined,
    onDidChangeState: changed.event,
  } as unknown as McpProvider;
  const view = new DingTalkView(h.services, runningMcp);
  t.after(() => view.dispose());
  const agents = tree(h.apis.treeViews, 'dingtalkToken.agents');
  let row = (await agents.rows()).find((item) => item.label === 'Counters');
  assert.equal(row?.description, 'Redis, shared by your team');
  assert.match(String((row?.tooltip as { value: string }).value), /redis:\/\/cache\.example:6379\/0/);

  counters = { ...counters, reachable: false, problem: 'Redis at redis://cache.example:6379/0 cannot be reached (ECONNREFUSED).' };
  changed.fire();
  row = (await agents.rows()).find((item) => item.label === 'Counters');
  assert.equal(row?.description, 'cannot be used: calls with limits are refused');
  assert.match(String((row?.tooltip as { value: string }).value), /ECONNREFUSED/);
});
