// Transpiles src/, test/ and bench/ TypeScript into out/ with esbuild, file by file, the layout tsc gives:
// no type check, so the unit tests start in seconds. `npm test` and `npm run watch` still run tsc.
import { readdirSync, mkdirSync, copyFileSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.join(import.meta.dirname, '..');

/** Every .ts file under `dir`, except declaration files and the webview (its own tsconfig, DOM types). */
function sources(dir) {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return relative === path.join('src', 'webview') ? [] : sources(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src', 'test', 'bench'].flatMap(sources),
  outdir: 'out',
  outbase: '.',
  bundle: false,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
});
// src/mcp/version.ts imports package.json; tsc writes it beside out/src, so does this.
mkdirSync(path.join(root, 'out'), { recursive: true });
copyFileSync(path.join(root, 'package.json'), path.join(root, 'out', 'package.json'));
