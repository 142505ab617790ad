// `npm run watch`: esbuild rebuilds the bundles in dist/ on every save, and tsc -w type-checks and compiles
// the tests into out/. Ctrl+C stops both.
import { spawn } from 'node:child_process';
import * as esbuild from 'esbuild';
import { bundleOptions, root } from './bundles.mjs';

const contexts = await Promise.all(Object.values(bundleOptions()).map((options) => esbuild.context({ ...options, logLevel: 'info' })));
await Promise.all(contexts.map((context) => context.watch()));
const tsc = spawn('npx', ['tsc', '-p', '.', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' });

const stop = async () => {
  tsc.kill();
  await Promise.all(contexts.map((context) => context.dispose()));
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
