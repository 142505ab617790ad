// The project's own scripts (npm start, npm test, npm run bench, screenshots) run on a newcomer's first try:
// no test exercises `npm start` whole, so at least each script must parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../../..');

function scripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return scripts(full);
    return name.endsWith('.mjs') ? [full] : [];
  });
}

test('every script under scripts/ and bench/ parses', () => {
  const files = [...scripts(path.join(root, 'scripts')), ...scripts(path.join(root, 'bench'))];
  assert.ok(
    files.some((file) => file.endsWith('sandbox.mjs')),
    'found the sandbox script',
  );
  for (const file of files) {
    const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${path.relative(root, file)} does not parse:\n${check.stderr}`);
  }
});
