import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../../..');
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, Record<string, unknown>>;

test('undici, shipped inside the .vsix as dist/undici.js, is a runtime dependency, so npm audit --omit=dev checks it', () => {
  const manifest = read('package.json');
  assert.ok(manifest.dependencies?.undici, 'undici is in dependencies');
  assert.equal(manifest.devDependencies?.undici, undefined);
  const lock = read('package-lock.json') as { packages: Record<string, { dev?: boolean }> };
  assert.ok(lock.packages['node_modules/undici'], 'the lockfile has undici');
  assert.notEqual(lock.packages['node_modules/undici'].dev, true, 'the lockfile does not mark undici as a dev package');
});
