import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DingTalkEmulator } from '../emulator/emulator';
import { assertCountdownNear, closeSession, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';
import { waitUntil } from './harness/wait';

// One code-server session for the whole file: start-up costs 15–30 s, and the steps build on each other
// the way a person's first session does (set up, watch, refresh, inspect, add a second app, switch).
const ROOT = path.join(__dirname, '..', '..', '..');
const FIRST = { appKey: 'dinge2efirst0001', appSecret: 'e2e-first-secret-4f1c9a', label: 'Sandbox' };
const SECOND = { appKey: 'dinge2esecond0002', appSecret: 'e2e-second-secret-8b2d7e', label: 'Sandbox Two' };
const WRONG_SECRET = 'e2e-wrong-secret-000000';
const STATUS = /Sandbox|DingTalk/;

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;

before(
  async () => {
    ({ emulator, vscode } = await startSession({ apps: [FIRST, SECOND] }));
  },
  { timeout: SESSION_START_TIMEOUT },
);

after(() => closeSession(vscode, emulator));

async function setCredentials(appKey: string, appSecret: string, label: string): Promise<void> {
  await vscode.palette.run('DingTalk: Set App Credentials');
  await vscode.quickInput.answer(appKey);
  await vscode.quickInput.answer(appSecret);
  if (label) await vscode.quickInput.answer(label);
  else await vscode.quickInput.pressEnter();
}

async function dingTalkStatus(): Promise<string> {
  return (await vscode.statusBar.texts(STATUS)).join(' | ');
}

test('with no app, the status bar invites the person to set one up', async () => {
  await vscode.statusBar.waitFor(/DingTalk: Set up/, 90_000);
});

test("a wrong secret is refused in its own box with DingTalk's reason, keeping the appKey; nothing is stored", async () => {
  await vscode.palette.run('DingTalk: Set App Credentials');
  await vscode.quickInput.answer(FIRST.appKey);
  await vscode.quickInput.submit(WRONG_SECRET);
  const message = await vscode.quickInput.waitForMessage(/invalidClientIdOrSecret/, 30_000);
  assert.match(message, /Enter the AppSecret of dinge2efirst0001 again/);
  const box = await vscode.quickInput.info();
  assert.equal(box.value, '', 'the refused secret is cleared');
  assert.match(box.title, /Set App Credentials/);
  assert.match(await dingTalkStatus(), /DingTalk: Set up/);
  assert.equal(emulator.stats(FIRST.appKey).tokenIssued, 0);
});

test('the right secret in the same box goes on to the label, and the countdown shows the time the new token has left', async () => {
  const before = emulator.stats(FIRST.appKey).tokenRequests;
  await vscode.quickInput.answer(FIRST.appSecret);
  assert.match((await vscode.quickInput.info()).message, /label/i, 'the label is asked only once the secret was accepted');
  await vscode.quickInput.answer(FIRST.label);
  const first = await vscode.statusBar.waitFor(/^Sandbox \d:\d\d:\d\d/, 30_000);
  assertCountdownNear(first, emulator.secondsLeft(FIRST.appKey));
  const later = await vscode.statusBar.waitFor(/^Sandbox \d:\d\d:\d\d/);
  assertCountdownNear(later, emulator.secondsLeft(FIRST.appKey));
  await waitUntil('the countdown to move', 5_000, async () => !(await vscode.statusBar.texts(/^Sandbox \d/)).includes(first));
  assert.equal(emulator.stats(FIRST.appKey).tokenRequests, before + 1, 'checking the credentials fetched the first token, and nothing else did');
});

test('Refresh Access Token makes exactly one upstream call', async () => {
  await vscode.notifications.clear();
  const before = emulator.stats(FIRST.appKey).tokenRequests;
  await vscode.palette.run('DingTalk: Refresh Access Token');
  await vscode.notifications.waitFor(/Refreshed/, 30_000);
  assert.equal(emulator.stats(FIRST.appKey).tokenRequests, before + 1);
  // DingTalk answers a request inside the validity with the same token, its validity renewed.
  assertCountdownNear(await vscode.statusBar.waitFor(/^Sandbox \d:\d\d:\d\d/), emulator.secondsLeft(FIRST.appKey));
});

test('a refresh DingTalk fails says the current token is still valid and when the next try is, with Show Log and no Retry to be refused', async () => {
  await vscode.notifications.clear();
  emulator.setFault({ kind: 'server500' });
  try {
    await vscode.palette.run('DingTalk: Refresh Access Token');
    const message = await vscode.notifications.waitFor(/Refreshing the token of Sandbox failed/, 30_000);
    assert.match(message, /The current token is valid for (2 h|1 h 5\d min)\./);
    assert.match(message, /Next automatic try at \d{1,2}:\d\d/);
    // A Retry inside the backoff that follows a failure would only be refused.
    assert.deepEqual(await vscode.notifications.buttons(/Refreshing the token of Sandbox failed/), ['Show Log']);
    await vscode.statusBar.waitFor(/Sandbox \d:\d\d:\d\d/);
  } finally {
    emulator.setFault(null);
  }
});

test('Inspect shows the app, the masked token and its expiry', async () => {
  await vscode.notifications.clear();
  await vscode.palette.run('DingTalk: Inspect Access Token');
  const frame = await vscode.webviews.waitFor(new RegExp(FIRST.appKey), 30_000);
  // The page fills in its timeline and countdown once the extension has posted the token's state.
  const text = await waitUntil('the inspect view to show the timeline and countdown', 10_000, async () => {
    const body = await frame.locator('body').innerText();
    return /obtained[\s\S]*refresh[\s\S]*expires/.test(body) && /\d:\d\d:\d\d/.test(body) ? body : undefined;
  });
  assert.match(text, new RegExp(`Sandbox · ${FIRST.appKey}`));
  assert.match(text, /obtained[\s\S]*refresh[\s\S]*expires/, "the timeline shows the token's life");
  assertCountdownNear(text, emulator.secondsLeft(FIRST.appKey));
  assert.match(text, /valid/);
  assert.match(text, /[0-9a-f]{4}•{8}[0-9a-f]{4}/, 'the token is masked until revealed');
});

test('Reveal shows the whole token only when clicked', async () => {
  const frame = await vscode.webviews.waitFor(new RegExp(FIRST.appKey));
  const token = emulator.currentToken(FIRST.appKey)!;
  assert.ok(!(await frame.locator('body').innerText()).includes(token), 'masked before the click');
  await frame.locator('#reveal').click();
  await frame.locator('#token', { hasText: /^[0-9a-f]{32}$/ }).waitFor({ timeout: 10_000 });
  assert.ok((await frame.locator('#token').innerText()) === token, 'the revealed token is the current one');
  await frame.locator('#reveal').click();
  assert.match(await frame.locator('#token').innerText(), /•{8}/, 'hidden again');
});

test('a second app leaves the status bar on the first; Make Active moves it, and Switch App brings the first back', async () => {
  await vscode.notifications.clear();
  await setCredentials(SECOND.appKey, SECOND.appSecret, SECOND.label);
  await vscode.notifications.waitFor(/Sandbox Two is set up.*The status bar and agents keep using Sandbox\./, 30_000);
  assertCountdownNear(await vscode.statusBar.waitFor(/^Sandbox \d:\d\d:\d\d/), emulator.secondsLeft(FIRST.appKey));
  await vscode.notifications.clickButton(/Sandbox Two is set up/, 'Make Active');
  assertCountdownNear(await vscode.statusBar.waitFor(/^Sandbox Two \d:\d\d:\d\d/, 30_000), emulator.secondsLeft(SECOND.appKey));
  await vscode.palette.runAndPick('DingTalk: Switch App', /^Sandbox$/, (timeoutMs) => vscode.statusBar.waitFor(/^Sandbox \d:\d\d:\d\d/, timeoutMs));
  assert.doesNotMatch(await dingTalkStatus(), /Sandbox Two/);
});

test('Remove App asks first, then deletes the app; the active app stays', async () => {
  const dialog = vscode.page.locator('.monaco-dialog-box');
  await vscode.palette.runAndPick('DingTalk: Remove App', /^Sandbox Two$/, (timeout) => dialog.waitFor({ state: 'visible', timeout }));
  assert.match(await dialog.innerText(), /Remove Sandbox Two\?/);
  await dialog.locator('.monaco-button', { hasText: /^Remove$/ }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  await vscode.palette.run('DingTalk: Switch App');
  const items = (await vscode.quickInput.waitForItems()).map((item) => item.label);
  await vscode.page.keyboard.press('Escape');
  assert.ok(!items.some((label) => /Sandbox Two/.test(label)), `still listed: ${items.join(', ')}`);
  assert.ok(
    items.some((label) => /^Sandbox$/.test(label.trim())),
    `the first app is gone: ${items.join(', ')}`,
  );
  await vscode.statusBar.waitFor(/^Sandbox \d:\d\d:\d\d/);
});

test('a second window reuses the valid token instead of fetching its own', async () => {
  const before = emulator.stats(FIRST.appKey).tokenRequests;
  // Same browser profile as the first window, like a person opening a new VS Code window.
  const second = await vscode.page.context().newPage();
  try {
    await second.goto(vscode.url);
    const item = second.locator('.statusbar-item', { hasText: /Sandbox \d:\d\d:\d\d/ }).first();
    await item.waitFor({ state: 'visible', timeout: 90_000 });
    assertCountdownNear(await item.innerText(), emulator.secondsLeft(FIRST.appKey));
  } finally {
    await second.close();
  }
  assert.equal(emulator.stats(FIRST.appKey).tokenRequests, before, 'the second window asked DingTalk for nothing');
});

test('VS Code lists the MCP server and starts it with 7 tools', async () => {
  await vscode.palette.mcpServerAction(/Start Server/);
  await vscode.palette.mcpServerAction(/Show Output/);
  // The output channel fills in as the server starts and VS Code lists its tools.
  const output = await waitUntil('the MCP output to list the tools', 30_000, async () => {
    const text = await vscode.editors.outputText().catch(() => '');
    return /Discovered \d+ tools/.test(text) ? text : undefined;
  });
  assert.match(output, /Discovered 7 tools/);
});

test('the walkthrough opens on its first step, with its guide beside it', async () => {
  await vscode.palette.run('Welcome: Open Walkthrough...');
  await vscode.quickInput.pick(/Get started with DingTalk Access Token/);
  const guide = await vscode.webviews.waitFor(/answer three steps/, 30_000);
  assert.match(await guide.locator('body').innerText(), /SecretStorage/);
});

test('no appSecret or token appears in a settings file or a log under the user-data dir', async () => {
  const tokens = [FIRST.appKey, SECOND.appKey].map((appKey) => emulator.currentToken(appKey)).filter((t): t is string => Boolean(t));
  assert.equal(tokens.length, 2);
  const needles = [FIRST.appSecret, SECOND.appSecret, WRONG_SECRET, ...tokens];
  const files = listFiles(vscode.userDataDir).filter((file) => /settings\.json$|[\\/]logs[\\/]/.test(file));
  assert.ok(
    files.some((file) => file.endsWith('settings.json')) && files.some((file) => /DingTalk Access Token\.log$/.test(file)),
    'the settings and our log were inspected',
  );
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
  const log = files
    .filter((file) => /DingTalk Access Token\.log$/.test(file))
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('\n');
  const match = log.match(/Activated in (\d+) ms/);
  assert.ok(match, 'the extension logged its activation time');
  fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'test-results', 'activation.json'), JSON.stringify({ activationMs: Number(match[1]) }));
}
