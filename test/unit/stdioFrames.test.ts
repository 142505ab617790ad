// The stdio server's frame filter: JSON-RPC lines pass whole, anything else is answered and logged, and the
// stream keeps flowing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameFilter, type FrameProblem } from '../../src/mcp/cli/stdioFrames';

/** Feeds `chunks` through a filter with a `maxBytes` cap; returns the lines passed on and the problems reported. */
async function filter(chunks: (string | Buffer)[], maxBytes = 64): Promise<{ passed: string; problems: FrameProblem[] }> {
  const problems: FrameProblem[] = [];
  const frames = new FrameFilter((problem) => problems.push(problem), maxBytes);
  let passed = '';
  frames.on('data', (chunk: Buffer) => (passed += chunk.toString('utf8')));
  const ended = new Promise<void>((resolve) => frames.on('end', resolve));
  for (const chunk of chunks) frames.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  frames.end();
  await ended;
  return { passed, problems };
}

const ping = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
const errorOf = (problem: FrameProblem) => problem.answer as unknown as { id: unknown; error: { code: number; message: string } };

test('JSON-RPC lines pass whole, even split across chunks and inside a multi-byte character; blank lines are skipped', async () => {
  const notification = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { text: '钉钉' } });
  const bytes = Buffer.from(`${ping(1)}\n\n${notification}\n`);
  const cut = bytes.indexOf(Buffer.from('钉')) + 1;
  const { passed, problems } = await filter([bytes.subarray(0, 5), bytes.subarray(5, cut), bytes.subarray(cut)], 1024);
  assert.equal(passed, `${ping(1)}\n${notification}\n`);
  assert.deepEqual(problems, []);
});

test('a line over the cap is answered "Request too large" with its size, and the next line still passes', async () => {
  const long = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'x', params: { pad: 'p'.repeat(100) } });
  const { passed, problems } = await filter([long.slice(0, 40), `${long.slice(40)}\n${ping(2)}\n`]);
  assert.equal(passed, `${ping(2)}\n`);
  assert.equal(problems.length, 1);
  assert.equal(errorOf(problems[0]!).error.code, -32600);
  assert.equal(errorOf(problems[0]!).id, null);
  assert.match(errorOf(problems[0]!).error.message, new RegExp(`a line of ${long.length} bytes, more than the limit of 64`));
});

test('a line that is not JSON is a parse error; JSON that is not JSON-RPC is an invalid request keeping a usable id; neither is quoted in the log', async () => {
  const secret = 'appSecret-s3cr3t';
  const { passed, problems } = await filter([`{"broken": "${secret}"\n`, `{"id": 7, "note": "${secret}"}\n`, `[1,2]\n`, `${ping(3)}\n`], 1024);
  assert.equal(passed, `${ping(3)}\n`);
  assert.deepEqual(
    problems.map((problem) => [errorOf(problem).error.code, errorOf(problem).id]),
    [
      [-32700, null],
      [-32600, 7],
      [-32600, null],
    ],
  );
  for (const problem of problems) assert.ok(!problem.log.includes(secret) && problem.log.startsWith('stdin: '), problem.log);
});

test('input that ends in the middle of a message reports it once; input ending on a newline reports nothing', async () => {
  const cutOff = await filter([`${ping(4)}\n{"jsonrpc":"2.0","id":5,"met`]);
  assert.equal(cutOff.passed, `${ping(4)}\n`);
  assert.equal(cutOff.problems.length, 1);
  assert.match(errorOf(cutOff.problems[0]!).error.message, /ended in the middle of a message/);
  assert.deepEqual((await filter([`${ping(6)}\n`])).problems, []);
});
