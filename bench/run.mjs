// `npm run bench`: builds (tsc → out/, `npm run package` → dist/ + .vsix), runs every figure several times and
// writes docs/benchmarks.md. The options are in USAGE below (`npm run bench -- --help`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { log, machine, root } from './lib/util.mjs';
import { render } from './lib/report.mjs';
import { optionsOrExit } from './lib/args.mjs';

const FIGURES = ['1', '2', '3', '4', '5', '6', '7', '8'];
const USAGE = `usage: npm run bench -- [options]
  --runs N      runs of each figure (default 5)
  --no-build    skip tsc and packaging
  --only 1,2,4  only these figures; the others are kept from the last run's test-results/bench.json
  --quick       small counts, for trying the harness
  --out FILE    where to write the page (default docs/benchmarks.md)
  --render      only rewrite the page from test-results/bench.json and soak.json`;
const options = optionsOrExit(
  USAGE,
  {
    runs: { type: 'string', default: '5' },
    'no-build': { type: 'boolean', default: false },
    only: { type: 'string', default: FIGURES.join(',') },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/benchmarks.md' },
    render: { type: 'boolean', default: false },
  },
  { runs: { min: 1, max: 100 } },
);
const { runs, quick } = options;
const only = options.only.split(',').map((part) => part.trim());
const unknownFigures = only.filter((id) => !FIGURES.includes(id));
if (unknownFigures.length) {
  console.error(`--only takes figures from ${FIGURES.join(',')}, not ${JSON.stringify(unknownFigures.join(',')).slice(0, 40)}.\n\n${USAGE}`);
  process.exit(2);
}
const outFile = path.resolve(root, options.out);
const calls = quick ? 300 : 2000;

function step(title, command, commandArgs) {
  log(`> ${title}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    log(`${title} failed (exit ${result.status}); the benchmarks need a tree that builds.`);
    process.exit(result.status ?? 1);
  }
}

const benchFile = path.join(root, 'test-results', 'bench.json');
const soakFile = path.join(root, 'test-results', 'soak.json');
const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};

if (options.render) {
  const saved = readJson(benchFile);
  if (!saved) {
    log('no test-results/bench.json to render: run `npm run bench` first.');
    process.exit(1);
  }
  saved.soak = readJson(soakFile) ?? saved.soak;
  fs.writeFileSync(outFile, render(saved));
  log(`wrote ${path.relative(root, outFile)} from test-results/bench.json`);
  process.exit(0);
}

if (!options['no-build']) {
  step('compile (tsc)', 'npx', ['tsc', '-p', '.']);
  step('bundle and package (npm run package)', 'npm', ['run', '--silent', 'package']);
}

// Imported after the build: they load modules from out/.
const tokens = await import('./tokens.mjs');
const mcp = await import('./mcp.mjs');
const { activationFigure } = await import('./activation.mjs');
const { policyFigure, worstRegexFigure, yamlLoadFigure } = await import('./policy.mjs');
const { secretScanFigure } = await import('./secretScan.mjs');
const { counterStoresFigure } = await import('./counterStores.mjs');
const { shadowAuditFigure } = await import('./shadowAudit.mjs');

const results = { date: new Date().toISOString(), runs, machine: machine(), load: { start: os.loadavg()[0] }, figures: {}, errors: {} };
// A partial run (--only) keeps the other figures of the last full run, so the page stays whole.
const previous = only.length < FIGURES.length && !quick ? readJson(benchFile) : undefined;
if (previous?.figures) {
  for (const [id, value] of Object.entries(previous.figures)) if (!only.includes(id.split('.')[0])) results.figures[id] = value;
}

async function figure(id, name, fn) {
  if (!only.includes(id.split('.')[0])) return;
  log(`> figure ${id}: ${name}`);
  const started = performance.now();
  try {
    results.figures[id] = await fn();
    log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    results.errors[id] = error?.stack ?? String(error);
    log(`  FAILED: ${error?.message ?? error}`);
  }
}

await figure('1', 'cached get_access_token over stdio vs the SDK floor', () => mcp.stdioFigure({ runs, count: calls }));
await figure('1.mem', "the same over the SDK's InMemoryTransport (CPU of our layers, no I/O)", () => mcp.inMemoryFigure({ runs, count: calls }));
await figure('1.aa', 'calibration: stdio floor vs itself', () => mcp.stdioSelfCheck({ runs, count: calls }));
await figure('2.tcp', 'cached get_access_token over in-process Streamable HTTP (tcp) vs the SDK floor', () =>
  mcp.httpFigure({ runs, count: calls, kind: 'tcp' }),
);
if (process.platform !== 'win32') {
  await figure('2.unix', "the same over a unix socket (the extension's default)", () => mcp.httpFigure({ runs, count: calls, kind: 'unix' }));
}
await figure('2.aa', 'calibration: HTTP floor vs itself', () => mcp.httpSelfCheck({ runs, count: calls }));
await figure('3', 'TokenManager cache hit', () => tokens.cacheHit({ runs, iterations: quick ? 200_000 : 1_000_000 }));
await figure('4.cold', '1,000 concurrent cold callers', () => tokens.concurrentCold({ runs }));
await figure('4.day', '24 simulated hours with auto-refresh', () => tokens.dayOfAutoRefresh());
await figure('5', 'official DingTalk SDK without a cache vs our cached path', () => tokens.officialSdk({ runs, calls: quick ? 30 : 100 }));
await figure('6', 'activation cost', () => activationFigure());
await figure('7', 'evaluating a ten-rule policy per call', () => policyFigure({ runs, iterations: quick ? 20_000 : 200_000 }));
await figure('7.regex', 'a decision under the worst regex the bound allows, on a 65,536-character argument', () =>
  worstRegexFigure({ runs, decisions: quick ? 1 : 5 }),
);
await figure('7.stores', 'a limited call with its counter in a file and in Redis (loopback) vs in memory', () =>
  counterStoresFigure({ runs, calls: quick ? 200 : 2000 }),
);
await figure('7.shadow', 'a call with a ten-rule shadow policy beside the one in force, and with an audit file', () =>
  shadowAuditFigure({ runs, iterations: quick ? 10_000 : 100_000, auditLines: quick ? 2_000 : 20_000 }),
);
await figure('7.yaml', 'loading a 1 MB YAML policy vs the same policy as JSON', () => yamlLoadFigure({ runs }));
await figure('8', 'secret warnings: one detector pass over a 1 MB file', () => secretScanFigure({ runs, passes: quick ? 3 : 20 }));

results.load.end = os.loadavg()[0];

results.soak = readJson(soakFile);

fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, render(results));
fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
if (!quick) fs.writeFileSync(benchFile, JSON.stringify(results, null, 2));
log(`wrote ${path.relative(root, outFile)} (raw figures in test-results/bench.json)`);
if (Object.keys(results.errors).length) {
  log(`figures that could not be measured: ${Object.keys(results.errors).join(', ')}`);
  process.exitCode = 1;
}
