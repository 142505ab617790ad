/**
 * The soak: K MCP clients make N tool calls in all (get_access_token, token_status, dingtalk_api_request to the
 * emulator's echo endpoints) while the emulator cycles faults (500s, 429s, resets, slow answers, revoked
 * tokens). Loopback only, bounded in calls and in time. Used by `npm run soak` (bench/soak.mjs) and, in a
 * short form, by test/integration/soak.test.ts.
 *
 * What it judges: a call that fails while the server serving it held a valid token (unexpired, not revoked)
 * is a failure of ours, unless the failure is an API call hit by an injected API-side fault (then DingTalk
 * failed, and saying so is right). Calls that fail while DingTalk refuses to issue tokens and the old one
 * is gone are counted apart: failing is the right answer then.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DingTalkEmulator, SANDBOX_APPS, type Fault } from '../../test/emulator/emulator';
import { AuditTrail } from '../../src/core/audit';
import { endpointsWithDefaults, fetchAccessToken } from '../../src/core/dingtalk';
import { PolicyEngine } from '../../src/core/policy';
import { TokenManager } from '../../src/core/tokens';
import { startHttpMcpServer } from '../../src/mcp/httpServer';
import { isolatingFetch } from './isolatingFetch';

export interface SoakOptions {
  /** Tool calls in all (not counting each client's warm-up call). */
  calls: number;
  /** Concurrent MCP clients. */
  clients: number;
  /** How many of them use the stdio CLI (each its own server process and token cache); the rest share the in-process HTTP server. */
  stdioClients?: number;
  /** The stdio server to spawn; out/src/mcp/cli.js when omitted. */
  cliPath?: string;
  /** A fault phase ends after this many completed calls... */
  callsPerPhase?: number;
  /** ...or after this long, whichever comes first. */
  maxPhaseMs?: number;
  /** Hard bound on the whole run; calls not started by then are not made, and the report says so. */
  timeLimitMs?: number;
  /** Allowed heapUsed growth (after GC) before the report calls it a leak. */
  heapGrowthBound?: number;
  progress?: (line: string) => void;
}

export interface SoakReport {
  date: string;
  calls: number;
  completed: number;
  clients: number;
  transports: string;
  elapsedMs: number;
  timedOut: boolean;
  succeeded: number;
  failedWithValidToken: number;
  failedWithoutValidToken: number;
  failedByApiFault: number;
  byTool: Record<string, { calls: number; failed: number }>;
  /** By the fault phase in force when the call started. */
  byPhase: Record<string, { calls: number; failed: number; failedWithoutValidToken: number }>;
  /**
   * The longest time one token cache (the HTTP server's, or one stdio server's) had no usable token for an app:
   * from a call failing for want of a token to the next call that got one.
   */
  longestTokenOutageMs: number;
  /** The longest wait our error messages announced ("Next attempt in N s"). */
  longestAnnouncedBackoffSeconds: number;
  /** The most common reasons calls failed with no valid token (digits and quoted values blanked), with counts. */
  noTokenReasons: Record<string, number>;
  apiStatuses: Record<string, number>;
  upstreamTokenRequests: number;
  upstreamBound: number;
  revocations: number;
  phases: number;
  phaseKinds: string[];
  heapBefore?: number;
  heapAfter?: number;
  heapGrowthBound: number;
  /** Log lines (server log or stdio stderr) that contained a secret or a token. */
  leaks: number;
  examples: string[];
}

interface Phase {
  name: string;
  fault: Fault | null;
  revoke?: boolean;
}

export const SOAK_PHASES: readonly Phase[] = [
  { name: 'healthy', fault: null },
  { name: 'token endpoint 500', fault: { kind: 'server500', target: 'token' } },
  { name: '429 everywhere', fault: { kind: 'rateLimit429', target: 'all', retryAfterSeconds: 1 } },
  { name: 'API connection resets', fault: { kind: 'reset', target: 'api' } },
  { name: 'slow answers', fault: { kind: 'slow', target: 'all', delayMs: 300 } },
  { name: 'token revoked', fault: null, revoke: true },
  { name: 'token endpoint resets', fault: { kind: 'reset', target: 'token' } },
  { name: 'API 500', fault: { kind: 'server500', target: 'api' } },
  { name: 'token revoked while the token endpoint answers 500', fault: { kind: 'server500', target: 'token' }, revoke: true },
  { name: 'healthy again', fault: null },
  { name: 'token endpoint HTML error page', fault: { kind: 'htmlError', target: 'token' } },
];

interface PhaseSpan {
  name: string;
  apiFault: boolean;
  start: number;
  end: number;
}

interface Handle {
  name: string;
  /** Which token cache serves this client: 'http' (shared) or the stdio server's own. */
  cache: string;
  client: Client;
  /** The token the server behind this client holds for an app, as far as we can tell. */
  heldToken(appKey: string): { accessToken: string; expiresAt: number } | undefined;
  /** Tokens this client was handed. */
  saw(appKey: string, accessToken: string, expiresAt: number): void;
  close(): Promise<void>;
}

const [APP, APP2] = SANDBOX_APPS as [typeof SANDBOX_APPS[number], typeof SANDBOX_APPS[number]];
const APPS = [APP, APP2];
const DEFAULT_CLI = path.join(__dirname, '..', '..', 'src', 'mcp', 'cli.js');

/** The call with index i: 2/5 get_access_token, 1/5 token_status, 2/5 dingtalk_api_request (new and legacy echo). */
function callFor(i: number): { tool: string; appKey: string; args: Record<string, unknown> } {
  const app = APPS[Math.floor(i / 5) % 2];
  // The first app is the active one: name it sometimes, leave it out sometimes; the second by label or appKey.
  const appArg = app === APP ? (i % 3 === 0 ? {} : { app: APP.appKey }) : { app: i % 2 ? APP2.label! : APP2.appKey };
  switch (i % 5) {
    case 0:
    case 1:
      return { tool: 'get_access_token', appKey: app.appKey, args: appArg };
    case 2:
      return { tool: 'token_status', appKey: app.appKey, args: appArg };
    case 3:
      return { tool: 'dingtalk_api_request', appKey: app.appKey, args: { ...appArg, method: 'POST', path: '/v1.0/emulator/echo', body: { n: i } } };
    default:
      return { tool: 'dingtalk_api_request', appKey: app.appKey, args: { ...appArg, method: 'GET', path: '/emulator/echo', query: { n: i } } };
  }
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join(' ');
}

function gcHeap(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const calls = options.calls;
  const clientCount = Math.max(1, options.clients);
  const stdioCount = Math.min(clientCount, Math.max(0, options.stdioClients ?? Math.floor(clientCount / 4)));
  const httpCount = clientCount - stdioCount;
  const callsPerPhase = options.callsPerPhase ?? Math.min(250, Math.max(20, Math.floor(calls / (3 * SOAK_PHASES.length))));
  const maxPhaseMs = options.maxPhaseMs ?? 1500;
  const timeLimitMs = options.timeLimitMs ?? Math.max(60_000, calls * 10);
  const heapGrowthBound = options.heapGrowthBound ?? 16 * 1024 * 1024;
  const progress = options.progress ?? (() => undefined);

  const emulator = await DingTalkEmulator.start();
  const endpoints = endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl });
  const secrets = APPS.map((app) => app.appSecret);
  const seenTokens = new Set<string>();
  const revoked = new Set<string>();
  let leaks = 0;
  const scan = (text: string) => {
    if (secrets.some((secret) => text.includes(secret))) return true;
    for (const token of seenTokens) if (text.includes(token)) return true;
    return false;
  };

  // The in-process server, as the extension runs it: one TokenManager shared by every HTTP session.
  const tokens = new TokenManager({ fetcher: (appKey) => fetchAccessToken(endpoints, APPS.find((app) => app.appKey === appKey)!) });
  const policy = new PolicyEngine();
  const loaded = policy.load(undefined);
  if (!loaded.ok) throw new Error(`the built-in policy did not load: ${loaded.error}`);
  const server = httpCount > 0 ? await startHttpMcpServer({
    tokens,
    apps: { list: () => APPS.map((app) => ({ appKey: app.appKey, label: app.label ?? app.appKey })), activeAppKey: () => APP.appKey },
    endpoints: () => endpoints,
    policy,
    approver: async () => false,
    audit: new AuditTrail(),
    log: (line) => void (scan(line) && leaks++),
  }) : undefined;
  const agent = server?.socketPath ? new Agent({ connect: { socketPath: server.socketPath } }) : undefined;
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dingtalk-soak-'));
  const appsFile = path.join(dir, 'apps.json');
  await fs.promises.writeFile(appsFile, JSON.stringify(APPS));

  const handles: Handle[] = [];
  const newClient = () => new Client({ name: 'soak', version: '1.0.0' });
  try {
    for (let k = 0; k < httpCount; k++) {
      const base = agent
        ? (url: string | URL, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>
        : (url: string | URL, init?: RequestInit) => fetch(url, init);
      const client = newClient();
      await client.connect(new StreamableHTTPClientTransport(new URL(server!.url), { requestInit: { headers: server!.headers }, fetch: isolatingFetch(base) }));
      handles.push({
        name: `http-${k}`,
        cache: 'http',
        client,
        heldToken: (appKey) => tokens.peek(appKey),
        saw: () => undefined,
        close: () => client.close(),
      });
    }
    for (let k = 0; k < stdioCount; k++) {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [options.cliPath ?? DEFAULT_CLI],
        env: {
          PATH: process.env.PATH ?? '',
          DINGTALK_APPS_FILE: appsFile,
          DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
          DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
        },
        stderr: 'pipe',
      });
      let pending = '';
      transport.stderr!.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (scan(line)) leaks++;
      });
      const held = new Map<string, { accessToken: string; expiresAt: number }>();
      const client = newClient();
      await client.connect(transport);
      handles.push({
        name: `stdio-${k}`,
        cache: `stdio-${k}`,
        client,
        heldToken: (appKey) => held.get(appKey),
        saw: (appKey, accessToken, expiresAt) => void held.set(appKey, { accessToken, expiresAt }),
        close: () => client.close(),
      });
    }
    // Warm-up: list tools (so clients check structuredContent against the output schemas) and fetch a token each.
    for (const handle of handles) {
      await handle.client.listTools();
      for (const app of APPS) {
        const result = (await handle.client.callTool({ name: 'get_access_token', arguments: { app: app.appKey } })) as CallToolResult;
        const token = result.structuredContent as { accessToken?: string; expiresAt?: string } | undefined;
        if (result.isError || !token?.accessToken) throw new Error(`warm-up failed for ${handle.name}: ${textOf(result)}`);
        seenTokens.add(token.accessToken);
        handle.saw(app.appKey, token.accessToken, Date.parse(token.expiresAt!));
      }
    }
    emulator.resetStats();
    const heapBefore = gcHeap();

    // ---- the run ----
    const spans: PhaseSpan[] = [];
    let phaseIndex = -1;
    let phaseStartedAt = 0;
    let phaseCompleted = 0;
    let revocations = 0;
    const currentTokens = () => {
      // The emulator's live tokens (private field; read only to know exactly which tokens a revocation kills).
      const current = (emulator as unknown as { current?: Map<string, { token: string }> }).current;
      return current instanceof Map ? [...current.values()].map((record) => record.token) : [];
    };
    const advance = () => {
      const now = Date.now();
      if (spans.length) spans[spans.length - 1].end = now;
      phaseIndex++;
      const phase = SOAK_PHASES[phaseIndex % SOAK_PHASES.length];
      if (phase.revoke) {
        for (const token of [...seenTokens, ...currentTokens()]) revoked.add(token);
        emulator.revokeTokens();
        revocations++;
      }
      emulator.setFault(phase.fault);
      const target = phase.fault?.target ?? 'token';
      spans.push({ name: phase.name, apiFault: phase.fault !== null && target !== 'token', start: now, end: Infinity });
      phaseStartedAt = now;
      phaseCompleted = 0;
    };
    const maybeAdvance = () => {
      if (phaseCompleted >= callsPerPhase || Date.now() - phaseStartedAt >= maxPhaseMs) advance();
    };
    advance();
    const ticker = setInterval(maybeAdvance, 50);

    const started = Date.now();
    const deadline = started + timeLimitMs;
    let next = 0;
    let completed = 0;
    let succeeded = 0;
    let failedWithValidToken = 0;
    let failedWithoutValidToken = 0;
    let failedByApiFault = 0;
    const byTool: SoakReport['byTool'] = {};
    const apiStatuses: Record<string, number> = {};
    const examples: string[] = [];
    const byPhase: SoakReport['byPhase'] = {};
    const outageSince = new Map<string, number>();
    let longestTokenOutageMs = 0;
    let longestAnnouncedBackoffSeconds = 0;
    const noTokenReasons = new Map<string, number>();

    const one = async (handle: Handle, i: number) => {
      const { tool, appKey, args } = callFor(i);
      const heldAtStart = handle.heldToken(appKey);
      const start = Date.now();
      const phaseName = spans[spans.length - 1].name;
      const validAtStart = heldAtStart !== undefined && start < heldAtStart.expiresAt && !revoked.has(heldAtStart.accessToken);
      let failed = false;
      let why = '';
      try {
        const result = (await handle.client.callTool({ name: tool, arguments: args })) as CallToolResult;
        if (result.isError) {
          failed = true;
          why = textOf(result);
        } else if (tool === 'get_access_token') {
          const token = result.structuredContent as { accessToken: string; expiresAt: string };
          seenTokens.add(token.accessToken);
          handle.saw(appKey, token.accessToken, Date.parse(token.expiresAt));
        } else if (tool === 'dingtalk_api_request') {
          const status = (result.structuredContent as { status: number }).status;
          apiStatuses[status] = (apiStatuses[status] ?? 0) + 1;
          // The token was refused even after one refresh: as much a failure as an error result.
          if (status === 401 || (status === 200 && [40014, 42001].includes((result.structuredContent as { body?: { errcode?: number } }).body?.errcode ?? 0))) {
            failed = true;
            why = `status ${status}: ${JSON.stringify(result.structuredContent).slice(0, 200)}`;
          }
        }
      } catch (error) {
        failed = true;
        why = `the client call threw: ${(error as Error).message}`;
      }
      const end = Date.now();
      completed++;
      phaseCompleted++;
      const stats = (byTool[tool] ??= { calls: 0, failed: 0 });
      const phaseStats = (byPhase[phaseName] ??= { calls: 0, failed: 0, failedWithoutValidToken: 0 });
      stats.calls++;
      phaseStats.calls++;
      const outageKey = `${handle.cache} ${appKey}`;
      const announced = /Next attempt in (\d+) s/.exec(why);
      if (announced) longestAnnouncedBackoffSeconds = Math.max(longestAnnouncedBackoffSeconds, Number(announced[1]));
      if (!failed) {
        succeeded++;
        const since = outageSince.get(outageKey);
        if (since !== undefined && tool !== 'token_status') {
          longestTokenOutageMs = Math.max(longestTokenOutageMs, end - since);
          outageSince.delete(outageKey);
        }
      } else {
        stats.failed++;
        phaseStats.failed++;
        const stillValid = validAtStart && !revoked.has(heldAtStart.accessToken);
        const apiFault = tool === 'dingtalk_api_request' && spans.some((span) => span.apiFault && span.start <= end && span.end >= start);
        if (apiFault) failedByApiFault++;
        else if (stillValid) {
          failedWithValidToken++;
          if (examples.length < 5) examples.push(`${handle.name} ${tool} during "${spans[spans.length - 1].name}": ${why.slice(0, 300)}`);
        } else {
          failedWithoutValidToken++;
          phaseStats.failedWithoutValidToken++;
          const reason = why.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 110);
          noTokenReasons.set(reason, (noTokenReasons.get(reason) ?? 0) + 1);
          if (!apiFault && !outageSince.has(outageKey)) outageSince.set(outageKey, start);
        }
      }
      maybeAdvance();
    };

    const worker = async (handle: Handle) => {
      while (next < calls && Date.now() < deadline) {
        const i = next++;
        await one(handle, i);
        if (completed % 1000 === 0) progress(`${completed}/${calls} calls, phase "${spans[spans.length - 1].name}"`);
      }
    };
    await Promise.all(handles.map(worker));
    clearInterval(ticker);
    spans[spans.length - 1].end = Date.now();
    emulator.setFault(null);
    const elapsedMs = Date.now() - started;
    for (const since of outageSince.values()) longestTokenOutageMs = Math.max(longestTokenOutageMs, Date.now() - since);
    const heapAfter = gcHeap();

    const upstreamTokenRequests = emulator.stats().tokenRequests;
    // Per token cache and app: the first fetch, one per revocation, one per second of failures (backoff is at
    // least 1 s, Retry-After included), one per minute of success (the minimum interval).
    const managers = (httpCount > 0 ? 1 : 0) + stdioCount;
    const upstreamBound = managers * APPS.length * (2 + revocations + Math.ceil(elapsedMs / 1000) + Math.ceil(elapsedMs / 60_000));

    return {
      date: new Date().toISOString(),
      calls,
      completed,
      clients: clientCount,
      transports: `${httpCount} over in-process Streamable HTTP (${server?.kind ?? 'none'}), ${stdioCount} over stdio`,
      elapsedMs,
      timedOut: completed < calls,
      succeeded,
      failedWithValidToken,
      failedWithoutValidToken,
      failedByApiFault,
      byTool,
      byPhase,
      longestTokenOutageMs,
      longestAnnouncedBackoffSeconds,
      noTokenReasons: Object.fromEntries([...noTokenReasons].sort((a, b) => b[1] - a[1]).slice(0, 8)),
      apiStatuses,
      upstreamTokenRequests,
      upstreamBound,
      revocations,
      phases: spans.length,
      phaseKinds: [...new Set(spans.map((span) => span.name))],
      heapBefore,
      heapAfter,
      heapGrowthBound,
      leaks,
      examples,
    };
  } finally {
    emulator.setFault(null);
    await Promise.allSettled(handles.map((handle) => handle.close()));
    await server?.close();
    await agent?.close();
    tokens.dispose();
    await emulator.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
