import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CounterStoreUnavailable, FileCounterStore, redisLocation, type CounterStore, type StoreCharge } from '../../src/core/policy/stores';
import { connectedRedisStore } from '../support/redisServer';
import { eventually } from '../support/eventually';

/**
 * The counter stores everyone sharing a limit uses: a file per person (several processes at once) and Redis for a
 * team. What a person relies on: a limit of N allows exactly N, however many processes ask at once, across restarts;
 * an unusable store refuses rather than resets.
 */

const MINUTE = 60_000;
// An hour ahead: a slow run must not see its counts expire with a minute's end mid-test.
const windowEnd = Math.floor(Date.now() / MINUTE) * MINUTE + 60 * MINUTE;
const limited = (max: number, slot = 'send'): StoreCharge => ({ slot, expiresAt: windowEnd, amount: 1n, max: BigInt(max) });

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'counter-store-'));
}

async function allowedOf(store: CounterStore, charge: StoreCharge, attempts: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: attempts }, () => store.reserve([charge])));
  return results.filter((result) => result.ok).length;
}

test('a file store keeps its count across a restart: a second store on the file sees the first one’s calls', async () => {
  const file = path.join(await tempDir(), 'counters.json');
  assert.equal(await allowedOf(new FileCounterStore(file), limited(2), 3), 2);
  const restarted = new FileCounterStore(file);
  assert.deepEqual(await restarted.reserve([limited(2)]), { ok: false, index: 0, count: 2n });
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600, 'only its owner can read or change the counts');
});

test('four processes reserving on one file at once allow exactly the limit between them', async () => {
  const file = path.join(await tempDir(), 'counters.json');
  const stores = path.join(__dirname, '../../src/core/policy/stores/index.js');
  // Each process makes 10 attempts against a limit of 7: 40 attempts, 7 allowed in all.
  const script = `
    const { FileCounterStore } = require(${JSON.stringify(stores)});
    const store = new FileCounterStore(${JSON.stringify(file)});
    const charge = { slot: "send", expiresAt: ${windowEnd}, amount: 1n, max: 7n };
    Promise.all(Array.from({ length: 10 }, () => store.reserve([charge]))).then((results) => {
      process.stdout.write(String(results.filter((result) => result.ok).length));
    });`;
  const run = promisify(execFile);
  const outputs = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['-e', script])));
  const allowed = outputs.reduce((sum, { stdout }) => sum + Number(stdout), 0);
  assert.equal(allowed, 7);
  assert.deepEqual(await new FileCounterStore(file).read(['send']), [7n]);
});

test('a corrupt counters file refuses limited calls, naming the file, and is left as it was', async () => {
  const file = path.join(await tempDir(), 'counters.json');
  await fs.writeFile(file, '{"version":1,"slots":{"x":', { mode: 0o600 });
  const store = new FileCounterStore(file);
  await assert.rejects(store.reserve([limited(5)]), (error: unknown) => error instanceof CounterStoreUnavailable && error.message.includes(file));
  assert.equal(store.state().reachable, false);
  assert.equal(await fs.readFile(file, 'utf8'), '{"version":1,"slots":{"x":', 'never silently reset');
});

test('a released reservation gives its unit back, and a call charging two counters adds to neither when one is full', async () => {
  const store = new FileCounterStore(path.join(await tempDir(), 'counters.json'));
  assert.deepEqual(await store.reserve([limited(1)]), { ok: true });
  await store.release([limited(1)]);
  assert.deepEqual(await store.reserve([limited(1)]), { ok: true });
  assert.deepEqual(await store.reserve([limited(5, 'other'), limited(1)]), { ok: false, index: 1, count: 1n });
  assert.deepEqual(await store.read(['other']), [0n]);
});

test('50 calls at once from two servers sharing Redis against a limit of 5 allow exactly 5', async (t) => {
  const { store: first, connectAnother } = await connectedRedisStore(t);
  const second = await connectAnother();
  const charge = limited(5, 'team-wide');
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? first : second).reserve([charge])));
  assert.equal(results.filter((result) => result.ok).length, 5);
  assert.deepEqual(await second.read([charge.slot]), [5n]);
});

test('while Redis is down limited calls are refused saying so, and they work again once it is back', async (t) => {
  const { redis, store } = await connectedRedisStore(t);
  assert.deepEqual(await store.reserve([limited(3)]), { ok: true });
  await redis.stop();
  await assert.rejects(
    store.reserve([limited(3)]),
    (error: unknown) => error instanceof CounterStoreUnavailable && /Redis at redis:\/\/127\.0\.0\.1:\d+\/0 cannot be reached/.test(error.message),
  );
  assert.equal(store.state().reachable, false);
  await redis.start();
  await eventually(async () => (await store.reserve([limited(3)]).catch(() => undefined))?.ok === true, 'reconnected by itself', 15_000);
});

test('where a Redis store is shown, its user and password are not', () => {
  assert.equal(redisLocation('rediss://alice:s3cret-pass@cache.example:6380/2'), 'rediss://cache.example:6380/2');
  assert.equal(redisLocation('redis://127.0.0.1'), 'redis://127.0.0.1:6379/0');
});

test('counts past what a double holds stay exact in Redis: a max of 2^60 + 1 admits exactly that much', async (t) => {
  const { store } = await connectedRedisStore(t);
  const huge: StoreCharge = { slot: 'spend', expiresAt: windowEnd, amount: 2n ** 60n, max: 2n ** 60n + 1n };
  assert.deepEqual(await store.reserve([huge]), { ok: true });
  assert.deepEqual(await store.reserve([{ ...huge, amount: 1n }]), { ok: true });
  assert.deepEqual(await store.reserve([{ ...huge, amount: 1n }]), { ok: false, index: 0, count: 2n ** 60n + 1n });
});
