// The bench scripts and the emulator read their options with node:util parseArgs: what they accepted before
// still works, and a typo or a bad number stops them with the usage instead of being ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.join(__dirname, '../../..');

interface BenchArgs {
  readOptions: (argv: string[], options: object, numbers?: Record<string, { min: number; max: number }>) => Record<string, unknown>;
}
const benchArgs = (): Promise<BenchArgs> => import(pathToFileURL(path.join(root, 'bench/lib/args.mjs')).href);
const SOAK_OPTIONS = {
  calls: { type: 'string', default: '20000' },
  clients: { type: 'string', default: '8' },
  'no-build': { type: 'boolean', default: false },
};
const SOAK_NUMBERS = { calls: { min: 1, max: 1_000_000 }, clients: { min: 1, max: 64 } };

test('bench options: values, defaults and numbers as numbers', async () => {
  const { readOptions } = await benchArgs();
  assert.deepEqual({ ...readOptions(['--calls', '500', '--no-build'], SOAK_OPTIONS, SOAK_NUMBERS) }, { calls: 500, clients: 8, 'no-build': true });
  assert.deepEqual({ ...readOptions(['--clients=4'], SOAK_OPTIONS, SOAK_NUMBERS) }, { calls: 20_000, clients: 4, 'no-build': false });
});

test('bench options: an unknown option or a number out of range is an error naming it', async () => {
  const { readOptions } = await benchArgs();
  assert.throws(() => readOptions(['--call', '5'], SOAK_OPTIONS, SOAK_NUMBERS), /Unknown option '--call'/);
  assert.throws(() => readOptions(['--calls', '0'], SOAK_OPTIONS, SOAK_NUMBERS), /--calls needs a whole number from 1 to 1000000, not "0"/);
  assert.throws(() => readOptions(['--clients', '2.5'], SOAK_OPTIONS, SOAK_NUMBERS), /--clients needs a whole number/);
  assert.throws(() => readOptions(['--calls'], SOAK_OPTIONS, SOAK_NUMBERS), /argument missing/);
});

function emulator(...args: string[]) {
  const env = { ...process.env };
  for (const name of ['DINGTALK_EMULATOR_PORT', 'DINGTALK_EMULATOR_TTL', 'DINGTALK_EMULATOR_LATENCY']) delete env[name];
  return spawnSync(process.execPath, [path.join(root, 'out/test/emulator/main.js'), ...args], { encoding: 'utf8', env, timeout: 10_000 });
}

test('emulator options: --help prints the usage; a mistake prints it with the reason and exits 2', () => {
  const usage = 'usage: node out/test/emulator/main.js [--port N] [--ttl SECONDS] [--latency MS]';
  for (const flag of ['--help', '-h']) {
    const help = emulator(flag);
    assert.equal(help.status, 0);
    assert.equal(help.stdout.trim(), usage);
  }
  for (const [args, reason] of [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--ttl', 'abc'], /--ttl needs a non-negative number/],
    [['--latency=-5'], /--latency needs a non-negative number/],
    [['stray'], /Unexpected argument 'stray'/],
  ] as const) {
    const result = emulator(...args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, reason);
    assert.ok(result.stderr.includes(usage));
  }
});
