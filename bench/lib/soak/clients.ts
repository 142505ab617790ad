/**
 * The soak's rig: the emulator, the in-process Streamable HTTP server (as the extension runs it, one TokenManager
 * shared by every HTTP session) and the MCP clients that drive calls, some over HTTP to that server, some over
 * stdio each to its own `dingtalk-token-mcp` process (own token cache). close() takes all of it down.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DingTalkEmulator, SANDBOX_APPS } from '../../../test/emulator/emulator';
import { endpointsWithDefaults, type DingTalkEndpoints } from '../../../src/core/dingtalk/client';
import type { TokenManager } from '../../../src/core/tokens/manager';
import { startHttpMcpServer } from '../../../src/mcp/http/server';
import { isolatingFetch } from '../isolatingFetch';
import { inProcessContext } from '../../../test/support/inProcessContext';
import type { LeakWatch } from './leaks';

export const [APP, APP2] = SANDBOX_APPS;
export const APPS = [APP, APP2];
const DEFAULT_CLI = path.join(__dirname, '..', '..', '..', 'src', 'mcp', 'cli', 'main.js');

export interface Handle {
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

export interface RigOptions {
  httpClients: number;
  stdioClients: number;
  /** The stdio server to spawn; out/src/mcp/cli/main.js when omitted. */
  cliPath?: string;
}

export interface SoakRig {
  emulator: DingTalkEmulator;
  handles: Handle[];
  /** How the HTTP clients reach the in-process server ('tcp' or 'unix'), 'none' without HTTP clients. */
  serverKind: string;
  close(): Promise<void>;
}

/** Starts the emulator and the servers and connects the clients; on failure, takes down what it started. */
export async function startRig(options: RigOptions, leakWatch: LeakWatch): Promise<SoakRig> {
  const emulator = await DingTalkEmulator.start();
  const handles: Handle[] = [];
  let inProcess: InProcessServer | undefined;
  let dir: string | undefined;
  const close = async () => {
    emulator.setFault(null);
    await Promise.allSettled(handles.map((handle) => handle.close()));
    await inProcess?.close();
    await emulator.close();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  };
  try {
    const endpoints = endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl });
    inProcess = await startInProcessServer(endpoints, options.httpClients > 0, leakWatch);
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dingtalk-soak-'));
    const appsFile = path.join(dir, 'apps.json');
    await fs.promises.writeFile(appsFile, JSON.stringify(APPS));
    for (let k = 0; k < options.httpClients; k++) handles.push(await connectHttpClient(k, inProcess));
    const cliEnv = {
      PATH: process.env.PATH ?? '',
      DINGTALK_APPS_FILE: appsFile,
      DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
      DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
    };
    for (let k = 0; k < options.stdioClients; k++) handles.push(await connectStdioClient(k, options.cliPath ?? DEFAULT_CLI, cliEnv, leakWatch));
    return { emulator, handles, serverKind: inProcess.server?.kind ?? 'none', close };
  } catch (error) {
    await close();
    throw error;
  }
}

interface InProcessServer {
  tokens: TokenManager;
  server: Awaited<ReturnType<typeof startHttpMcpServer>> | undefined;
  /** Reaches the server's unix socket, when it listens on one. */
  agent: Agent | undefined;
  close(): Promise<void>;
}

/** The in-process server, as the extension runs it: one TokenManager shared by every HTTP session. */
async function startInProcessServer(endpoints: DingTalkEndpoints, listen: boolean, leakWatch: LeakWatch): Promise<InProcessServer> {
  const context = inProcessContext({ endpoints, apps: APPS, autoRefresh: true, log: (line) => leakWatch.check(line) });
  const { tokens } = context;
  const server = listen ? await startHttpMcpServer(context) : undefined;
  const agent = server?.socketPath ? new Agent({ connect: { socketPath: server.socketPath } }) : undefined;
  return {
    tokens,
    server,
    agent,
    close: async () => {
      await server?.close();
      await agent?.close();
      tokens.dispose();
    },
  };
}

function newClient(): Client {
  return new Client({ name: 'soak', version: '1.0.0' });
}

async function connectHttpClient(k: number, { tokens, server, agent }: InProcessServer): Promise<Handle> {
  const base = agent
    ? (url: string | URL, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>
    : (url: string | URL, init?: RequestInit) => fetch(url, init);
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(server!.url), { requestInit: { headers: server!.headers }, fetch: isolatingFetch(base) }));
  return {
    name: `http-${k}`,
    cache: 'http',
    client,
    heldToken: (appKey) => tokens.peek(appKey),
    saw: () => undefined,
    close: () => client.close(),
  };
}

/** A client of its own stdio server; what that server holds is known only from the tokens it hands this client. */
async function connectStdioClient(k: number, cliPath: string, env: Record<string, string>, leakWatch: LeakWatch): Promise<Handle> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath], env, stderr: 'pipe' });
  transport.stderr!.on('data', leakWatch.lineListener());
  const held = new Map<string, { accessToken: string; expiresAt: number }>();
  const client = newClient();
  await client.connect(transport);
  return {
    name: `stdio-${k}`,
    cache: `stdio-${k}`,
    client,
    heldToken: (appKey) => held.get(appKey),
    saw: (appKey, accessToken, expiresAt) => void held.set(appKey, { accessToken, expiresAt }),
    close: () => client.close(),
  };
}
