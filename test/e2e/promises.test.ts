import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DingTalkEmulator } from '../emulator/emulator';
import { closeSession, DingTalkView, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';
import { Problems } from './harness/problems';
import { waitUntil } from './harness/wait';

// What a person meets before any agent started the MCP server: the policy checked as it is typed, the
// extension's own page, and a failed refresh whose message says when the next try is, and keeps its word.
const APP = { appKey: 'dinge2epromise01', appSecret: 'e2e-promise-secret-7d3a1f', label: 'Promise' };
const GOOD_POLICY = JSON.stringify({ version: '1', default: 'allow' }, undefined, 2);
/** "block" is no default the engine knows: the file would not take effect. It is on line 3. */
const TYPO_POLICY = '{\n  "version": "1",\n  "default": "block"\n}\n';
const STATUS = /Promise \d:\d\d:\d\d/;
/** The refresh margin at its largest, so a token DingTalk issues for a little longer is due for refresh soon. */
const REFRESH_MARGIN_SECONDS = 3600;

/** The editor takes typed text as it is: no indentation or closing quotes added, a plain text area to type into. */
const PLAIN_EDITOR = { 'editor.editContext': false, 'editor.autoIndent': 'none', 'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never' };

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;
let view: DingTalkView;
let problems: Problems;

before(
  async () => {
    ({ emulator, vscode } = await startSession({
      apps: [APP],
      workspaceFiles: { '.vscode/dingtalk-mcp-policy.json': GOOD_POLICY },
      settings: { 'dingtalkToken.refreshMarginSeconds': REFRESH_MARGIN_SECONDS, ...PLAIN_EDITOR },
    }));
    view = new DingTalkView(vscode.page);
    problems = new Problems(vscode.page);
    await vscode.statusBar.waitFor(/DingTalk: Set up/, 90_000);
  },
  { timeout: SESSION_START_TIMEOUT },
);

after(() => closeSession(vscode, emulator));

/** Replaces the whole text of the open editor, as typing over everything selected would; nothing is saved. */
async function replaceEditorText(text: string): Promise<void> {
  const editor = vscode.page.locator('.monaco-workbench .editor-instance .monaco-editor').first();
  await editor.locator('.view-lines').click();
  await vscode.page.keyboard.press('Control+A');
  await vscode.page.keyboard.press('Backspace');
  await vscode.page.keyboard.insertText(text);
}

/** Hovers the first piece of text in the editor that reads `text` and waits for a hover matching the pattern. */
async function hoverShows(text: string, pattern: RegExp): Promise<void> {
  const piece = vscode.page.locator('.monaco-workbench .editor-instance .view-lines span span', { hasText: text }).first();
  const hover = vscode.page.locator('.monaco-hover').filter({ visible: true }).first();
  await waitUntil(`a hover over ${text} matching ${pattern}`, 20_000, async () => {
    await vscode.page.mouse.move(0, 0);
    await piece.hover();
    await hover.waitFor({ state: 'visible', timeout: 3_000 });
    return pattern.test(await hover.innerText());
  });
  await vscode.page.mouse.move(0, 0);
}

test('a policy mistake is one Problem at its value before any server starts, and the view says the file would not take effect', async () => {
  await view.open();
  await view.waitForAgentsRow('MCP server', /^starts when an agent asks$/, 30_000);
  await vscode.palette.run('DingTalk: Open MCP Policy');
  await view.waitForAgentsRow('Policy', /^would take effect$/);
  await replaceEditorText(TYPO_POLICY);
  await view.waitForAgentsRow('Policy', /^would not take effect: 1 error\(s\) to fix$/);
  await problems.open();
  await problems.waitFor('the mistake in the Problems panel', (entries) => entries.some((entry) => /default must be "allow" or "deny"/.test(entry.text)));
  // VS Code's JSON language server has read this text with the policy's schema once it answers a hover from it;
  // whatever it flags is in the panel beside the engine's entry by then.
  await hoverShows('"block"', /only tools listed under tools may be called/);
  const listed = await problems.entries();
  assert.equal(listed.length, 1, `one entry for one mistake: ${JSON.stringify(listed.map((entry) => entry.text))}`);
  const [entry] = listed;
  assert.ok(entry);
  assert.match(entry.text, /default must be "allow" or "deny" DingTalk MCP policy/);
  // At the value: line 3, from the opening quote of "block" (column 14).
  assert.deepEqual([entry.line, entry.column], [3, 14]);

  await replaceEditorText(GOOD_POLICY);
  await view.waitForAgentsRow('Policy', /^would take effect$/);
  await problems.waitFor('the mistake to leave the Problems panel', (entries) => entries.length === 0);
  await vscode.palette.run('View: Close All Editors');
});

async function setCredentials(): Promise<void> {
  await vscode.palette.run('DingTalk: Set App Credentials');
  await vscode.quickInput.answer(APP.appKey);
  await vscode.quickInput.answer(APP.appSecret);
  await vscode.quickInput.answer(APP.label);
}

/** A manual refresh DingTalk answers with 500s: returns the warning it shows, once the fault is cleared. */
async function failedRefresh(): Promise<string> {
  await vscode.notifications.clear();
  emulator.setFault({ kind: 'server500' });
  try {
    await vscode.palette.run('DingTalk: Refresh Access Token');
    return await vscode.notifications.waitFor(/Refreshing the token of Promise failed/, 30_000);
  } finally {
    emulator.setFault(null);
  }
}

/** The status bar item and the app row are in their normal colours: no background, a key icon. */
async function assertNormalColours(): Promise<void> {
  const look = await vscode.statusBar.look(STATUS);
  assert.ok(!look.classes.some((name) => /^(has-background-color|warning-kind|error-kind)$/.test(name)), `status bar item classes: ${look.classes.join(' ')}`);
  assert.equal(look.background, look.plainBackground, 'the item has the background of the items beside it');
  const icon = (await view.appRow(APP.label).locator('.custom-view-tree-node-item-icon').getAttribute('class')) ?? '';
  assert.match(icon, /codicon-key/, `the row's icon: ${icon}`);
}

/** The app row's tooltip, and whether it carries the warning mark of a failed refresh. */
async function rowTooltip(): Promise<{ text: string; marked: boolean }> {
  const hover = vscode.page.locator('.workbench-hover, .monaco-hover').filter({ visible: true }).first();
  // The mouse comes from the empty editor area each time, so VS Code sees it arrive on the row.
  const shown = await waitUntil(`the tooltip of ${APP.label}`, 20_000, async () => {
    await vscode.page.mouse.move(700, 300);
    await view.appRow(APP.label).locator('.label-name').hover();
    await hover.waitFor({ state: 'visible', timeout: 3_000 });
    return { text: (await hover.innerText()).trim(), marked: (await hover.locator('.codicon-warning').count()) > 0 };
  });
  await vscode.page.mouse.move(700, 300);
  return shown;
}

/** The moment "HH:MM" (or "hh:mm AM") names today, as the message's reader takes it. */
function announcedMinute(clock: string): number {
  const match = /(\d{1,2}):(\d\d)(?:\s*([AP]M))?/i.exec(clock);
  assert.ok(match, `no time in "${clock}"`);
  let hours = Number(match[1]) % (match[3] ? 12 : 24);
  if (match[3]?.toUpperCase() === 'PM') hours += 12;
  const at = new Date();
  at.setHours(hours, Number(match[2]), 0, 0);
  // Announced just before midnight for just after it.
  if (at.getTime() < Date.now() - 12 * 3600_000) at.setDate(at.getDate() + 1);
  return at.getTime();
}

test('the automatic try a failed refresh announces reaches DingTalk at that time, and the mark goes once it succeeds', async () => {
  // A token DingTalk issues for a little over the refresh margin is due for refresh 75 s after it comes.
  emulator.setTtl(REFRESH_MARGIN_SECONDS + 75);
  await setCredentials();
  await vscode.statusBar.waitFor(/^Promise 1:0\d:\d\d/, 30_000);
  await view.open();
  await view.waitForAppRow(APP.label, /^Promise \| 1 h \d+ min · active · /, 15_000);
  const message = await failedRefresh();
  const before = emulator.stats(APP.appKey).tokenRequests;
  const announced = /Next automatic try at ([^.]+)\./.exec(message);
  assert.ok(announced, `the message says when the next try is: "${message}"`);
  const minute = announcedMinute(announced[1] ?? '');
  await assertNormalColours();
  // Nothing reaches DingTalk before the announced minute, and the try comes within it.
  const arrived = await waitUntil(`the automatic try announced for ${announced[1]}`, Math.max(1_000, minute + 90_000 - Date.now()), async () =>
    emulator.stats(APP.appKey).tokenRequests > before ? Date.now() : undefined,
  );
  assert.ok(arrived >= minute, `the try came at ${new Date(arrived).toTimeString()}, before the announced ${announced[1]}`);
  assert.ok(arrived < minute + 60_000 + 15_000, `the try came at ${new Date(arrived).toTimeString()}, well after the announced ${announced[1]}`);
  await waitUntil('the mark to go once the try succeeded', 20_000, async () => !(await rowTooltip()).marked);
  await vscode.statusBar.waitFor(/^Promise 1:01:\d\d/);
  await assertNormalColours();
});

test('a refresh DingTalk fails with two hours left keeps the status bar and the app row in their normal colours, the reason in the tooltip', async () => {
  // DingTalk's tokens live two hours; a manual refresh is not held back once the last try succeeded.
  emulator.setTtl(7200);
  await vscode.notifications.clear();
  await vscode.palette.run('DingTalk: Refresh Access Token');
  await vscode.notifications.waitFor(/Refreshed/, 30_000);
  await vscode.statusBar.waitFor(/^Promise 1:5\d:\d\d/);
  const message = await failedRefresh();
  assert.match(message, /The current token is valid for (2 h|1 h 5\d min)\./);
  assert.match(message, /Next automatic try at \d{1,2}:\d\d/);
  await vscode.statusBar.waitFor(/^Promise 1:5\d:\d\d/);
  await assertNormalColours();
  const tooltip = await waitUntil('the row to carry the failure in its tooltip', 15_000, async () => {
    const shown = await rowTooltip();
    return shown.marked ? shown : undefined;
  });
  assert.match(tooltip.text, /Expires at \d/);
});

test("the extension's page shows every picture of its README", { todo: "VS Code's extension page keeps only http(s) image sources" }, async () => {
  await vscode.palette.run('Extensions: Show Installed Extensions');
  await vscode.page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'DingTalk Access Token' }).first().click();
  const readme = await vscode.webviews.waitFor(/Getting started/, 30_000);
  const images = () =>
    readme
      .locator('img')
      .evaluateAll((elements: { alt: string; src: string; complete: boolean; naturalWidth: number }[]) =>
        elements.map(({ alt, src, complete, naturalWidth }) => ({ alt, src, complete, naturalWidth })),
      );
  const shown = await waitUntil('the pictures to finish loading', 20_000, async () => {
    const all = await images();
    return all.length > 0 && all.every((image) => image.complete) ? all : undefined;
  });
  assert.ok(shown.length >= 5, `the README's pictures are on the page: ${shown.length}`);
  const broken = shown.filter((image) => image.naturalWidth === 0);
  assert.deepEqual(
    broken.map((image) => `${image.alt} (src "${image.src}")`),
    [],
    'every picture loaded',
  );
  await vscode.palette.run('View: Close All Editors');
});
