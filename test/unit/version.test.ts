// The MCP server reports the package's version, taken from package.json at build time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { SERVER_VERSION } from '../../src/mcp/version';

const root = path.join(__dirname, '../../..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof import('../../package.json');

test("the server version is package.json's", () => {
  assert.equal(SERVER_VERSION, packageJson.version);
});

test('a bundle carries the version, not the rest of package.json', async () => {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'src/mcp/version.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  assert.ok(text.includes(JSON.stringify(packageJson.version)), 'the version is inlined');
  for (const field of ['devDependencies', 'contributes', 'repository']) assert.ok(!text.includes(field), `no ${field} in the bundle`);
});
