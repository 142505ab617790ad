// `npm run coverage`: the unit and integration tests under node's coverage, then the summary for our own
// source (src/), file by file, and the total line (over every file loaded, tests included).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const compiled = spawnSync(process.execPath, [path.join(root, 'scripts', 'compileFast.mjs')], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const files = ['unit', 'integration'].flatMap((folder) => {
  const dir = path.join(root, 'out', 'test', folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.test.js'))
    .sort()
    .map((name) => path.join(dir, name));
});
const child = spawn(process.execPath, ['--test', '--experimental-test-coverage', '--test-reporter=tap', ...files], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout.on('data', (chunk) => (output += chunk.toString()));
child.on('close', (code) => {
  const start = output.indexOf('# start of coverage report');
  // Rows for our source only (node maps out/ back to src/ through the source maps), with the table's frame.
  const rows =
    start < 0
      ? []
      : output
          .slice(start)
          .split('\n')
          .filter((line) => /^# (-+$|file |src\/|all files)/.test(line));
  console.log(rows.length ? rows.map((line) => line.slice(2)).join('\n') : 'No coverage report: the test run stopped early.');
  const count = (name) => new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? '?';
  console.log(`\nTest summary: ${count('tests')} tests, ${count('pass')} passed, ${count('fail')} failed (exit ${code})`);
  process.exit(code ?? 1);
});
