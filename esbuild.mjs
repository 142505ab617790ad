// Bundles the extension, the lazily loaded in-process MCP server and the standalone CLI (options in
// scripts/bundles.mjs). `--production` minifies and drops source maps (what `npm run package` ships).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { bundleOptions, root } from './scripts/bundles.mjs';

const production = process.argv.includes('--production');
// Stale bundles or maps from an earlier build must never be packaged.
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });

await Promise.all(Object.values(bundleOptions({ production })).map((options) => esbuild.build(options)));
