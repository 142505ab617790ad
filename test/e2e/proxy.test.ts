import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DingTalkEmulator } from '../emulator/emulator';
import { startLoopbackProxy, type LoopbackProxy } from '../support/loopbackProxy';
import { startVSCode, type VSCodeSession } from './harness';

// Behind a company proxy: DingTalk's host name resolves only through the proxy (".test" names resolve nowhere
// else), and the person set only VS Code's own `http.proxy`. The extension reaches DingTalk through it.
const VSIX = process.env.DINGTALK_VSIX!;
const APP = { appKey: 'dinge2eproxy001', appSecret: 'e2e-proxy-secret-7d1f', label: 'Proxied' };

let emulator: DingTalkEmulator;
let proxy: LoopbackProxy;
let vscode: VSCodeSession;
let host: string;

before(async () => {
  emulator = await DingTalkEmulator.start({ apps: [APP] });
  host = `api.dingtalk.test:${new URL(emulator.apiBaseUrl).port}`;
  proxy = await startLoopbackProxy({ [host]: emulator.apiBaseUrl });
  vscode = await startVSCode({
    vsixPath: VSIX,
    settings: { 'http.proxy': proxy.url, 'dingtalkToken.apiBaseUrl': `http://${host}` },
    timeoutMs: 180_000,
  });
  await vscode.waitForStatusBar(/DingTalk: Set up/, 90_000);
}, { timeout: 240_000 });

after(async () => {
  await vscode?.close();
  await proxy?.close();
  await emulator?.close();
});

test('with VS Code\'s http.proxy set, the credentials are checked and the token fetched through the proxy', async () => {
  await vscode.runCommand('DingTalk: Set App Credentials');
  await vscode.answerInput(APP.appKey);
  await vscode.answerInput(APP.appSecret);
  await vscode.answerInput(APP.label);
  await vscode.waitForStatusBar(/Proxied 1:59:\d\d/, 30_000);
  assert.equal(emulator.stats(APP.appKey).tokenIssued, 1);
  assert.ok(proxy.seen.some((line) => line.includes(host)), `the proxy carried the request: ${JSON.stringify(proxy.seen)}`);
});
