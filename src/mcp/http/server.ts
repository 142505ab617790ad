import * as http from 'node:http';
import { promises as fs } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { systemClock, type Clock } from '../../core/clock';
import { createDingTalkMcpServer, type DingTalkTools } from '../tools/registry';
import type { ToolContext } from '../tools/context';
import { listen, type Endpoint } from './listen';
import { checkCaller, header, readJson, reject, SECRET_HEADER } from './requests';
import { ENGLISH_SERVER_LINES, type SessionClosed } from '../serverLines';

/**
 * The in-process Streamable HTTP MCP server: sessions (one McpServer each), their limits and routing.
 * Where it listens is httpListen.ts'; the checks and body limits every request passes, httpRequests.ts'.
 */

export const MCP_PATH = '/mcp';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** One VS Code window needs one session; a few more for reconnects and other MCP clients in the editor. */
export const DEFAULT_MAX_SESSIONS = 32;
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;
/** From the request's headers to the end of its body. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;

export interface HttpMcpServerOptions {
  /** Parent of the private socket directory; the OS temp dir when omitted. */
  socketDir?: string;
  /** Listen on 127.0.0.1 even where a unix socket or named pipe would do. */
  preferTcp?: boolean;
  maxBodyBytes?: number;
  /** Open sessions at most; a new one first closes the least recently used idle session. */
  maxSessions?: number;
  /** A session with no request in flight for this long is closed. */
  sessionIdleMs?: number;
  /** A POST body not fully received this long after its headers is answered 408 and the connection closed. */
  bodyTimeoutMs?: number;
  /** Time for idle expiry and body deadlines; tests pass a fake one. */
  clock?: Clock;
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
  id: string;
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  tools: DingTalkTools;
  /** Requests in flight, an open event stream included: a session with any is not idle. */
  active: number;
  lastUsedAt: number;
}

/**
 * Streamable HTTP MCP inside this process, so the tools share the caller's TokenManager. Reachable only by
 * whoever holds the per-start secret, through a private socket where the platform has one; one McpServer per
 * MCP session, so the session id scopes policy limits.
 */
export async function startHttpMcpServer(context: ToolContext, options: HttpMcpServerOptions = {}): Promise<HttpMcpServer> {
  const secret = randomBytes(32).toString('base64url');
  context.redactor.remember(secret);
  const secretBytes = Buffer.from(secret);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxSessions = Math.max(1, options.maxSessions ?? DEFAULT_MAX_SESSIONS);
  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const clock = options.clock ?? systemClock;
  const sessions = new Map<string, Session>();
  const log = (line: string) => context.log(context.redactor.redact(line));
  const lines = context.lines ?? ENGLISH_SERVER_LINES;
  let endpoint: Endpoint | undefined;

  const openSession = async (): Promise<Session> => {
    const id = randomUUID();
    const { server, tools } = createDingTalkMcpServer(context, id);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessioninitialized: () => void sessions.set(id, session),
    });
    const session: Session = { id, server, transport, tools, active: 0, lastUsedAt: clock.now() };
    // Set before connect: the SDK chains its own handler after ours. Covers DELETE and close().
    transport.onclose = () => void sessions.delete(id);
    await server.connect(transport);
    return session;
  };

  /** Counts the request against the session until its response ends, so the session is not idle meanwhile. */
  const use = (session: Session, res: http.ServerResponse) => {
    session.active++;
    session.lastUsedAt = clock.now();
    res.once('close', () => {
      session.active--;
      session.lastUsedAt = clock.now();
    });
  };

  /** Room for one more session: the least recently used idle one is closed if need be; false when all are busy. */
  const makeRoom = (): boolean => {
    if (sessions.size < maxSessions) return true;
    const idle = [...sessions.values()].filter((session) => session.active === 0).sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
    if (!idle) return false;
    closeSession(idle, { kind: 'room', maxSessions });
    return true;
  };

  const closeSession = (session: Session, why: SessionClosed) => {
    sessions.delete(session.id);
    log(lines.sessionClosed(session.id, why));
    void session.server.close().catch(() => undefined);
  };

  let sweepTimer: unknown;
  const sweep = () => {
    const now = clock.now();
    for (const session of [...sessions.values()]) {
      if (session.active === 0 && now - session.lastUsedAt >= idleMs) closeSession(session, { kind: 'idle', minutes: Math.round(idleMs / 60_000) });
    }
    sweepTimer = clock.setTimeout(sweep, Math.min(idleMs, 60_000));
  };
  sweepTimer = clock.setTimeout(sweep, Math.min(idleMs, 60_000));

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const refusal = checkCaller(req, secretBytes, endpoint);
    if (refusal) return reject(res, refusal.status, refusal.message);
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== MCP_PATH) return reject(res, 404, `Not found; the MCP endpoint is ${MCP_PATH}.`);
    const sessionId = header(req, 'mcp-session-id');
    const session = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId !== undefined && !session) return reject(res, 404, 'Session not found; start a new one with initialize.');
    if (req.method === 'POST') {
      if (session) use(session, res);
      const body = await readJson(req, maxBodyBytes, bodyTimeoutMs, clock);
      if (!body.ok) return reject(res, body.status, body.message);
      if (session) return session.transport.handleRequest(req, res, body.value);
      if (!isInitializeRequest(body.value)) return reject(res, 400, 'No session: send initialize first (without an mcp-session-id header).');
      if (!makeRoom()) return reject(res, 503, `Too many MCP sessions: all ${maxSessions} are in use. Close one (DELETE /mcp) and try again.`);
      const opened = await openSession();
      use(opened, res);
      return opened.transport.handleRequest(req, res, body.value);
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (!session) return reject(res, 400, 'An mcp-session-id header is required.');
      use(session, res);
      return session.transport.handleRequest(req, res);
    }
    res.setHeader('allow', 'GET, POST, DELETE');
    return reject(res, 405, 'Method not allowed.');
  };

  const server = http.createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: HEADERS_TIMEOUT_MS + bodyTimeoutMs }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(lines.requestFailed((error as Error).message));
      if (!res.headersSent) reject(res, 500, 'Internal error.');
      else res.end();
    });
  });
  endpoint = await listen(server, options, log, lines);
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
      clock.clearTimeout(sweepTimer);
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
