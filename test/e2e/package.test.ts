// The packaged .vsix as the marketplace and VS Code's Extensions view read it: production bundles only,
// the README's links leading somewhere, and no credential from the repository inside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { cliBaseEnv } from '../support/cliProcess';
import { startLoopbackProxy } from '../support/loopbackProxy';

const ROOT = path.join(__dirname, '..', '..', '..');
const VSIX = process.env.DINGTALK_VSIX ?? path.join(ROOT, 'dingtalk-token.vsix');
const [APP] = SANDBOX_APPS;

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

test('the built standalone server reaches DingTalk through a proxy with dist/undici.js', async () => {
  // DingTalk's hosts (".test") resolve only through the proxy, so a token means the request went through it.
  const emulator = await DingTalkEmulator.start();
  const apiPort = new URL(emulator.apiBaseUrl).port;
  const legacyPort = new URL(emulator.legacyApiBaseUrl).port;
  const proxy = await startLoopbackProxy({
    [`api.dingtalk.test:${apiPort}`]: emulator.apiBaseUrl,
    [`oapi.dingtalk.test:${legacyPort}`]: emulator.legacyApiBaseUrl,
  });
  const env = {
    ...cliBaseEnv(),
    DINGTALK_APP_KEY: APP.appKey,
    DINGTALK_APP_SECRET: APP.appSecret,
    DINGTALK_API_BASE_URL: `http://api.dingtalk.test:${apiPort}`,
    DINGTALK_LEGACY_API_BASE_URL: `http://oapi.dingtalk.test:${legacyPort}`,
    HTTP_PROXY: proxy.url,
  };
  const client = new Client({ name: 'package-test', version: '1.0.0' });
  try {
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [path.join(ROOT, 'dist', 'cli.js')], env, stderr: 'ignore' }));
    const result = await client.callTool({ name: 'get_access_token', arguments: {} });
    assert.equal(result.isError, undefined, JSON.stringify(result.content));
    assert.ok(
      proxy.seen.some((line) => line.includes('api.dingtalk.test')),
      `the proxy carried the token request: ${proxy.seen.join(', ')}`,
    );
  } finally {
    await client.close();
    await proxy.close();
    await emulator.close();
  }
});
