import type * as http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock';
import type { Endpoint } from './listen';

/** What every request to the in-process MCP server passes, and how it is refused: who may call, what a body may be. */

export const SECRET_HEADER = 'x-dingtalk-mcp-secret';

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The checks every request passes before the MCP layer sees it: DNS-rebinding guards, then the secret. */
export function checkCaller(req: http.IncomingMessage, secret: Buffer, endpoint: Endpoint | undefined): { status: number; message: string } | undefined {
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
export function readJson(req: http.IncomingMessage, maxBytes: number, timeoutMs: number, clock: Clock): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, status: 413, message: `Request body larger than ${maxBytes} bytes.` };
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A body trickling in holds a connection: past the deadline it is answered 408 and the connection closed.
    const deadline = clock.setTimeout(() => {
      req.off('data', onData);
      resolve({ ok: false, status: 408, message: `Request body not received within ${timeoutMs} ms.` });
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      clock.clearTimeout(deadline);
      req.off('data', onData);
      req.resume();
      resolve(tooLarge);
    };
    req.on('data', onData);
    req.once('error', (error) => {
      clock.clearTimeout(deadline);
      reject(error);
    });
    req.once('end', () => {
      clock.clearTimeout(deadline);
      if (size > maxBytes) return;
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false, status: 400, message: 'Parse error: the body is not valid JSON.' });
      }
    });
  });
}

export function reject(res: http.ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: status === 400 ? -32600 : -32000, message }, id: null });
  // After 413 and 408 the rest of the body is not wanted: the connection goes.
  const closing = status === 413 || status === 408;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(closing ? { connection: 'close' } : {}) });
  res.end(body);
  if (status === 408) res.once('finish', () => res.req.socket.destroy());
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
