import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DingTalkEmulator } from '../emulator/emulator';
import { assertRowCountdownNear, closeSession, DingTalkView, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';

// The DingTalk view in the Activity Bar, as a person meets it: the welcome view, a tree of apps with their
// countdown, inline actions and a context menu. One code-server session; the steps build on each other.
const ALPHA = { appKey: 'dingviewalpha01', appSecret: 'view-alpha-secret-51c2', label: 'Alpha' };
const BETA = { appKey: 'dingviewbeta002', appSecret: 'view-beta-secret-9e07', label: 'Beta' };

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;
let view: DingTalkView;

before(
  async () => {
    ({ emulator, vscode } = await startSession({ apps: [ALPHA, BETA] }));
    view = new DingTalkView(vscode.page);
    await vscode.statusBar.waitFor(/DingTalk: Set up/, 90_000);
  },
  { timeout: SESSION_START_TIMEOUT },
);

after(() => closeSession(vscode, emulator));

async function answerCredentials(app: typeof ALPHA): Promise<void> {
  await vscode.quickInput.answer(app.appKey);
  await vscode.quickInput.answer(app.appSecret);
  await vscode.quickInput.answer(app.label);
}

test('with no app, the inspect view shows its empty state, whose button starts Set App Credentials', async () => {
  await vscode.palette.run('DingTalk: Inspect Access Token');
  const frame = await vscode.webviews.waitFor(/No DingTalk app is set up yet/, 30_000);
  assert.equal(await frame.locator('#details').isVisible(), false, 'no token details without an app');
  await frame.locator('#setUp').click();
  await vscode.quickInput.waitForMessage(/AppKey/);
  await vscode.page.keyboard.press('Escape');
  await vscode.palette.run('View: Close All Editors');
});

test('with no app, the DingTalk view welcomes the person with a Set App Credentials button that sets one up', async () => {
  await view.open();
  const welcome = view.welcome();
  await welcome.waitFor({ state: 'visible', timeout: 15_000 });
  assert.match(await welcome.innerText(), /No DingTalk app yet/);
  await welcome.locator('.monaco-button', { hasText: 'Set App Credentials' }).click();
  await answerCredentials(ALPHA);
  const row = await view.waitForAppRow('Alpha', /^Alpha \| 1 h \d+ min · active · dingviewalpha01$/, 30_000);
  assertRowCountdownNear(row, emulator.secondsLeft(ALPHA.appKey));
  assert.equal(await welcome.isVisible(), false, 'the welcome view is gone once an app exists');
});

test('adding a second app keeps the active one; the tree lists every app with its countdown and marks the active one', async () => {
  await vscode.palette.run('DingTalk: Set App Credentials');
  await answerCredentials(BETA);
  await vscode.notifications.waitFor(/Beta is set up.*The status bar and agents keep using Alpha\./, 30_000);
  assertRowCountdownNear(await view.waitForAppRow('Beta', /^Beta \| 1 h \d+ min · dingviewbeta002$/, 30_000), emulator.secondsLeft(BETA.appKey));
  assertRowCountdownNear(await view.waitForAppRow('Alpha', /^Alpha \| 1 h \d+ min · active · dingviewalpha01$/), emulator.secondsLeft(ALPHA.appKey));
  await vscode.statusBar.waitFor(/^Alpha \d:\d\d:\d\d/);
});

test('Make Active on the set-up message moves the status bar to the new app', async () => {
  await vscode.notifications.clickButton(/Beta is set up/, 'Make Active');
  await view.waitForAppRow('Beta', /^Beta \| 1 h \d+ min · active · dingviewbeta002$/);
  await view.waitForAppRow('Alpha', /^Alpha \| 1 h \d+ min · dingviewalpha01$/);
  await vscode.statusBar.waitFor(/^Beta \d:\d\d:\d\d/);
});

test('an app row stays still while its countdown has over an hour left, and hovering it shows its tooltip', async () => {
  await vscode.page.mouse.move(0, 0);
  const changes = await view.rowChanges('Beta', 5_000);
  // Over an hour left the row moves once a minute: at most one render (a minute turning) in five seconds.
  assert.ok(changes.renders <= 1, `the row rendered ${changes.renders} times (${changes.mutations} DOM changes) in 5 s`);
  const tooltip = await view.hoverTooltip('Beta');
  assert.match(tooltip, /Beta\s+dingviewbeta002 · active\s+Expires at \d\d:\d\d/);
  // Two inline buttons leave the description room at the default sidebar width; the rest are in the context menu.
  const inline = await view
    .appRow('Beta')
    .locator('.actions .action-label')
    .evaluateAll((buttons: { getAttribute(name: string): string | null }[]) => buttons.map((button) => button.getAttribute('aria-label')));
  assert.deepEqual(inline, ['Copy Access Token', 'Refresh Access Token']);
});

test('Make Active from the context menu moves the status bar to that app', async () => {
  await view.contextMenu('Alpha', 'Make Active');
  await view.waitForAppRow('Alpha', /^Alpha \| 1 h \d+ min · active · /);
  await view.waitForAppRow('Beta', /^Beta \| 1 h \d+ min · dingviewbeta002$/);
  await vscode.statusBar.waitFor(/^Alpha \d:\d\d:\d\d/);
});

test('the inline Refresh refreshes that app only, with one request to DingTalk', async () => {
  await vscode.notifications.clear();
  const alpha = emulator.stats(ALPHA.appKey).tokenRequests;
  const beta = emulator.stats(BETA.appKey).tokenRequests;
  await view.inlineAction('Beta', 'Refresh Access Token');
  await vscode.notifications.waitFor(/Refreshed\. The token of Beta/, 30_000);
  assert.equal(emulator.stats(BETA.appKey).tokenRequests, beta + 1);
  assert.equal(emulator.stats(ALPHA.appKey).tokenRequests, alpha);
});

test('Rename App changes the label without asking for the secret again or fetching a token', async () => {
  const before = emulator.stats(ALPHA.appKey).tokenRequests;
  await view.contextMenu('Alpha', 'Rename App');
  await vscode.quickInput.waitForMessage(/A new label for dingviewalpha01/);
  assert.equal((await vscode.quickInput.info()).value, 'Alpha', 'the box starts from the current label');
  await vscode.quickInput.answer('Alpha Prod');
  await view.waitForAppRow('Alpha Prod', /^Alpha Prod \| 1 h \d+ min · active · dingviewalpha01$/);
  await vscode.statusBar.waitFor(/^Alpha Prod \d:\d\d:\d\d/);
  assert.equal(emulator.stats(ALPHA.appKey).tokenRequests, before);
});

test('Remove App from the context menu asks first, then takes only that row away; an inspect view showing it moves on', async () => {
  // A click on the row opens it in the inspect view.
  await view.appRow('Beta').locator('.label-name').click();
  const frame = await vscode.webviews.waitFor(/Beta · dingviewbeta002/, 30_000);
  await view.contextMenu('Beta', 'Remove App');
  const dialog = vscode.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await dialog.innerText(), /Remove Beta\?/);
  await dialog.locator('.monaco-button', { hasText: /^Remove$/ }).click();
  await view.appRow('Beta').waitFor({ state: 'detached', timeout: 10_000 });
  await view.waitForAppRow('Alpha Prod', /active/);
  await frame.locator('#app', { hasText: 'Alpha Prod · dingviewalpha01' }).waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await frame.locator('body').innerText(), /Beta/, 'no stale header or switcher entry for the removed app');
});

test('the Agents view shows the MCP server and the policy in force, and follows a broken and a fixed policy file', async () => {
  await vscode.notifications.clear();
  await view.waitForAgentsRow('MCP server', /^starts when an agent asks$/);
  await view.waitForAgentsRow('Policy', /^read when the server starts$/);
  await vscode.palette.mcpServerAction(/Start Server/);
  await view.waitForAgentsRow('MCP server', /^running$/, 30_000);
  await view.waitForAgentsRow('Policy', /^no file: built-in defaults$/);

  const policyFile = path.join(vscode.workspaceDir, '.vscode', 'dingtalk-mcp-policy.json');
  fs.mkdirSync(path.dirname(policyFile), { recursive: true });
  fs.writeFileSync(policyFile, '{\n  "version": "1",\n  "default": "maybe"\n}\n');
  await view.waitForAgentsRow('Policy', /^unusable: every call denied$/, 20_000);
  await vscode.notifications.waitFor(/every DingTalk tool call by agents is denied/);
  // The Problems panel shows the error at its line.
  await vscode.page.keyboard.press('Control+Shift+M');
  const problem = vscode.page.locator('.markers-panel .monaco-list-row', { hasText: /default/ }).first();
  await problem.waitFor({ state: 'visible', timeout: 15_000 });
  assert.match(await problem.innerText(), /\[Ln 3, Col \d+\]/);

  fs.writeFileSync(policyFile, JSON.stringify({ version: '1', default: 'allow', tools: { token_status: { action: 'deny', reason: 'not today' } } }));
  await view.waitForAgentsRow('Policy', /^dingtalk-mcp-policy\.json in force$/, 20_000);
});
