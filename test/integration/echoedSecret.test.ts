// DingTalk's words are cleaned of secrets before they are cut short: a secret cut in half is no longer recognised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { DingTalkEmulator } from '../emulator/emulator';
import { resultText, startCli } from '../support/cliProcess';
import { MAX_SAID } from '../../src/core/dingtalk/classify';

const SECRET = 'Qv7Rk2Wm9Xz4Tb8Hn3Lp';
const APP = { appKey: 'dingechoedsecret01', appSecret: SECRET, label: 'Echo' };

/** Every run of 4 characters of the secret: none may show anywhere. */
const fragments = Array.from({ length: SECRET.length - 3 }, (_, index) => SECRET.slice(index, index + 4));

for (const tokenApi of ['v1', 'legacy'] as const) {
  test(`${tokenApi}: an appSecret DingTalk echoes across the ${MAX_SAID}-character cut of its message shows in no tool error, token_status or log line`, async () => {
    const emulator = await DingTalkEmulator.start({ apps: [APP] });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'echoed-secret-'));
    // The secret starts 7 characters before the cut, so 13 of its 20 characters would fall on the kept side.
    const message = `${'访'.repeat(MAX_SAID - 7)}${SECRET} appKey(${APP.appKey})`;
    emulator.setFault({ kind: 'qpsLimitApp', target: 'token', message });
    const cli = await startCli({
      DINGTALK_APP_KEY: APP.appKey,
      DINGTALK_APP_SECRET: SECRET,
      DINGTALK_TOKEN_API: tokenApi,
      DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
      DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
      DINGTALK_POLICY_FILE: path.join(dir, 'none.json'),
    });
    try {
      const failed = await cli.call('get_access_token');
      assert.equal(failed.isError, true);
      assert.match(resultText(failed), /throttled/);
      const status = await cli.call('token_status');
      assert.match(resultText(status), /throttled/);
      await cli.stderrIncludes('token_status');
      for (const [where, text] of [
        ['the tool error', resultText(failed)],
        ['token_status', resultText(status)],
        ['stderr', cli.stderr()],
      ] as const) {
        for (const fragment of fragments) assert.ok(!text.includes(fragment), `${where} shows "${fragment}" of the secret: ${text}`);
      }
    } finally {
      await cli.close();
      await emulator.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
}
