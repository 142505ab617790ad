// A shadow policy beside the one in force, through the real dingtalk-token-mcp: it is judged and audited, never obeyed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resultText, startCli } from '../support/cliProcess';
import { eventually } from '../support/eventually';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';

const [APP] = SANDBOX_APPS;

async function auditLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('a shadow policy that denies everything changes no decision, and every audit line carries its deny', async () => {
  const emulator = await DingTalkEmulator.start();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shadow-policy-'));
  const auditFile = path.join(dir, 'audit.jsonl');
  const shadowFile = path.join(dir, 'shadow.json');
  await fs.writeFile(shadowFile, JSON.stringify({ version: '1', default: 'deny' }));
  const cli = await startCli({
    DINGTALK_APP_KEY: APP.appKey,
    DINGTALK_APP_SECRET: APP.appSecret,
    DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
    DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
    DINGTALK_POLICY_FILE: path.join(dir, 'no-policy.json'),
    DINGTALK_SHADOW_POLICY_FILE: shadowFile,
    DINGTALK_AUDIT_FILE: auditFile,
    DINGTALK_STATE_DIR: dir,
  });
  try {
    const calls: [string, Record<string, unknown>][] = [
      ['token_status', {}],
      ['get_access_token', {}],
      ['dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/distinctUserId7q' }],
      ['list_apps', {}],
    ];
    for (const [tool, args] of calls) {
      const result = await cli.call(tool, args);
      assert.equal(result.isError, undefined, `${tool}: ${resultText(result)}`);
    }
    await eventually(async () => (await auditLines(auditFile)).length === calls.length, 'an audit line per call');
    const lines = await auditLines(auditFile);
    assert.deepEqual(
      lines.map((line) => [line.tool, line.decision, line.shadow]),
      calls.map(([tool]) => [tool, 'allow', { decision: 'deny', rule: 'default:deny' }]),
    );
    assert.equal((await fs.stat(auditFile)).mode & 0o777, 0o600);
    const written = await fs.readFile(auditFile, 'utf8');
    const token = emulator.currentToken(APP.appKey);
    assert.ok(token, 'a token was issued');
    for (const secret of [APP.appSecret, token, 'distinctUserId7q'])
      assert.ok(!written.includes(secret), 'no secret, token or argument value in the audit file');
    assert.match(cli.stderr(), /shadow policy .*shadow\.json is judged beside the policy in force/);
  } finally {
    await cli.close();
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('an invalid shadow policy means no shadow: calls are served and audited without one, and the log says why', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shadow-invalid-'));
  const auditFile = path.join(dir, 'audit.jsonl');
  const shadowFile = path.join(dir, 'shadow.json');
  await fs.writeFile(shadowFile, '{"version": "1", "default": "maybe"}');
  const cli = await startCli({
    DINGTALK_APP_KEY: APP.appKey,
    DINGTALK_APP_SECRET: APP.appSecret,
    DINGTALK_POLICY_FILE: path.join(dir, 'no-policy.json'),
    DINGTALK_SHADOW_POLICY_FILE: shadowFile,
    DINGTALK_AUDIT_FILE: auditFile,
    DINGTALK_STATE_DIR: dir,
  });
  try {
    const result = await cli.call('list_apps');
    assert.equal(result.isError, undefined, resultText(result));
    await eventually(async () => (await auditLines(auditFile)).length === 1, 'the audit line');
    const [line] = await auditLines(auditFile);
    assert.ok(line);
    assert.equal(line.decision, 'allow');
    assert.equal(line.shadow, undefined);
    await cli.stderrIncludes('is not used (no shadow until it is fixed)');
  } finally {
    await cli.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
