import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SANDBOX_SIGNED_ROBOT, type DingTalkEmulator } from '../emulator/emulator';
import { closeSession, DingTalkView, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';
import { AGENT_COMMAND_TITLE, buildAgentExtension } from './harness/agentExtension';
import { waitUntil } from './harness/wait';

// A group robot from end to end: added through the palette (webhook and SEC secret in password boxes), shown in
// the Robots section, and used by an agent whose send_robot_message goes through VS Code's own MCP client
// (vscode.lm.invokeTool, from a helper extension) and reaches DingTalk signed, without the agent ever seeing
// the webhook or the secret.
const ROOT = path.join(__dirname, '..', '..', '..');

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;
let view: DingTalkView;
let agentVsix: string;

before(
  async () => {
    agentVsix = buildAgentExtension(ROOT);
    ({ emulator, vscode } = await startSession({ extraVsix: [agentVsix] }));
    view = new DingTalkView(vscode.page);
    await vscode.statusBar.waitFor(/DingTalk: Set up/, 90_000);
  },
  { timeout: SESSION_START_TIMEOUT },
);

after(async () => {
  await closeSession(vscode, emulator);
  if (agentVsix) fs.rmSync(path.dirname(agentVsix), { recursive: true, force: true });
});

test('with no robot, the Robots section offers Add Robot', async () => {
  await view.open();
  const welcome = view.robotsPane().locator('.welcome-view-content');
  await welcome.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await welcome.innerText(), /No group robots yet[\s\S]*Add Robot/);
});

test('Add Robot through the palette: webhook, then SEC secret, then a name; the Robots section shows it signed', async () => {
  await vscode.palette.run('DingTalk: Add Robot');
  const webhook = `${emulator.legacyApiBaseUrl}/robot/send?access_token=${SANDBOX_SIGNED_ROBOT.token}`;
  await vscode.quickInput.waitForMessage(/Webhook/);
  await vscode.quickInput.answer(webhook);
  await vscode.quickInput.waitForMessage(/SEC secret/);
  await vscode.quickInput.answer(SANDBOX_SIGNED_ROBOT.secret);
  await vscode.quickInput.waitForMessage(/A name for the robot/);
  await vscode.quickInput.answer('alerts');
  await vscode.notifications.waitFor(/Robot "alerts" added\. Send a test message/, 30_000);
  await vscode.notifications.clear();
  await view.waitForRobotRow('alerts', /^alerts \| signed · nothing sent yet$/, 30_000);
  assert.equal(emulator.robots.deliveries().length, 0, 'nothing is sent until asked');
});

test("an agent's send_robot_message, through VS Code's MCP client, reaches DingTalk signed; the view shows the send", async () => {
  await vscode.palette.mcpServerAction(/Start Server/);
  await view.waitForAgentsRow('MCP server', /^running$/, 30_000);

  const out = path.join(vscode.workspaceDir, 'agent-result.json');
  await vscode.palette.run(AGENT_COMMAND_TITLE);
  await vscode.quickInput.answer(JSON.stringify({ name: 'send_robot_message', input: { msgtype: 'text', text: { content: 'deploy finished' } }, out }));
  // VS Code asks the person before a tool that may change something runs ("Run Send a DingTalk group robot
  // message", Cancel / Yes): allow it, as a person would.
  const result = await waitUntil('the agent to get the tool result', 90_000, async () => {
    if (fs.existsSync(out)) return JSON.parse(fs.readFileSync(out, 'utf8')) as { tool?: string; text?: string; error?: string };
    const allow = vscode.page.locator('.monaco-dialog-box .monaco-button', { hasText: /^(Yes|Allow|Continue)$/ }).first();
    if (await allow.isVisible().catch(() => false)) await allow.click().catch(() => undefined);
    return undefined;
  }).catch(async (error: Error) => {
    await vscode.screenshot(path.join(ROOT, 'test-results', 'robots-agent-waiting.png'));
    const shown = await vscode.page
      .locator('.monaco-dialog-box, .notifications-toasts, .quick-input-widget')
      .allInnerTexts()
      .catch(() => []);
    throw new Error(`${error.message}; the page shows: ${shown.join(' | ')}`);
  });
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(JSON.parse(result.text ?? ''), { robot: 'alerts', sent: true });

  const deliveries = emulator.robots.deliveries();
  assert.deepEqual(
    deliveries.map((delivery) => [delivery.token === SANDBOX_SIGNED_ROBOT.token, delivery.signed, delivery.message]),
    [[true, true, { msgtype: 'text', text: { content: 'deploy finished' } }]],
  );
  // The DingTalk view is still open from the first test (clicking its icon again would close it).
  await view.waitForRobotRow('alerts', /^alerts \| signed · sent at \d\d:\d\d( [AP]M)?$/, 30_000);
  await vscode.screenshot(path.join(ROOT, 'test-results', 'robots-view.png'));

  const visible = JSON.stringify(result) + vscode.logs(/DingTalk Access Token\.log$|settings\.json$/);
  assert.ok(
    !visible.includes(SANDBOX_SIGNED_ROBOT.token) && !visible.includes(SANDBOX_SIGNED_ROBOT.secret),
    'no webhook token or secret in the result or the log',
  );
});
