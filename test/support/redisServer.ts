import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { RedisCounterStore } from '../../src/core/policy/stores';
import { eventually } from './eventually';

/** A real redis-server on loopback for one test (scripts/setup-redis.sh installs it; `npm test` runs that first). */
export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (as an outage would); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer & { close(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'redis-test-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    // No persistence: each run starts empty, and a stopped server loses its counts as a crashed one would.
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    const failed = new Promise<never>((_, reject) =>
      child!.once('error', (error) => reject(new Error(`redis-server did not start (${error.message}); run scripts/setup-redis.sh`))),
    );
    await Promise.race([waitForPort(port), failed]);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A redis-server for this test, gone when the test ends. */
export async function redisForTest(t: TestContext): Promise<RedisServer> {
  const redis = await startRedis();
  t.after(() => redis.close());
  return redis;
}

/**
 * A redis-server for this test and a counter store connected to it; `connectAnother()` adds a second process's
 * store on the same server. The stores close, then the server, when the test ends.
 */
export async function connectedRedisStore(
  t: TestContext,
): Promise<{ redis: RedisServer; store: RedisCounterStore; connectAnother: () => Promise<RedisCounterStore> }> {
  const redis = await startRedis();
  const stores: RedisCounterStore[] = [];
  t.after(async () => {
    for (const store of stores) await store.close();
    await redis.close();
  });
  const connectAnother = async () => {
    const store = new RedisCounterStore(redis.url);
    stores.push(store);
    await eventually(() => store.state().reachable, 'the counter store connected to Redis');
    return store;
  };
  return { redis, store: await connectAnother(), connectAnother };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not listen on ${port}`);
}
