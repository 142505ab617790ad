// The policy file checked by the engine as the person types, before any server starts: Problems at the
// value's range, once each, the view's verdict, and no notification for a half-typed buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as vscode from 'vscode';
import { registerMcpProvider } from '../../src/extension/mcp/provider';
import { CHECK_DELAY_MS } from '../../src/extension/mcp/policyEditing';
import type { Problem } from '../../src/extension/apis/lm.apis';
import * as serverBundle from '../../src/mcp/bundle';
import { harness, type Harness } from '../support/fakeApis';

const POLICY = '/workspace/.vscode/dingtalk-mcp-policy.json';

/** The text a Problem's range covers (single-line ranges). */
function covered(text: string, problem: Problem): string {
  assert.equal(problem.end?.line, problem.line, 'on one line');
  return text.split('\n')[problem.line]?.slice(problem.column, problem.end?.column) ?? '';
}

/** The policy file on disk in a folder of its own, where the harness's settings point: as the server reads it. */
function policyOnDisk(h: Harness, text: string): { folder: string; file: string } {
  const folder = mkdtempSync(path.join(tmpdir(), 'dingtalk-policy-editing-'));
  h.apis.workspace.policyFile = (settings) =>
    ({ scheme: 'file', fsPath: path.join(folder, settings.policyFile), toString: () => path.join(folder, settings.policyFile) }) as vscode.Uri;
  const file = path.join(folder, h.settings.policyFile);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return { folder, file };
}

function shownFor(h: Harness, file = POLICY): { severity: string; text: string; source: string }[] {
  const text = h.apis.editors.texts.get(file) ?? '';
  return (h.apis.problems.get(file) ?? []).map((problem) => ({ severity: problem.severity, text: covered(text, problem), source: problem.source }));
}

const TYPO = '{\n  "version": "1",\n  "tools": {\n    "get-access-token": { "action": "approve" }\n  }\n}\n';
const BAD_VALUE = '{\n  "version": "1",\n  "default": "block"\n}\n';
const FIXED = '{\n  "version": "1",\n  "tools": {\n    "get_access_token": { "action": "approve" }\n  }\n}\n';

test('a misspelled tool name is one warning under the name as soon as the file opens, with no server running', async () => {
  const h = await harness();
  const provider = registerMcpProvider(h.services, () => serverBundle);
  h.apis.editors.open(POLICY, TYPO);

  assert.deepEqual(shownFor(h), [{ severity: 'warning', text: '"get-access-token"', source: 'DingTalk MCP policy' }]);
  assert.match(h.apis.problems.get(POLICY)![0]?.message ?? '', /get_access_token/, 'names the tool it probably means');
  assert.equal(provider.state().running, false, 'no server was started to find it');
  assert.deepEqual(provider.policyAsTyped(), { takesEffect: true, errors: 0, warnings: 1 });
  provider.dispose();
});

test('a bad value typed in is one error under the value once typing pauses; fixing the text clears it', async () => {
  const h = await harness();
  const provider = registerMcpProvider(h.services, () => serverBundle);
  let viewChanges = 0;
  provider.onDidChangeState(() => void viewChanges++);
  h.apis.editors.open(POLICY, FIXED);
  assert.deepEqual(shownFor(h), []);

  h.apis.editors.type(POLICY, BAD_VALUE);
  await h.clock.advance(CHECK_DELAY_MS - 1);
  assert.deepEqual(shownFor(h), [], 'not while the person is still typing');
  await h.clock.advance(1);
  assert.deepEqual(shownFor(h), [{ severity: 'error', text: '"block"', source: 'DingTalk MCP policy' }]);
  assert.deepEqual(provider.policyAsTyped(), { takesEffect: false, errors: 1, warnings: 0 });
  assert.ok(viewChanges > 0, 'the DingTalk view is told the file would no longer take effect');

  h.apis.editors.type(POLICY, FIXED);
  await h.clock.advance(CHECK_DELAY_MS);
  assert.deepEqual(shownFor(h), []);
  assert.deepEqual(provider.policyAsTyped(), { takesEffect: true, errors: 0, warnings: 0 });
  provider.dispose();
});

test('half-typed text never pops up a notification', async () => {
  const h = await harness();
  const provider = registerMcpProvider(h.services, () => serverBundle);
  h.apis.editors.open(POLICY, '{\n  "version": "1",\n');
  for (const text of ['{\n  "version": "1",\n  "tools": {', '{\n  "version": "1",\n  "tools": { "list_a', '{\n  "version": "1",\n  "default": "bl']) {
    h.apis.editors.type(POLICY, text);
    await h.clock.advance(CHECK_DELAY_MS);
    assert.ok((h.apis.problems.get(POLICY) ?? []).length > 0, `a Problem for ${JSON.stringify(text)}`);
  }
  assert.deepEqual(h.apis.window.shown, []);
  provider.dispose();
});

test('other files are not checked, and closing the policy clears its Problems', async () => {
  const h = await harness();
  const provider = registerMcpProvider(h.services, () => serverBundle);
  h.apis.editors.open('/workspace/other.json', BAD_VALUE);
  assert.equal(h.apis.problems.size, 0);
  h.apis.editors.open(POLICY, BAD_VALUE);
  assert.equal(shownFor(h).length, 1);
  h.apis.editors.close(POLICY);
  assert.equal(h.apis.problems.size, 0);
  assert.equal(provider.policyAsTyped(), undefined);
  provider.dispose();
});

test('with the server running, each mistake of the open file is listed once and not toasted; closing it shows what the server loaded', async () => {
  const h = await harness();
  const { folder, file } = policyOnDisk(h, TYPO);
  const provider = registerMcpProvider(h.services, () => serverBundle);
  try {
    h.apis.editors.open(file, TYPO);
    await h.apis.mcpServers.get('dingtalkToken.mcp')!.resolve();
    assert.equal(provider.state().running, true);
    assert.deepEqual(shownFor(h, file), [{ severity: 'warning', text: '"get-access-token"', source: 'DingTalk MCP policy' }], 'once, at the name');
    assert.deepEqual(h.apis.window.shown, [], 'no toast for what the person is looking at as they type');

    h.apis.editors.close(file);
    const loaded = h.apis.problems.get(file) ?? [];
    assert.equal(loaded.length, 1, 'the server’s own report, once');
    assert.equal(loaded[0]?.line, 3);
  } finally {
    provider.dispose();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a policy the server loads while it is not open in an editor still notifies', async () => {
  const h = await harness();
  const { folder } = policyOnDisk(h, TYPO);
  const provider = registerMcpProvider(h.services, () => serverBundle);
  try {
    await h.apis.mcpServers.get('dingtalkToken.mcp')!.resolve();
    assert.equal(h.apis.window.shown.length, 1);
    assert.match(h.apis.window.shown[0]?.message ?? '', /names tools this server does not have/);
  } finally {
    provider.dispose();
    rmSync(folder, { recursive: true, force: true });
  }
});
