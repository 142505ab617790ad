import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { resultText, startCli, type CliSession } from '../support/cliProcess';
import { redisForTest } from '../support/redisServer';
import { eventually } from '../support/eventually';

/**
 * Limits as a person relies on them across real `dingtalk-token-mcp` processes: a restart, two servers at once on one
 * state folder, servers with different homes sharing Redis, and Redis going away and coming back.
 */

const [APP] = SANDBOX_APPS;

const made: string[] = [];
after(() => Promise.all(made.map((dir) => fs.rm(dir, { recursive: true, force: true }))));

async function tempDir(prefix: string): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** A policy allowing token_status `max` times a day for everyone sharing the counters; list_apps unlimited. */
async function dailyLimitPolicy(max: number): Promise<string> {
  const file = path.join(await tempDir('shared-limits-policy-'), 'policy.json');
  const policy = { version: '1', default: 'allow', tools: { token_status: { limits: [{ counter: 'status', window: 'day', max, scope: 'grant' }] } } };
  await fs.writeFile(file, JSON.stringify(policy));
  return file;
}

interface Setup {
  start(env: { stateDir: string; counterStore?: string }): Promise<CliSession>;
}

async function withServers(t: { after(fn: () => Promise<void>): void }, max: number): Promise<Setup> {
  const emulator = await DingTalkEmulator.start();
  const policyFile = await dailyLimitPolicy(max);
  const servers: CliSession[] = [];
  t.after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await emulator.close();
  });
  return {
    start: async ({ stateDir, counterStore }) => {
      const server = await startCli({
        DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
        DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
        DINGTALK_APP_KEY: APP.appKey,
        DINGTALK_APP_SECRET: APP.appSecret,
        DINGTALK_POLICY_FILE: policyFile,
        DINGTALK_STATE_DIR: stateDir,
        ...(counterStore ? { DINGTALK_COUNTER_STORE: counterStore } : {}),
      });
      servers.push(server);
      return server;
    },
  };
}

async function allowedOf(calls: Promise<Awaited<ReturnType<CliSession['call']>>>[]): Promise<number> {
  const results = await Promise.all(calls);
  for (const result of results) if (result.isError) assert.match(resultText(result), /^\[POLICY DENIED\]/, resultText(result));
  return results.filter((result) => !result.isError).length;
}

test('a daily limit of 2 holds across three restarts of the standalone server: 2 of 9 calls allowed', async (t) => {
  const setup = await withServers(t, 2);
  const stateDir = await tempDir('shared-limits-state-');
  let allowed = 0;
  for (let restart = 0; restart < 3; restart++) {
    const server = await setup.start({ stateDir });
    for (let call = 0; call < 3; call++) allowed += await allowedOf([server.call('token_status')]);
    await server.close();
  }
  assert.equal(allowed, 2);
});

test('two servers at once on one state folder allow exactly the limit between them', async (t) => {
  const setup = await withServers(t, 3);
  const stateDir = await tempDir('shared-limits-state-');
  const [first, second] = await Promise.all([setup.start({ stateDir }), setup.start({ stateDir })]);
  const calls = Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).call('token_status'));
  assert.equal(await allowedOf(calls), 3);
});

test('two servers with different homes sharing Redis allow exactly the limit between them', async (t) => {
  const redis = await redisForTest(t);
  const setup = await withServers(t, 2);
  const first = await setup.start({ stateDir: await tempDir('shared-limits-home-a-'), counterStore: redis.url });
  const second = await setup.start({ stateDir: await tempDir('shared-limits-home-b-'), counterStore: redis.url });
  let allowed = 0;
  for (let call = 0; call < 3; call++) allowed += await allowedOf([first.call('token_status'), second.call('token_status')]);
  assert.equal(allowed, 2);
});

test('50 calls at once from two servers sharing Redis against a daily limit of 5 allow exactly 5', async (t) => {
  const redis = await redisForTest(t);
  const setup = await withServers(t, 5);
  const first = await setup.start({ stateDir: await tempDir('shared-limits-home-a-'), counterStore: redis.url });
  const second = await setup.start({ stateDir: await tempDir('shared-limits-home-b-'), counterStore: redis.url });
  const calls = Array.from({ length: 50 }, (_, i) => (i % 2 ? first : second).call('token_status'));
  assert.equal(await allowedOf(calls), 5);
});

test('with Redis stopped a limited call is refused naming Redis, an unlimited one still works, and limits work again once Redis is back', async (t) => {
  const redis = await redisForTest(t);
  const setup = await withServers(t, 100);
  const server = await setup.start({ stateDir: await tempDir('shared-limits-state-'), counterStore: redis.url });
  await eventually(async () => !(await server.call('token_status')).isError, 'connected to Redis', 15_000);

  await redis.stop();
  const refused = await server.call('token_status');
  assert.equal(refused.isError, true);
  assert.match(resultText(refused), /^\[POLICY DENIED\]/);
  assert.match(resultText(refused), /Redis at redis:\/\/127\.0\.0\.1:\d+\/0/);
  const unlimited = await server.call('list_apps');
  assert.equal(unlimited.isError, undefined, resultText(unlimited));

  await redis.start();
  await eventually(async () => !(await server.call('token_status')).isError, 'limited calls allowed again', 15_000);
});

test('token_status tells an agent where the counters live and whether they can be used, never a Redis password', async (t) => {
  const redis = await redisForTest(t);
  const setup = await withServers(t, 100);
  const stateDir = await tempDir('shared-limits-state-');
  const onFile = await setup.start({ stateDir });
  const fileStatus = (await onFile.call('token_status')).structuredContent;
  assert.deepEqual(fileStatus?.counterStore, { kind: 'file', where: path.join(stateDir, 'counters.json'), reachable: true });

  const withPassword = `redis://agent:s3cret-pass@127.0.0.1:${redis.port}/0`;
  const onRedis = await setup.start({ stateDir, counterStore: withPassword });
  const unreachable = await onRedis.call('token_status');
  assert.doesNotMatch(JSON.stringify(unreachable), /s3cret-pass/);
  assert.match(resultText(unreachable), new RegExp(`Redis at redis://127\\.0\\.0\\.1:${redis.port}/0 cannot be reached`));
});
