// `npm run soak`: 8 MCP clients, 20,000 tool calls through cycling DingTalk faults (see bench/lib/soakRun.ts and bench/lib/soak/).
// Writes test-results/soak.json, which the next `npm run bench` puts into docs/benchmarks.md. Exit code 1
// when a target is missed. The options are in USAGE below (`npm run soak -- --help`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { formatBytes, fromOut, log, root } from './lib/util.mjs';
import { optionsOrExit } from './lib/args.mjs';

const USAGE = `usage: npm run soak -- [options]
  --calls N     tool calls in all (default 20000)
  --clients K   concurrent MCP clients (default 8)
  --stdio S     how many of them talk to the stdio CLI (default K/4)
  --no-build    skip tsc
  --cli FILE    the CLI the stdio clients start (default out/src/mcp/cli/main.js; e.g. dist/cli.js)`;
const options = optionsOrExit(
  USAGE,
  {
    calls: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '8' },
    stdio: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    cli: { type: 'string' },
  },
  { calls: { min: 1, max: 1_000_000 }, clients: { min: 1, max: 64 }, stdio: { min: 0, max: 64 } },
);

// Heap figures need a GC we can trigger: re-run under --expose-gc when it is missing.
if (typeof globalThis.gc !== 'function') {
  const result = spawnSync(process.execPath, ['--expose-gc', import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

if (!options['no-build']) {
  log('> compile (tsc)');
  const result = spawnSync('npx', ['tsc', '-p', '.'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const { runSoak } = fromOut('bench/lib/soakRun');
const { calls, clients, stdio, cli } = options;
log(`> soak: ${calls} calls from ${clients} clients`);
const report = await runSoak({
  calls,
  clients,
  stdioClients: stdio,
  cliPath: cli && path.resolve(root, cli),
  progress: (line) => log(`  ${line}`),
});

fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
fs.writeFileSync(path.join(root, 'test-results', 'soak.json'), JSON.stringify(report, null, 2));

const heapGrowth = report.heapAfter - report.heapBefore;
const checks = [
  ['all calls made within the time bound', !report.timedOut, `${report.completed}/${report.calls}`],
  ['calls failed while a valid token existed', report.failedWithValidToken === 0, String(report.failedWithValidToken)],
  ['upstream token requests', report.upstreamTokenRequests <= report.upstreamBound, `${report.upstreamTokenRequests} (bound ${report.upstreamBound})`],
  ['secrets or tokens in logs', report.leaks === 0, String(report.leaks)],
  ['heapUsed growth after GC', heapGrowth <= report.heapGrowthBound, `${formatBytes(report.heapBefore)} → ${formatBytes(report.heapAfter)}`],
];
console.log(
  `\nsoak: ${report.transports}; ${report.completed} calls in ${(report.elapsedMs / 1000).toFixed(1)} s; ${report.phases} fault phases, ${report.revocations} revocations`,
);
console.log(
  `  succeeded ${report.succeeded}; failed with no valid token ${report.failedWithoutValidToken}; API calls failed by an injected API fault ${report.failedByApiFault}`,
);
console.log(
  `  by tool: ${Object.entries(report.byTool)
    .map(([tool, s]) => `${tool} ${s.failed}/${s.calls} failed`)
    .join(', ')}`,
);
console.log(
  `  by phase (failed without a valid token / calls): ${Object.entries(report.byPhase)
    .map(([name, s]) => `${name} ${s.failedWithoutValidToken}/${s.calls}`)
    .join('; ')}`,
);
console.log(
  `  longest time a token cache had no usable token: ${(report.longestTokenOutageMs / 1000).toFixed(1)} s; longest announced backoff: ${report.longestAnnouncedBackoffSeconds} s`,
);
for (const [reason, n] of Object.entries(report.noTokenReasons)) console.log(`  no token ×${n}: ${reason}`);
console.log(
  `  API statuses: ${Object.entries(report.apiStatuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(', ')}`,
);
for (const [name, ok, value] of checks) console.log(`  ${ok ? 'ok  ' : 'MISS'} ${name}: ${value}`);
for (const example of report.examples) console.log(`  e.g. ${example}`);
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
