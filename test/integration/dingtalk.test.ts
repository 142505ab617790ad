import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DingTalkEmulator, type Fault } from '../emulator/emulator';
import { endpointsWithDefaults, fetchAccessToken, type DingTalkEndpoints, type TokenApi } from '../../src/core/dingtalk/client';
import type { DingTalkError, DingTalkErrorKind } from '../../src/core/dingtalk/errors';
import { TokenManager } from '../../src/core/tokens/manager';
import { Redactor } from '../../src/core/redact';
import { dingTalkFailure } from '../support/dingTalkFailure';

const APP = { appKey: 'dingintegration01', appSecret: 'integration-secret-value-01' };
let emulator: DingTalkEmulator;

before(async () => {
  emulator = await DingTalkEmulator.start({ apps: [APP, { appKey: 'dingintegration02', appSecret: 'integration-secret-value-02' }] });
});
after(() => emulator.close());
beforeEach(() => {
  emulator.setFault(null);
  emulator.resetStats();
});

function endpoints(tokenApi: TokenApi, requestTimeoutMs = 2000): DingTalkEndpoints {
  return endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl, tokenApi, requestTimeoutMs });
}

function assertNoSecret(error: DingTalkError): void {
  const everything = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
  assert.ok(!everything.includes(APP.appSecret), 'the appSecret must not appear in an error');
}

for (const tokenApi of ['v1', 'legacy'] as const) {
  test(`${tokenApi}: a token, the same one on a repeat request, and a different one for another app`, async () => {
    const first = await fetchAccessToken(endpoints(tokenApi), APP);
    assert.match(first.accessToken, /^[0-9a-f]{32}$/);
    assert.equal(first.expiresInSeconds, 7200);
    const again = await fetchAccessToken(endpoints(tokenApi), APP);
    assert.equal(again.accessToken, first.accessToken);
    const other = await fetchAccessToken(endpoints(tokenApi), { appKey: 'dingintegration02', appSecret: 'integration-secret-value-02' });
    assert.notEqual(other.accessToken, first.accessToken);
  });

  test(`${tokenApi}: a wrong secret is invalidCredentials with an actionable message and no secret in it`, async () => {
    const error = await dingTalkFailure(fetchAccessToken(endpoints(tokenApi), { appKey: APP.appKey, appSecret: 'wrong-secret-value-xyz' }));
    assert.equal(error.kind, 'invalidCredentials');
    assert.match(error.message, /Check the app's Client ID and Client Secret/);
    assert.match(error.said ?? '', /clientId|appKey/, "DingTalk's own words are kept to show beside its code");
    if (tokenApi === 'v1') {
      assert.equal(error.code, 'invalidClientIdOrSecret');
      assert.equal(error.httpStatus, 400);
      assert.ok(error.requestId, 'DingTalk request id kept for support');
    } else {
      assert.match(error.code ?? '', /^400(89|96)$/);
    }
    assert.ok(!error.message.includes('wrong-secret-value-xyz'));
    assertNoSecret(error);
  });

  const faults: Array<{ fault: Fault; kind: DingTalkErrorKind; message: RegExp; retryAfterMs?: number }> = [
    { fault: { kind: 'server500' }, kind: 'server', message: /trying again later|errcode -1/ },
    { fault: { kind: 'rateLimit429', retryAfterSeconds: 7 }, kind: 'throttled', message: /throttling/, retryAfterMs: 7000 },
    { fault: { kind: 'qpsLimitApp' }, kind: 'throttled', message: /QpsLimitForAppkeyAndApi|90018/ },
    { fault: { kind: 'qpsLimitApi' }, kind: 'throttled', message: /QpsLimitForApi|90002/ },
    { fault: { kind: 'ipBan' }, kind: 'throttled', message: /refusing this IP/, retryAfterMs: 5000 },
    { fault: { kind: 'ipBan', status: 200 }, kind: 'throttled', message: /refusing this IP/, retryAfterMs: 5000 },
    { fault: { kind: 'htmlError' }, kind: 'server', message: /error page/ },
    { fault: { kind: 'htmlError', status: 405 }, kind: 'throttled', message: /refused the request with an HTML page \(HTTP 405\)/ },
    { fault: { kind: 'htmlError', status: 404 }, kind: 'malformed', message: /HTML page, not JSON/ },
    { fault: { kind: 'malformed' }, kind: 'malformed', message: /could not be understood/ },
    { fault: { kind: 'reset' }, kind: 'network', message: /Could not reach DingTalk/ },
    { fault: { kind: 'slow', delayMs: 1500 }, kind: 'timeout', message: /did not answer within 300 ms/ },
  ];
  for (const { fault, kind, message, retryAfterMs } of faults) {
    test(`${tokenApi}: fault ${fault.kind}${fault.status ? ` (HTTP ${fault.status})` : ''} → ${kind} with a clear message`, async () => {
      emulator.setFault({ ...fault, times: 1 });
      const error = await dingTalkFailure(fetchAccessToken(endpoints(tokenApi, fault.kind === 'slow' ? 300 : 2000), APP));
      assert.equal(error.kind, kind, error.message);
      assert.match(error.message, message);
      if (retryAfterMs !== undefined) assert.equal(error.retryAfterMs, retryAfterMs);
      assertNoSecret(error);
      // The fault was one-off: the next request works.
      assert.ok((await fetchAccessToken(endpoints(tokenApi), APP)).accessToken);
    });
  }
}

test('every fault during a refresh keeps the still-valid token served, and the error is recorded', async () => {
  for (const kind of ['server500', 'rateLimit429', 'qpsLimitApp', 'ipBan', 'htmlError', 'malformed', 'reset', 'slow'] as const) {
    const tokens = new TokenManager({
      fetcher: (appKey) => fetchAccessToken(endpoints('v1', 300), { appKey, appSecret: APP.appSecret }),
      autoRefresh: false,
      redactor: new Redactor(),
    });
    const first = await tokens.getToken(APP.appKey);
    emulator.setFault({ kind, delayMs: 1000, retryAfterSeconds: 1 });
    await assert.rejects(tokens.forceRefresh(APP.appKey), `after ${kind}`);
    emulator.setFault(null);
    const served = await tokens.getToken(APP.appKey);
    assert.equal(served.accessToken, first.accessToken, `after ${kind}`);
    assert.ok(tokens.status(APP.appKey).lastError, `error recorded after ${kind}`);
    tokens.dispose();
  }
});

test('a short TTL from DingTalk is respected, and a revoked token is replaced on the next force', async () => {
  emulator.setTtl(2);
  try {
    const tokens = new TokenManager({
      fetcher: (appKey) => fetchAccessToken(endpoints('v1'), { appKey, appSecret: APP.appSecret }),
      autoRefresh: false,
      redactor: new Redactor(),
    });
    const short = await tokens.getToken(APP.appKey);
    assert.ok(short.expiresAt - Date.now() <= 2000);
    emulator.revokeTokens(APP.appKey);
    const fresh = await tokens.forceRefresh(APP.appKey);
    assert.notEqual(fresh.accessToken, short.accessToken);
    tokens.dispose();
  } finally {
    emulator.setTtl(7200);
  }
});

test('1,000 concurrent callers over real HTTP cause one token request upstream', async () => {
  const tokens = new TokenManager({
    fetcher: (appKey) => fetchAccessToken(endpoints('v1'), { appKey, appSecret: APP.appSecret }),
    autoRefresh: false,
    redactor: new Redactor(),
  });
  const results = await Promise.all(Array.from({ length: 1000 }, () => tokens.getToken(APP.appKey)));
  assert.equal(new Set(results.map((r) => r.accessToken)).size, 1);
  assert.equal(emulator.stats(APP.appKey).tokenRequests, 1);
  tokens.dispose();
});

// Not DingTalk's documented shape (errmsg is text, punish a word), so a bare server stands in for a broken gateway.
test('an errmsg or punish that is not text never reaches the message as "[object Object]"', async () => {
  const answers = [
    { errcode: 40089, errmsg: { text: 'nested' } },
    { status: 1111, wait: 5, punish: { kind: 'deny' } },
  ];
  let next = 0;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[next++])));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const legacy = endpointsWithDefaults({ apiBaseUrl: base, legacyApiBaseUrl: base, tokenApi: 'legacy', requestTimeoutMs: 2000 });
    for (const answer of answers) {
      const error = await dingTalkFailure(fetchAccessToken(legacy, APP));
      assert.doesNotMatch(error.message, /\[object Object\]/, JSON.stringify(answer));
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
