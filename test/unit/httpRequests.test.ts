// What every request to the in-process MCP server passes before the MCP layer sees it: who may call, and
// what a body may be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as http from 'node:http';
import { PassThrough } from 'node:stream';
import { checkCaller, readJson, SECRET_HEADER } from '../../src/mcp/http/requests';
import { FakeClock } from '../support/fakeClock';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');
const TCP = { kind: 'tcp' as const, port: 43123 };

const request = (headers: Record<string, string>) => ({ headers }) as unknown as http.IncomingMessage;
const caller = (headers: Record<string, string>, endpoint: Parameters<typeof checkCaller>[2] = TCP) =>
  checkCaller(request({ [SECRET_HEADER]: SECRET.toString(), ...headers }), SECRET, endpoint)?.status;

test('a caller on localhost with the secret passes; a foreign Host, Origin or port is 403, a wrong or missing secret 401', () => {
  assert.equal(caller({ host: '127.0.0.1:43123' }), undefined);
  assert.equal(caller({ host: 'localhost' }), undefined);
  assert.equal(caller({ host: '[::1]:43123', origin: 'vscode-webview://abc' }), undefined);
  assert.equal(caller({ host: 'LOCALHOST:43123', origin: 'http://localhost:3000' }), undefined);
  assert.equal(caller({ host: 'evil.example' }), 403, 'DNS rebinding: a foreign Host');
  assert.equal(caller({ host: '127.0.0.1:9999' }), 403, 'another port over tcp');
  assert.equal(caller({ host: '127.0.0.1:9999' }, { kind: 'unix', socketPath: '/tmp/x.sock' }), undefined, 'a socket has no port to check');
  assert.equal(caller({ host: '127.0.0.1', origin: 'https://evil.example' }), 403);
  assert.equal(caller({ host: '127.0.0.1', origin: 'null' }), 403, 'the opaque origin of a sandboxed page');
  assert.equal(checkCaller(request({ host: '127.0.0.1' }), SECRET, TCP)?.status, 401);
  assert.equal(caller({ host: '127.0.0.1', [SECRET_HEADER]: SECRET.toString().replace(/.$/, 'x') }), 401);
  assert.equal(caller({ host: '127.0.0.1', [SECRET_HEADER]: `${SECRET.toString()}x` }), 401, 'a longer secret is not compared, just refused');
});

/** A request body arriving as the test writes it. */
function body(headers: Record<string, string> = {}) {
  const stream = new PassThrough();
  return Object.assign(stream, { headers }) as unknown as http.IncomingMessage & PassThrough;
}

test('a JSON body is read whole; broken JSON is 400', async () => {
  const clock = new FakeClock();
  const ok = body();
  const reading = readJson(ok, 1024, 30_000, clock);
  ok.write('{"jsonrpc":"2.0",');
  ok.end('"id":1,"method":"ping"}');
  assert.deepEqual(await reading, { ok: true, value: { jsonrpc: '2.0', id: 1, method: 'ping' } });
  const broken = body();
  const parsing = readJson(broken, 1024, 30_000, clock);
  broken.end('{"jsonrpc":');
  assert.deepEqual(await parsing, { ok: false, status: 400, message: 'Parse error: the body is not valid JSON.' });
});

test('a body over the limit is 413, whether its Content-Length says so or it just keeps coming', async () => {
  const clock = new FakeClock();
  const declared = await readJson(body({ 'content-length': '2048' }), 1024, 30_000, clock);
  assert.deepEqual(declared, { ok: false, status: 413, message: 'Request body larger than 1024 bytes.' });
  const streaming = body();
  const reading = readJson(streaming, 1024, 30_000, clock);
  streaming.write('x'.repeat(1000));
  streaming.write('x'.repeat(100));
  assert.equal((await reading).ok, false);
  assert.equal(((await reading) as { status: number }).status, 413);
});

test('a body still trickling in at the deadline is 408', async () => {
  const clock = new FakeClock();
  const slow = body();
  const reading = readJson(slow, 1024, 30_000, clock);
  slow.write('{"jsonrpc":');
  await clock.advance(29_999);
  let settled = false;
  void reading.then(() => (settled = true));
  await clock.advance(0);
  assert.equal(settled, false, 'not before the deadline');
  await clock.advance(1);
  assert.deepEqual(await reading, { ok: false, status: 408, message: 'Request body not received within 30000 ms.' });
});
