// `node scripts/e2e-repeat.mjs N`: the end-to-end suite N times in a row (default 10), stopping at the first
// failed run. Builds and packages once (the first run is a full `npm test -- e2e`), then reruns the same build,
// and prints every run's summary line at the end, so "10 clean runs in a row" is one command.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 10);
if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
  console.error(`Usage: node scripts/e2e-repeat.mjs N (N a whole number 1–1000; got ${process.argv[2]})`);
  process.exit(2);
}

/** One run of scripts/test.mjs; resolves with its exit code and its "Test summary" line. */
function runOnce(build) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'test.mjs'), ...(build ? [] : ['--no-build']), 'e2e'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-2000);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, summary: /Test summary: .*/.exec(tail)?.[0] ?? 'no summary (the run stopped before the tests)' }));
  });
}

const summaries = [];
let failed = false;
for (let run = 1; run <= runs && !failed; run++) {
  console.log(`\n=== e2e run ${run} of ${runs} ===`);
  const { code, summary } = await runOnce(run === 1);
  summaries.push(`run ${run}: ${summary}${code === 0 ? '' : ` (exit ${code})`}`);
  failed = code !== 0;
}
console.log(`\n${summaries.join('\n')}`);
console.log(failed ? `\nStopped at the first failed run (${summaries.length} of ${runs}).` : `\n${runs} clean run(s) in a row.`);
process.exit(failed ? 1 : 0);
