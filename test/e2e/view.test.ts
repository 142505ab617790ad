import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DingTalkEmulator } from '../emulator/emulator';
import { startVSCode, type VSCodeSession } from './harness';

// The DingTalk view in the Activity Bar, as a person meets it: the welcome view, a tree of apps with their
// countdown, inline actions and a context menu. One code-server session; the steps build on each other.
const VSIX = process.env.DINGTALK_VSIX!;
const ALPHA = { appKey: 'dingviewalpha01', appSecret: 'view-alpha-secret-51c2', label: 'Alpha' };
const BETA = { appKey: 'dingviewbeta002', appSecret: 'view-beta-secret-9e07', label: 'Beta' };

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;

before(async () => {
  emulator = await DingTalkEmulator.start({ apps: [ALPHA, BETA] });
  vscode = await startVSCode({
    vsixPath: VSIX,
    settings: { 'dingtalkToken.apiBaseUrl': emulator.apiBaseUrl, 'dingtalkToken.legacyApiBaseUrl': emulator.legacyApiBaseUrl },
    timeoutMs: 180_000,
  });
  await vscode.waitForStatusBar(/DingTalk: Set up/, 90_000);
}, { timeout: 240_000 });

after(async () => {
  await vscode?.close();
  await emulator?.close();
});

const appsPane = () => vscode.page.locator('.pane', { has: vscode.page.locator('.pane-header[aria-label^="Apps"]') });
const appRow = (label: string) =>
  appsPane().locator('.monaco-list-row', { has: vscode.page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });

/** The row's label and description as "label | description", once that matches. */
async function waitForRow(label: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    const row = appRow(label);
    const description = await row.locator('.label-description').innerText({ timeout: 1000 }).catch(() => '');
    text = `${label} | ${description.trim()}`;
    if (pattern.test(text)) return text;
    await vscode.page.waitForTimeout(250);
  }
  throw new Error(`the ${label} row never matched ${pattern}; it shows "${text}"`);
}

async function inlineAction(label: string, action: string): Promise<void> {
  const row = appRow(label);
  await row.hover();
  await row.locator(`.actions .action-label[aria-label="${action}"]`).click();
}

async function contextMenu(label: string, action: string): Promise<void> {
  await appRow(label).click({ button: 'right' });
  const menu = vscode.page.locator('.context-view .monaco-menu');
  await menu.waitFor({ state: 'visible', timeout: 5_000 });
  // The keyboard, as a person might: a click can land while the menu is still opening and be ignored.
  for (let step = 0; step < 15; step++) {
    await vscode.page.keyboard.press('ArrowDown');
    const focused = await menu.locator('.action-item.focused .action-label').innerText({ timeout: 1000 }).catch(() => '');
    if (focused.trim() === action) {
      await vscode.page.keyboard.press('Enter');
      await menu.waitFor({ state: 'hidden', timeout: 5_000 });
      return;
    }
  }
  throw new Error(`the context menu of ${label} has no "${action}"`);
}

async function answerCredentials(app: typeof ALPHA): Promise<void> {
  await vscode.answerInput(app.appKey);
  await vscode.answerInput(app.appSecret);
  await vscode.answerInput(app.label);
}

test('with no app, the inspect view shows its empty state, whose button starts Set App Credentials', async () => {
  await vscode.runCommand('DingTalk: Inspect Access Token');
  const frame = await vscode.waitForWebview(/No DingTalk app is set up yet/, 30_000);
  assert.equal(await frame.locator('#details').isVisible(), false, 'no token details without an app');
  await frame.locator('#setUp').click();
  await vscode.waitForInputMessage(/AppKey/);
  await vscode.page.keyboard.press('Escape');
  await vscode.runCommand('View: Close All Editors');
});

test('with no app, the DingTalk view welcomes the person with a Set App Credentials button that sets one up', async () => {
  await vscode.page.locator('.activitybar .action-label[aria-label^="DingTalk"]').click();
  const welcome = appsPane().locator('.welcome-view-content');
  await welcome.waitFor({ state: 'visible', timeout: 15_000 });
  assert.match(await welcome.innerText(), /No DingTalk app yet/);
  await welcome.locator('.monaco-button', { hasText: 'Set App Credentials' }).click();
  await answerCredentials(ALPHA);
  await waitForRow('Alpha', /^Alpha \| 1:59:\d\d · active · dingviewalpha01$/, 30_000);
  assert.equal(await welcome.isVisible(), false, 'the welcome view is gone once an app exists');
});

test('the tree lists every app with its countdown; the active one is marked', async () => {
  await vscode.runCommand('DingTalk: Set App Credentials');
  await answerCredentials(BETA);
  await vscode.waitForNotification(/Beta is set up.*It is now the active app: the status bar and agents use it instead of Alpha/, 30_000);
  await waitForRow('Beta', /^Beta \| 1:59:\d\d · active · dingviewbeta002$/, 30_000);
  await waitForRow('Alpha', /^Alpha \| 1:5\d:\d\d · dingviewalpha01$/);
  const first = await waitForRow('Beta', /1:59/);
  await vscode.page.waitForTimeout(2100);
  assert.notEqual(await waitForRow('Beta', /1:59/), first, 'the countdown moves');
});

test('Make Active from the context menu moves the status bar to that app', async () => {
  await contextMenu('Alpha', 'Make Active');
  await waitForRow('Alpha', /^Alpha \| 1:5\d:\d\d · active · /);
  await waitForRow('Beta', /^Beta \| 1:5\d:\d\d · dingviewbeta002$/);
  await vscode.waitForStatusBar(/^Alpha 1:5\d:\d\d/);
});

test('the inline Refresh refreshes that app only, with one request to DingTalk', async () => {
  await vscode.clearNotifications();
  const alpha = emulator.stats(ALPHA.appKey).tokenRequests;
  const beta = emulator.stats(BETA.appKey).tokenRequests;
  await inlineAction('Beta', 'Refresh Access Token');
  await vscode.waitForNotification(/Refreshed\. The token of Beta/, 30_000);
  assert.equal(emulator.stats(BETA.appKey).tokenRequests, beta + 1);
  assert.equal(emulator.stats(ALPHA.appKey).tokenRequests, alpha);
});

test('Rename App changes the label without asking for the secret again or fetching a token', async () => {
  const before = emulator.stats(ALPHA.appKey).tokenRequests;
  await contextMenu('Alpha', 'Rename App');
  await vscode.waitForInputMessage(/A new label for dingviewalpha01/);
  assert.equal((await vscode.quickInputInfo()).value, 'Alpha', 'the box starts from the current label');
  await vscode.answerInput('Alpha Prod');
  await waitForRow('Alpha Prod', /^Alpha Prod \| 1:5\d:\d\d · active · dingviewalpha01$/);
  await vscode.waitForStatusBar(/^Alpha Prod 1:5\d:\d\d/);
  assert.equal(emulator.stats(ALPHA.appKey).tokenRequests, before);
});

test('the inline Remove asks first, then takes only that row away; an inspect view showing it moves on', async () => {
  await inlineAction('Beta', 'Inspect Access Token');
  const frame = await vscode.waitForWebview(/Beta · dingviewbeta002/, 30_000);
  await inlineAction('Beta', 'Remove App');
  const dialog = vscode.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await dialog.innerText(), /Remove Beta\?/);
  await dialog.locator('.monaco-button', { hasText: /^Remove$/ }).click();
  await appRow('Beta').waitFor({ state: 'detached', timeout: 10_000 });
  await waitForRow('Alpha Prod', /active/);
  await frame.locator('#app', { hasText: 'Alpha Prod · dingviewalpha01' }).waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await frame.locator('body').innerText(), /Beta/, 'no stale header or switcher entry for the removed app');
});

const agentsPane = () => vscode.page.locator('.pane', { has: vscode.page.locator('.pane-header[aria-label^="Agents (MCP)"]') });

/** Waits until the Agents row with this label shows a description matching the pattern; returns it. */
async function waitForAgentsRow(label: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const row = agentsPane().locator('.monaco-list-row', { has: vscode.page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await row.locator('.label-description').innerText({ timeout: 1000 }).catch(() => '')).trim();
    if (pattern.test(text)) return text;
    await vscode.page.waitForTimeout(250);
  }
  throw new Error(`the Agents row "${label}" never matched ${pattern}; it shows "${text}"`);
}

test('the Agents view shows the MCP server and the policy in force, and follows a broken and a fixed policy file', async () => {
  await vscode.clearNotifications();
  await waitForAgentsRow('MCP server', /^starts when an agent asks$/);
  await waitForAgentsRow('Policy', /^read when the server starts$/);
  await vscode.runCommand('MCP: List Servers');
  await vscode.pickQuickItem(/DingTalk Access Token/);
  await vscode.pickQuickItem(/Start Server/);
  await waitForAgentsRow('MCP server', /^running$/, 30_000);
  await waitForAgentsRow('Policy', /^no file: built-in defaults$/);

  const policyFile = path.join(vscode.workspaceDir, '.vscode', 'dingtalk-mcp-policy.json');
  fs.mkdirSync(path.dirname(policyFile), { recursive: true });
  fs.writeFileSync(policyFile, '{\n  "version": "1",\n  "default": "maybe"\n}\n');
  await waitForAgentsRow('Policy', /^unusable: every call denied$/, 20_000);
  await vscode.waitForNotification(/every DingTalk tool call by agents is denied/);
  // The Problems panel shows the error at its line.
  await vscode.page.keyboard.press('Control+Shift+M');
  const problem = vscode.page.locator('.markers-panel .monaco-list-row', { hasText: /default/ }).first();
  await problem.waitFor({ state: 'visible', timeout: 15_000 });
  assert.match(await problem.innerText(), /\[Ln 3, Col \d+\]/);

  fs.writeFileSync(policyFile, JSON.stringify({ version: '1', default: 'allow', tools: { token_status: { action: 'deny', reason: 'not today' } } }));
  await waitForAgentsRow('Policy', /^dingtalk-mcp-policy\.json in force$/, 20_000);
});
