import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DingTalkEmulator } from '../emulator/emulator';
import { startLoopbackProxy, type LoopbackProxy } from '../support/loopbackProxy';
import { assertCountdownNear, closeSession, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';

// Behind a company proxy: DingTalk's host name resolves only through the proxy (".test" names resolve nowhere
// else), and the person set only VS Code's own `http.proxy`. The extension reaches DingTalk through it.
const APP = { appKey: 'dinge2eproxy001', appSecret: 'e2e-proxy-secret-7d1f', label: 'Proxied' };

let emulator: DingTalkEmulator;
let proxy: LoopbackProxy;
let vscode: VSCodeSession;
let host: string;

before(
  async () => {
    emulator = await DingTalkEmulator.start({ apps: [APP] });
    host = `api.dingtalk.test:${new URL(emulator.apiBaseUrl).port}`;
    proxy = await startLoopbackProxy({ [host]: emulator.apiBaseUrl });
    ({ vscode } = await startSession({ emulator, settings: { 'http.proxy': proxy.url, 'dingtalkToken.apiBaseUrl': `http://${host}` } }));
    await vscode.statusBar.waitFor(/DingTalk: Set up/, 90_000);
  },
  { timeout: SESSION_START_TIMEOUT },
);

after(async () => {
  await closeSession(vscode, emulator);
  await proxy?.close();
});

test("with VS Code's http.proxy set, the credentials are checked and the token fetched through the proxy", async () => {
  await vscode.palette.run('DingTalk: Set App Credentials');
  await vscode.quickInput.answer(APP.appKey);
  await vscode.quickInput.answer(APP.appSecret);
  await vscode.quickInput.answer(APP.label);
  assertCountdownNear(await vscode.statusBar.waitFor(/^Proxied \d:\d\d:\d\d/, 30_000), emulator.secondsLeft(APP.appKey));
  assert.equal(emulator.stats(APP.appKey).tokenIssued, 1);
  assert.ok(
    proxy.seen.some((line) => line.includes(host)),
    `the proxy carried the request: ${JSON.stringify(proxy.seen)}`,
  );
});
