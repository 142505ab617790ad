import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DingTalkEmulator, SANDBOX_APPS, type EmulatorApp } from '../emulator/emulator';
import { AuditTrail } from '../../src/core/audit';
import { endpointsWithDefaults } from '../../src/core/dingtalk/client';
import { MAX_TOKEN_REQUESTS_PER_MINUTE } from '../../src/core/tokens';
import { startHttpMcpServer } from '../../src/mcp/http/server';
import { TOOL_NAMES } from '../../src/mcp/tools/definitions';
import { eventually } from '../support/eventually';
import { inProcessContext } from '../support/inProcessContext';
import { cliBaseEnv } from '../support/cliProcess';

const [APP, APP2] = SANDBOX_APPS;
const CLI = path.join(__dirname, '../../src/mcp/cli/main.js');

interface Setup {
  /** Apps the server is configured with: the first sandbox app when omitted, none for []. */
  apps?: EmulatorApp[];
  policy?: string;
  /** The person's answer to approval prompts; undefined: the client cannot ask. */
  approve?: boolean;
}

interface Harness {
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  client: Client;
  /** Everything the server logged (stderr for stdio). */
  logs(): string;
  /** The policy file the server watches (stdio only). */
  policyFile?: string;
  audit?: AuditTrail;
  close(): Promise<void>;
}

type Connect = (emulator: DingTalkEmulator, setup: Setup) => Promise<Harness>;

function newClient(setup: Setup): Client {
  const client = new Client({ name: 'mcp-integration-test', version: '1.0.0' }, { capabilities: setup.approve === undefined ? {} : { elicitation: {} } });
  if (setup.approve !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { approve: setup.approve! } }));
  }
  return client;
}

/** Lists tools first so the client validates every structuredContent against its output schema. */
async function ready(client: Client, parts: Omit<Harness, 'call' | 'client'>): Promise<Harness> {
  await client.listTools();
  return { ...parts, client, call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult };
}

const stdio: Connect = async (emulator, setup) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-stdio-'));
  const env: Record<string, string> = {
    ...cliBaseEnv(),
    DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
    DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
  };
  if (setup.apps === undefined) {
    Object.assign(env, { DINGTALK_APP_KEY: APP.appKey, DINGTALK_APP_SECRET: APP.appSecret });
  } else if (setup.apps.length > 0) {
    env.DINGTALK_APPS_FILE = path.join(dir, 'apps.json');
    await fs.writeFile(env.DINGTALK_APPS_FILE, JSON.stringify(setup.apps));
  }
  const policyFile = path.join(dir, 'policy.json');
  env.DINGTALK_POLICY_FILE = policyFile;
  if (setup.policy !== undefined) await fs.writeFile(policyFile, setup.policy);

  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = newClient(setup);
  await client.connect(transport);
  return ready(client, {
    logs: () => stderr,
    policyFile,
    close: async () => {
      await client.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  });
};

function inProcess(kind: 'unix' | 'tcp'): Connect {
  return async (emulator, setup) => {
    const apps = setup.apps ?? [APP];
    const endpoints = endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl });
    const lines: string[] = [];
    const context = inProcessContext({ endpoints, apps, policy: setup.policy, approve: setup.approve, log: (line) => lines.push(line) });
    const { tokens, audit } = context;
    const server = await startHttpMcpServer(context, { preferTcp: kind === 'tcp' });
    assert.equal(server.kind, kind);
    let agent: Agent | undefined;
    let fetch: FetchLike | undefined;
    if (kind === 'unix') {
      const dispatcher = new Agent({ connect: { socketPath: server.socketPath! } });
      agent = dispatcher;
      fetch = (url, init) => undiciFetch(url, { ...(init as object), dispatcher });
    }
    const client = newClient(setup);
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers }, fetch }));
    return ready(client, {
      logs: () => lines.join('\n'),
      audit,
      close: async () => {
        await client.close();
        await server.close();
        await agent?.close();
        tokens.dispose();
      },
    });
  };
}

const TRANSPORTS: [string, Connect][] = [
  ['stdio', stdio],
  ['http over tcp', inProcess('tcp')],
];
if (process.platform !== 'win32') TRANSPORTS.push(['http over a unix socket', inProcess('unix')]);

const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
/** The fields of the tools' structuredContent these tests read (the client checked it against the output schemas). */
interface Structured {
  app: string;
  accessToken: string;
  expiresAt: string;
  expiresIn: number;
  source: string;
  refreshed: boolean;
  notRefreshedBecause: string;
  nextRefreshAt: string;
  status: number;
  state: string;
  label: string;
  body: { appKey: string; body: unknown; errcode: number };
  lastError: { code: string };
  apps: { label: string; appKey: string; active: boolean; expiresAt?: string }[];
}
const structured = (result: CallToolResult) => result.structuredContent as unknown as Structured;

/** Runs a scenario against a fresh emulator and server, then checks the server's log held no secret or token. */
async function scenario(connect: Connect, setup: Setup, fn: (harness: Harness, emulator: DingTalkEmulator, seen: Set<string>) => Promise<void>): Promise<void> {
  const emulator = await DingTalkEmulator.start();
  const harness = await connect(emulator, setup);
  const seen = new Set<string>();
  try {
    await fn(harness, emulator, seen);
  } finally {
    await harness.close();
    await emulator.close();
  }
  const logs = harness.logs();
  for (const app of SANDBOX_APPS) assert.ok(!logs.includes(app.appSecret), 'a secret reached the log');
  for (const token of seen) assert.ok(!logs.includes(token), 'a token reached the log');
}

async function getToken(harness: Harness, seen: Set<string>, app?: string): Promise<Structured> {
  const result = await harness.call('get_access_token', app === undefined ? {} : { app });
  assert.equal(result.isError, undefined, text(result));
  const token = structured(result);
  seen.add(token.accessToken);
  return token;
}

for (const [name, connect] of TRANSPORTS) {
  test(`${name}: lists the five tools with output schemas and annotations`, async () => {
    await scenario(connect, {}, async (harness) => {
      const { tools } = await harness.client.listTools();
      assert.deepEqual(tools.map((tool) => tool.name).sort(), [...TOOL_NAMES].sort());
      for (const tool of tools) {
        assert.equal(tool.outputSchema?.type, 'object', tool.name);
        assert.ok(tool.description && tool.description.length > 40, tool.name);
        assert.ok(tool.annotations, tool.name);
      }
      const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
      assert.equal(byName.dingtalk_api_request?.annotations!.destructiveHint, true);
      assert.equal(byName.token_status?.annotations!.readOnlyHint, true);
      assert.equal(byName.token_status?.annotations?.openWorldHint, false);
      assert.deepEqual(Object.keys(byName.dingtalk_api_request?.inputSchema.properties ?? {}).sort(), ['app', 'body', 'method', 'path', 'query']);
    });
  });

  test(`${name}: 300 concurrent get_access_token on a cold cache → one token request; refresh → exactly one more`, async () => {
    await scenario(connect, {}, async (harness, emulator, seen) => {
      const results = await Promise.all(Array.from({ length: 300 }, () => getToken(harness, seen)));
      assert.equal(emulator.stats().tokenRequests, 1);
      assert.equal(new Set(results.map((result) => result.accessToken)).size, 1);
      const first = results[0];
      assert.ok(first);
      assert.equal(first.app, APP.appKey);
      assert.ok(Math.abs(Date.parse(first.expiresAt) - Date.now() - 7200_000) < 60_000);
      assert.ok(first.expiresIn > 7100 && first.expiresIn <= 7200);
      assert.ok(['network', 'cache'].includes(first.source));

      const refreshed = await harness.call('refresh_access_token');
      assert.equal(refreshed.isError, undefined, text(refreshed));
      assert.equal(emulator.stats().tokenRequests, 2);
      assert.equal(structured(refreshed).app, APP.appKey);
      assert.equal((await getToken(harness, seen)).source, 'cache');
      assert.equal(emulator.stats().tokenRequests, 2);
    });
  });

  test(`${name}: dingtalk_api_request injects the token both ways and never shows it`, async () => {
    await scenario(connect, {}, async (harness, emulator, seen) => {
      const token = (await getToken(harness, seen)).accessToken;
      const modern = await harness.call('dingtalk_api_request', {
        method: 'POST',
        path: '/v1.0/emulator/echo',
        query: { copy: token },
        body: { hello: 'world' },
      });
      assert.equal(modern.isError, undefined, text(modern));
      assert.equal(structured(modern).status, 200);
      assert.equal(structured(modern).body.appKey, APP.appKey);
      assert.deepEqual(structured(modern).body.body, { hello: 'world' });
      const legacy = await harness.call('dingtalk_api_request', { method: 'POST', path: '/topapi/v2/user/get', body: { userid: 'manager4220' } });
      assert.equal(structured(legacy).status, 200);
      assert.equal(structured(legacy).body.errcode, 0);
      const legacyEcho = await harness.call('dingtalk_api_request', { method: 'GET', path: '/emulator/echo' });
      assert.equal(structured(legacyEcho).body.appKey, APP.appKey);
      for (const result of [modern, legacy, legacyEcho]) assert.ok(!JSON.stringify(result).includes(token));
      assert.equal(emulator.stats().apiRequests, 3);
      assert.equal(emulator.stats().tokenRequests, 1);
    });
  });

  test(`${name}: a revoked token is refreshed once and the call succeeds`, async () => {
    await scenario(connect, {}, async (harness, emulator, seen) => {
      await getToken(harness, seen);
      emulator.revokeTokens(APP.appKey);
      const result = await harness.call('dingtalk_api_request', { method: 'GET', path: '/v1.0/emulator/echo' });
      assert.equal(structured(result).status, 200);
      assert.equal(emulator.stats().tokenRequests, 2);
      assert.equal(emulator.stats().apiUnauthorized, 1);
      const legacy = await harness.call('dingtalk_api_request', { method: 'GET', path: '/emulator/echo' });
      assert.equal(structured(legacy).body.errcode, 0);
      await getToken(harness, seen);
    });
  });

  test(`${name}: 100 refresh_access_token calls while DingTalk answers 429 Retry-After 60 stay within the per-app cap`, async () => {
    await scenario(connect, { policy: '{"version":"1","default":"allow"}' }, async (harness, emulator, seen) => {
      const before = await getToken(harness, seen);
      emulator.setFault({ kind: 'rateLimit429', retryAfterSeconds: 60 });
      const results = [];
      for (let i = 0; i < 100; i++) results.push(await harness.call('refresh_access_token'));
      const tokenRequests = emulator.stats().tokenRequests;
      assert.ok(tokenRequests <= MAX_TOKEN_REQUESTS_PER_MINUTE, `${tokenRequests} token requests`);
      assert.equal(tokenRequests, 2, 'the first token, one refresh that met the 429, then none until Retry-After has passed');
      assert.equal(results[0]?.isError, true);
      assert.match(text(results[0]), /throttled/);
      for (const result of results.slice(1)) {
        assert.equal(result.isError, undefined, text(result));
        const answer = structured(result);
        assert.equal(answer.accessToken, before.accessToken);
        assert.equal(answer.refreshed, false);
        assert.match(answer.notRefreshedBecause, /Retry-After/);
        const wait = Date.parse(answer.nextRefreshAt) - Date.now();
        assert.ok(wait > 50_000 && wait <= 60_000, `next refresh in ${wait} ms`);
      }
    });
  });

  test(`${name}: 30 dingtalk_api_request calls to an API that keeps rejecting the token make a bounded number of token requests`, async () => {
    await scenario(connect, {}, async (harness, emulator) => {
      emulator.setFault({ kind: 'invalidToken', target: 'api' });
      for (let i = 0; i < 30; i++) {
        const result = await harness.call('dingtalk_api_request', { method: 'POST', path: '/topapi/v2/user/get', body: { userid: 'u1' } });
        assert.equal(result.isError, true);
        assert.match(text(result), /tokenRejected/);
        assert.match(text(result), /IP whitelist/);
      }
      assert.equal(emulator.stats().tokenRequests, 2);
    });
  });

  test(`${name}: a foreign host is refused without any request`, async () => {
    await scenario(connect, {}, async (harness, emulator) => {
      for (const target of ['https://evil.example/v1.0/emulator/echo', '//evil.example/v1.0/x', '/v1.0/../oauth2/accessToken']) {
        const result = await harness.call('dingtalk_api_request', { method: 'GET', path: target });
        assert.equal(result.isError, true);
        assert.match(text(result), /Refused/);
      }
      assert.deepEqual([emulator.stats().tokenRequests, emulator.stats().apiRequests], [0, 0]);
    });
  });

  test(`${name}: wrong credentials → isError naming invalidClientIdOrSecret; token_status explains`, async () => {
    await scenario(connect, { apps: [{ appKey: APP.appKey, appSecret: 'not-the-secret', label: 'Broken' }] }, async (harness) => {
      const result = await harness.call('get_access_token', { app: 'Broken' });
      assert.equal(result.isError, true);
      assert.match(text(result), /invalidCredentials/);
      assert.match(text(result), /invalidClientIdOrSecret/);
      const status = await harness.call('token_status');
      assert.equal(structured(status).state, 'failing');
      assert.equal(structured(status).lastError.code, 'invalidClientIdOrSecret');
      assert.ok(!('accessToken' in structured(status)));
      assert.ok(!harness.logs().includes('not-the-secret'));
    });
  });

  test(`${name}: a malformed answer on refresh is a clear error while the cached token keeps serving`, async () => {
    await scenario(connect, {}, async (harness, emulator, seen) => {
      const before = await getToken(harness, seen);
      emulator.setFault({ kind: 'malformed', times: 1 });
      const refresh = await harness.call('refresh_access_token');
      assert.equal(refresh.isError, true);
      assert.match(text(refresh), /malformed/);
      const after = await getToken(harness, seen);
      assert.equal(after.accessToken, before.accessToken);
      assert.equal(after.source, 'cache');
      assert.equal(emulator.stats().tokenRequests, 2);
    });
  });

  test(`${name}: list_apps and token_status show apps and expiry, never secrets or tokens`, async () => {
    await scenario(connect, { apps: [APP, APP2] }, async (harness, _emulator, seen) => {
      const second = await getToken(harness, seen, 'Sandbox Two');
      assert.equal(second.app, APP2.appKey);
      const list = await harness.call('list_apps');
      assert.deepEqual(
        structured(list).apps.map((app) => [app.label, app.appKey, app.active, typeof app.expiresAt]),
        [
          ['Sandbox', APP.appKey, true, 'undefined'],
          ['Sandbox Two', APP2.appKey, false, 'string'],
        ],
      );
      const status = await harness.call('token_status', { app: APP2.appKey });
      assert.equal(structured(status).state, 'valid');
      assert.equal(structured(status).label, 'Sandbox Two');
      for (const result of [list, status]) {
        const json = JSON.stringify(result);
        assert.ok(!json.includes(second.accessToken) && !json.includes(APP.appSecret) && !json.includes(APP2.appSecret));
      }
      const unknown = await harness.call('token_status', { app: 'nope' });
      assert.equal(unknown.isError, true);
      assert.match(text(unknown), /Sandbox Two/);
    });
  });

  test(`${name}: without credentials every tool answers with a setup error`, async () => {
    await scenario(connect, { apps: [] }, async (harness, emulator) => {
      const calls: [string, Record<string, unknown>][] = [
        ['get_access_token', {}],
        ['refresh_access_token', {}],
        ['token_status', {}],
        ['list_apps', {}],
        ['dingtalk_api_request', { method: 'GET', path: '/v1.0/emulator/echo' }],
      ];
      for (const [tool, args] of calls) {
        const result = await harness.call(tool, args);
        assert.equal(result.isError, true, tool);
        assert.match(text(result), /No DingTalk app is configured/, tool);
      }
      // stderr is written in 50 ms batches: the whole exchange can be over before the first one.
      if (name === 'stdio') await eventually(() => /DINGTALK_APP_KEY/.test(harness.logs()), 'the log names DINGTALK_APP_KEY');
      assert.equal(emulator.stats().tokenRequests, 0);
    });
  });

  test(`${name}: policy denials, limits and hidden tools`, async () => {
    const policy = JSON.stringify({
      version: '1',
      default: 'allow',
      hide: ['list_apps'],
      tools: {
        dingtalk_api_request: { action: 'deny', reason: 'No API calls from agents here.' },
        // A day window: a minute one could roll over between the two calls.
        refresh_access_token: { limits: [{ counter: 'refreshes', window: 'day', max: 1, scope: 'session' }] },
      },
    });
    await scenario(connect, { policy }, async (harness, emulator) => {
      const { tools } = await harness.client.listTools();
      assert.deepEqual(tools.map((tool) => tool.name).sort(), TOOL_NAMES.filter((tool) => tool !== 'list_apps').sort());

      const denied = await harness.call('dingtalk_api_request', { method: 'GET', path: '/v1.0/emulator/echo' });
      assert.equal(denied.isError, true);
      assert.ok(text(denied).startsWith('[POLICY DENIED]'), text(denied));
      assert.match(text(denied), /No API calls from agents here/);

      const first = await harness.call('refresh_access_token');
      assert.equal(first.isError, undefined, text(first));
      const second = await harness.call('refresh_access_token');
      assert.equal(second.isError, true);
      assert.ok(text(second).startsWith('[POLICY DENIED]'), text(second));
      assert.match(text(second), /retryAfterSeconds\D+\d+/);
      assert.deepEqual([emulator.stats().tokenRequests, emulator.stats().apiRequests], [1, 0]);

      if (harness.audit) {
        const decisions = harness.audit
          .recent(10)
          .map((event) => `${event.tool}:${event.decision}`)
          .reverse();
        assert.deepEqual(decisions, ['dingtalk_api_request:deny', 'refresh_access_token:allow', 'refresh_access_token:deny']);
        for (const event of harness.audit.recent(10)) assert.match(event.argsSha256, /^[0-9a-f]{64}$/);
      } else {
        // stderr travels apart from the answers on stdout; give it a moment.
        await eventually(() => harness.logs().match(/mcp tool call/g)?.length === 3, 'three tool calls logged');
      }
    });
  });

  test(`${name}: arguments nested 3500 deep are refused before DingTalk, and audited`, async () => {
    await scenario(connect, {}, async (harness, emulator, seen) => {
      let deep: unknown = 'leaf';
      for (let level = 0; level < 3500; level++) deep = level % 2 ? [deep] : { next: deep };
      const result = await harness.call('dingtalk_api_request', { method: 'POST', path: '/v1.0/emulator/echo', body: deep });
      assert.equal(result.isError, true);
      assert.match(text(result), /nested more than 64 levels deep; nothing was sent to DingTalk/);
      assert.deepEqual([emulator.stats().tokenRequests, emulator.stats().apiRequests], [0, 0]);
      if (harness.audit) {
        const [event] = harness.audit.recent(1);
        assert.ok(event);
        assert.deepEqual([event?.tool, event?.decision, event?.rule], ['dingtalk_api_request', 'deny', 'arguments-limit']);
        assert.match(event.argsSha256, /^[0-9a-f]{64}$/);
      } else {
        await eventually(() => /"decision":"deny","rule":"arguments-limit"/.test(harness.logs()), 'the refusal audited');
      }
      // Still serving, and an ordinary nested body goes through.
      const ok = await harness.call('dingtalk_api_request', { method: 'POST', path: '/v1.0/emulator/echo', body: { a: { b: [1, { c: 2 }] } } });
      assert.equal(structured(ok).status, 200, text(ok));
      await getToken(harness, seen);
    });
  });

  for (const approve of [true, false]) {
    test(`${name}: an approve rule asks the person (${approve ? 'yes' : 'no'})`, async () => {
      const policy = JSON.stringify({ version: '1', tools: { get_access_token: { action: 'approve' } } });
      await scenario(connect, { policy, approve }, async (harness, _emulator, seen) => {
        const result = await harness.call('get_access_token');
        if (approve) {
          assert.equal(result.isError, undefined, text(result));
          seen.add(structured(result).accessToken);
        } else {
          assert.ok(text(result).startsWith('[POLICY DENIED]'), text(result));
        }
      });
    });
  }
}

test('stdio: an approve rule is denied when the client cannot ask the person', async () => {
  const policy = JSON.stringify({ version: '1', tools: { get_access_token: { action: 'approve' } } });
  await scenario(stdio, { policy }, async (harness, emulator) => {
    const result = await harness.call('get_access_token');
    assert.ok(text(result).startsWith('[POLICY DENIED]'), text(result));
    assert.equal(emulator.stats().tokenRequests, 0);
    await eventually(() => /no elicitation support/.test(harness.logs()), 'the log says the client cannot ask');
  });
});

test('stdio: the policy file is hot-reloaded; an invalid edit keeps the last good policy', async () => {
  const deny = JSON.stringify({ version: '1', tools: { token_status: { action: 'deny', reason: 'status is off' } } });
  await scenario(stdio, { policy: deny }, async (harness) => {
    assert.ok(text(await harness.call('token_status')).startsWith('[POLICY DENIED]'));
    await fs.writeFile(harness.policyFile!, JSON.stringify({ version: '1', hide: ['list_apps'] }));
    await eventually(async () => (await harness.call('token_status')).isError === undefined, 'token_status allowed');
    await eventually(async () => !(await harness.client.listTools()).tools.some((tool) => tool.name === 'list_apps'), 'list_apps no longer listed');

    await fs.writeFile(harness.policyFile!, '{ "version": "1", "tools": ');
    await eventually(() => /invalid/.test(harness.logs()), 'the log says the policy is invalid');
    assert.equal((await harness.call('token_status')).isError, undefined);
  });
});

test('stdio: the log holds audit lines and the sandbox secret never, whatever happened', async () => {
  await scenario(stdio, {}, async (harness, emulator, seen) => {
    await getToken(harness, seen);
    emulator.revokeTokens();
    await harness.call('dingtalk_api_request', { method: 'GET', path: '/emulator/echo' });
    await getToken(harness, seen);
    await eventually(() => harness.logs().match(/mcp tool call/g)?.length === 3, 'three tool calls logged');
    assert.match(harness.logs(), /"argsSha256":"[0-9a-f]{64}"/);
  });
});

test('stdio: arguments larger than 1 MB are refused before DingTalk, and audited', async () => {
  await scenario(stdio, {}, async (harness, emulator) => {
    const result = await harness.call('dingtalk_api_request', { method: 'POST', path: '/v1.0/emulator/echo', body: { text: 'x'.repeat(1024 * 1024 + 1) } });
    assert.equal(result.isError, true);
    assert.match(text(result), /more than the limit of 1048576; nothing was sent to DingTalk/);
    assert.deepEqual([emulator.stats().tokenRequests, emulator.stats().apiRequests], [0, 0]);
    await eventually(() => /"rule":"arguments-limit"/.test(harness.logs()), 'the refusal audited');
  });
});
