// A helper extension that plays an agent: its command takes a tool call as JSON, finds the tool among
// vscode.lm.tools (where our MCP tools appear once VS Code started the server) and calls it with
// vscode.lm.invokeTool, which goes through VS Code's own MCP client exactly as agent mode does. The result is
// written to the file the call names. Built into a .vsix with vsce, in a temp dir, when a test needs it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

export const AGENT_COMMAND_TITLE = 'Agent Stand-in: Invoke Tool';

const EXTENSION_JS = `
const vscode = require('vscode');
const fs = require('fs');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('agentStandIn.invoke', async () => {
    const request = await vscode.window.showInputBox({ prompt: 'tool call as JSON: {name, input, out}', ignoreFocusOut: true });
    if (!request) return;
    const { name, input, out } = JSON.parse(request);
    let result;
    try {
      let tool;
      // The MCP server's tools are listed once VS Code has started it and discovered them.
      for (let waited = 0; !tool && waited < 60000; waited += 250) {
        tool = vscode.lm.tools.find((candidate) => candidate.name === name || candidate.name.endsWith('_' + name));
        if (!tool) await sleep(250);
      }
      if (!tool) throw new Error('no tool ' + name + ' among: ' + vscode.lm.tools.map((candidate) => candidate.name).join(', '));
      const answer = await vscode.lm.invokeTool(tool.name, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
      result = { tool: tool.name, text: answer.content.map((part) => (typeof part.value === 'string' ? part.value : '')).join('\\n') };
    } catch (error) {
      result = { error: String((error && error.message) || error) };
    }
    fs.writeFileSync(out, JSON.stringify(result));
  }));
};
`;

const PACKAGE_JSON = {
  name: 'agent-stand-in',
  displayName: 'Agent Stand-in',
  description: 'Calls language-model tools for end-to-end tests.',
  publisher: 'e2e',
  version: '0.0.1',
  license: 'MIT',
  engines: { vscode: '^1.101.0' },
  main: './extension.js',
  activationEvents: ['onCommand:agentStandIn.invoke'],
  contributes: { commands: [{ command: 'agentStandIn.invoke', title: AGENT_COMMAND_TITLE }] },
};

/** Builds the helper's .vsix in a temp dir and returns its path. */
export function buildAgentExtension(root: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-stand-in-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(PACKAGE_JSON, undefined, 2));
  fs.writeFileSync(path.join(dir, 'extension.js'), EXTENSION_JS);
  fs.writeFileSync(path.join(dir, 'README.md'), '# Agent Stand-in\n\nCalls language-model tools for end-to-end tests.\n');
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
  const vsix = path.join(dir, 'agent-stand-in.vsix');
  execFileSync(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], {
    cwd: dir,
    stdio: 'pipe',
  });
  return vsix;
}
