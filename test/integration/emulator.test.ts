import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { DingTalkEmulator, SANDBOX_APPS, type Fault } from '../emulator/emulator';
import { eventually } from '../support/eventually';
import { withEmulator } from '../support/emulatorTools';

const [APP, APP2] = SANDBOX_APPS;
const TOKEN_RE = /^[0-9a-f]{32}$/;

/** A clock the test moves by hand. */
function manualClock() {
  let now = Date.UTC(2026, 0, 1);
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

/** An answer's JSON body (undefined when it is not JSON), with the fields these tests read, across the APIs. */
interface AnswerJson {
  accessToken: string;
  expireIn: number;
  access_token: string;
  expires_in: number;
  code: string;
  message: string;
  requestid: string;
  errcode: number;
  errmsg: string;
  request_id: string;
  sub_code: string;
  sub_msg: string;
  appKey: string;
  method: string;
  query: Record<string, string>;
  body: unknown;
  data: string;
  result: { userid: string; name: string };
  processQueryKey: string;
  invalidStaffIdList: string[];
  flowControlledStaffIdList: string[];
  unionId: string;
  nick: string;
  task_id: number;
  faultsServed: number;
  tokenRequests: number;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: AnswerJson;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: AnswerJson;
  try {
    json = JSON.parse(text) as AnswerJson;
  } catch {
    json = undefined as unknown as AnswerJson; // not JSON: a test that reads a field of it fails, as it should
  }
  return { status: response.status, headers: response.headers, text, json };
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const newToken = (e: DingTalkEmulator, app = APP) => postJson(`${e.apiBaseUrl}/v1.0/oauth2/accessToken`, { appKey: app.appKey, appSecret: app.appSecret });

const legacyToken = (e: DingTalkEmulator, appkey: string, appsecret: string) =>
  call(`${e.legacyApiBaseUrl}/gettoken?${new URLSearchParams({ appkey, appsecret }).toString()}`);

const newEcho = (e: DingTalkEmulator, token: string) => call(`${e.apiBaseUrl}/v1.0/emulator/echo`, { headers: { 'x-acs-dingtalk-access-token': token } });
const legacyEcho = (e: DingTalkEmulator, token: string) => call(`${e.legacyApiBaseUrl}/emulator/echo?access_token=${token}`);

test('new API: the same token within validity, renewed to a full TTL on each request', async () => {
  const clock = manualClock();
  await withEmulator({ now: clock.now }, async (e) => {
    const first = await newToken(e);
    assert.equal(first.status, 200);
    assert.match(first.json.accessToken, TOKEN_RE);
    assert.equal(first.json.expireIn, 7200);
    assert.ok(first.headers.get('x-acs-request-id'));

    clock.advance(7000);
    const second = await newToken(e);
    assert.equal(second.json.accessToken, first.json.accessToken);
    assert.equal(second.json.expireIn, 7200, 'validity renewed to the full TTL');

    clock.advance(7100); // past the first expiry, within the renewed one
    assert.equal((await newEcho(e, first.json.accessToken)).status, 200);
    assert.equal((await newToken(e)).json.accessToken, first.json.accessToken);
    assert.equal(e.stats(APP.appKey).tokenIssued, 1);
  });
});

test('a new token after expiry; the old one answers 401 (new) and 42001 (legacy)', async () => {
  const clock = manualClock();
  await withEmulator({ now: clock.now, ttlSeconds: 60 }, async (e) => {
    const old = (await newToken(e)).json;
    assert.equal(old.expireIn, 60);
    clock.advance(61);
    const expiredNew = await newEcho(e, old.accessToken);
    assert.equal(expiredNew.status, 401);
    assert.equal(expiredNew.json.code, 'InvalidAuthentication');
    assert.equal(expiredNew.json.message, '不合法的access_token');
    assert.ok(expiredNew.json.requestid);
    const expiredLegacy = await legacyEcho(e, old.accessToken);
    assert.equal(expiredLegacy.status, 200);
    assert.equal(expiredLegacy.json.errcode, 42001);
    assert.equal(expiredLegacy.json.errmsg, 'access_token超时');

    const fresh = (await newToken(e)).json;
    assert.notEqual(fresh.accessToken, old.accessToken);
    assert.equal((await newEcho(e, fresh.accessToken)).status, 200);
    assert.equal(e.stats().tokenIssued, 2);
  });
});

test('revoke: tokens stop working at once and the next request issues a new one; per app', async () => {
  await withEmulator({}, async (e) => {
    const one = (await newToken(e, APP)).json.accessToken;
    const two = (await newToken(e, APP2)).json.accessToken;
    e.revokeTokens(APP.appKey);
    assert.equal((await newEcho(e, one)).status, 401);
    assert.equal((await legacyEcho(e, one)).json.errcode, 40014);
    assert.equal((await newEcho(e, two)).status, 200, 'the other app keeps its token');

    const renewed = (await newToken(e, APP)).json.accessToken;
    assert.notEqual(renewed, one);
    assert.equal((await newEcho(e, renewed)).status, 200);

    e.revokeTokens();
    assert.equal((await newEcho(e, renewed)).status, 401);
    assert.equal((await newEcho(e, two)).status, 401);
  });
});

test('apps never share a token; the legacy and new endpoints share one store', async () => {
  await withEmulator({}, async (e) => {
    const one = (await newToken(e, APP)).json.accessToken;
    const two = (await newToken(e, APP2)).json.accessToken;
    assert.notEqual(one, two);
    const legacy = await legacyToken(e, APP.appKey, APP.appSecret);
    assert.equal(legacy.status, 200);
    assert.equal(legacy.json.errcode, 0);
    assert.equal(legacy.json.errmsg, 'ok');
    assert.equal(legacy.json.access_token, one);
    assert.equal(legacy.json.expires_in, 7200);
    assert.equal((await newEcho(e, one)).json.appKey, APP.appKey);
    assert.equal((await newEcho(e, two)).json.appKey, APP2.appKey);
  });
});

test('new API token errors: invalidClientIdOrSecret and MissingParameter as HTTP 400', async () => {
  await withEmulator({}, async (e) => {
    const url = `${e.apiBaseUrl}/v1.0/oauth2/accessToken`;
    for (const body of [
      { appKey: 'dingunknown', appSecret: 'x' },
      { appKey: APP.appKey, appSecret: 'wrong' },
    ]) {
      const answer = await postJson(url, body);
      assert.equal(answer.status, 400);
      assert.equal(answer.json.code, 'invalidClientIdOrSecret');
      assert.equal(answer.json.message, '无效的clientId或者clientSecret');
      assert.ok(answer.json.requestid);
      assert.equal(answer.headers.get('x-acs-request-id'), answer.json.requestid);
    }
    const missing = await postJson(url, { appKey: APP.appKey });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.code, 'MissingParameter');
    assert.equal(e.stats().tokenIssued, 0);
  });
});

test('legacy gettoken errcodes: 40089 for an unknown appkey, 40096 for a wrong appsecret', async () => {
  await withEmulator({}, async (e) => {
    const badKey = await legacyToken(e, 'dingunknown', APP.appSecret);
    assert.equal(badKey.status, 200);
    assert.equal(badKey.json.errcode, 40089);
    assert.equal(badKey.json.errmsg, '不合法的appKey或appSecret');
    const badSecret = await legacyToken(e, APP.appKey, 'wrong');
    assert.equal(badSecret.status, 200);
    assert.equal(badSecret.json.errcode, 40096);
    assert.equal(badSecret.json.access_token, undefined);
  });
});

test('new-style protected APIs take x-acs-dingtalk-access-token; 401 without a valid one; 404 unknown path', async () => {
  await withEmulator({}, async (e) => {
    const token = (await newToken(e)).json.accessToken;
    const auth = { 'x-acs-dingtalk-access-token': token };

    const sent = await postJson(
      `${e.apiBaseUrl}/v1.0/robot/oToMessages/batchSend`,
      { robotCode: 'r', userIds: ['u1'], msgKey: 'sampleText', msgParam: '{}' },
      auth,
    );
    assert.equal(sent.status, 200);
    assert.ok(sent.json.processQueryKey);
    assert.deepEqual(sent.json.invalidStaffIdList, []);
    assert.deepEqual(sent.json.flowControlledStaffIdList, []);

    const user = await call(`${e.apiBaseUrl}/v1.0/contact/users/u123`, { headers: auth });
    assert.equal(user.status, 200);
    assert.equal(user.json.unionId, 'union-u123');
    assert.ok(user.json.nick);

    const echo = await postJson(`${e.apiBaseUrl}/v1.0/emulator/echo?a=1`, { hello: 'world' }, auth);
    assert.deepEqual(echo.json, { method: 'POST', path: '/v1.0/emulator/echo', query: { a: '1' }, body: { hello: 'world' }, appKey: APP.appKey });

    for (const headers of [{}, { 'x-acs-dingtalk-access-token': 'f'.repeat(32) }] as Record<string, string>[]) {
      const denied = await call(`${e.apiBaseUrl}/v1.0/contact/users/u123`, { headers });
      assert.equal(denied.status, 401);
      assert.equal(denied.json.code, 'InvalidAuthentication');
    }
    const unknown = await call(`${e.apiBaseUrl}/v1.0/nothing/here`, { headers: auth });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'InvalidAction.NotFound');
    assert.ok(unknown.json.requestid);
  });
});

test('legacy protected APIs take ?access_token=; without a valid one topapi answers 88 + sub_code "40014", older paths 40014', async () => {
  await withEmulator({}, async (e) => {
    const token = (await legacyToken(e, APP.appKey, APP.appSecret)).json.access_token;
    const user = await postJson(`${e.legacyApiBaseUrl}/topapi/v2/user/get?access_token=${token}`, { userid: 'manager01' });
    assert.equal(user.status, 200);
    assert.equal(user.json.errcode, 0);
    assert.equal(user.json.errmsg, 'ok');
    assert.equal(user.json.result.userid, 'manager01');
    assert.ok(user.json.result.name);
    assert.ok(user.json.request_id);

    const sent = await postJson(`${e.legacyApiBaseUrl}/topapi/message/corpconversation/asyncsend_v2?access_token=${token}`, {
      agent_id: 1,
      userid_list: 'manager01',
      msg: {},
    });
    assert.equal(sent.json.errcode, 0);
    assert.equal(typeof sent.json.task_id, 'number');

    const echo = await call(`${e.legacyApiBaseUrl}/emulator/echo?access_token=${token}&x=y`, { method: 'PUT', body: 'plain' });
    assert.equal(echo.json.appKey, APP.appKey);
    assert.equal(echo.json.method, 'PUT');
    assert.deepEqual(echo.json.query, { x: 'y' }, 'the token is not echoed back');
    assert.equal(echo.json.body, 'plain');

    for (const query of ['', `?access_token=${'0'.repeat(32)}`]) {
      const denied = await postJson(`${e.legacyApiBaseUrl}/topapi/v2/user/get${query}`, { userid: 'manager01' });
      assert.equal(denied.status, 200);
      assert.equal(denied.json.errcode, 88);
      assert.equal(denied.json.sub_code, '40014');
      assert.equal(denied.json.sub_msg, '不合法的access_token');
      assert.ok(denied.json.request_id);
      const older = await call(`${e.legacyApiBaseUrl}/emulator/echo${query}`);
      assert.equal(older.json.errcode, 40014);
      assert.equal(older.json.errmsg, '不合法的access_token');
    }
  });
});

test('large responses have the requested size and need a token', async () => {
  await withEmulator({}, async (e) => {
    const token = (await newToken(e)).json.accessToken;
    const big = await call(`${e.apiBaseUrl}/v1.0/emulator/large?bytes=200000`, { headers: { 'x-acs-dingtalk-access-token': token } });
    assert.equal(big.status, 200);
    assert.equal(Buffer.byteLength(big.text), 200000);
    assert.equal(big.json.data.length, 200000 - '{"data":""}'.length);
    const legacy = await call(`${e.legacyApiBaseUrl}/emulator/large?bytes=100000&access_token=${token}`);
    assert.equal(Buffer.byteLength(legacy.text), 100000);
    assert.equal(legacy.json.errcode, 0);
    assert.equal((await call(`${e.apiBaseUrl}/v1.0/emulator/large?bytes=10`)).status, 401);
  });
});

test('faults server500, qpsLimitApp, qpsLimitApi: new-style HTTP errors and legacy errcodes', async () => {
  await withEmulator({}, async (e) => {
    const cases: [Fault['kind'], number, string, number][] = [
      ['server500', 500, 'ServiceUnavailable', -1],
      ['qpsLimitApp', 403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', 90018],
      ['qpsLimitApi', 403, 'Forbidden.AccessDenied.QpsLimitForApi', 90002],
    ];
    for (const [kind, status, code, errcode] of cases) {
      e.setFault({ kind });
      const fresh = await newToken(e);
      assert.equal(fresh.status, status, kind);
      assert.equal(fresh.json.code, code);
      assert.ok(fresh.json.message);
      assert.ok(fresh.json.requestid);
      const legacy = await legacyToken(e, APP.appKey, APP.appSecret);
      assert.equal(legacy.status, 200, kind);
      assert.equal(legacy.json.errcode, errcode);
      assert.ok(legacy.json.errmsg);
    }
    e.setFault(null);
    assert.equal((await newToken(e)).status, 200);
    assert.equal(e.stats().faultsServed, 6);
  });
});

test('fault rateLimit429 sends Retry-After and a JSON body', async () => {
  await withEmulator({}, async (e) => {
    e.setFault({ kind: 'rateLimit429', retryAfterSeconds: 7 });
    for (const answer of [await newToken(e), await legacyToken(e, APP.appKey, APP.appSecret)]) {
      assert.equal(answer.status, 429);
      assert.equal(answer.headers.get('retry-after'), '7');
      assert.ok(answer.json.code);
    }
  });
});

test('faults ipBan, htmlError and malformed', async () => {
  await withEmulator({}, async (e) => {
    e.setFault({ kind: 'ipBan' });
    const ban = await newToken(e);
    assert.equal(ban.status, 403);
    assert.equal(ban.text, '{"status":1111,"wait":5,"punish":"deny"}');

    e.setFault({ kind: 'htmlError' });
    const html = await legacyToken(e, APP.appKey, APP.appSecret);
    assert.equal(html.status, 502);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html.text, /<html>/);

    // The status knob: a ban page sent as 200, a firewall's 405 block page.
    e.setFault({ kind: 'ipBan', status: 200 });
    assert.equal((await newToken(e)).status, 200);
    e.setFault({ kind: 'htmlError', status: 405 });
    const block = await newToken(e);
    assert.equal(block.status, 405);
    assert.match(block.text, /访问被拒绝/);

    e.setFault({ kind: 'malformed' });
    for (const answer of [await newToken(e), await legacyToken(e, APP.appKey, APP.appSecret)]) {
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      assert.throws(() => JSON.parse(answer.text));
    }
  });
});

test('fault reset drops the connection without an answer, and times is honoured', async () => {
  await withEmulator({}, async (e) => {
    e.setFault({ kind: 'reset', times: 2 });
    await assert.rejects(newToken(e));
    await assert.rejects(legacyToken(e, APP.appKey, APP.appSecret));
    assert.equal((await newToken(e)).status, 200, 'the fault is spent after two requests');
    assert.equal(e.stats().tokenRequests, 3);
    assert.equal(e.stats().faultsServed, 2);
  });
});

test('fault slow answers normally after delayMs; latency delays every answer until set back to 0', { timeout: 30_000 }, async () => {
  await withEmulator({}, async (e) => {
    e.setFault({ kind: 'slow', delayMs: 200, times: 1 });
    let started = Date.now();
    const slow = await newToken(e);
    assert.equal(slow.status, 200);
    assert.ok(Date.now() - started >= 190, 'slow waited');

    e.setLatency(120);
    started = Date.now();
    await legacyToken(e, APP.appKey, APP.appSecret);
    assert.ok(Date.now() - started >= 110, 'latency applied');
    // A latency left in force would hold this answer past the test's timeout.
    e.setLatency(60_000);
    e.setLatency(0);
    assert.equal((await newToken(e)).status, 200);
  });
});

test('fault targets: token by default, api, or all', async () => {
  await withEmulator({}, async (e) => {
    const token = (await newToken(e)).json.accessToken;

    e.setFault({ kind: 'server500', times: 1 });
    assert.equal((await newEcho(e, token)).status, 200, 'APIs are not faulted by a token fault');
    assert.equal((await newToken(e)).status, 500);
    assert.equal((await newToken(e)).status, 200);

    e.setFault({ kind: 'qpsLimitApi', target: 'api', times: 2 });
    assert.equal((await newToken(e)).status, 200);
    assert.equal((await newEcho(e, token)).json.code, 'Forbidden.AccessDenied.QpsLimitForApi');
    assert.equal((await legacyEcho(e, token)).json.errcode, 90002);
    assert.equal((await newEcho(e, token)).status, 200);

    e.setFault({ kind: 'server500', target: 'all' });
    assert.equal((await newToken(e)).status, 500);
    assert.equal((await newEcho(e, token)).status, 500);
    assert.equal((await legacyEcho(e, token)).json.errcode, -1);
    e.setFault(null);
    assert.equal((await newEcho(e, token)).status, 200);

    assert.throws(() => e.setFault({ kind: 'nope' as Fault['kind'] }));
    assert.throws(() => e.setFault({ kind: 'reset', times: 0 }));
    assert.throws(() => e.setFault({ kind: 'ipBan', status: 700 }));
  });
});

test('stats count token requests, issues, API requests, unauthorized answers and faults, per app and in total', async () => {
  await withEmulator({}, async (e) => {
    const token = (await newToken(e, APP)).json.accessToken;
    await newToken(e, APP); // same token: a request, not an issue
    await legacyToken(e, APP2.appKey, APP2.appSecret);
    await legacyToken(e, APP2.appKey, 'wrong');
    await newToken(e, { appKey: 'dingunknown', appSecret: 'x' });
    await newEcho(e, token);
    await newEcho(e, 'bad');
    e.setFault({ kind: 'server500', times: 1 });
    await newToken(e, APP);

    assert.deepEqual(e.stats(APP.appKey), { tokenRequests: 3, tokenIssued: 1, apiRequests: 1, apiUnauthorized: 0, faultsServed: 1 });
    assert.deepEqual(e.stats(APP2.appKey), { tokenRequests: 2, tokenIssued: 1, apiRequests: 0, apiUnauthorized: 0, faultsServed: 0 });
    assert.deepEqual(e.stats(), { tokenRequests: 6, tokenIssued: 2, apiRequests: 2, apiUnauthorized: 1, faultsServed: 1 });
    assert.deepEqual(e.stats('dingunknown'), { tokenRequests: 0, tokenIssued: 0, apiRequests: 0, apiUnauthorized: 0, faultsServed: 0 });

    e.resetStats();
    assert.deepEqual(e.stats(), { tokenRequests: 0, tokenIssued: 0, apiRequests: 0, apiUnauthorized: 0, faultsServed: 0 });
    assert.equal(e.stats(APP.appKey).tokenRequests, 0);
  });
});

test('control API drives the knobs over HTTP', async () => {
  const clock = manualClock();
  await withEmulator({ now: clock.now }, async (e) => {
    const control = (path: string, body?: unknown) =>
      body === undefined ? call(`${e.apiBaseUrl}/__emulator/${path}`) : postJson(`${e.apiBaseUrl}/__emulator/${path}`, body);

    assert.equal((await control('apps', { appKey: 'dingextra', appSecret: 'extra-secret', label: 'Extra' })).status, 200);
    const extra = { appKey: 'dingextra', appSecret: 'extra-secret' };
    const first = (await newToken(e, extra)).json.accessToken;
    assert.match(first, TOKEN_RE);

    assert.equal((await control('revoke', { appKey: 'dingextra' })).status, 200);
    assert.equal((await newEcho(e, first)).status, 401);

    assert.equal((await control('ttl', { seconds: 30 })).status, 200);
    assert.equal((await newToken(e, extra)).json.expireIn, 30);

    assert.equal((await control('fault', { kind: 'rateLimit429', times: 1, retryAfterSeconds: 3 })).status, 200);
    assert.equal((await newToken(e)).status, 429);
    assert.equal((await newToken(e)).status, 200);
    await control('fault', { kind: 'server500' });
    await control('fault', null);
    assert.equal((await newToken(e)).status, 200, 'null clears the fault');

    assert.equal((await control('latency', { ms: 80 })).status, 200);
    const started = Date.now();
    await newToken(e);
    assert.ok(Date.now() - started >= 70);
    await control('latency', { ms: 0 });

    const stats = await control('stats?appKey=dingextra');
    assert.deepEqual(stats.json, { tokenRequests: 2, tokenIssued: 2, apiRequests: 1, apiUnauthorized: 1, faultsServed: 0 });
    assert.equal((await control('stats')).json.faultsServed, 1);
    assert.equal((await control('reset-stats', {})).status, 200);
    assert.equal((await control('stats')).json.tokenRequests, 0, 'control requests are not counted');

    assert.equal((await control('fault', { kind: 'nope' })).status, 400);
    assert.equal((await control('ttl', { seconds: -1 })).status, 400);
    assert.equal((await control('apps', { appKey: 'x' })).status, 400);
    assert.equal((await control('unknown', {})).status, 404);
  });
});

test('keep-alive connections are reused, and close() does not hang on them', async () => {
  const e = await DingTalkEmulator.start();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.get(`${e.legacyApiBaseUrl}/gettoken?appkey=${APP.appKey}&appsecret=${APP.appSecret}`, { agent }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  try {
    assert.equal(await get(), 200);
    assert.equal(await get(), 200);
    assert.equal(sockets.size, 1, 'the second request reused the connection');
  } finally {
    const started = Date.now();
    await e.close();
    agent.destroy();
    assert.ok(Date.now() - started < 1000, 'close() returned promptly');
  }
});

test('close() does not wait for a slow answer in flight', async () => {
  const e = await DingTalkEmulator.start();
  e.setFault({ kind: 'slow', delayMs: 60_000 });
  const pending = newToken(e).then(
    () => 'answered',
    () => 'dropped',
  );
  // The request has arrived (and is being held) once the emulator counts the fault it serves.
  await eventually(() => e.stats().faultsServed === 1, 'the slow request reached the emulator');
  const started = Date.now();
  await e.close();
  assert.ok(Date.now() - started < 1000);
  assert.equal(await pending, 'dropped');
});
