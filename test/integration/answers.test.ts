import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DingTalkEmulator, EMULATOR_CLIENT_IP, EMULATOR_MISSING_SCOPE, SANDBOX_APPS, SANDBOX_ROBOT_TOKEN, type Fault } from '../emulator/emulator';
import type { Clock } from '../../src/core/clock';
import { endpointsWithDefaults, fetchAccessToken, type DingTalkEndpoints, type TokenApi } from '../../src/core/dingtalk/client';
import type { DingTalkError, DingTalkErrorKind } from '../../src/core/dingtalk/errors';
import { TokenManager } from '../../src/core/tokens/manager';
import { Redactor } from '../../src/core/redact';
import { dingTalkFailure } from '../support/dingTalkFailure';
import { dingtalkApiRequest, type ApiRequestDeps } from '../../src/core/dingtalk/apiRequest';

// DingTalk's answer shapes, as the emulator speaks them (each cited there), read by the client over loopback:
// code first, status second, for both API families, on the token endpoints and on API calls.
const [APP] = SANDBOX_APPS;

/** Retry waits happen at once and are recorded; jitter is fixed at its low end. */
function instantClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now(),
    setTimeout(callback, ms) {
      waits.push(ms);
      return setImmediate(callback);
    },
    clearTimeout: (handle) => clearImmediate(handle as NodeJS.Immediate),
  };
}

/** A legacy (oapi) answer's body, with the fields these tests read. */
interface LegacyBody {
  errcode: number;
  errmsg: string;
  request_id: string;
}

interface Fixture {
  emulator: DingTalkEmulator;
  deps: ApiRequestDeps;
  clock: ReturnType<typeof instantClock>;
  endpoints: (tokenApi?: TokenApi) => DingTalkEndpoints;
}

async function withFixture(fn: (fixture: Fixture) => Promise<void>, tokenApi: TokenApi = 'v1'): Promise<void> {
  const emulator = await DingTalkEmulator.start();
  const endpoints = (api: TokenApi = tokenApi) =>
    endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl, tokenApi: api, requestTimeoutMs: 2000 });
  const clock = instantClock();
  const redactor = new Redactor();
  const tokens = new TokenManager({
    fetcher: (appKey) => fetchAccessToken(endpoints(), { appKey, appSecret: APP.appSecret }),
    autoRefresh: false,
    clock,
    random: () => 0,
    redactor,
  });
  try {
    await fn({ emulator, deps: { tokens, endpoints: endpoints(), redactor, clock, random: () => 0 }, clock, endpoints });
  } finally {
    tokens.dispose();
    await emulator.close();
  }
}

const FAMILIES = [
  ['new API', 'POST', '/v1.0/emulator/echo'],
  ['topapi', 'POST', '/topapi/v2/user/get'],
] as const;

interface Refusal {
  fault: Fault;
  kind: DingTalkErrorKind;
  code: { 'new API': string; topapi: string };
  check?: (error: DingTalkError) => void;
}

const REFUSALS: Refusal[] = [
  { fault: { kind: 'quotaExceeded' }, kind: 'quotaExceeded', code: { 'new API': 'Forbidden.AccessDenied.ApiCountLimitForOrg', topapi: '90020' } },
  {
    fault: { kind: 'ipNotWhitelisted' },
    kind: 'ipNotWhitelisted',
    code: { 'new API': 'Forbidden.AccessDenied.IpNotInWhiteList', topapi: '60020' },
    check: (error) => {
      assert.equal(error.ip, EMULATOR_CLIENT_IP);
      assert.ok(error.message.includes(EMULATOR_CLIENT_IP), error.message);
    },
  },
  {
    fault: { kind: 'permissionDenied' },
    kind: 'permissionDenied',
    code: { 'new API': 'Forbidden.AccessDenied.AccessTokenPermissionDenied', topapi: '60011' },
    check: (error) => {
      assert.deepEqual(error.requiredScopes, [EMULATOR_MISSING_SCOPE]);
      assert.ok(error.message.includes(EMULATOR_MISSING_SCOPE), error.message);
    },
  },
  { fault: { kind: 'qpsLimitApp' }, kind: 'throttled', code: { 'new API': 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', topapi: '90018' } },
  { fault: { kind: 'qpsLimitApi' }, kind: 'throttled', code: { 'new API': 'Forbidden.AccessDenied.QpsLimitForApi', topapi: '90002' } },
  {
    fault: { kind: 'rateLimit429', retryAfterSeconds: 9 },
    kind: 'throttled',
    code: { 'new API': 'Throttling', topapi: 'Throttling' },
    check: (error) => assert.equal(error.retryAfterMs, 9000),
  },
];

for (const [family, method, path] of FAMILIES) {
  for (const { fault, kind, code, check } of REFUSALS) {
    test(`${family} call: ${fault.kind} → ${kind} (${code[family]}), not retried, no new token`, async () => {
      await withFixture(async ({ emulator, deps, clock }) => {
        emulator.setFault({ ...fault, target: 'api' });
        const error = await dingTalkFailure(dingtalkApiRequest(deps, APP.appKey, { method, path, body: { userid: 'u1' } }));
        assert.equal(error.kind, kind, error.message);
        assert.equal(error.code, code[family]);
        check?.(error);
        assert.equal(emulator.stats().apiRequests, 1, 'never retried');
        assert.equal(emulator.stats().tokenRequests, 1);
        assert.deepEqual(clock.waits, []);
      });
    });
  }
}

for (const tokenApi of ['v1', 'legacy'] as const) {
  for (const { fault, kind, check } of REFUSALS.filter((refusal) => refusal.kind !== 'throttled')) {
    test(`${tokenApi} token endpoint: ${fault.kind} → ${kind}, not wrong credentials, and no timer retries it`, async () => {
      await withFixture(async ({ emulator, endpoints }) => {
        emulator.setFault({ ...fault, target: 'token' });
        const error = await dingTalkFailure(fetchAccessToken(endpoints(tokenApi), APP));
        assert.equal(error.kind, kind, error.message);
        assert.equal(error.retryable, false, 'only a person can fix it');
        check?.(error);
      }, tokenApi);
    });
  }
}

for (const status of [400, 401]) {
  test(`new API: InvalidAuthentication with HTTP ${status} replaces the token once and the call succeeds`, async () => {
    await withFixture(async ({ emulator, deps }) => {
      await deps.tokens.getToken(APP.appKey);
      emulator.setFault({ kind: 'invalidToken', target: 'api', status, times: 1 });
      const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: '/v1.0/emulator/echo' });
      assert.equal(result.status, 200);
      assert.deepEqual([emulator.stats().tokenRequests, emulator.stats().apiRequests], [2, 2]);
    });
  });
}

test('topapi: errcode 88 with sub_code "40014" (a string) is an invalid token: replaced once, call retried', async () => {
  await withFixture(async ({ emulator, deps }) => {
    await deps.tokens.getToken(APP.appKey);
    emulator.revokeTokens(APP.appKey);
    const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'POST', path: '/topapi/v2/user/get', body: { userid: 'u1' } });
    assert.equal((result.body as LegacyBody).errcode, 0);
    assert.equal(emulator.stats().apiUnauthorized, 1);
    assert.equal(emulator.stats().tokenRequests, 2);
  });
});

test('topapi: an unknown method (errcode 22) comes back as DingTalk said, without a token replacement or retry', async () => {
  await withFixture(async ({ emulator, deps }) => {
    const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'POST', path: '/topapi/no/such/method', body: {} });
    assert.equal(result.status, 200);
    assert.equal((result.body as LegacyBody).errcode, 22);
    assert.match((result.body as LegacyBody).errmsg, /Invalid method/);
    assert.deepEqual([emulator.stats().tokenRequests, emulator.stats().apiRequests], [1, 1]);
  });
});

test('robot webhook: a request carrying its own access_token (in the path or in query) is sent with it, and no app token is fetched or added', async () => {
  await withFixture(async ({ emulator, deps }) => {
    const body = { msgtype: 'text', text: { content: 'Build finished' } };
    const inPath = await dingtalkApiRequest(deps, APP.appKey, { method: 'POST', path: `/robot/send?access_token=${SANDBOX_ROBOT_TOKEN}`, body });
    assert.deepEqual(inPath.body, { errcode: 0, errmsg: 'ok', request_id: (inPath.body as LegacyBody).request_id });
    const inQuery = await dingtalkApiRequest(deps, APP.appKey, { method: 'POST', path: '/robot/send', query: { access_token: SANDBOX_ROBOT_TOKEN }, body });
    assert.equal((inQuery.body as LegacyBody).errcode, 0);
    assert.equal(emulator.stats().tokenRequests, 0, 'the app token was never needed');
    assert.ok(!JSON.stringify([inPath, inQuery]).includes(SANDBOX_ROBOT_TOKEN));
  });
});

test('robot webhook: without its own token the app token is sent, and the robot says "token is not exist"', async () => {
  await withFixture(async ({ deps }) => {
    const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'POST', path: '/robot/send', body: { msgtype: 'text', text: { content: 'x' } } });
    assert.equal((result.body as LegacyBody).errmsg, 'token is not exist');
  });
});

const READS = [
  ['new API', '/v1.0/emulator/echo'],
  ['oapi', '/emulator/echo'],
] as const;

for (const [family, path] of READS) {
  test(`${family}: a GET met by two 5xx ("busy" on oapi) in a row is retried inside the call, jittered, and succeeds`, async () => {
    await withFixture(async ({ emulator, deps, clock }) => {
      await deps.tokens.getToken(APP.appKey);
      emulator.setFault({ kind: 'server500', target: 'api', times: 2 });
      const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path });
      assert.equal(result.status, 200);
      assert.equal(emulator.stats().apiRequests, 3);
      assert.deepEqual(clock.waits, [150, 300], 'two retries, the second waiting longer');
    });
  });

  test(`${family}: a third transient failure of a GET ends the retries: at most 3 requests, DingTalk's answer returned`, async () => {
    await withFixture(async ({ emulator, deps }) => {
      await deps.tokens.getToken(APP.appKey);
      emulator.setFault({ kind: 'server500', target: 'api' });
      const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path });
      assert.ok(result.status === 500 || (result.body as LegacyBody).errcode === -1);
      assert.equal(emulator.stats().apiRequests, 3);
    });
  });
}

for (const [family, method, path] of FAMILIES) {
  test(`${family}: a ${method} answered 5xx ("busy" on topapi) is sent once, and the error says it may have taken effect`, async () => {
    await withFixture(async ({ emulator, deps, clock }) => {
      await deps.tokens.getToken(APP.appKey);
      emulator.setFault({ kind: 'server500', target: 'api' });
      const error = await dingTalkFailure(dingtalkApiRequest(deps, APP.appKey, { method, path, body: { userid: 'u1' } }));
      assert.equal(error.kind, 'server');
      assert.equal(error.mayHaveTakenEffect, true);
      assert.match(error.message, /may still have reached DingTalk/);
      assert.equal(emulator.stats().apiRequests, 1);
      assert.deepEqual(clock.waits, []);
    });
  });
}

test('a dropped connection is retried inside the call', async () => {
  await withFixture(async ({ emulator, deps }) => {
    await deps.tokens.getToken(APP.appKey);
    emulator.setFault({ kind: 'reset', target: 'api', times: 1 });
    const result = await dingtalkApiRequest(deps, APP.appKey, { method: 'GET', path: '/v1.0/emulator/echo' });
    assert.equal(result.status, 200);
    assert.equal(emulator.stats().apiRequests, 2);
  });
});

for (const tokenApi of ['v1', 'legacy'] as const) {
  test(`${tokenApi}: two token-endpoint 500s in a row do not reach a waiting caller`, async () => {
    await withFixture(async ({ emulator, deps }) => {
      emulator.setFault({ kind: 'server500', target: 'token', times: 2 });
      const token = await deps.tokens.getToken(APP.appKey);
      assert.ok(token.accessToken);
      assert.equal(emulator.stats().tokenRequests, 3);
    }, tokenApi);
  });
}
