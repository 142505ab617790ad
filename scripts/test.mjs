// `npm test`: compile, lint, package the .vsix, make sure code-server and chromium are there (first run installs
// them), then run every test file with node:test and print one summary line.
// `npm test -- unit integration` runs only those folders (e2e needs the .vsix and code-server).
// `--no-build` runs the tests already in out/ (scripts/e2e-repeat.mjs builds once, then repeats the runs).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const named = args.filter((arg) => arg !== '--no-build');
const folders = named.length ? named : ['unit', 'integration', 'e2e'];

function step(title, command, args) {
  console.log(`\n> ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${title} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

// From an empty out/: a test file deleted or moved in the source must not keep running from an old build.
if (build) {
  rmSync(join(root, 'out'), { recursive: true, force: true });
  step('compile (tsc)', 'npx', ['tsc', '-p', '.']);
  step('type-check the webview script (tsc, DOM)', 'npx', ['tsc', '-p', 'src/webview']);
  step('lint (eslint)', 'npx', ['eslint', '.']);
  step('formatting (prettier --check; `npm run format` fixes it)', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']);
  if (folders.includes('integration')) step('redis-server for the counter-store tests', 'bash', ['scripts/setup-redis.sh']);
  if (folders.includes('e2e')) {
    step('package the .vsix', 'npm', ['run', '--silent', 'package']);
    step('end-to-end prerequisites', 'bash', ['scripts/setup-vscode.sh']);
  }
}

const files = folders.flatMap((folder) => {
  const dir = join(root, 'out', 'test', folder);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.test.js'))
        .sort()
        .map((name) => join(dir, name))
    : [];
});

const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, DINGTALK_VSIX: join(root, 'dingtalk-token.vsix') },
});
const counts = {};
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  for (const name of ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms']) {
    const match = tail.match(new RegExp(`ℹ ${name} ([\\d.]+)`));
    counts[name] = match ? match[1] : '?';
  }
  console.log(
    `\nTest summary: ${counts.tests} tests, ${counts.pass} passed, ${counts.fail} failed, ${counts.cancelled} cancelled, ${counts.skipped} skipped, ${counts.todo} todo (${Math.round(Number(counts.duration_ms) / 1000)} s)`,
  );
  process.exit(code ?? 1);
});
