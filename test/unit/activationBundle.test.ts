// activate() loads dist/extension.js on every VS Code start: the MCP SDK and zod stay in dist/mcp.js, required
// only when VS Code starts the server, and undici in dist/undici.js, required only by the CLI behind a proxy. Built in memory with the build's own options, so a stale
// dist/ cannot hide an import that pulls them in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.join(__dirname, '../../..');

interface Bundles {
  NOT_IN_ACTIVATION: string[];
  bundleOptions: (options?: { production?: boolean }) => Record<'extension' | 'mcp' | 'undici' | 'cli', object>;
  bundledPackages: (options: object) => Promise<{ name: string; bytes: number }[]>;
}
const bundles = (): Promise<Bundles> => import(pathToFileURL(path.join(root, 'scripts/bundles.mjs')).href);

test('the activation bundle holds no MCP SDK, zod or undici', async () => {
  const { NOT_IN_ACTIVATION, bundleOptions, bundledPackages } = await bundles();
  const options = bundleOptions({ production: true });
  const names = (await bundledPackages(options.extension)).map(({ name }) => name);
  assert.deepEqual(
    names.filter((name) => NOT_IN_ACTIVATION.includes(name)),
    [],
  );
  // The check can see them: the MCP and undici bundles, built the same way, list every one between them.
  const elsewhere = [...(await bundledPackages(options.mcp)), ...(await bundledPackages(options.undici))].map(({ name }) => name);
  assert.deepEqual(
    NOT_IN_ACTIVATION.filter((name) => !elsewhere.includes(name)),
    [],
  );
  assert.ok(!(await bundledPackages(options.mcp)).some(({ name }) => name === 'undici'), 'the MCP bundle VS Code starts leaves undici to dist/undici.js');
});
