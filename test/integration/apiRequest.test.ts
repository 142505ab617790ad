import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { endpointsWithDefaults, fetchAccessToken, type DingTalkEndpoints } from '../../src/core/dingtalk/client';
import { TokenManager } from '../../src/core/tokens/manager';
import type { TokenFetcher } from '../../src/core/tokens/model';
import { Redactor } from '../../src/core/redact';
import { ApiRequestRefused, dingtalkApiRequest, resolveTarget, type ApiRequestDeps } from '../../src/core/dingtalk/apiRequest';
import { DingTalkError } from '../../src/core/dingtalk/errors';

const [APP] = SANDBOX_APPS;

/** What the emulator's echo (and user/get) answers, with the fields these tests read. */
interface EchoBody {
  errcode: number;
  appKey: string;
  query: Record<string, string>;
  body: { accessToken: string };
  result: { userid: string };
}

interface Fixture {
  emulator: DingTalkEmulator;
  deps: ApiRequestDeps;
  tokens: TokenManager;
}

async function withFixture(fn: (fixture: Fixture) => Promise<void>, fetcher?: (endpoints: DingTalkEndpoints) => TokenFetcher): Promise<void> {
  const emulator = await DingTalkEmulator.start();
  const endpoints = endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl });
  const byKey = new Map(SANDBOX_APPS.map((app) => [app.appKey, app]));
  const redactor = new Redactor();
  const tokens = new TokenManager({
    fetcher: fetcher?.(endpoints) ?? ((appKey) => fetchAccessToken(endpoints, byKey.get(appKey)!)),
    autoRefresh: false,
    redactor,
  });
  try {
    await fn({ emulator, deps: { tokens, endpoints, redactor }, tokens });
  } finally {
    tokens.dispose();
    await emulator.close();
  }
}

function assertNoToken(result: unknown, ...tokens: string[]): void {
  const text = JSON.stringify(result);
  for (const token of tokens) assert.ok(!text.includes(token), 'the token leaked into the result');
}

test('new-style API: token in the header, JSON body and query passed through', async () => {
  await withFixture(async ({ emulator, deps, tokens }) => {
    const result = await dingtalkApiRequest(deps, APP.appKey, {
      method: 'POST',
      path: '/v1.0/emulator/echo',
      query: { page: 2, full: true },
      body: { hello: '钉钉' },
    });
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, {
      method: 'POST',
      path: '/v1.0/emulator/echo',
      query: { page: '2', full: 'true' },
      body: { hello: '钉钉' },
      appKey: APP.appKey,
    });
    assertNoToken(result, tokens.peek(APP.appKey)!.accessToken);
    assert.equal(emulator.stats().tokenRequests, 1);
  });
});

test('legacy API: token in ?access_token=, errcode answers returned as they are', async () => {
  await withFixture(async ({ deps }) => {
    const user = await dingtalkApiRequest(deps, APP.appKey, { method: 'POST', path: '/topapi/v2/user/get', body: { userid: 'u1' } });
    assert.equal(user.status, 200);
    assert.equal((user.body as EchoBody).errcode, 0);
    assert.equal((user.body as EchoBody).result.userid, 'u1');
    const echo = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: '/emulator/echo?a=1', query: { b: 'x' } });
    assert.equal((echo.body as EchoBody).appKey, APP.appKey);
    assert.deepEqual((echo.body as EchoBody).query, { a: '1', b: 'x' });
  });
});

test('absolute URLs on a configured base are styled by that base', async () => {
  await withFixture(async ({ emulator, deps }) => {
    const onApi = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: `${emulator.apiBaseUrl}/v1.0/emulator/echo` });
    assert.equal(onApi.status, 200);
    assert.equal((onApi.body as EchoBody).appKey, APP.appKey);
    const onLegacy = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: `${emulator.legacyApiBaseUrl}/emulator/echo` });
    assert.equal((onLegacy.body as EchoBody).errcode, 0);
    assert.equal((onLegacy.body as EchoBody).appKey, APP.appKey);
  });
});

test('the token is scrubbed even when the API echoes it back', async () => {
  await withFixture(async ({ deps, tokens }) => {
    const token = (await tokens.getToken(APP.appKey)).accessToken;
    const result = await dingtalkApiRequest(deps, APP.appKey, {
      method: 'POST',
      path: '/v1.0/emulator/echo',
      query: { copy: `before-${token}-after` },
      body: { accessToken: token, note: token },
    });
    assertNoToken(result, token);
    assert.equal((result.body as EchoBody).query.copy, 'before-***-after');
    assert.equal((result.body as EchoBody).body.accessToken, '***');
  });
});

for (const [style, path] of [
  ['new', '/v1.0/emulator/echo'],
  ['legacy', '/emulator/echo'],
] as const) {
  test(`${style} style: a revoked token is replaced once and the call retried`, async () => {
    await withFixture(async ({ emulator, deps, tokens }) => {
      const first = (await tokens.getToken(APP.appKey)).accessToken;
      emulator.revokeTokens(APP.appKey);
      emulator.resetStats();
      const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path });
      assert.equal(result.status, 200);
      assert.equal((result.body as EchoBody).appKey, APP.appKey);
      const stats = emulator.stats();
      assert.equal(stats.tokenRequests, 1);
      assert.equal(stats.apiUnauthorized, 1);
      assert.equal(stats.apiRequests, 2);
      const second = tokens.peek(APP.appKey)!.accessToken;
      assert.notEqual(second, first);
      assertNoToken(result, first, second);
    });
  });
}

test('a replacement rejected too fails the call, saying what else may be wrong', async () => {
  let issued = 0;
  await withFixture(
    async ({ emulator, deps }) => {
      await assert.rejects(
        dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: '/v1.0/emulator/echo' }),
        (error: DingTalkError) =>
          error.kind === 'tokenRejected' &&
          error.code === 'InvalidAuthentication' &&
          /IP whitelist/.test(error.message) &&
          /permission/.test(error.message) &&
          /another app/.test(error.message),
      );
      assert.equal(issued, 2);
      assert.equal(emulator.stats().apiRequests, 2);
    },
    () => async () => ({ accessToken: `not-a-real-token-${++issued}`, expiresInSeconds: 7200 }),
  );
});

for (const [style, path] of [
  ['new', '/v1.0/emulator/echo'],
  ['topapi', '/topapi/v2/user/get'],
] as const) {
  test(`30 ${style} calls to an API that always says the token is invalid make a bounded number of token requests`, async () => {
    await withFixture(async ({ emulator, deps }) => {
      emulator.setFault({ kind: 'invalidToken', target: 'api' });
      for (let i = 0; i < 30; i++) {
        await assert.rejects(
          dingtalkApiRequest(deps, APP.appKey, { method: 'POST', path, body: { userid: 'u1' } }),
          (error: DingTalkError) => error.kind === 'tokenRejected' && /IP whitelist/.test(error.message),
        );
      }
      assert.equal(emulator.stats().tokenRequests, 2, 'the first token and one replacement, then none');
    });
  });
}

test('answers over the size cap are refused with a clear error', async () => {
  await withFixture(async ({ deps }) => {
    const fits = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: '/v1.0/emulator/large', query: { bytes: 900_000 } });
    assert.equal(fits.status, 200);
    await assert.rejects(
      dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: '/v1.0/emulator/large', query: { bytes: 2_000_000 } }),
      (error: unknown) => error instanceof DingTalkError && error.code === 'ResponseTooLarge' && /larger than 1024 KB/.test(error.message),
    );
    await assert.rejects(
      dingtalkApiRequest({ ...deps, maxResponseBytes: 1000 }, APP.appKey, { method: 'GET', path: '/emulator/large', query: { bytes: 5000 } }),
      (error: unknown) => error instanceof DingTalkError && error.code === 'ResponseTooLarge',
    );
  });
});

test('a non-JSON answer comes back as text', async () => {
  await withFixture(async ({ emulator, deps }) => {
    emulator.setFault({ kind: 'htmlError', target: 'api' });
    const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: '/v1.0/emulator/echo' });
    assert.equal(result.status, 502);
    assert.equal(typeof result.body, 'string');
    assert.match(result.body as string, /502 Bad Gateway/);
  });
});

test('foreign hosts, traversal and odd paths are refused before any request', async () => {
  await withFixture(async ({ emulator, deps }) => {
    const apiPort = new URL(emulator.apiBaseUrl).port;
    const refused = [
      'https://evil.example/v1.0/emulator/echo',
      'http://127.0.0.1:1/v1.0/emulator/echo',
      `http://localhost:${apiPort}/v1.0/emulator/echo`, // same port, different origin
      `http://user:pw@127.0.0.1:${apiPort}/v1.0/emulator/echo`,
      'file:///etc/passwd',
      '//evil.example/v1.0/emulator/echo',
      '/v1.0/../oauth2/accessToken',
      '/v1.0/emulator/%2e%2e/echo',
      '/emulator/..%2Fgettoken',
      '/v1.0/emulator\\echo',
      '/v1.0/emulator/echo#frag',
      'v1.0/emulator/echo',
      '/v1.0/emulator/echo bad',
      '/v1.0/%E0%A4%A',
      '',
    ];
    for (const path of refused) {
      await assert.rejects(dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path }), ApiRequestRefused, `should refuse ${JSON.stringify(path)}`);
    }
    await assert.rejects(dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: '/v1.0/emulator/echo', body: { a: 1 } }), ApiRequestRefused);
    const stats = emulator.stats();
    assert.equal(stats.tokenRequests + stats.apiRequests, 0);
  });
});

test('the error for a foreign host names the configured bases', async () => {
  await withFixture(async ({ emulator, deps }) => {
    await assert.rejects(
      dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: 'https://evil.example/x' }),
      (error: Error) =>
        error.message.includes('https://evil.example') && error.message.includes(emulator.apiBaseUrl) && /No request was made/.test(error.message),
    );
  });
});

test('with bases under a path prefix, an absolute URL on the same origin outside the prefix is refused before any request', async () => {
  await withFixture(async ({ emulator, deps }) => {
    const prefixed = {
      ...deps,
      endpoints: { ...deps.endpoints, apiBaseUrl: `${emulator.apiBaseUrl}/dingtalk-api`, legacyApiBaseUrl: `${emulator.legacyApiBaseUrl}/dingtalk-oapi` },
    };
    for (const path of [
      `${emulator.apiBaseUrl}/v1.0/emulator/echo`, // the gateway's origin, outside the prefix
      `${emulator.apiBaseUrl}/dingtalk-apis/v1.0/emulator/echo`, // a longer segment is not the prefix
      `${emulator.apiBaseUrl}/dingtalk-api/../v1.0/emulator/echo`,
      `${emulator.apiBaseUrl}/dingtalk-api`,
      `${emulator.legacyApiBaseUrl}/emulator/echo`,
    ]) {
      await assert.rejects(dingtalkApiRequest(prefixed, APP.appKey, { method: 'GET', path }), ApiRequestRefused, `should refuse ${path}`);
    }
    assert.deepEqual([emulator.stats().tokenRequests, emulator.stats().apiRequests], [0, 0], 'no token was fetched or sent');
  });
});

test("an absolute URL under a prefixed base keeps the prefix and the base's token style", () => {
  const endpoints = endpointsWithDefaults({ apiBaseUrl: 'https://gw.example.com/dingtalk-api', legacyApiBaseUrl: 'https://gw.example.com/dingtalk-oapi/' });
  const onApi = resolveTarget(endpoints, { path: 'https://gw.example.com/dingtalk-api/v1.0/robot/oToMessages/batchSend?x=1' });
  assert.equal(onApi.url.toString(), 'https://gw.example.com/dingtalk-api/v1.0/robot/oToMessages/batchSend?x=1');
  assert.equal(onApi.style, 'new');
  const onLegacy = resolveTarget(endpoints, { path: 'https://gw.example.com/dingtalk-oapi/topapi/v2/user/get' });
  assert.equal(onLegacy.url.toString(), 'https://gw.example.com/dingtalk-oapi/topapi/v2/user/get');
  assert.equal(onLegacy.style, 'legacy');
  assert.equal(resolveTarget(endpoints, { path: '/topapi/v2/user/get' }).url.toString(), 'https://gw.example.com/dingtalk-oapi/topapi/v2/user/get');
  assert.throws(
    () => resolveTarget(endpoints, { path: 'https://gw.example.com/admin/users' }),
    (error: Error) =>
      error instanceof ApiRequestRefused && error.message.includes('https://gw.example.com/dingtalk-api') && /No request was made/.test(error.message),
  );
});
