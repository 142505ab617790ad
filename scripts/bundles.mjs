// The bundles esbuild.mjs writes, as esbuild options, and an in-memory look at which packages one pulls
// in. Shared by the build, the activation benchmark (bench/activation.mjs) and the unit test that keeps the
// MCP SDK, zod and undici out of the activation bundle (test/unit/activationBundle.test.ts).
import * as path from 'node:path';
import * as esbuild from 'esbuild';

export const root = path.join(import.meta.dirname, '..');

/** Packages activate() must not load: they belong in dist/mcp.js, required only when VS Code starts the server. */
export const NOT_IN_ACTIVATION = ['@modelcontextprotocol/sdk', 'zod', 'undici'];

/** `require('./proxyAgents')` in the MCP bundle loads dist/undici.js beside it instead of bundling undici. */
const undiciBeside = {
  name: 'undici-beside',
  setup(build) {
    build.onResolve({ filter: /^\.\/proxyAgents$/ }, () => ({ path: './undici.js', external: true }));
  },
};

/**
 * zod registers every locale on its namespace (`z.locales`), and the MCP SDK's `import * as z` keeps them all
 * in the bundle. Nothing here switches locale (messages stay in zod's default English), so only English is kept.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer }) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(importer) ? { path: path.join(path.dirname(importer), '../locales/en.js'), namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, ({ path: english }) => ({
      contents: `export { default as en } from ${JSON.stringify(english)};`,
      resolveDir: path.dirname(english),
    }));
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
    mcp: { ...common, entryPoints: { mcp: 'src/mcp/bundle.ts' }, plugins: [undiciBeside, zodEnglishOnly] },
    // undici's proxy agents, the CLI's proxy support: required only when a proxy variable is set.
    undici: { ...common, entryPoints: { undici: 'src/mcp/cli/proxyAgents.ts' } },
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
