// The inspect view's script (src/webview/inspect.ts) runs in the webview's browser: its bundle must build from
// our sources alone, with no Node built-in and no vscode module, and it shares the extension's countdown
// formatter (src/shared/countdown.ts) rather than a copy. Built in memory with the build's own options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.join(__dirname, '../../..');

interface Bundles {
  bundleOptions: (options?: { production?: boolean }) => { webview: esbuild.BuildOptions };
}

test("the inspect view's script bundles for the browser from our sources, sharing the countdown and relative-time formatters", async () => {
  const { bundleOptions } = (await import(pathToFileURL(path.join(root, 'scripts/bundles.mjs')).href)) as Bundles;
  const result = await esbuild.build({ ...bundleOptions({ production: true }).webview, sourcemap: false, write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(result.metafile.inputs).sort();
  assert.deepEqual(inputs, ['src/shared/countdown.ts', 'src/shared/relativeTime.ts', 'src/webview/inspect.ts']);
  assert.equal(result.outputFiles.length, 1);
  assert.doesNotMatch(result.outputFiles[0]!.text, /\brequire\(/, 'nothing left for a Node require');
});
