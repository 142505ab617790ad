// The packaged .vsix as the marketplace and VS Code's Extensions view read it: production bundles only,
// the README's links leading somewhere, and no credential from the repository inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SANDBOX_APPS } from '../emulator/emulator';

const ROOT = path.join(__dirname, '..', '..', '..');
const VSIX = process.env.DINGTALK_VSIX ?? path.join(ROOT, 'dingtalk-token.vsix');

const entries = (): string[] => execFileSync('unzip', ['-Z1', VSIX], { encoding: 'utf8' }).split('\n').filter(Boolean);
const read = (entry: string): Buffer => execFileSync('unzip', ['-p', VSIX, entry], { maxBuffer: 64 << 20 });

test('the .vsix holds the production bundles and no source maps', () => {
  const files = entries();
  for (const bundle of ['extension/dist/extension.js', 'extension/dist/mcp.js', 'extension/dist/cli.js', 'extension/dist/undici.js']) {
    assert.ok(files.includes(bundle), `${bundle} is packaged`);
  }
  assert.deepEqual(
    files.filter((file) => file.endsWith('.map')),
    [],
    'no source maps',
  );
  assert.deepEqual(
    files.filter((file) => /(^|\/)(src|test|out|node_modules|\.vscode-test)\//.test(file)),
    [],
    'no sources, tests or caches',
  );
  // vscode:prepublish minifies: a development build keeps its "// src/..." path comments.
  assert.doesNotMatch(read('extension/dist/extension.js').toString('utf8'), /\/\/ src\//, 'extension.js is the production build');
});

test("the packaged README's links all lead somewhere: pages packaged, pictures in the repository", () => {
  const files = entries();
  const readme = read('extension/readme.md').toString('utf8');
  const links = [...readme.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)].map(([, bang, target = '']) => ({ image: bang === '!', target }));
  assert.ok(links.filter((link) => link.image).length >= 5, 'the README has its pictures');
  for (const { image, target } of links) {
    if (target.startsWith('#') || /^https:\/\//.test(target)) continue;
    const file = decodeURIComponent(target.split('#')[0]!);
    // VS Code's page for an installed extension shows only http(s) pictures, so they are not packaged; they stay
    // where a publisher's --baseImagesUrl finds them.
    if (image) assert.ok(fs.existsSync(path.join(ROOT, file)), `${target} is in the repository`);
    else assert.ok(files.includes(`extension/${file}`), `${target} is in the package`);
  }
});

test('the .vsix stays small: no README pictures, pictures under 150 KB each, the whole package under 600 KB', () => {
  const pictures = entries().filter((entry) => /\.(png|jpe?g|gif|svg)$/.test(entry));
  assert.deepEqual(
    pictures.filter((entry) => entry.startsWith('extension/docs/')),
    [],
    "the README's pictures are not packaged",
  );
  for (const file of pictures) assert.ok(read(file).length < 150_000, `${file} is ${read(file).length} bytes`);
  assert.ok(fs.statSync(VSIX).size < 600_000, `the .vsix is ${fs.statSync(VSIX).size} bytes`);
});

test('no credential from the repository is packaged', () => {
  // `unzip -p` without a name prints every packaged file.
  const everything = execFileSync('unzip', ['-p', VSIX], { maxBuffer: 64 << 20 }).toString('latin1');
  for (const app of SANDBOX_APPS) assert.ok(!everything.includes(app.appSecret), `the sandbox secret of ${app.appKey} is not packaged`);
});

test('the built standalone server loads its proxy support from dist/undici.js behind a proxy', async () => {
  const cli = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js')], {
    env: { PATH: process.env.PATH, DINGTALK_APP_KEY: 'dingpackage01', DINGTALK_APP_SECRET: 'package-secret-1', HTTPS_PROXY: 'http://127.0.0.1:9' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  try {
    const deadline = Date.now() + 10_000;
    while (!/proxy https via http:\/\/127\.0\.0\.1:9/.test(stderr) && Date.now() < deadline && cli.exitCode === null) await delay(50);
    assert.match(stderr, /proxy https via http:\/\/127\.0\.0\.1:9/, `the server started behind the proxy; stderr: ${stderr}`);
  } finally {
    cli.kill();
  }
});
