// The bundles esbuild.mjs writes, as esbuild options, and an in-memory look at which packages one pulls
// in. Shared by the build, the activation benchmark (bench/activation.mjs) and the unit test that keeps the
// MCP SDK, zod and undici out of the activation bundle (test/unit/activationBundle.test.ts).
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';

export const root = path.join(import.meta.dirname, '..');

/** Packages activate() must not load: they belong in dist/mcp.js, required only when VS Code starts the server. */
export const NOT_IN_ACTIVATION = ['@modelcontextprotocol/sdk', 'zod', 'undici'];

/** `require('undici')` in the MCP bundle loads dist/undici.js beside it instead of bundling it. */
const undiciBeside = {
  name: 'undici-beside',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};

/** `production` minifies and drops source maps (what `npm run package` ships). */
export function bundleOptions({ production = false } = {}) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: production,
    sourcemap: !production,
    logLevel: 'warning',
    legalComments: 'none',
    outdir: 'dist',
  };
  return {
    // activate() path: no MCP SDK, no zod (the MCP server entry below is required only when VS Code starts it).
    extension: { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode', './mcp.js'] },
    // The MCP SDK, zod and the policy engine, once, for both the in-process server and the CLI.
    mcp: { ...common, entryPoints: { mcp: 'src/mcp/bundle.ts' }, plugins: [undiciBeside] },
    // undici, the CLI's proxy support: half a megabyte, required only when a proxy variable is set.
    undici: { ...common, entryPoints: { undici: createRequire(import.meta.url).resolve('undici') } },
    cli: { ...common, entryPoints: { cli: 'src/mcp/bin.ts' }, external: ['./mcp.js'], banner: { js: '#!/usr/bin/env node' } },
    // The inspect view's script, for the webview's browser: no Node, no vscode module (the build fails on either).
    webview: { ...common, entryPoints: { 'webview/inspect': 'src/webview/inspect.ts' }, platform: 'browser', target: 'es2022', format: 'iife' },
  };
}

/** Builds one bundle in memory (dist/ untouched) and lists the packages in it with their bytes, largest first. */
export async function bundledPackages(options) {
  const result = await esbuild.build({ ...options, sourcemap: false, write: false, metafile: true, logLevel: 'silent' });
  const packages = new Map();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match ? match[1] : input.startsWith('src/') ? 'src (ours)' : input;
      packages.set(name, (packages.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...packages.entries()].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, bytes }));
}
