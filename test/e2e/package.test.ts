// The packaged .vsix as the marketplace and VS Code's Extensions view read it: production bundles only,
// the README's pictures and links pointing where they load, and no credential from the repository inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SANDBOX_APPS } from '../emulator/emulator';

const ROOT = path.join(__dirname, '..', '..', '..');
const VSIX = process.env.DINGTALK_VSIX ?? path.join(ROOT, 'dingtalk-token.vsix');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { repository?: { url?: string } };

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

test('the packaged README shows its pictures: every image and relative link is rewritten to the repository', () => {
  const repository = manifest.repository?.url?.replace(/\.git$/, '') ?? '';
  assert.match(repository, /^https:\/\/github\.com\//, 'package.json names a GitHub repository');
  const readme = read('extension/readme.md').toString('utf8');
  const links = [...readme.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)].map(([, bang, target]) => ({ image: bang === '!', target }));
  const images = links.filter((link) => link.image);
  assert.ok(images.length > 0, 'the README has pictures');
  for (const { image, target } of links) {
    if (target.startsWith('#')) continue;
    assert.match(target, /^https:\/\//, `${target} is absolute`);
    if (!target.startsWith(repository)) continue;
    // Rewritten links point at a file of this repository: raw/HEAD/<path> for images, blob/HEAD/<path> for the rest.
    const match = new RegExp(`^${repository.replace(/[.]/g, '\\.')}/(raw|blob)/HEAD/(.+)$`).exec(target);
    assert.ok(match, `${target} points into the repository`);
    assert.equal(match[1], image ? 'raw' : 'blob', `${target}: images load from raw/`);
    assert.ok(fs.existsSync(path.join(ROOT, decodeURIComponent(match[2]))), `${match[2]} exists in the repository`);
  }
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
