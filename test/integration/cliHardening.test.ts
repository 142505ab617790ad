// The standalone server (the real `dingtalk-token-mcp` process over stdio) against hostile configuration and input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { resultText, startCli } from '../support/cliProcess';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';

const [APP] = SANDBOX_APPS;

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'cli-hardening-'));
}

/** Every run of `size` characters of `secret`: none may show anywhere. */
function fragments(secret: string, size = 5): string[] {
  return Array.from({ length: secret.length - size + 1 }, (_, index) => secret.slice(index, index + size));
}

test('hardening 7: a malformed DINGTALK_APPS_FILE is reported without quoting any of its content', async () => {
  const dir = await tempDir();
  const secret = 'Zq9Xw7Vt3Rp5Kd8Lm2Nb4Hj6Gf1';
  const file = path.join(dir, 'apps.json');
  // Single quotes: the JSON parser's own message would quote the text right around the secret.
  await fs.writeFile(file, `[{"appKey":"dingbroken01","appSecret":'${secret}',"label":"Broken"}]`);
  const cli = await startCli({ DINGTALK_APPS_FILE: file, DINGTALK_POLICY_FILE: path.join(dir, 'none.json') });
  try {
    const result = await cli.call('get_access_token');
    assert.equal(result.isError, true);
    const agentView = resultText(result);
    assert.match(agentView, /DINGTALK_APPS_FILE .* is not valid JSON/);
    await cli.stderrIncludes('is not valid JSON');
    for (const [where, text] of [['the agent', agentView], ['stderr', cli.stderr()]] as const) {
      for (const fragment of fragments(secret)) assert.ok(!text.includes(fragment), `${where} saw "${fragment}" of the secret: ${text}`);
      assert.ok(!text.includes('appSecret":'), `${where} saw the file's content`);
    }
  } finally {
    await cli.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('hardening 12: DINGTALK_REQUEST_TIMEOUT_MS past Node\'s timer range is clamped and named; tokens are still fetched', async () => {
  const dir = await tempDir();
  const emulator = await DingTalkEmulator.start();
  const cli = await startCli({
    DINGTALK_APP_KEY: APP.appKey, DINGTALK_APP_SECRET: APP.appSecret,
    DINGTALK_API_BASE_URL: emulator.apiBaseUrl, DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
    DINGTALK_POLICY_FILE: path.join(dir, 'none.json'),
    DINGTALK_REQUEST_TIMEOUT_MS: '3000000000',
    DINGTALK_REFRESH_MARGIN_SECONDS: '99999999999',
  });
  try {
    const first = await cli.call('get_access_token');
    assert.equal(first.isError, undefined, resultText(first));
    const second = await cli.call('get_access_token');
    assert.equal((second.structuredContent as { source: string }).source, 'cache');
    assert.equal(emulator.stats().tokenRequests, 1);
    await cli.stderrIncludes('DINGTALK_REFRESH_MARGIN_SECONDS');
    assert.match(cli.stderr(), /DINGTALK_REQUEST_TIMEOUT_MS is 3000000000, outside the range 1000–120000 ms; using 120000/);
    assert.match(cli.stderr(), /DINGTALK_REFRESH_MARGIN_SECONDS is 99999999999, outside the range 0–3600 seconds; using 3600/);
  } finally {
    await cli.close();
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
