import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { startLoopbackProxy } from '../support/loopbackProxy';
import { eventually } from '../support/eventually';
import { cliBaseEnv } from '../support/cliProcess';

// The standalone server behind a company proxy: DingTalk's host names resolve only through the proxy (".test"
// names never resolve anywhere else), so a request that skips the proxy cannot reach the emulator.
const [APP] = SANDBOX_APPS;
const CLI = path.join(__dirname, '../../src/mcp/cli/main.js');
const API_HOST = 'api.dingtalk.test';
const LEGACY_HOST = 'oapi.dingtalk.test';
const TLS_DIR = path.join(__dirname, '../../../test/support/tls');
const CERT = path.join(TLS_DIR, 'dingtalk-test.crt');

/** DingTalk's https front: TLS with the test certificate, then the emulator's plain HTTP behind it. */
async function tlsFront(plainBaseUrl: string): Promise<{ url: string; close(): void }> {
  const target = new URL(plainBaseUrl);
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'dingtalk-test.key')), cert: fs.readFileSync(CERT) }, (client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

type Call = (name: string, args?: Record<string, unknown>) => Promise<CallToolResult>;

/** The CLI with DingTalk at api/oapi.dingtalk.test: over https (port 443, the test certificate trusted) or plain http. */
async function withCli(scheme: 'https' | 'http', extraEnv: Record<string, string>, fn: (call: Call, stderr: () => string) => Promise<void>): Promise<void> {
  const emulator = await DingTalkEmulator.start();
  const fronts = scheme === 'https' ? [await tlsFront(emulator.apiBaseUrl), await tlsFront(emulator.legacyApiBaseUrl)] : [];
  const apiPort = scheme === 'https' ? '443' : new URL(emulator.apiBaseUrl).port;
  const legacyPort = scheme === 'https' ? '443' : new URL(emulator.legacyApiBaseUrl).port;
  const proxy = await startLoopbackProxy({
    [`${API_HOST}:${apiPort}`]: fronts[0]?.url ?? emulator.apiBaseUrl,
    [`${LEGACY_HOST}:${legacyPort}`]: fronts[1]?.url ?? emulator.legacyApiBaseUrl,
  });
  const port = (value: string) => (scheme === 'https' ? '' : `:${value}`);
  const env: Record<string, string> = {
    ...cliBaseEnv(),
    DINGTALK_APP_KEY: APP.appKey,
    DINGTALK_APP_SECRET: APP.appSecret,
    DINGTALK_API_BASE_URL: `${scheme}://${API_HOST}${port(apiPort)}`,
    DINGTALK_LEGACY_API_BASE_URL: `${scheme}://${LEGACY_HOST}${port(legacyPort)}`,
    DINGTALK_REQUEST_TIMEOUT_MS: '3000',
    NODE_EXTRA_CA_CERTS: CERT,
  };
  for (const [name, value] of Object.entries(extraEnv)) env[name] = value.replace('$PROXY', proxy.url);
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'proxy-test', version: '1.0.0' });
  try {
    await client.connect(transport);
    await fn(
      async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
      () => stderr,
    );
    const proxied = Object.keys(extraEnv).some((name) => /^https?_proxy$/i.test(name));
    if (proxied && !extraEnv.NO_PROXY) {
      assert.ok(
        proxy.seen.some((line) => line.includes(API_HOST)),
        `the proxy carried the requests: ${proxy.seen.join(', ')}`,
      );
    } else {
      assert.deepEqual(proxy.seen, [], 'nothing went through the proxy');
    }
  } finally {
    await client.close();
    await proxy.close();
    for (const front of fronts) front.close();
    await emulator.close();
  }
}

const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

for (const [scheme, variable] of [
  ['https', 'HTTPS_PROXY'],
  ['https', 'https_proxy'],
  ['http', 'HTTP_PROXY'],
] as const) {
  test(`standalone server: ${variable} carries the token request and API calls (${scheme}) to a DingTalk only the proxy can resolve`, async () => {
    await withCli(scheme, { [variable]: '$PROXY' }, async (call, stderr) => {
      const token = await call('get_access_token');
      assert.equal(token.isError, undefined, text(token));
      const legacy = await call('dingtalk_api_request', { method: 'POST', path: '/topapi/v2/user/get', body: { userid: 'u1' } });
      assert.equal(legacy.isError, undefined, text(legacy));
      assert.equal((legacy.structuredContent as { body: { errcode: number } }).body.errcode, 0);
      await eventually(() => /proxy (https|http) via http:\/\/127\.0\.0\.1:\d+/.test(stderr()), 'the start-up line names the proxy');
    });
  });
}

test("standalone server: NO_PROXY sends DingTalk's hosts direct (here unresolvable), and the error names the proxy variables", async () => {
  await withCli('https', { HTTPS_PROXY: '$PROXY', HTTP_PROXY: '$PROXY', NO_PROXY: `${API_HOST},${LEGACY_HOST}` }, async (call) => {
    const result = await call('get_access_token');
    assert.equal(result.isError, true);
    assert.match(text(result), /DingTalk error: network/);
    assert.match(text(result), /HTTPS_PROXY/);
    assert.doesNotMatch(text(result), /dingtalkToken\./, 'no VS Code setting named in the standalone server');
  });
});

test('standalone server: without a proxy variable DingTalk is reached directly (here: unresolvable)', async () => {
  await withCli('https', {}, async (call, stderr) => {
    const result = await call('get_access_token');
    assert.equal(result.isError, true);
    assert.match(text(result), /network/);
    await eventually(() => /proxy none/.test(stderr()), 'the start-up line says there is no proxy');
  });
});
