import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DingTalkEmulator } from '../emulator/emulator';
import { closeSession, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';
import { waitUntil } from './harness/wait';

// The MCP policy's test cases, as a person meets them in VS Code's Testing view: the cases file beside the
// policy is listed case by case, runs, and a failing case shows what the policy decided at the case's line.
const POLICY = JSON.stringify({ version: '1', default: 'allow', tools: { token_status: { rules: [{ name: 'three a minute', rate_limit: '3/minute' }] } } });
const CASES = `cases:
  - name: a status call is allowed
    tool: token_status
    expect: allow
  - name: the third status call is denied
    tool: token_status
    calls: 3
    expect: deny
    rule: three a minute
`;

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;

before(
  async () => {
    ({ emulator, vscode } = await startSession({
      workspaceFiles: { '.vscode/dingtalk-mcp-policy.json': POLICY, '.vscode/dingtalk-mcp-policy.tests.yaml': CASES },
      settings: { 'testing.automaticallyOpenPeekView': 'failureAnywhere' },
    }));
    await vscode.statusBar.waitFor(/DingTalk: Set up/, 90_000);
  },
  { timeout: SESSION_START_TIMEOUT },
);

after(() => closeSession(vscode, emulator));

test('the cases beside the policy appear in the Testing view, run, and a failing case shows its message at its line', async () => {
  await vscode.palette.run('Testing: Focus on Test Explorer View');
  const rows = vscode.page.locator('.test-explorer .monaco-list-row');
  await waitUntil('the cases file in the Test Explorer', 30_000, async () =>
    (await rows.allInnerTexts()).some((text) => /dingtalk-mcp-policy\.tests\.yaml/.test(text)) ? true : undefined,
  );
  await vscode.palette.run('Test: Run All Tests');
  const peek = vscode.page.locator('.monaco-editor .peekview-widget');
  const message = await waitUntil('the failure peek', 60_000, async () => {
    const text = (await peek.first().isVisible()) ? await peek.first().innerText() : '';
    return /The policy decided allow by "tools\.token_status"; expected deny by "three a minute"\./.test(text) ? text : undefined;
  });
  assert.match(message, /three a minute/);
  // The peek opens below the failing case's first line (line 5 of the cases file).
  const line = await vscode.page.locator('.monaco-editor .cursor-line-number, .monaco-editor .line-numbers.active-line-number').first().innerText();
  assert.equal(line.trim(), '5');
  const labels = (await rows.allInnerTexts()).join('\n');
  assert.match(labels, /a status call is allowed/);
  assert.match(labels, /the third status call is denied/);
});
