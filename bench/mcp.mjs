// Figures 1 and 2: a cached get_access_token through our MCP servers against a floor built with the same SDK.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startHttpFloor } from './floor/http.mjs';
import { fromOut, mean, median, percentile, root } from './lib/util.mjs';

const { DingTalkEmulator, SANDBOX_APPS } = fromOut('test/emulator/emulator');
const { isolatingFetch } = fromOut('bench/lib/isolatingFetch');
const [APP] = SANDBOX_APPS;
const CLI = path.join(root, 'dist', 'cli.js');
const FLOOR_STDIO = path.join(root, 'bench', 'floor', 'stdio.mjs');

async function connect(transport) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  // Like real clients: list tools first, so the client validates every structuredContent against its schema.
  await client.listTools();
  return client;
}

/** Sequential calls; returns per-call samples in ms. Fails loudly if a timed call is not a cached success. */
async function calls(client, count, { requireCache = true } = {}) {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const result = await client.callTool({ name: 'get_access_token', arguments: {} });
    samples[i] = performance.now() - start;
    if (result.isError || (requireCache && result.structuredContent?.source !== 'cache')) {
      throw new Error(`get_access_token did not answer from the cache: ${JSON.stringify(result).slice(0, 300)}`);
    }
  }
  return samples;
}

function summary(samples) {
  return { mean: mean(samples), p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/**
 * Each run: start ours and the floor fresh and warm both up; then time `count` calls on each, interleaved in
 * blocks of BLOCK calls (ours, floor, ours, floor…), so load from elsewhere on the machine hits both alike.
 */
const BLOCK = 100;
async function compare({ runs, count, warmup, startOurs, startFloor }) {
  const perRun = [];
  for (let run = 0; run < runs; run++) {
    const ours = await startOurs();
    const floor = await startFloor();
    try {
      await calls(ours.client, warmup, { requireCache: false });
      await calls(floor.client, warmup, { requireCache: false });
      const oursSamples = [];
      const floorSamples = [];
      for (let done = 0; done < count; done += BLOCK) {
        const size = Math.min(BLOCK, count - done);
        const first = (done / BLOCK) % 2 === 0 ? [ours, oursSamples, floor, floorSamples] : [floor, floorSamples, ours, oursSamples];
        first[1].push(...(await calls(first[0].client, size)));
        first[3].push(...(await calls(first[2].client, size)));
      }
      const o = summary(oursSamples);
      const f = summary(floorSamples);
      perRun.push({ ours: o, floor: f, ratioMean: o.mean / f.mean, ratioP50: o.p50 / f.p50, ratioP99: o.p99 / f.p99 });
    } finally {
      await ours.close();
      await floor.close();
    }
  }
  const pick = (fn) => median(perRun.map(fn));
  return {
    count,
    runs: perRun,
    ours: { mean: pick((r) => r.ours.mean), p50: pick((r) => r.ours.p50), p99: pick((r) => r.ours.p99) },
    floor: { mean: pick((r) => r.floor.mean), p50: pick((r) => r.floor.p50), p99: pick((r) => r.floor.p99) },
    ratioMean: pick((r) => r.ratioMean),
    ratioP50: pick((r) => r.ratioP50),
    ratioP99: pick((r) => r.ratioP99),
  };
}

function stdioClient(command, args, env) {
  const transport = new StdioClientTransport({ command, args, env, stderr: 'pipe' });
  let tail = '';
  // Drain stderr as an MCP client does (ours logs an audit line per call there).
  transport.stderr.on('data', (chunk) => (tail = (tail + chunk.toString('utf8')).slice(-2000)));
  return { transport, stderr: () => tail };
}

/** The SDK floor over stdio, connected. */
async function startStdioFloor() {
  const { transport } = stdioClient(process.execPath, [FLOOR_STDIO], { PATH: process.env.PATH ?? '' });
  const client = await connect(transport);
  return { client, close: () => client.close() };
}

/** A client of a Streamable HTTP server (ours or the floor), over its unix socket when it has one; close() ends both. */
async function connectHttp(server) {
  const socket = server.socketPath ? socketFetch(server.socketPath) : undefined;
  const requestInit = server.headers ? { headers: server.headers } : undefined;
  const client = await connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit, fetch: socket?.fetch ?? isolatingFetch() }));
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
      await socket?.close();
    },
  };
}

/** The SDK floor over Streamable HTTP (tcp, or a unix socket), connected. */
async function startHttpFloorClient({ unix = false } = {}) {
  return connectHttp(await startHttpFloor({ unix }));
}

/** Runs fn with a fresh emulator and endpoints pointing at it; the emulator is closed whatever happens. */
async function withEmulator(fn) {
  const { endpointsWithDefaults } = fromOut('src/core/dingtalk/client');
  const emulator = await DingTalkEmulator.start();
  try {
    return await fn({ emulator, endpoints: endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl }) });
  } finally {
    await emulator.close();
  }
}

/** Figure 1: `node dist/cli.js` against the floor, both over stdio. */
export async function stdioFigure({ runs, count = 2000, warmup = 300 }) {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `node esbuild.mjs --production` first.');
  return withEmulator(async ({ emulator }) => {
    return await compare({
      runs,
      count,
      warmup,
      startOurs: async () => {
        const { transport, stderr } = stdioClient(process.execPath, [CLI], {
          PATH: process.env.PATH ?? '',
          DINGTALK_APP_KEY: APP.appKey,
          DINGTALK_APP_SECRET: APP.appSecret,
          DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
          DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
        });
        try {
          const client = await connect(transport);
          return { client, close: () => client.close() };
        } catch (error) {
          throw new Error(`dist/cli.js did not start: ${error.message}\n${stderr()}`, { cause: error });
        }
      },
      startFloor: startStdioFloor,
    });
  });
}

/** A fetch that reaches a unix socket, for the StreamableHTTPClientTransport. */
function socketFetch(socketPath) {
  const dispatcher = new Agent({ connect: { socketPath } });
  return { fetch: isolatingFetch((url, init) => undiciFetch(url, { ...init, dispatcher })), close: () => dispatcher.close() };
}

/** What both in-process figures give our server: the sandbox app, the built-in policy, a log sink that only counts. */
function toolContext(endpoints) {
  const { TokenManager } = fromOut('src/core/tokens/manager');
  const { fetchAccessToken } = fromOut('src/core/dingtalk/client');
  const { PolicyEngine } = fromOut('src/core/policy/engine');
  const { applyPolicyRead } = fromOut('src/core/policy/apply');
  const { AuditTrail } = fromOut('src/core/audit');
  const { Redactor } = fromOut('src/core/redact');
  const redactor = new Redactor();
  const tokens = new TokenManager({ fetcher: () => fetchAccessToken(endpoints, APP), autoRefresh: false, redactor });
  const policy = new PolicyEngine();
  const loaded = applyPolicyRead(policy, { kind: 'missing' });
  if (!loaded.ok) throw new Error(`the built-in policy did not load: ${loaded.error}`);
  let logged = 0;
  return {
    tokens,
    apps: { list: () => [{ appKey: APP.appKey, label: APP.label }], activeAppKey: () => APP.appKey },
    endpoints: () => endpoints,
    policy,
    approver: async () => false,
    audit: new AuditTrail(),
    log: (line) => void (logged += line.length),
    redactor,
  };
}

/** Our server on a fresh toolContext, connected by `open`; close() also stops the context's token manager. */
async function startOursWith(endpoints, open) {
  const context = toolContext(endpoints);
  const { client, close } = await open(context);
  return {
    client,
    close: async () => {
      await close();
      context.tokens.dispose();
    },
  };
}

/** Figure 2: our in-process Streamable HTTP server (the extension's) against the SDK floor, over tcp and a unix socket. */
export async function httpFigure({ runs, count = 2000, warmup = 300, kind = 'tcp' }) {
  const { startHttpMcpServer } = fromOut('src/mcp/http/server');
  return withEmulator(async ({ endpoints }) => {
    return await compare({
      runs,
      count,
      warmup,
      startOurs: () => startOursWith(endpoints, async (context) => connectHttp(await startHttpMcpServer(context, { preferTcp: kind === 'tcp' }))),
      startFloor: () => startHttpFloorClient({ unix: kind === 'unix' }),
    });
  });
}

/** Calibration (A/A): the stdio floor against itself, to show how much of a ratio is noise on this machine. */
export async function stdioSelfCheck({ runs, count = 2000, warmup = 300 }) {
  return compare({ runs, count, warmup, startOurs: startStdioFloor, startFloor: startStdioFloor });
}

/** Calibration (A/A) for HTTP: the floor against itself. */
export async function httpSelfCheck({ runs, count = 2000, warmup = 300 }) {
  const start = () => startHttpFloorClient();
  return compare({ runs, count, warmup, startOurs: start, startFloor: start });
}

/**
 * Figure 1 (no I/O): the same comparison over the SDK's InMemoryTransport, client and server in this process,
 * so the difference is only the CPU our layers add (policy, audit, token cache, result building).
 */
export async function inMemoryFigure({ runs, count = 2000, warmup = 300 }) {
  const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const { registerFloorTool } = await import('./floor/shape.mjs');
  const { createDingTalkMcpServer } = fromOut('src/mcp/tools/registry');
  const link = async (server) => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    return connect(clientSide);
  };
  return withEmulator(async ({ endpoints }) => {
    return await compare({
      runs,
      count,
      warmup,
      startOurs: () =>
        startOursWith(endpoints, async (context) => {
          const client = await link(createDingTalkMcpServer(context, 'bench').server);
          return { client, close: () => client.close() };
        }),
      startFloor: async () => {
        const server = new McpServer({ name: 'floor', version: '1.0.0' });
        registerFloorTool(server);
        const client = await link(server);
        return { client, close: () => client.close() };
      },
    });
  });
}
