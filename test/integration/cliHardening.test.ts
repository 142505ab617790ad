// The standalone server (the real `dingtalk-token-mcp` process over stdio) against hostile configuration and input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { resultText, spawnCli, startCli, type CliProcess } from '../support/cliProcess';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { SERVER_VERSION } from '../../src/mcp/version';

const [APP] = SANDBOX_APPS;

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'cli-hardening-'));
}

/** Every run of `size` characters of `secret`: none may show anywhere. */
function fragments(secret: string, size = 5): string[] {
  return Array.from({ length: secret.length - size + 1 }, (_, index) => secret.slice(index, index + size));
}

test('a malformed DINGTALK_APPS_FILE is reported without quoting any of its content', async () => {
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
    for (const [where, text] of [
      ['the agent', agentView],
      ['stderr', cli.stderr()],
    ] as const) {
      for (const fragment of fragments(secret)) assert.ok(!text.includes(fragment), `${where} saw "${fragment}" of the secret: ${text}`);
      assert.ok(!text.includes('appSecret":'), `${where} saw the file's content`);
    }
  } finally {
    await cli.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test("DINGTALK_REQUEST_TIMEOUT_MS past Node's timer range is clamped and named; tokens are still fetched", async () => {
  const dir = await tempDir();
  const emulator = await DingTalkEmulator.start();
  const cli = await startCli({
    DINGTALK_APP_KEY: APP.appKey,
    DINGTALK_APP_SECRET: APP.appSecret,
    DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
    DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
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

/** A JSON-RPC answer, with the fields these tests read. */
interface JsonRpcAnswer {
  id: string | number | null;
  error: { code: number; message: string };
  result: { serverInfo: unknown; tools: unknown[] };
}

/** The JSON-RPC answers the CLI wrote so far, one per complete line. */
const answersOf = (cli: CliProcess) =>
  cli
    .stdout()
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as JsonRpcAnswer);

test('the stdio server answers oversized, non-JSON and truncated lines with JSON-RPC errors and keeps serving', { timeout: 30_000 }, async () => {
  const dir = await tempDir();
  const cli = spawnCli([], { DINGTALK_APP_KEY: APP.appKey, DINGTALK_APP_SECRET: APP.appSecret, DINGTALK_POLICY_FILE: path.join(dir, 'none.json') });
  try {
    const send = (text: string) => cli.child.stdin.write(text);
    send('this is not json\n');
    send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protoc\n');
    send(`{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}}\n`);
    send('{"hello":"world","id":"q7"}\n');
    await cli.until(() => answersOf(cli).length >= 4);
    assert.deepEqual(
      answersOf(cli).map((answer) => [answer.id, answer.error?.code]),
      [
        [null, -32700],
        [null, -32700],
        [null, -32600],
        ['q7', -32600],
      ],
    );
    assert.match(answersOf(cli)[2]?.error.message ?? '', /Request too large: a line of \d+ bytes, more than the limit of 10485760/);

    // Still serving: a proper initialize and a tool list work after all that.
    send(
      `${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`,
    );
    await cli.until(() => answersOf(cli).some((answer) => answer.id === 3));
    // The package's name and version (src/mcp/version.ts reads it from package.json).
    assert.deepEqual(answersOf(cli).find((answer) => answer.id === 3)?.result.serverInfo, { name: 'dingtalk-token', version: SERVER_VERSION });
    send(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n${JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' })}\n`);
    await cli.until(() => answersOf(cli).some((answer) => answer.id === 4));
    assert.equal(answersOf(cli).find((answer) => answer.id === 4)?.result.tools.length, 7);

    await cli.until(() => (cli.stderr().match(/stdin: /g) ?? []).length >= 4);
    assert.match(cli.stderr(), /stdin: Parse error: a line was not valid JSON/);
    assert.match(cli.stderr(), /stdin: Request too large/);
    assert.ok(!cli.stderr().includes('xxxxxxxx'), 'the log never quotes the input');

    // A message cut off by the end of input is reported before the server exits.
    send('{"jsonrpc":"2.0","id":5,"meth');
    cli.child.stdin.end();
    assert.equal(await cli.exited, 0);
    assert.match(cli.stderr(), /stdin: The input ended in the middle of a message/);
  } finally {
    cli.child.kill();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('an approval prompt shows the whole call, with bidi characters made visible', async () => {
  const dir = await tempDir();
  const policyFile = path.join(dir, 'policy.json');
  await fs.writeFile(policyFile, JSON.stringify({ version: '1', tools: { dingtalk_api_request: { action: 'approve' } } }));
  const emulator = await DingTalkEmulator.start();
  const prompts: string[] = [];
  const cli = await startCli(
    {
      DINGTALK_APP_KEY: APP.appKey,
      DINGTALK_APP_SECRET: APP.appSecret,
      DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
      DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
      DINGTALK_POLICY_FILE: policyFile,
    },
    { onElicit: (message) => (prompts.push(message), false) },
  );
  try {
    const body = { robotCode: `ding${' '.repeat(300)}bot`, userIds: ['ceo0001'], msgParam: { content: 'wire \u202E0001$ to acct 42' } };
    const result = await cli.call('dingtalk_api_request', { method: 'POST', path: '/v1.0/robot/oToMessages/batchSend?via=agent', body });
    assert.match(resultText(result), /^\[POLICY DENIED\]/);
    assert.equal(prompts.length, 1);
    const [prompt] = prompts;
    assert.ok(prompt !== undefined);
    assert.match(prompt, /Method: POST\nPath: \/v1\.0\/robot\/oToMessages\/batchSend\nQuery:\n {2}via = agent\nBody:\n\{\n/);
    assert.match(prompt, /"ceo0001"/);
    assert.match(prompt, /wire \\u202E0001\$ to acct 42/);
    assert.ok(!prompt.includes('\u202E'));

    // Too long to show whole: nobody is asked to approve what they cannot read.
    const long = await cli.call('dingtalk_api_request', { method: 'POST', path: '/v1.0/robot/oToMessages/batchSend', body: { text: 'y'.repeat(30_000) } });
    assert.match(resultText(long), /^\[POLICY DENIED\]/);
    assert.equal(prompts.length, 1);
    await cli.stderrIncludes('too long to show the person in full');
    assert.equal(emulator.stats().apiRequests, 0);
  } finally {
    await cli.close();
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
