// The window's one counter store, over real counter files: what the policy's limits and robot sends count in, how it
// follows dingtalkToken.mcp.counterStore, and that a store it cannot open refuses counts with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { counterStoreFrom, CounterStoreUnavailable, type CounterStore, type StoreCharge } from '../../src/core/policy';
import { WindowCounterStore } from '../../src/extension/counters/windowStore';

const charge = (max: number): StoreCharge => ({ slot: 'status:day:2026-12-03', expiresAt: Date.now() + 3_600_000, amount: 1n, max: BigInt(max) });

/** A window over `stateDir` whose setting the test changes; every store it opens is recorded, with whether it was closed. */
function window(stateDir: string, resolveUrl?: (setting: string) => Promise<string>) {
  const opened: { url: string; closed: boolean }[] = [];
  const host = {
    setting: '',
    stateDir,
    open: (url: string, dir: string): CounterStore => {
      const store = counterStoreFrom(url, dir);
      const entry = { url, closed: false };
      opened.push(entry);
      return { ...bind(store), close: () => ((entry.closed = true), store.close()) };
    },
  };
  const store = new WindowCounterStore({ ...host, setting: () => host.setting, resolveUrl });
  return { host, store, opened };
}

function bind(store: CounterStore): CounterStore {
  return {
    reserve: (charges) => store.reserve(charges),
    release: (charges) => store.release(charges),
    read: (slots) => store.read(slots),
    state: () => store.state(),
    close: () => store.close(),
  };
}

test('two windows over one global storage folder share one count: a limit of 3 allows 3 of 6', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'window-counters-'));
  const [first, second] = [window(stateDir).store, window(stateDir).store];
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).reserve([charge(3)])));
  assert.equal(results.filter((result) => result.ok).length, 3);
  assert.deepEqual(first.state(), { kind: 'file', where: path.join(stateDir, 'counters.json'), reachable: true });
});

test('a setting naming no usable store refuses every count, naming the setting and never its value; fixing it counts again where it left off', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'window-counters-'));
  const { host, store, opened } = window(stateDir);
  assert.equal((await store.reserve([charge(5)])).ok, true);
  let changes = 0;
  store.onDidChange(() => void changes++);

  host.setting = 'memcached://ops:hunter2@cache.example:11211';
  store.settingsChanged();
  await assert.rejects(
    store.reserve([charge(5)]),
    (error: unknown) => error instanceof CounterStoreUnavailable && /^dingtalkToken\.mcp\.counterStore: .*redis:\/\//.test(error.message),
  );
  await assert.rejects(store.read(['status:day:2026-12-03']), CounterStoreUnavailable);
  const refusing = store.state();
  assert.equal(refusing.reachable, false);
  assert.doesNotMatch(JSON.stringify(refusing), /hunter2|cache\.example/);
  assert.equal(changes, 1, 'the view is told the store changed');
  assert.equal(opened[0]?.closed, true, 'the file store was closed when another was named');

  host.setting = '';
  assert.deepEqual(await store.read(['status:day:2026-12-03']), [1n], 'the file kept the count from before');
  assert.equal(changes, 2);
});

test('the Redis password moved into SecretStorage rewrites the setting but keeps the store open; closing refuses later counts', async () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'window-counters-'));
  const stored = 'redis://agent:s3cret@127.0.0.1:1/0';
  const { host, store, opened } = window(stateDir, async (setting) => (setting === '' ? '' : stored));
  host.setting = stored;
  await store.ready();
  host.setting = 'redis://agent@127.0.0.1:1/0';
  await store.ready();
  assert.deepEqual(
    opened.map((entry) => [entry.url, entry.closed]),
    [[stored, false]],
    'one Redis connection, with the password from SecretStorage',
  );
  assert.equal(store.state().where, 'redis://127.0.0.1:1/0');

  await store.close();
  assert.equal(opened[0]?.closed, true);
  await assert.rejects(store.reserve([charge(1)]), /this window is closing/);
});
