// Small helpers shared by the benchmarks: statistics, timing, machine facts, paths.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

export const root = path.join(import.meta.dirname, '..', '..');
export const requireFromRoot = createRequire(path.join(root, 'package.json'));

/** A CommonJS module compiled by tsc into out/ (e.g. 'src/core/tokens/manager'). */
export function fromOut(modulePath) {
  const file = path.join(root, 'out', `${modulePath}.js`);
  if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`npx tsc -p .\` first.`);
  return requireFromRoot(file);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile of samples (p in 0..100). */
export function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function mean(values) {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * `ours` against `floor`, each `(calls) => mean ns per call`: both warmed up, then in every run measured in
 * alternating blocks of `block` calls (ours, floor, ours, …) so load from elsewhere hits both alike. Ratios and
 * differences are taken per run; every figure returned is the median over the runs.
 */
export async function pairedPerCall({ runs, iterations, block, ours, floor }) {
  await ours(Math.ceil(iterations / 10));
  await floor(Math.ceil(iterations / 10));
  const runsNs = { ours: [], floor: [], ratios: [] };
  const blocks = Math.ceil(iterations / block);
  for (let run = 0; run < runs; run++) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < blocks; i++) {
      a += (await ours(block)) / blocks;
      b += (await floor(block)) / blocks;
    }
    runsNs.ours.push(a);
    runsNs.floor.push(b);
    runsNs.ratios.push(a / b);
  }
  return {
    iterations: blocks * block,
    block,
    oursNs: median(runsNs.ours),
    floorNs: median(runsNs.floor),
    ratio: median(runsNs.ratios),
    addedNs: median(runsNs.ours.map((ns, i) => ns - runsNs.floor[i])),
    runs: runsNs,
  };
}

export function packageVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    sdk: packageVersion('@modelcontextprotocol/sdk'),
    undici: `${process.versions.undici} (Node's fetch, used by the core); package ${packageVersion('undici')} (test clients)`,
    zod: packageVersion('zod'),
    alicloudDingtalk: packageVersion('@alicloud/dingtalk'),
    alicloudOpenapi: packageVersion('@alicloud/openapi-client'),
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Formats a duration given in ms with a sensible unit. */
export function formatMs(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(ms >= 100 ? 0 : 2)} ms`;
  if (ms >= 0.001) return `${(ms * 1000).toFixed(1)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}

export function formatBytes(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export function log(line) {
  process.stderr.write(`${line}\n`);
}
