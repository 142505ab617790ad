import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { DingTalkEmulator } from '../emulator/emulator';
import { closeSession, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';
import { AGENT_COMMAND_TITLE, buildAgentExtension } from './harness/agentExtension';
import { Palette, QuickInput } from './harness/quickInput';
import { waitUntil } from './harness/wait';

// One person, two VS Code windows (each its own extension host, each its own in-process MCP server) and one policy
// limit: an agent in each window calls the tool through VS Code's own MCP client (vscode.lm.invokeTool, from a helper
// extension), and the windows count in one store (a file in the extension's global storage), so the limit holds for
// both together.
const ROOT = path.join(__dirname, '..', '..', '..');
const MAX = 2;
const POLICY = { version: '1', default: 'allow', tools: { list_robots: { limits: [{ counter: 'robots', window: 'day', max: MAX, scope: 'grant' }] } } };

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;
let agentVsix: string;
let policyDir: string;

before(
  async () => {
    agentVsix = buildAgentExtension(ROOT);
    // A user policy outside the workspace, named by an absolute path in the user settings.
    policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-limits-e2e-'));
    const policyFile = path.join(policyDir, 'policy.json');
    fs.writeFileSync(policyFile, JSON.stringify(POLICY));
    ({ emulator, vscode } = await startSession({ extraVsix: [agentVsix], settings: { 'dingtalkToken.mcp.policyFile': policyFile } }));
    await vscode.statusBar.waitFor(/DingTalk: Set up/, 90_000);
  },
  { timeout: SESSION_START_TIMEOUT },
);

after(async () => {
  await closeSession(vscode, emulator);
  for (const dir of [agentVsix && path.dirname(agentVsix), policyDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface ToolOutcome {
  tool?: string;
  text?: string;
  error?: string;
}

/** An agent in one window: starts that window's MCP server, then calls tools through vscode.lm.invokeTool. */
class WindowAgent {
  private readonly quickInput: QuickInput;
  private readonly palette: Palette;
  private calls = 0;

  constructor(
    private readonly page: Page,
    private readonly name: string,
  ) {
    this.quickInput = new QuickInput(page);
    this.palette = new Palette(this.quickInput);
  }

  async startServer(): Promise<void> {
    await this.page.bringToFront();
    await this.palette.mcpServerAction(/Start Server/);
  }

  async call(tool: string, input: Record<string, unknown>): Promise<ToolOutcome> {
    const out = path.join(vscode.workspaceDir, `${this.name}-call-${++this.calls}.json`);
    await this.page.bringToFront();
    await this.palette.run(AGENT_COMMAND_TITLE);
    await this.quickInput.answer(JSON.stringify({ name: tool, input, out }));
    // The helper waits for the tool to be listed once the server runs, then writes what the call gave.
    return waitUntil(`${this.name} window's ${tool} call to finish`, 90_000, async () =>
      fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as ToolOutcome) : undefined,
    ).catch(async (error: Error) => {
      await this.page.screenshot({ path: path.join(ROOT, 'test-results', `shared-limits-${this.name}-waiting.png`) });
      throw error;
    });
  }
}

test(`two windows calling list_robots 3 times each against a limit of ${MAX} a day are allowed exactly ${MAX} calls between them`, async () => {
  // Same browser profile as the first window, like a person opening a new VS Code window: its own extension host.
  const second = await vscode.page.context().newPage();
  try {
    await second.goto(vscode.url);
    await second
      .locator('.statusbar-item', { hasText: /DingTalk: Set up/ })
      .first()
      .waitFor({ state: 'visible', timeout: 90_000 });
    const agents = [new WindowAgent(vscode.page, 'first'), new WindowAgent(second, 'second')];
    for (const agent of agents) await agent.startServer();

    const outcomes: ToolOutcome[] = [];
    for (let round = 0; round < 3; round++) for (const agent of agents) outcomes.push(await agent.call('list_robots', {}));

    const said = outcomes.map((outcome) => outcome.text ?? outcome.error ?? '');
    const denied = said.filter((text) => text.includes('[POLICY DENIED]'));
    const allowed = said.filter((text) => !text.includes('[POLICY DENIED]'));
    assert.equal(allowed.length, MAX, `allowed: ${JSON.stringify(said)}`);
    for (const text of allowed) assert.deepEqual(JSON.parse(text), { robots: [] });
    assert.equal(denied.length, 6 - MAX);
    // Two extension hosts, each with its own log and its own server: the count was shared through the store, not one process.
    const serverLogs = vscode
      .logs(/DingTalk Access Token\.log$/)
      .split(/^==> /m)
      .filter((log) => /MCP server listening/.test(log));
    assert.equal(serverLogs.length, 2, 'each window ran its own MCP server');
    for (const text of denied) {
      assert.match(text, /Rate limit reached: list_robots may be called at most 2 times per day \(all sessions together; counter "robots"\)/);
    }
  } finally {
    await second.close();
  }
});
