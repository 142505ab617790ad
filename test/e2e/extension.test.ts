import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DingTalkEmulator } from '../emulator/emulator';
import { startVSCode, type VSCodeSession } from './harness';

// One code-server session for the whole file: start-up costs 15–30 s, and the steps build on each other
// the way a person's first session does (set up, watch, refresh, inspect, add a second app, switch).
const ROOT = path.join(__dirname, '..', '..', '..');
const VSIX = process.env.DINGTALK_VSIX ?? path.join(ROOT, 'dingtalk-token.vsix');
const FIRST = { appKey: 'dinge2efirst0001', appSecret: 'e2e-first-secret-4f1c9a', label: 'Sandbox' };
const SECOND = { appKey: 'dinge2esecond0002', appSecret: 'e2e-second-secret-8b2d7e', label: 'Sandbox Two' };
const WRONG_SECRET = 'e2e-wrong-secret-000000';
const STATUS = /Sandbox|DingTalk/;

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;

before(async () => {
  emulator = await DingTalkEmulator.start({ apps: [FIRST, SECOND] });
  vscode = await startVSCode({
    vsixPath: VSIX,
    settings: {
      'dingtalkToken.apiBaseUrl': emulator.apiBaseUrl,
      'dingtalkToken.legacyApiBaseUrl': emulator.legacyApiBaseUrl,
    },
    timeoutMs: 180_000,
  });
}, { timeout: 240_000 });

after(async () => {
  await vscode?.close();
  await emulator?.close();
});

async function setCredentials(appKey: string, appSecret: string, label: string): Promise<void> {
  await vscode.runCommand('DingTalk: Set App Credentials');
  await vscode.answerInput(appKey);
  await vscode.answerInput(appSecret);
  if (label) await vscode.answerInput(label);
  else await vscode.pressEnterInInput();
}

async function dingTalkStatus(): Promise<string> {
  return (await vscode.statusBarText(STATUS)).join(' | ');
}

test('with no app, the status bar invites the person to set one up', async () => {
  await vscode.waitForStatusBar(/DingTalk: Set up/, 90_000);
});

test('a wrong secret is refused in its own box with DingTalk\'s reason, keeping the appKey; nothing is stored', async () => {
  await vscode.runCommand('DingTalk: Set App Credentials');
  await vscode.answerInput(FIRST.appKey);
  await vscode.submitInput(WRONG_SECRET);
  const message = await vscode.waitForInputMessage(/invalidClientIdOrSecret/, 30_000);
  assert.match(message, /Enter the AppSecret again/);
  const box = await vscode.quickInputInfo();
  assert.equal(box.value, '', 'the refused secret is cleared');
  assert.match(box.title, /Set App Credentials/);
  assert.match(await dingTalkStatus(), /DingTalk: Set up/);
  assert.equal(emulator.stats(FIRST.appKey).tokenIssued, 0);
});

test('the right secret in the same box goes on to the label, and the countdown starts from 1:59:5x', async () => {
  const before = emulator.stats(FIRST.appKey).tokenRequests;
  await vscode.answerInput(FIRST.appSecret);
  assert.match((await vscode.quickInputInfo()).message, /label/i, 'the label is asked only once the secret was accepted');
  await vscode.answerInput(FIRST.label);
  const first = await vscode.waitForStatusBar(/Sandbox 1:59:5\d/, 30_000);
  await delay(2200);
  const later = await vscode.waitForStatusBar(/Sandbox 1:59:\d\d/);
  assert.notEqual(later, first, 'the countdown moves every second');
  assert.equal(emulator.stats(FIRST.appKey).tokenRequests, before + 1, 'checking the credentials fetched the first token, and nothing else did');
});

test('Refresh Access Token makes exactly one upstream call', async () => {
  await vscode.clearNotifications();
  const before = emulator.stats(FIRST.appKey).tokenRequests;
  await vscode.runCommand('DingTalk: Refresh Access Token');
  await vscode.waitForNotification(/Refreshed/, 30_000);
  await delay(500);
  assert.equal(emulator.stats(FIRST.appKey).tokenRequests, before + 1);
  await vscode.waitForStatusBar(/Sandbox 1:59:5\d/);
});

test('a refresh DingTalk fails says the current token is still valid and when the next try is, with Retry and Show Log', async () => {
  await vscode.clearNotifications();
  emulator.setFault({ kind: 'server500' });
  try {
    await vscode.runCommand('DingTalk: Refresh Access Token');
    const message = await vscode.waitForNotification(/Refreshing the token of Sandbox failed/, 30_000);
    assert.match(message, /The current token is valid for (2 h|1 h 5\d min)\./);
    assert.match(message, /Next automatic try at \d{1,2}:\d\d/);
    await vscode.waitForStatusBar(/Sandbox 1:5\d:\d\d/);
  } finally {
    emulator.setFault(null);
  }
  await vscode.clickNotificationButton(/Refreshing the token of Sandbox failed/, 'Retry');
  // DingTalk answers again: the retry either refreshes or says when it may (the backoff after a failure).
  const answer = await vscode.waitForNotification(/Refreshed\.|Not refreshed/, 30_000);
  if (answer.startsWith('Not refreshed')) assert.match(answer, /A new token can be fetched in \d+ s\. The token of Sandbox is valid until .* \((2 h|1 h 5\d min) left\)/);
  else await vscode.waitForStatusBar(/Sandbox 1:59:5\d/);
});

test('Inspect shows the app, the masked token and its expiry', async () => {
  await vscode.clearNotifications();
  await vscode.runCommand('DingTalk: Inspect Access Token');
  const frame = await vscode.waitForWebview(new RegExp(FIRST.appKey), 30_000);
  await delay(500);
  const text = await frame.locator('body').innerText();
  assert.match(text, new RegExp(`Sandbox · ${FIRST.appKey}`));
  assert.match(text, /obtained[\s\S]*refresh[\s\S]*expires/, 'the timeline shows the token\'s life');
  assert.match(text, /1:59:\d\d/);
  assert.match(text, /valid/);
  assert.match(text, /[0-9a-f]{4}•{8}[0-9a-f]{4}/, 'the token is masked until revealed');
});

test('Reveal shows the whole token only when clicked', async () => {
  const frame = await vscode.waitForWebview(new RegExp(FIRST.appKey));
  const token = emulator.currentToken(FIRST.appKey)!;
  assert.ok(!(await frame.locator('body').innerText()).includes(token), 'masked before the click');
  await frame.locator('#reveal').click();
  await frame.locator('#token', { hasText: /^[0-9a-f]{32}$/ }).waitFor({ timeout: 10_000 });
  assert.ok((await frame.locator('#token').innerText()) === token, 'the revealed token is the current one');
  await frame.locator('#reveal').click();
  assert.match(await frame.locator('#token').innerText(), /•{8}/, 'hidden again');
});

test('a second app takes over the status bar, and Switch App brings the first back', async () => {
  await setCredentials(SECOND.appKey, SECOND.appSecret, SECOND.label);
  await vscode.waitForStatusBar(/Sandbox Two 1:59:5\d/, 30_000);
  await vscode.runCommand('DingTalk: Switch App');
  await vscode.pickQuickItem(/^Sandbox$/);
  await vscode.waitForStatusBar(/^Sandbox 1:5\d:\d\d/, 15_000);
  assert.doesNotMatch(await dingTalkStatus(), /Sandbox Two/);
});

test('Remove App asks first, then deletes the app; the active app stays', async () => {
  await vscode.runCommand('DingTalk: Remove App');
  await vscode.pickQuickItem(/^Sandbox Two$/);
  const dialog = vscode.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await dialog.innerText(), /Remove Sandbox Two\?/);
  await dialog.locator('.monaco-button', { hasText: /^Remove$/ }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  await vscode.runCommand('DingTalk: Switch App');
  const items = (await vscode.waitForQuickPickItems()).map((item) => item.label);
  await vscode.page.keyboard.press('Escape');
  assert.ok(!items.some((label) => /Sandbox Two/.test(label)), `still listed: ${items.join(', ')}`);
  assert.ok(items.some((label) => /^Sandbox$/.test(label.trim())), `the first app is gone: ${items.join(', ')}`);
  await vscode.waitForStatusBar(/^Sandbox 1:5\d:\d\d/);
});

test('a second window reuses the valid token instead of fetching its own', async () => {
  const before = emulator.stats(FIRST.appKey).tokenRequests;
  // Same browser profile as the first window, like a person opening a new VS Code window.
  const second = await vscode.page.context().newPage();
  try {
    await second.goto(vscode.url);
    const item = second.locator('.statusbar-item', { hasText: /Sandbox \d:\d\d:\d\d/ }).first();
    await item.waitFor({ state: 'visible', timeout: 90_000 });
    assert.match(await item.innerText(), /Sandbox 1:5\d:\d\d/);
  } finally {
    await second.close();
  }
  assert.equal(emulator.stats(FIRST.appKey).tokenRequests, before, 'the second window asked DingTalk for nothing');
});

test('VS Code lists the MCP server and starts it with 5 tools', async () => {
  await vscode.runCommand('MCP: List Servers');
  await vscode.pickQuickItem(/DingTalk Access Token/);
  await vscode.pickQuickItem(/Start Server/);
  await delay(3000);
  await vscode.runCommand('MCP: List Servers');
  await vscode.pickQuickItem(/DingTalk Access Token/);
  await vscode.pickQuickItem(/Show Output/);
  const deadline = Date.now() + 30_000;
  let output = '';
  while (Date.now() < deadline && !/Discovered 5 tools/.test(output)) {
    await delay(1000);
    output = await vscode.outputText().catch(() => '');
  }
  assert.match(output, /Discovered 5 tools/);
});

test('the walkthrough opens on its first step, with its guide beside it', async () => {
  await vscode.runCommand('Welcome: Open Walkthrough...');
  await vscode.pickQuickItem(/Get started with DingTalk Access Token/);
  const guide = await vscode.waitForWebview(/answer three steps/, 30_000);
  assert.match(await guide.locator('body').innerText(), /SecretStorage/);
});

test('no appSecret or token appears in a settings file or a log under the user-data dir', async () => {
  const tokens = [FIRST.appKey, SECOND.appKey].map((appKey) => emulator.currentToken(appKey)).filter((t): t is string => Boolean(t));
  assert.equal(tokens.length, 2);
  const needles = [FIRST.appSecret, SECOND.appSecret, WRONG_SECRET, ...tokens];
  const files = listFiles(vscode.userDataDir).filter((file) => /settings\.json$|[\\/]logs[\\/]/.test(file));
  assert.ok(files.some((file) => file.endsWith('settings.json')) && files.some((file) => /DingTalk Access Token\.log$/.test(file)), 'the settings and our log were inspected');
  for (const file of files) {
    const content = fs.readFileSync(file, 'utf8');
    for (const needle of needles) assert.ok(!content.includes(needle), `${path.relative(vscode.userDataDir, file)} contains a secret or token`);
  }
  recordActivationTime(files);
});

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/** The extension logs how long activate() took; the benchmarks report it. */
function recordActivationTime(files: string[]): void {
  const log = files.filter((file) => /DingTalk Access Token\.log$/.test(file)).map((file) => fs.readFileSync(file, 'utf8')).join('\n');
  const match = log.match(/Activated in (\d+) ms/);
  assert.ok(match, 'the extension logged its activation time');
  fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'test-results', 'activation.json'), JSON.stringify({ activationMs: Number(match[1]) }));
}
