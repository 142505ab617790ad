// The standalone server (the real `dingtalk-token-mcp` process over stdio) against hostile configuration and input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { resultText, startCli } from '../support/cliProcess';

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
