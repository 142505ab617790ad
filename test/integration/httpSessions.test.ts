// The in-process HTTP MCP server under load it must not keep: too many sessions, idle ones, slow bodies.
// Time is a fake clock; the HTTP is real loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { HttpMcpServerOptions } from '../../src/mcp/http/server';
import { FakeClock } from '../support/fakeClock';
import { withOfflineServer, type RunningServer } from '../support/offlineServer';

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'sessions-test', version: '1' } },
});
const PING = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' });

/** The server on TCP: these tests reach it with raw sockets. */
const withServer = (options: HttpMcpServerOptions, fn: (running: RunningServer) => Promise<void>) => withOfflineServer({ preferTcp: true, ...options }, fn);

/** One request; resolves with the status, the session id header and the body once the answer is complete. */
function post(running: RunningServer, body: string, sessionId?: string): Promise<{ status: number; sessionId?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: running.port,
        method: 'POST',
        path: '/mcp',
        agent: false,
        headers: {
          ...MCP_HEADERS,
          ...running.server.headers,
          ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, sessionId: res.headers['mcp-session-id'] as string | undefined, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function openSession(running: RunningServer): Promise<string> {
  const answer = await post(running, INITIALIZE);
  assert.equal(answer.status, 200, answer.text);
  return answer.sessionId!;
}

/** A GET event stream held open, as MCP clients keep one: the session is in use while it is. */
function openStream(running: RunningServer, sessionId: string): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: running.port,
        method: 'GET',
        path: '/mcp',
        agent: false,
        headers: { accept: 'text/event-stream', ...running.server.headers, 'mcp-session-id': sessionId },
      },
      (res) => {
        assert.equal(res.statusCode, 200);
        resolve(req);
      },
    );
    req.on('error', () => undefined);
    req.once('error', reject);
    req.end();
  });
}

test('idle sessions expire; a session in use does not', async () => {
  const clock = new FakeClock();
  await withServer({ clock, sessionIdleMs: 30 * 60_000 }, async (running) => {
    const used = await openSession(running);
    const forgotten = await openSession(running);
    for (let round = 0; round < 3; round++) {
      await clock.advance(20 * 60_000);
      assert.equal((await post(running, PING, used)).status, 200, 'a session used every 20 minutes stays');
    }
    const gone = await post(running, PING, forgotten);
    assert.equal(gone.status, 404);
    assert.match(gone.text, /Session not found; start a new one with initialize/);
    assert.ok(
      running.logs.some((line) => line.includes(forgotten) && /closed after 30 min without requests/.test(line)),
      running.logs.join('\n'),
    );
  });
});

test('sessions are capped: the least recently used idle one makes room, and when all are busy a new one is refused', async () => {
  const clock = new FakeClock();
  await withServer({ clock, maxSessions: 2 }, async (running) => {
    const first = await openSession(running);
    await clock.advance(1000);
    const second = await openSession(running);
    await clock.advance(1000);
    const third = await openSession(running);
    assert.equal((await post(running, PING, first)).status, 404, 'the least recently used session made room');
    assert.equal((await post(running, PING, second)).status, 200);
    assert.equal((await post(running, PING, third)).status, 200);

    const streams = [await openStream(running, second), await openStream(running, third)];
    try {
      const refused = await post(running, INITIALIZE);
      assert.equal(refused.status, 503);
      assert.match(refused.text, /Too many MCP sessions: all 2 are in use/);
      assert.equal((await post(running, PING, second)).status, 200, 'busy sessions are kept');
    } finally {
      for (const stream of streams) stream.destroy();
    }
  });
});

test('a body sent too slowly is answered 408 and its connection closed', { timeout: 20_000 }, async () => {
  const clock = new FakeClock();
  await withServer({ clock, bodyTimeoutMs: 30_000 }, async (running) => {
    const socket = net.connect({ host: '127.0.0.1', port: running.port });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const headers = Object.entries({ ...MCP_HEADERS, ...running.server.headers, host: 'localhost', 'content-length': String(INITIALIZE.length) })
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n');
    socket.write(`POST /mcp HTTP/1.1\r\n${headers}\r\n\r\n${INITIALIZE.slice(0, 10)}`);
    try {
      // The server has the headers and part of the body; the rest never comes. Time runs on until it gives up.
      let isClosed = false;
      void closed.then(() => (isClosed = true));
      while (!isClosed) {
        await clock.advance(5_000);
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.match(answer, /^HTTP\/1\.1 408/);
      assert.match(answer, /Request body not received within 30000 ms/);
    } finally {
      socket.destroy();
    }
  });
});
