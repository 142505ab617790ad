// The `dingtalk-token-mcp` command line and the environment it refuses: the real process, its exit code and stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { resultText, runCli, startCli } from '../support/cliProcess';
import { startLoopbackProxy } from '../support/loopbackProxy';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { SERVER_VERSION } from '../../src/mcp/version';

const [APP] = SANDBOX_APPS;

test('--help and -h print the usage on stdout and exit 0; --version prints the version', async () => {
  for (const flag of ['--help', '-h']) {
    const help = await runCli([flag]);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: dingtalk-token-mcp/);
    assert.match(help.stdout, /DINGTALK_APPS_FILE/);
  }
  const version = await runCli(['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout, `${SERVER_VERSION}\n`);
});

test('an unknown option or word is refused with the usage on stderr and exit 2, and nothing is served', async () => {
  for (const [args, said] of [
    [['--verbose'], /Unknown option '--verbose'/],
    [['--help=yes'], /--help/],
    [['serve'], /Unknown command "serve"/],
    [['--version', 'extra'], /Unknown command "extra"|Unexpected argument/],
  ] as const) {
    const result = await runCli([...args]);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, said);
    assert.match(result.stderr, /usage: dingtalk-token-mcp/);
    assert.equal(result.stdout, '');
  }
});

test('a malformed proxy URL ends the server with a message naming the variable, never quoting it', async () => {
  for (const name of ['HTTPS_PROXY', 'http_proxy']) {
    const result = await runCli([], { DINGTALK_APP_KEY: APP.appKey, DINGTALK_APP_SECRET: APP.appSecret, [name]: '::bad:pa55word@' });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`dingtalk-token-mcp: ${name} is not a proxy URL such as http://proxy.example.com:8080`));
    assert.ok(!result.stderr.includes('pa55word'), result.stderr);
  }
});

test('a base URL with "?" or "#" ends the server with a message naming the variable, instead of a 404 read as bad credentials', async () => {
  for (const [name, value] of [
    ['DINGTALK_API_BASE_URL', 'https://gw.example.com/dingtalk?tenant=1'],
    ['DINGTALK_LEGACY_API_BASE_URL', 'https://oapi.example.com/#/'],
  ] as const) {
    const result = await runCli([], { DINGTALK_APP_KEY: APP.appKey, DINGTALK_APP_SECRET: APP.appSecret, [name]: value });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`${name} must not contain "\\?" or "#"`));
  }
});

test('NO_PROXY=127.0.0.0/8 sends requests to a loopback DingTalk direct, past the proxy', async () => {
  const emulator = await DingTalkEmulator.start();
  const proxy = await startLoopbackProxy({});
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'no-proxy-cidr-'));
  const cli = await startCli({
    DINGTALK_APP_KEY: APP.appKey,
    DINGTALK_APP_SECRET: APP.appSecret,
    DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
    DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
    DINGTALK_POLICY_FILE: path.join(dir, 'none.json'),
    HTTPS_PROXY: proxy.url,
    HTTP_PROXY: proxy.url,
    NO_PROXY: 'intranet.example, 127.0.0.0/8',
  });
  try {
    const token = await cli.call('get_access_token');
    assert.equal(token.isError, undefined, resultText(token));
    const api = await cli.call('dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/u1' });
    assert.equal(api.isError, undefined, resultText(api));
    assert.deepEqual(proxy.seen, [], 'nothing went through the proxy');
    assert.equal(emulator.stats().tokenRequests, 1);
  } finally {
    await cli.close();
    await proxy.close();
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
