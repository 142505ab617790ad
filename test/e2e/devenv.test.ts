import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DingTalkEmulator } from '../emulator/emulator';
import { closeSession, DingTalkView, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';
import { waitUntil } from './harness/wait';

// The token where the developer's own code runs, and secrets out of their files: a task given the token
// through ${command:dingtalkToken.accessToken}, terminals given it by the setting, and a .env whose AppSecret
// moves into SecretStorage with the quick fix. One session; the steps build on each other.
const APP = { appKey: 'dinge2edevenv0001', appSecret: 'e2e-devenv-secret-7c1d9a4f0b2e', label: 'Sandbox' };
const ENV_APP = { appKey: 'dinge2eenvfile0002', appSecret: 'e2e-envfile-secret-3a9f1c7d5e' };
const ROBOT_TOKEN = 'b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3';
const TASKS = {
  version: '2.0.0',
  tasks: [
    {
      label: 'token for my service',
      type: 'shell',
      command: 'printenv TASK_TOKEN > task-token.txt',
      options: { env: { TASK_TOKEN: '${command:dingtalkToken.accessToken}' } },
      problemMatcher: [],
    },
  ],
};

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;
const seenTokens = new Set<string>();

const workspaceFile = (name: string) => path.join(vscode.workspaceDir, name);

function currentToken(appKey: string): string {
  const token = emulator.currentToken(appKey);
  assert.ok(token, `the emulator issued a token for ${appKey}`);
  seenTokens.add(token);
  return token;
}

/** Opens a new integrated terminal and runs `command` there, waiting for the file it writes last. */
let terminals = 0;
async function inNewTerminal(command: string): Promise<string> {
  const done = `terminal-${++terminals}.done`;
  await vscode.page.keyboard.press('Control+Shift+Backquote');
  const terminal = vscode.page.locator('.terminal-wrapper.active .xterm');
  await terminal.waitFor({ state: 'visible', timeout: 30_000 });
  await terminal.click();
  await vscode.page.keyboard.type(`${command}; echo ok > ${done}\n`);
  await waitUntil(`the terminal to write ${done}`, 30_000, async () => fs.existsSync(workspaceFile(done)));
  return done;
}

async function problemsText(pattern: RegExp): Promise<string> {
  return waitUntil(`the Problems panel to show ${pattern}`, 30_000, async () => {
    const text = await vscode.page
      .locator('.markers-panel')
      .innerText()
      .catch(() => '');
    return pattern.test(text) ? text : undefined;
  });
}

async function openFile(name: string): Promise<void> {
  await vscode.page.keyboard.press('Control+P');
  await vscode.quickInput.waitForOpen();
  await vscode.quickInput.box().fill(name);
  await vscode.quickInput.focusItem(`${name} in Quick Open`, (label) => label.trim() === name, 10_000);
  await vscode.page.keyboard.press('Enter');
  await vscode.page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
}

/** Sets up APP through Set App Credentials, as a person would, and waits for its token in the status bar. */
async function setUpApp(): Promise<void> {
  await vscode.statusBar.waitFor(/DingTalk: Set up/, 90_000);
  await vscode.palette.run('DingTalk: Set App Credentials');
  await vscode.quickInput.answer(APP.appKey);
  await vscode.quickInput.answer(APP.appSecret);
  await vscode.quickInput.answer(APP.label);
  await vscode.statusBar.waitFor(/^Sandbox \d:\d\d:\d\d/, 30_000);
}

describe('with dingtalkToken.terminal.environment off (the default)', () => {
  before(
    async () => {
      ({ emulator, vscode } = await startSession({
        apps: [APP, ENV_APP],
        workspaceFiles: {
          '.vscode/tasks.json': JSON.stringify(TASKS, null, 2),
          '.env': `PORT=3000\nDINGTALK_APP_KEY=${ENV_APP.appKey}\nDINGTALK_APP_SECRET=${ENV_APP.appSecret}\n`,
          'notify.py': `WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=${ROBOT_TOKEN}"\n`,
        },
      }));
    },
    { timeout: SESSION_START_TIMEOUT },
  );

  after(() => closeSession(vscode, emulator));

  test('set up an app, as a person would', setUpApp);

  test('a task using ${command:dingtalkToken.accessToken} receives the token once the person allows it', async () => {
    await vscode.palette.run('Tasks: Run Task');
    await vscode.quickInput.pick(/token for my service/);
    const dialog = vscode.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog.innerText();
    assert.match(text, new RegExp(`Give the DingTalk access token of Sandbox \\(${APP.appKey}\\) to the workspace`));
    await dialog.locator('.monaco-button', { hasText: /^Allow$/ }).click();
    const received = await waitUntil('the task to write the token', 30_000, async () => {
      const file = workspaceFile('task-token.txt');
      return fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() ? fs.readFileSync(file, 'utf8').trim() : undefined;
    });
    assert.equal(received, currentToken(APP.appKey));
  });

  test('with dingtalkToken.terminal.environment off a new terminal has no DINGTALK_ACCESS_TOKEN', async () => {
    await inNewTerminal('printenv DINGTALK_ACCESS_TOKEN > term-off.txt');
    assert.equal(fs.readFileSync(workspaceFile('term-off.txt'), 'utf8'), '');
  });

  test('a .env with DINGTALK_APP_KEY and DINGTALK_APP_SECRET is flagged; the quick fix empties the secret, adds the app and fetches its token', async () => {
    await openFile('.env');
    await vscode.palette.run('View: Toggle Problems');
    await problemsText(/DingTalk AppSecret is written in this file/);
    await vscode.page.locator('.view-lines .view-line', { hasText: 'DINGTALK_APP_SECRET' }).click();
    await vscode.page.keyboard.press('End');
    await vscode.page.keyboard.press('ArrowLeft');
    await vscode.page.keyboard.press('Control+.');
    const fix = vscode.page.locator('.action-widget .monaco-list-row', { hasText: 'Move AppSecret to DingTalk SecretStorage' });
    await fix.waitFor({ state: 'visible', timeout: 15_000 });
    await fix.click();
    await vscode.notifications.waitFor(/The AppSecret of dinge2eenvfile0002 is in DingTalk SecretStorage/, 30_000);
    const onDisk = fs.readFileSync(workspaceFile('.env'), 'utf8');
    assert.equal(onDisk, `PORT=3000\nDINGTALK_APP_KEY=${ENV_APP.appKey}\nDINGTALK_APP_SECRET=\n`);
    assert.equal(emulator.stats(ENV_APP.appKey).tokenIssued, 1, 'the check fetched the app’s token');
    currentToken(ENV_APP.appKey);
    // The moved app joins the list with its token; the status bar and agents keep following the active app.
    const view = new DingTalkView(vscode.page);
    await view.open();
    await view.waitForAppRow(ENV_APP.appKey, new RegExp(`^${ENV_APP.appKey} \\| 1 h \\d+ min · ${ENV_APP.appKey}$`), 30_000);
    await vscode.statusBar.waitFor(/^Sandbox \d:\d\d:\d\d/, 10_000);
  });

  test('a robot webhook line is flagged', async () => {
    await openFile('notify.py');
    await problemsText(/DingTalk robot webhook with its access_token/);
  });

  test('no token or secret in settings, logs or VS Code storage after these flows', async () => {
    const needles = [APP.appSecret, ENV_APP.appSecret, ...seenTokens];
    assert.ok(seenTokens.size >= 2, 'the first token and the moved app’s (and the refreshed one when that step ran)');
    const files = listFiles(vscode.userDataDir);
    // Everything code-server keeps on disk: settings, logs, the extension host's storage (the workbench's own state
    // lives in the browser's IndexedDB, which this check does not reach).
    assert.ok(files.some((file) => file.endsWith('settings.json')) && files.some((file) => /DingTalk Access Token\.log$/.test(file)));
    for (const file of files) {
      const content = fs.readFileSync(file).toString('latin1');
      for (const needle of needles) assert.ok(!content.includes(needle), `${path.relative(vscode.userDataDir, file)} holds a secret or token`);
    }
  });
});

// A session of its own, started with the setting on in User/settings.json: a setting changed while code-server
// runs (the file rewritten, or the Settings editor's checkbox) did not reach the extension host in these runs.
describe('with dingtalkToken.terminal.environment on', () => {
  before(
    async () => {
      ({ emulator, vscode } = await startSession({ apps: [APP], settings: { 'dingtalkToken.terminal.environment': true } }));
    },
    { timeout: SESSION_START_TIMEOUT },
  );

  after(() => closeSession(vscode, emulator));

  test('set up an app, as a person would', setUpApp);

  test('a new terminal has the token, DINGTALK_APP_KEY and the expiry; after Refresh, a new terminal has the new token', async () => {
    const read = async (file: string) => {
      await inNewTerminal(`printenv DINGTALK_ACCESS_TOKEN DINGTALK_APP_KEY DINGTALK_ACCESS_TOKEN_EXPIRES_AT > ${file}`);
      return fs.readFileSync(workspaceFile(file), 'utf8').trim().split('\n');
    };
    // The variables reach terminals opened after the extension host handed them to the workbench: new terminals until one has them.
    let attempt = 0;
    const on = await waitUntil('a new terminal with the token', 60_000, async () => {
      const lines = await read(`term-on-${++attempt}.txt`);
      return lines.length === 3 ? lines : undefined;
    });
    const first = currentToken(APP.appKey);
    assert.equal(on[0], first);
    assert.equal(on[1], APP.appKey);
    assert.match(on[2] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const expiresAt = Date.parse(on[2]!);
    assert.ok(Math.abs(expiresAt - (Date.now() + emulator.secondsLeft(APP.appKey)! * 1000)) < 60_000, 'the expiry is the token’s');

    // DingTalk hands out the same token within its validity; a revoked one makes the refresh bring a new one.
    emulator.revokeTokens(APP.appKey);
    await vscode.notifications.clear();
    await vscode.palette.run('DingTalk: Refresh Access Token');
    await vscode.notifications.waitFor(/Refreshed/, 30_000);
    const refreshed = currentToken(APP.appKey);
    assert.notEqual(refreshed, first);
    const after = await waitUntil('a new terminal with the refreshed token', 60_000, async () => {
      const lines = await read(`term-refreshed-${++attempt}.txt`);
      return lines[0] === refreshed ? lines : undefined;
    });
    assert.equal(after[1], APP.appKey);
  });
});

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : entry.isFile() ? [full] : [];
  });
}
