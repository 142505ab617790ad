import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { startHttpMcpServer, type HttpMcpServer } from '../../src/mcp/http/server';
import { SECRET_HEADER } from '../../src/mcp/http/requests';
import { offlineContext } from '../support/offlineContext';
import { withOfflineServer } from '../support/offlineServer';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'security-test', version: '1' } },
});
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Stream the body in chunks, without a content-length. */
  chunked?: boolean;
  setHost?: boolean;
}

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function raw(server: HttpMcpServer, request: RawRequest = {}): Promise<RawAnswer> {
  const target = server.kind === 'tcp' ? { host: '127.0.0.1', port: Number(new URL(server.url).port) } : { socketPath: server.socketPath };
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...target,
        method: request.method ?? 'POST',
        path: request.path ?? '/mcp',
        setHost: request.setHost,
        agent: false,
        headers: { ...(request.setHost === false ? {} : { host: 'localhost' }), ...request.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (request.body !== undefined && request.chunked) {
      const body = Buffer.from(request.body);
      for (let offset = 0; offset < body.length; offset += 16_384) req.write(body.subarray(offset, offset + 16_384));
    } else if (request.body !== undefined) {
      req.setHeader('content-length', Buffer.byteLength(request.body));
      req.write(request.body);
    }
    req.end();
  });
}

const initialize = (server: HttpMcpServer, headers: Record<string, string> = {}) =>
  raw(server, { headers: { ...MCP_HEADERS, ...server.headers, ...headers }, body: INITIALIZE });

function connectFails(target: { path: string } | { port: number; host: string }): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(target);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

test('unix socket in a fresh 0700 directory; removed on close and nothing listens after', { skip: process.platform === 'win32' }, async () => {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-security-'));
  try {
    const context = offlineContext();
    const server = await startHttpMcpServer(context, { socketDir: parent });
    assert.equal(server.kind, 'unix');
    assert.equal(server.url, 'http://localhost/mcp');
    const socketPath = server.socketPath!;
    const dir = path.dirname(socketPath);
    assert.equal(path.dirname(dir), parent);
    assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
    assert.equal((await initialize(server)).status, 200);
    await server.close();
    context.tokens.dispose();
    await assert.rejects(fs.stat(dir), { code: 'ENOENT' });
    assert.notEqual(await connectFails({ path: socketPath }), 'connected');
    assert.deepEqual(await fs.readdir(parent), []);
  } finally {
    await fs.rm(parent, { recursive: true, force: true });
  }
});

test('a fresh secret per start, sent as a header', async () => {
  await withOfflineServer({}, async ({ server: first }) => {
    await withOfflineServer({}, async ({ server: second }) => {
      const [a, b] = [first.headers[SECRET_HEADER], second.headers[SECRET_HEADER]];
      assert.ok(a && b && a.length >= 43);
      assert.notEqual(a, b);
      assert.equal((await raw(first, { headers: { ...MCP_HEADERS, [SECRET_HEADER]: b }, body: INITIALIZE })).status, 401);
    });
  });
});

test('missing or wrong secret → 401', async () => {
  await withOfflineServer({}, async ({ server }) => {
    const secret = server.headers[SECRET_HEADER];
    assert.ok(secret !== undefined);
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const attempts: Record<string, string>[] = [
      {},
      { [SECRET_HEADER]: '' },
      { [SECRET_HEADER]: flipped },
      { [SECRET_HEADER]: `${secret}x` },
      { authorization: `Bearer ${secret}` },
    ];
    for (const headers of attempts) {
      const answer = await raw(server, { headers: { ...MCP_HEADERS, ...headers }, body: INITIALIZE });
      assert.equal(answer.status, 401, JSON.stringify(Object.keys(headers)));
      assert.ok(!answer.text.includes(secret));
    }
    assert.equal((await raw(server, { method: 'GET', headers: { accept: 'text/event-stream' } })).status, 401);
    assert.equal((await initialize(server)).status, 200);
  });
});

test('foreign Host → 403, even with the secret', async () => {
  await withOfflineServer({}, async ({ server }) => {
    for (const host of ['evil.example', 'localhost.evil.example', 'evil.example:80', '127.0.0.2', 'localhost@evil.example']) {
      assert.equal((await initialize(server, { host })).status, 403, host);
    }
    // Without any Host, Node's HTTP/1.1 parser answers 400 before our handler runs.
    assert.equal((await raw(server, { setHost: false, headers: { ...MCP_HEADERS, ...server.headers }, body: INITIALIZE })).status, 400);
    for (const host of ['localhost', '127.0.0.1', 'LOCALHOST', '[::1]']) {
      assert.equal((await initialize(server, { host })).status, 200, host);
    }
  });
});

test('foreign Origin → 403; VS Code webviews and localhost pages are let through to the secret check', async () => {
  await withOfflineServer({}, async ({ server }) => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.example', 'file://']) {
      assert.equal((await initialize(server, { origin })).status, 403, origin);
    }
    for (const origin of ['vscode-webview://1a2b3c', 'http://localhost:3000', 'http://127.0.0.1']) {
      assert.equal((await initialize(server, { origin })).status, 200, origin);
    }
  });
});

test('bodies over the limit → 413, declared or streamed', async () => {
  await withOfflineServer({ maxBodyBytes: 4096 }, async ({ server }) => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { padding: 'x'.repeat(10_000) } });
    const headers = { ...MCP_HEADERS, ...server.headers };
    assert.equal((await raw(server, { headers, body: big })).status, 413);
    assert.equal((await raw(server, { headers, body: big, chunked: true })).status, 413);
    assert.equal((await initialize(server)).status, 200);
  });
  await withOfflineServer({}, async ({ server }) => {
    const answer = await raw(server, { headers: { ...MCP_HEADERS, ...server.headers }, body: Buffer.alloc(1024 * 1024 + 1, 0x20) });
    assert.equal(answer.status, 413);
  });
});

test('only /mcp, only with a known session after initialize', async () => {
  await withOfflineServer({}, async ({ server }) => {
    const headers = { ...MCP_HEADERS, ...server.headers };
    assert.equal((await raw(server, { path: '/other', headers, body: INITIALIZE })).status, 404);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    assert.equal((await raw(server, { headers, body: list })).status, 400);
    assert.equal((await raw(server, { headers: { ...headers, 'mcp-session-id': 'made-up' }, body: list })).status, 404);
    assert.equal((await raw(server, { method: 'GET', headers: server.headers })).status, 400);
    assert.equal((await raw(server, { method: 'PUT', headers, body: list })).status, 405);
    assert.equal((await raw(server, { headers, body: '{not json' })).status, 400);

    const init = await initialize(server);
    const sessionId = init.headers['mcp-session-id'] as string;
    assert.ok(sessionId);
    assert.equal((await raw(server, { method: 'DELETE', headers: { ...server.headers, 'mcp-session-id': sessionId } })).status, 200);
    assert.equal((await raw(server, { headers: { ...headers, 'mcp-session-id': sessionId }, body: list })).status, 404);
  });
});

test('tcp fallback: 127.0.0.1 on a random port, port-checked Host, closed for good', async () => {
  const context = offlineContext();
  const server = await startHttpMcpServer(context, { preferTcp: true });
  const port = Number(new URL(server.url).port);
  try {
    assert.equal(server.kind, 'tcp');
    assert.equal(server.socketPath, undefined);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    assert.equal((await initialize(server, { host: `127.0.0.1:${port}` })).status, 200);
    assert.equal((await initialize(server, { host: `localhost:${port}` })).status, 200);
    assert.equal((await initialize(server, { host: `127.0.0.1:${port === 65535 ? 1 : port + 1}` })).status, 403);
    assert.equal((await raw(server, { headers: { ...MCP_HEADERS, host: `127.0.0.1:${port}` }, body: INITIALIZE })).status, 401);
  } finally {
    await server.close();
    context.tokens.dispose();
  }
  assert.equal(await connectFails({ host: '127.0.0.1', port }), 'ECONNREFUSED');
});
