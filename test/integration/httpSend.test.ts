// One HTTP exchange with DingTalk (http.send) over loopback against the emulator: the answer as sent, and each
// way the exchange can fail as the DingTalkError a caller acts on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { retryAfterMs, send } from '../../src/core/dingtalk/http';
import { connectionNeverOpened } from '../../src/core/dingtalk/retry';
import { dingTalkFailure } from '../support/dingTalkFailure';
import { withEmulator } from '../support/emulatorTools';

const [APP] = SANDBOX_APPS;

const tokenRequest = (emulator: DingTalkEmulator) => ({
  url: `${emulator.apiBaseUrl}/v1.0/oauth2/accessToken`,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ appKey: APP.appKey, appSecret: APP.appSecret }),
});

test("an answer comes back with DingTalk's status, headers and text as sent", async () => {
  await withEmulator({}, async (emulator) => {
    const answer = await send({ requestTimeoutMs: 5000 }, tokenRequest(emulator));
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['x-acs-request-id']), /^[0-9A-F-]{36}$/);
    assert.equal((JSON.parse(answer.text) as { accessToken: string }).accessToken, emulator.currentToken(APP.appKey));
    emulator.setFault({ kind: 'rateLimit429', retryAfterSeconds: 7 });
    const throttled = await send({ requestTimeoutMs: 5000 }, tokenRequest(emulator));
    assert.equal(throttled.status, 429);
    assert.equal(retryAfterMs(throttled), 7000);
  });
});

test('an answer larger than the cap is refused unread, by its Content-Length or as it streams', async () => {
  await withEmulator({}, async (emulator) => {
    const token = (JSON.parse((await send({ requestTimeoutMs: 5000 }, tokenRequest(emulator))).text) as { accessToken: string }).accessToken;
    const error = await dingTalkFailure(
      send(
        { requestTimeoutMs: 5000 },
        { url: `${emulator.legacyApiBaseUrl}/emulator/large?bytes=200000&access_token=${token}`, method: 'GET', maxBytes: 100_000 },
      ),
    );
    assert.equal(error.kind, 'malformed');
    assert.equal(error.code, 'ResponseTooLarge');
    assert.match(error.message, /larger than 98 KB/);
  });
});

test('no answer within the deadline is a timeout naming the host and the deadline', async () => {
  await withEmulator({}, async (emulator) => {
    emulator.setFault({ kind: 'slow', delayMs: 5000 });
    const error = await dingTalkFailure(send({ requestTimeoutMs: 200 }, tokenRequest(emulator)));
    assert.equal(error.kind, 'timeout');
    assert.equal(error.message, `DingTalk (${new URL(emulator.apiBaseUrl).host}) did not answer within 200 ms.`);
    assert.equal(connectionNeverOpened(error), false, 'the request may have been received');
  });
});

test('a connection reset after the request is a network error that may have reached DingTalk; a refused connection never opened', async () => {
  await withEmulator({}, async (emulator) => {
    emulator.setFault({ kind: 'reset' });
    const reset = await dingTalkFailure(send({ requestTimeoutMs: 5000 }, tokenRequest(emulator)));
    assert.equal(reset.kind, 'network');
    assert.equal(connectionNeverOpened(reset), false);

    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await dingTalkFailure(
      send({ requestTimeoutMs: 5000 }, { url: `http://127.0.0.1:${port}/v1.0/oauth2/accessToken`, method: 'POST', body: '{}' }),
    );
    assert.equal(refused.kind, 'network');
    assert.equal(refused.code, 'ECONNREFUSED');
    assert.equal(connectionNeverOpened(refused), true);
    assert.match(refused.message, new RegExp(`Could not reach DingTalk at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  });
});
