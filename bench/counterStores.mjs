// Figure 7 (stores): what keeping the policy's counters where every process shares them costs per limited call:
// the engine deciding a call with one `grant` limit (evaluate, then finish) on the file store and on Redis over
// loopback, against the same engine counting in memory.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromOut, median } from './lib/util.mjs';

const { PolicyEngine } = fromOut('src/core/policy/engine');
const { applyPolicyRead } = fromOut('src/core/policy/apply');
const { MemoryCounterStore, FileCounterStore, RedisCounterStore } = fromOut('src/core/policy/stores/index');
const { startRedis } = fromOut('test/support/redisServer');

const LIMITED = { version: '1', tools: { token_status: { limits: [{ counter: 'calls', window: 'day', max: 1_000_000_000, scope: 'grant' }] } } };

function engineOn(counterStore) {
  const engine = new PolicyEngine({ counterStore });
  const loaded = applyPolicyRead(engine, { kind: 'text', text: JSON.stringify(LIMITED), resolvedPath: 'bench.json' });
  if (!loaded.ok) throw new Error(loaded.error);
  return engine;
}

/** Mean µs per sequential limited call: a reservation in the store, then its commit. */
async function perCallUs(engine, calls) {
  const approver = async () => true;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const verdict = await engine.evaluate({ tool: 'token_status', args: {}, sessionId: 's' }, approver);
    if (!verdict.allowed) throw new Error(`denied: ${verdict.reason}`);
    await verdict.finish(true);
  }
  return Number(process.hrtime.bigint() - start) / calls / 1000;
}

export async function counterStoresFigure({ runs, calls = 2000 }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-counters-'));
  const redis = await startRedis();
  const stores = {
    memory: new MemoryCounterStore(),
    file: new FileCounterStore(path.join(dir, 'counters.json')),
    redis: new RedisCounterStore(redis.url),
  };
  try {
    const engines = Object.fromEntries(Object.entries(stores).map(([kind, store]) => [kind, engineOn(store)]));
    for (const engine of Object.values(engines)) await perCallUs(engine, calls / 10);
    const samples = { memory: [], file: [], redis: [] };
    for (let run = 0; run < runs; run++) for (const kind of Object.keys(samples)) samples[kind].push(await perCallUs(engines[kind], calls));
    const memoryUs = median(samples.memory);
    return {
      calls,
      memoryUs,
      fileUs: median(samples.file),
      redisUs: median(samples.redis),
      fileAddedUs: median(samples.file.map((us, i) => us - samples.memory[i])),
      redisAddedUs: median(samples.redis.map((us, i) => us - samples.memory[i])),
      runs: samples,
    };
  } finally {
    for (const store of Object.values(stores)) await store.close();
    await redis.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
