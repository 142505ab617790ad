import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, ListenOptions } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { redact, registerSensitive } from '../core/redact';
import { createDingTalkMcpServer, type DingTalkTools, type ToolContext } from './tools';

export const SECRET_HEADER = 'x-dingtalk-mcp-secret';
export const MCP_PATH = '/mcp';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpMcpServerOptions {
  /** Parent of the private socket directory; the OS temp dir when omitted. */
  socketDir?: string;
  /** Listen on 127.0.0.1 even where a unix socket or named pipe would do. */
  preferTcp?: boolean;
  maxBodyBytes?: number;
}

export interface HttpMcpServer {
  kind: 'unix' | 'pipe' | 'tcp';
  /** The unix socket or named pipe (not for tcp). */
  socketPath?: string;
  /** `http://127.0.0.1:PORT/mcp`, or `http://localhost/mcp` to be used over socketPath. */
  url: string;
  /** Send these on every request: the secret of this start. */
  headers: Record<string, string>;
  /** Re-applies the policy's hide list to every open session (call after the policy was reloaded). */
  syncTools(): void;
  /** Ends every session, stops listening and removes the socket directory. */
  close(): Promise<void>;
}

interface Session {
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  tools: DingTalkTools;
}

interface Endpoint {
  kind: HttpMcpServer['kind'];
  socketPath?: string;
  socketDir?: string;
  port?: number;
}

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Streamable HTTP MCP inside this process, so the tools share the caller's TokenManager. Reachable only by
 * whoever holds the per-start secret, through a private socket where the platform has one; one McpServer per
 * MCP session, so the session id scopes policy limits.
 */
export async function startHttpMcpServer(context: ToolContext, options: HttpMcpServerOptions = {}): Promise<HttpMcpServer> {
  const secret = randomBytes(32).toString('base64url');
  registerSensitive(secret);
  const secretBytes = Buffer.from(secret);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const sessions = new Map<string, Session>();
  const log = (line: string) => context.log(redact(line));
  let endpoint: Endpoint | undefined;

  const openSession = async (): Promise<Session> => {
    const id = randomUUID();
    const { server, tools } = createDingTalkMcpServer(context, id);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessioninitialized: () => void sessions.set(id, session),
    });
    const session: Session = { server, transport, tools };
    // Set before connect: the SDK chains its own handler after ours. Covers DELETE and close().
    transport.onclose = () => void sessions.delete(id);
    await server.connect(transport);
    return session;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const refusal = checkCaller(req, secretBytes, endpoint);
    if (refusal) return reject(res, refusal.status, refusal.message);
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== MCP_PATH) return reject(res, 404, `Not found; the MCP endpoint is ${MCP_PATH}.`);
    const sessionId = header(req, 'mcp-session-id');
    const session = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId !== undefined && !session) return reject(res, 404, 'Session not found; start a new one with initialize.');
    if (req.method === 'POST') {
      const body = await readJson(req, maxBodyBytes);
      if (!body.ok) return reject(res, body.status, body.message);
      if (session) return session.transport.handleRequest(req, res, body.value);
      if (!isInitializeRequest(body.value)) return reject(res, 400, 'No session: send initialize first (without an mcp-session-id header).');
      return (await openSession()).transport.handleRequest(req, res, body.value);
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (!session) return reject(res, 400, 'An mcp-session-id header is required.');
      return session.transport.handleRequest(req, res);
    }
    res.setHeader('allow', 'GET, POST, DELETE');
    return reject(res, 405, 'Method not allowed.');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`MCP HTTP request failed: ${(error as Error).message}`);
      if (!res.headersSent) reject(res, 500, 'Internal error.');
      else res.end();
    });
  });
  endpoint = await listen(server, options, log);
  const { kind, socketPath, socketDir, port } = endpoint;

  return {
    kind,
    socketPath,
    url: kind === 'tcp' ? `http://127.0.0.1:${port}${MCP_PATH}` : `http://localhost${MCP_PATH}`,
    headers: { [SECRET_HEADER]: secret },
    syncTools: () => {
      for (const session of sessions.values()) session.tools.sync();
    },
    close: async () => {
      await Promise.allSettled([...sessions.values()].map((session) => session.server.close()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open SSE streams and idle keep-alive sockets would otherwise hold close() forever.
        server.closeAllConnections();
      });
      if (socketDir) await fs.rm(socketDir, { recursive: true, force: true });
    },
  };
}

/** The checks every request passes before the MCP layer sees it: DNS-rebinding guards, then the secret. */
function checkCaller(req: http.IncomingMessage, secret: Buffer, endpoint: Endpoint | undefined): { status: number; message: string } | undefined {
  if (!isLocalHost(req.headers.host, endpoint)) return { status: 403, message: 'Forbidden: the Host header must be localhost or 127.0.0.1.' };
  const origin = header(req, 'origin');
  if (origin !== undefined && !isAllowedOrigin(origin)) return { status: 403, message: 'Forbidden: requests from this Origin are not accepted.' };
  const given = Buffer.from(header(req, SECRET_HEADER) ?? '');
  if (given.length !== secret.length || !timingSafeEqual(given, secret)) {
    return { status: 401, message: `Unauthorized: the ${SECRET_HEADER} header is missing or wrong.` };
  }
  return undefined;
}

function isLocalHost(host: string | undefined, endpoint: Endpoint | undefined): boolean {
  const match = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?$/i.exec(host ?? '');
  if (!match) return false;
  // Over tcp a port, if given, must be ours; a socket or pipe has none to check.
  return endpoint?.kind !== 'tcp' || match[1] === undefined || Number(match[1]) === endpoint.port;
}

function isAllowedOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    if (url.protocol === 'vscode-webview:') return true;
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTNAMES.has(url.hostname);
  } catch {
    return false; // includes the opaque origin "null"
  }
}

type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; message: string };

/**
 * The JSON body, refusing more than maxBytes before parsing anything. An oversized upload is let flow away
 * unread rather than cut off, so the client gets to read the 413.
 */
function readJson(req: http.IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, status: 413, message: `Request body larger than ${maxBytes} bytes.` };
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume();
      resolve(tooLarge);
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      if (size > maxBytes) return;
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false, status: 400, message: 'Parse error: the body is not valid JSON.' });
      }
    });
  });
}

function reject(res: http.ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: status === 400 ? -32600 : -32000, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(status === 413 ? { connection: 'close' } : {}) });
  res.end(body);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A unix socket in a fresh 0700 directory, or a named pipe; 127.0.0.1 on a random port when asked or when those fail. */
async function listen(server: http.Server, options: HttpMcpServerOptions, log: (line: string) => void): Promise<Endpoint> {
  if (!options.preferTcp) {
    if (process.platform === 'win32') {
      const pipe = `\\\\.\\pipe\\dingtalk-token-mcp-${randomBytes(16).toString('hex')}`;
      try {
        await listenOn(server, { path: pipe });
        return { kind: 'pipe', socketPath: pipe };
      } catch (error) {
        log(`MCP server: named pipe unavailable (${(error as Error).message}); using 127.0.0.1.`);
      }
    } else {
      const socketDir = await fs.mkdtemp(path.join(options.socketDir ?? os.tmpdir(), 'dingtalk-mcp-'));
      try {
        await fs.chmod(socketDir, 0o700); // mkdtemp already does; made explicit because it is the access control
        const socketPath = path.join(socketDir, 'mcp.sock');
        await listenOn(server, { path: socketPath });
        return { kind: 'unix', socketPath, socketDir };
      } catch (error) {
        await fs.rm(socketDir, { recursive: true, force: true });
        log(`MCP server: unix socket unavailable (${(error as Error).message}); using 127.0.0.1.`);
      }
    }
  }
  await listenOn(server, { port: 0, host: '127.0.0.1' });
  return { kind: 'tcp', port: (server.address() as AddressInfo).port };
}

function listenOn(server: http.Server, where: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
