// Bundles the extension, the lazily loaded in-process MCP server and the standalone CLI.
// `--production` minifies and drops source maps (what `npm run package` ships).
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
/** `require('undici')` in the MCP bundle loads dist/undici.js instead of bundling it. */
const undiciBeside = {
  name: 'undici-beside',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};
// Stale bundles or maps from an earlier build must never be packaged.
fs.rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  // activate() path: no MCP SDK, no zod (the MCP server entry below is required only when VS Code starts it).
  esbuild.build({ ...common, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode', './mcp.js'] }),
  // The MCP SDK, zod and the policy engine, once, for both the in-process server and the CLI; undici (the CLI's
  // proxy support) stays a file of its own beside it, required only when a proxy variable is set.
  esbuild.build({ ...common, entryPoints: { mcp: 'src/mcp/bundle.ts' }, outdir: 'dist', plugins: [undiciBeside] }),
  esbuild.build({ ...common, entryPoints: { undici: createRequire(import.meta.url).resolve('undici') }, outdir: 'dist' }),
  esbuild.build({ ...common, entryPoints: { cli: 'src/mcp/bin.ts' }, outdir: 'dist', external: ['./mcp.js'], banner: { js: '#!/usr/bin/env node' } }),
]);
