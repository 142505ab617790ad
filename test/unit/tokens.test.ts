import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, settle } from '../support/fakeClock';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import type { FetchedToken } from '../../src/core/dingtalk/client';
import { MAX_TOKEN_REQUESTS_PER_MINUTE, TokenManager, type CachedToken, type TokenStore } from '../../src/core/tokens';
import { BACKOFF_CAP_MS, MIN_FETCH_INTERVAL_MS, RETRY_AFTER_CAP_MS } from '../../src/core/tokens/refreshRules';
import type { TokenManagerOptions } from '../../src/core/tokens/state';
import { Redactor } from '../../src/core/redact';

const HOUR = 3_600_000;
const TTL_S = 7200;
const TTL = TTL_S * 1000;
const MARGIN = 300_000;
// Written out rather than imported, so a change to the product's floor shows up here.
const WAIT_FLOOR = 10_000;

type Answer = FetchedToken | DingTalkError | (() => Promise<FetchedToken>);

/** A fetcher that counts calls per app and answers from a script (then with fresh 7200 s tokens). */
function scriptedFetcher(...script: Answer[]) {
  const calls: string[] = [];
  let serial = 0;
  const fetcher = async (appKey: string): Promise<FetchedToken> => {
    calls.push(appKey);
    const next = script.shift();
    if (next instanceof DingTalkError) throw next;
    if (typeof next === 'function') return next();
    return next ?? { accessToken: `${appKey}-token-${++serial}`, expiresInSeconds: TTL_S };
  };
  return { fetcher, calls, count: (appKey?: string) => calls.filter((key) => appKey === undefined || key === appKey).length };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Retries inside one fetch are off here, so each scripted failure is one fetch; they have tests of their own. */
function manager(clock: FakeClock, fetcher: TokenManagerOptions['fetcher'], extra: Partial<TokenManagerOptions> = {}): TokenManager {
  return new TokenManager({
    fetcher,
    clock,
    refreshMarginMs: MARGIN,
    autoRefresh: false,
    random: () => 0.5,
    transientRetries: 0,
    redactor: new Redactor(),
    ...extra,
  });
}

/** Counts the timers set on `clock` from now on. */
function countTimers(clock: FakeClock): () => number {
  let count = 0;
  const setTimer = clock.setTimeout.bind(clock);
  clock.setTimeout = (callback, ms) => {
    count++;
    return setTimer(callback, ms);
  };
  return () => count;
}

const serverError = () => new DingTalkError('server', 'DingTalk answered HTTP 500.', { httpStatus: 500 });

test('a token is valid up to 1 ms before expiresAt and expired at expiresAt and 1 ms after', async () => {
  const clock = new FakeClock();
  const { fetcher } = scriptedFetcher();
  const tokens = manager(clock, fetcher);
  const first = await tokens.getToken('app');
  assert.equal(first.expiresAt, clock.now() + TTL);

  await clock.set(first.expiresAt - 1);
  assert.equal(tokens.peek('app')?.accessToken, first.accessToken);
  assert.equal(tokens.status('app').state, 'valid');

  await clock.set(first.expiresAt);
  assert.equal(tokens.peek('app'), undefined);
  assert.equal(tokens.status('app').state, 'expired');

  await clock.set(first.expiresAt + 1);
  assert.equal(tokens.peek('app'), undefined);
  assert.equal(tokens.status('app').state, 'expired');
});

test('callers wait for a new token only from 10 s before expiry, not 1 ms earlier', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher();
  const tokens = manager(clock, fetcher, { refreshMarginMs: 0 });
  const first = await tokens.getToken('app');

  await clock.set(first.expiresAt - WAIT_FLOOR - 1);
  assert.equal((await tokens.getToken('app')).source, 'cache');
  assert.equal(count(), 1);

  await clock.set(first.expiresAt - WAIT_FLOOR);
  const second = await tokens.getToken('app');
  assert.equal(count(), 2);
  assert.equal(second.source, 'network');
  assert.notEqual(second.accessToken, first.accessToken);
});

for (const callers of [3, 1000]) {
  test(`${callers} concurrent cold callers cause one request and all get the same token`, async () => {
    const clock = new FakeClock();
    const answer = deferred<FetchedToken>();
    const { fetcher, count } = scriptedFetcher(() => answer.promise);
    const tokens = manager(clock, fetcher);
    const pending = Array.from({ length: callers }, () => tokens.getToken('app'));
    await settle();
    assert.equal(tokens.status('app').state, 'fetching');
    answer.resolve({ accessToken: 'shared-token-1', expiresInSeconds: TTL_S });
    const results = await Promise.all(pending);
    assert.equal(count(), 1);
    assert.deepEqual(new Set(results.map((r) => r.accessToken)), new Set(['shared-token-1']));
  });
}

test('no request before expiry minus the margin, then exactly one background refresh while callers get the cached token', async () => {
  const clock = new FakeClock();
  const refresh = deferred<FetchedToken>();
  const { fetcher, count } = scriptedFetcher({ accessToken: 'first-token', expiresInSeconds: TTL_S }, () => refresh.promise);
  const tokens = manager(clock, fetcher);
  const first = await tokens.getToken('app');

  await clock.set(first.expiresAt - MARGIN - 1);
  for (let i = 0; i < 50; i++) await tokens.getToken('app');
  assert.equal(count(), 1);

  await clock.set(first.expiresAt - MARGIN);
  const during = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken('app')));
  assert.ok(during.every((r) => r.accessToken === 'first-token' && r.source === 'cache'));
  assert.equal(count(), 2);
  assert.equal(tokens.status('app').refreshing, true);

  refresh.resolve({ accessToken: 'second-token', expiresInSeconds: TTL_S });
  await settle();
  assert.equal((await tokens.getToken('app')).accessToken, 'second-token');
  assert.equal(count(), 2);
});

test('the still-valid token is served through 5 consecutive refresh failures, and the error shows only after it expires', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher(
    { accessToken: 'good-token', expiresInSeconds: TTL_S },
    serverError(),
    serverError(),
    serverError(),
    serverError(),
    serverError(),
    serverError(),
    serverError(),
    serverError(),
  );
  const tokens = manager(clock, fetcher, { autoRefresh: true });
  const first = await tokens.getToken('app');

  await clock.set(first.expiresAt - MARGIN);
  while (count() < 6) {
    assert.equal((await tokens.getToken('app')).accessToken, 'good-token');
    await clock.advance(1000);
  }
  assert.equal(count(), 6, '1 fetch + 5 failed refreshes');
  assert.equal((await tokens.getToken('app')).accessToken, 'good-token');
  const status = tokens.status('app');
  assert.equal(status.state, 'valid');
  assert.equal(status.lastError?.kind, 'server');
  assert.ok(clock.now() < first.expiresAt);

  await clock.set(first.expiresAt);
  await assert.rejects(tokens.getToken('app'), (error: DingTalkError) => error.kind === 'server');
  assert.equal(tokens.status('app').state, 'failing');
});

test('Retry-After is honoured: no attempt before it, one right after', async () => {
  const clock = new FakeClock();
  const throttled = new DingTalkError('throttled', 'DingTalk is throttling requests.', { httpStatus: 429, retryAfterMs: 120_000 });
  const { fetcher, count } = scriptedFetcher(throttled);
  const tokens = manager(clock, fetcher);
  await assert.rejects(tokens.getToken('app'), (error: DingTalkError) => error.kind === 'throttled');

  await clock.advance(119_999);
  await assert.rejects(tokens.getToken('app'), (error: DingTalkError) => error.kind === 'throttled' && /Next attempt in 1 s/.test(error.message));
  assert.equal(count(), 1);

  await clock.advance(1);
  assert.ok((await tokens.getToken('app')).accessToken);
  assert.equal(count(), 2);
});

test('a Retry-After beyond an hour is capped at an hour', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher(new DingTalkError('throttled', 'slow down', { retryAfterMs: 10 * HOUR }));
  const tokens = manager(clock, fetcher);
  await assert.rejects(tokens.getToken('app'));
  assert.equal(tokens.status('app').nextAttemptAt, clock.now() + RETRY_AFTER_CAP_MS);
  await clock.advance(RETRY_AFTER_CAP_MS);
  await tokens.getToken('app');
  assert.equal(count(), 2);
});

test('backoff without Retry-After grows, is jittered, and stays under the cap', async () => {
  const clock = new FakeClock();
  const kept = { accessToken: 'kept', expiresInSeconds: TTL_S };
  const sixFailures = () => Array.from({ length: 6 }, serverError);
  const { fetcher, count } = scriptedFetcher(kept, ...sixFailures(), kept, ...sixFailures());
  const delays: number[] = [];
  for (const random of [0, 0.999]) {
    const tokens = manager(clock, fetcher, { random: () => random });
    await tokens.getToken(`app-${random}`);
    for (let i = 0; i < 6; i++) {
      await assert.rejects(tokens.forceRefresh(`app-${random}`));
      const wait = tokens.status(`app-${random}`).nextAttemptAt! - clock.now();
      delays.push(wait);
      await clock.advance(wait);
    }
  }
  assert.equal(count(), 14);
  const [low, high] = [delays.slice(0, 6), delays.slice(6)];
  assert.ok(
    low.every((d, i) => i === 0 || d >= low[i - 1]!),
    `growing: ${low.join(',')}`,
  );
  assert.ok(
    low.every((d, i) => d < high[i]!),
    'jitter changes the delay',
  );
  assert.ok(delays.every((d) => d <= BACKOFF_CAP_MS && d > 0));
});

test('with no valid token left, the next attempt comes within 2 s so recovery is noticed; behind a valid token the backoff grows to minutes', async () => {
  const clock = new FakeClock();
  const { fetcher } = scriptedFetcher(...Array.from({ length: 40 }, serverError));
  const tokens = manager(clock, fetcher, { random: () => 0.999 });
  await assert.rejects(tokens.getToken('cold-app'));
  for (let i = 0; i < 8; i++) {
    const wait = tokens.status('cold-app').nextAttemptAt! - clock.now();
    assert.ok(wait <= 2_000, `cold retry ${i} waits ${wait} ms`);
    await clock.advance(wait);
    await assert.rejects(tokens.getToken('cold-app'));
  }

  const withToken = manager(clock, scriptedFetcher({ accessToken: 'kept', expiresInSeconds: TTL_S }, ...Array.from({ length: 10 }, serverError)).fetcher, {
    random: () => 0.999,
  });
  await withToken.getToken('warm-app');
  let longest = 0;
  for (let i = 0; i < 8; i++) {
    await assert.rejects(withToken.forceRefresh('warm-app'));
    const wait = withToken.status('warm-app').nextAttemptAt! - clock.now();
    longest = Math.max(longest, wait);
    await clock.advance(wait);
  }
  assert.ok(longest > 60_000, `behind a valid token the backoff grows (${longest} ms)`);
  assert.equal(withToken.peek('warm-app')?.accessToken, 'kept');
});

test('a server answering expireIn 0 is asked at most once a minute, and callers get a clear reason', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher(...Array.from({ length: 100 }, (_, i) => ({ accessToken: `short-lived-${i}`, expiresInSeconds: 0 })));
  const tokens = manager(clock, fetcher, { autoRefresh: true });
  const tenMinutes = 10 * 60_000;
  const end = clock.now() + tenMinutes;
  let refusals = 0;
  while (clock.now() < end) {
    await tokens.getToken('app').catch((error: DingTalkError) => {
      assert.equal(error.kind, 'throttled');
      assert.match(error.message, /less than a minute ago/);
      refusals++;
    });
    await clock.advance(250);
  }
  assert.ok(count() <= tenMinutes / MIN_FETCH_INTERVAL_MS + 1, `${count()} requests in 10 minutes`);
  assert.ok(refusals > 0);
});

test('a person can force a refresh inside the minimum interval; concurrent forces share one request', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher();
  const tokens = manager(clock, fetcher);
  const first = await tokens.getToken('app');
  const forced = await Promise.all([tokens.forceRefresh('app'), tokens.forceRefresh('app'), tokens.getToken('app')]);
  assert.equal(count(), 2);
  assert.notEqual(forced[0].accessToken, first.accessToken);
  assert.equal(forced[0].accessToken, forced[1].accessToken);
});

test('two apps never share a token or a cache entry', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher();
  const tokens = manager(clock, fetcher);
  const [a, b] = await Promise.all([tokens.getToken('app-a'), tokens.getToken('app-b')]);
  assert.notEqual(a.accessToken, b.accessToken);
  assert.equal(count('app-a'), 1);
  assert.equal(count('app-b'), 1);
  await tokens.forceRefresh('app-a');
  assert.equal((await tokens.getToken('app-b')).accessToken, b.accessToken);
  tokens.forget('app-a');
  assert.equal(tokens.peek('app-a'), undefined);
  assert.equal(tokens.peek('app-b')?.accessToken, b.accessToken);
});

test('24 simulated hours with auto-refresh: at most 13 requests per app and never an expired token', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher();
  const tokens = manager(clock, fetcher, { autoRefresh: true });
  await tokens.getToken('app-a');
  await tokens.getToken('app-b');
  const end = clock.now() + 24 * HOUR;
  while (clock.now() < end) {
    await clock.advance(60_000);
    for (const app of ['app-a', 'app-b']) {
      assert.equal(tokens.status(app).state, 'valid', `${app} valid at ${new Date(clock.now()).toISOString()}`);
      assert.equal((await tokens.getToken(app)).source, 'cache');
    }
  }
  assert.ok(count('app-a') <= 13, `app-a: ${count('app-a')}`);
  assert.ok(count('app-b') <= 13, `app-b: ${count('app-b')}`);
  assert.ok(count('app-a') >= 12, 'auto-refresh did run');
});

test('wrong credentials reach the caller at once and are not retried on a timer', async () => {
  const clock = new FakeClock();
  const rejected = new DingTalkError('invalidCredentials', 'DingTalk rejected the appKey/appSecret (invalidClientIdOrSecret).', {
    code: 'invalidClientIdOrSecret',
  });
  const { fetcher, count } = scriptedFetcher({ accessToken: 'old', expiresInSeconds: TTL_S }, rejected);
  const tokens = manager(clock, fetcher, { autoRefresh: true });
  const first = await tokens.getToken('app');
  await assert.rejects(tokens.forceRefresh('app'), (error: DingTalkError) => error.code === 'invalidClientIdOrSecret');
  assert.equal(tokens.peek('app')?.accessToken, first.accessToken, 'the failed refresh kept the valid token');
  await clock.advance(3 * HOUR);
  assert.equal(count(), 2, 'no request after the rejection, though the token expired meanwhile');
});

test('a token rejected by an API is replaced once; a second rejection of the old token reuses the replacement', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher();
  const tokens = manager(clock, fetcher);
  const first = await tokens.getToken('app');
  const [a, b] = await Promise.all([tokens.replaceRejected('app', first.accessToken), tokens.replaceRejected('app', first.accessToken)]);
  assert.equal(count(), 2);
  assert.equal(a.accessToken, b.accessToken);
  assert.notEqual(a.accessToken, first.accessToken);
  assert.equal((await tokens.replaceRejected('app', first.accessToken)).accessToken, a.accessToken);
  assert.equal(count(), 2);
});

test('a second window reuses the token the first one stored instead of fetching', async () => {
  const clock = new FakeClock();
  const saved = new Map<string, CachedToken>();
  const store: TokenStore = { load: async (key) => saved.get(key), save: async (key, token) => void saved.set(key, token) };
  const first = scriptedFetcher();
  const windowOne = manager(clock, first.fetcher, { store });
  const token = await windowOne.getToken('app');
  await settle();

  const second = scriptedFetcher();
  const windowTwo = manager(clock, second.fetcher, { store });
  const reused = await windowTwo.getToken('app');
  assert.equal(reused.accessToken, token.accessToken);
  assert.equal(reused.source, 'shared');
  assert.equal(second.count(), 0);
});

test('adopting a token from another window is idempotent and only ever moves expiry forward', async () => {
  const clock = new FakeClock();
  const { fetcher } = scriptedFetcher();
  const shared = new Map<string, CachedToken>();
  // Only what the other window stores: this window's own saves are not what it announces.
  const store: TokenStore = { load: async (key) => shared.get(key), save: async () => undefined };
  const tokens = manager(clock, fetcher, { store });
  const changes: string[] = [];
  tokens.onDidChange((change) => changes.push(change.reason));
  const mine = await tokens.getToken('app');
  const newer = { accessToken: 'from-window-two', obtainedAt: clock.now(), expiresAt: mine.expiresAt + 1000 };
  shared.set('app', newer);
  assert.equal(await tokens.adoptSharedToken('app'), true);
  assert.equal(await tokens.adoptSharedToken('app'), false);
  shared.set('app', { ...mine });
  assert.equal(await tokens.adoptSharedToken('app'), false);
  assert.equal(tokens.peek('app')?.accessToken, 'from-window-two');
  assert.equal(changes.filter((reason) => reason === 'token').length, 2);
});

test('status and history record what happened, with latency', async () => {
  const clock = new FakeClock();
  const { fetcher } = scriptedFetcher(async () => {
    await clock.advance(250);
    return { accessToken: 'timed-token', expiresInSeconds: TTL_S };
  });
  const tokens = manager(clock, fetcher);
  await tokens.getToken('app');
  const [record] = tokens.history('app');
  assert.equal(record?.outcome, 'ok');
  assert.equal(record?.trigger, 'cold');
  assert.equal(record?.latencyMs, 250);
  assert.equal(tokens.status('app').lastRefreshAt, clock.now());
});

test('a token fetched while checking new credentials is cached as fresh, clears the old error and resumes auto-refresh', async () => {
  const clock = new FakeClock();
  const rejected = new DingTalkError('invalidCredentials', 'rejected', { code: 'invalidClientIdOrSecret' });
  const { fetcher, count } = scriptedFetcher({ accessToken: 'old-token', expiresInSeconds: TTL_S }, rejected);
  const tokens = manager(clock, fetcher, { autoRefresh: true });
  await tokens.getToken('app');
  await assert.rejects(tokens.forceRefresh('app'));
  await clock.advance(TTL - MARGIN);
  assert.equal(count(), 2, 'wrong credentials stop auto-refresh');

  const accepted = tokens.acceptFetchedToken('app', { accessToken: 'checked-token', expiresInSeconds: TTL_S }, clock.now());
  assert.equal(accepted.source, 'network');
  assert.equal(tokens.status('app').lastError, undefined);
  assert.equal((await tokens.getToken('app')).accessToken, 'checked-token');
  await clock.advance(TTL - MARGIN);
  assert.equal(count(), 3, 'auto-refresh resumed: the scheduled refresh ran');
});

test('a forced refresh honours Retry-After, answering with the still-valid token and when a new one can be fetched', async () => {
  const clock = new FakeClock();
  const throttled = new DingTalkError('throttled', 'DingTalk is throttling requests.', { httpStatus: 429, retryAfterMs: 60_000 });
  const { fetcher, count } = scriptedFetcher({ accessToken: 'still-valid', expiresInSeconds: TTL_S }, throttled);
  const tokens = manager(clock, fetcher);
  await tokens.getToken('app');
  await assert.rejects(tokens.forceRefresh('app'), (error: DingTalkError) => error.kind === 'throttled');
  for (let i = 0; i < 99; i++) {
    const answer = await tokens.forceRefresh('app');
    assert.equal(answer.accessToken, 'still-valid');
    assert.equal(answer.refreshed, false);
    assert.equal(answer.blockedBy, 'retryAfter');
    assert.equal(answer.nextRefreshAt, clock.now() + 60_000 - i * 100);
    await clock.advance(100);
  }
  assert.equal(count(), 2, 'one token, one throttled refresh, then nothing until Retry-After has passed');
  await clock.advance(60_000);
  const after = await tokens.forceRefresh('app');
  assert.equal(after.refreshed, true);
  assert.equal(count(), 3);
});

test('with no valid token, a forced refresh inside Retry-After fails with an error naming the wait', async () => {
  const clock = new FakeClock();
  const throttled = new DingTalkError('throttled', 'DingTalk is throttling requests (HTTP 429).', { httpStatus: 429, retryAfterMs: 60_000 });
  const { fetcher, count } = scriptedFetcher(throttled);
  const tokens = manager(clock, fetcher);
  await assert.rejects(tokens.getToken('app'));
  await clock.advance(15_000);
  await assert.rejects(
    tokens.forceRefresh('app'),
    (error: DingTalkError) => error.kind === 'throttled' && /Next attempt in 45 s/.test(error.message) && error.retryAfterMs === 45_000,
  );
  assert.equal(count(), 1);
});

test('whatever callers ask, an app makes at most MAX_TOKEN_REQUESTS_PER_MINUTE token requests in any minute', async () => {
  assert.ok(MAX_TOKEN_REQUESTS_PER_MINUTE <= 30, 'the cap is a small fixed number');
  const clock = new FakeClock();
  const { fetcher, calls } = scriptedFetcher();
  const times: number[] = [];
  const timed = async (appKey: string) => {
    times.push(clock.now());
    return fetcher(appKey);
  };
  const tokens = manager(clock, timed, { autoRefresh: true });
  let served = 0;
  const end = clock.now() + 5 * 60_000;
  while (clock.now() < end) {
    const answer = await tokens.forceRefresh('app');
    if (!answer.refreshed) {
      assert.equal(answer.blockedBy, 'requestCap');
      assert.ok(answer.nextRefreshAt! > clock.now());
    }
    served++;
    await clock.advance(250);
  }
  assert.equal(served, 1200);
  for (const start of times) {
    const inWindow = times.filter((time) => time >= start && time < start + 60_000).length;
    assert.ok(inWindow <= MAX_TOKEN_REQUESTS_PER_MINUTE, `${inWindow} requests in the minute from ${start}`);
  }
  assert.ok(calls.length >= 4 * MAX_TOKEN_REQUESTS_PER_MINUTE, `forced refreshes still happen, within the cap (${calls.length})`);
});

test('a replacement token rejected again inside the minimum interval is not replaced again', async () => {
  const clock = new FakeClock();
  // DingTalk hands out the same token again while it is valid.
  const { fetcher, count } = scriptedFetcher(...Array.from({ length: 10 }, () => ({ accessToken: 'same-token', expiresInSeconds: TTL_S })));
  const tokens = manager(clock, fetcher);
  await tokens.getToken('app');
  assert.equal((await tokens.replaceRejected('app', 'same-token')).accessToken, 'same-token');
  assert.equal(count(), 2);
  for (let i = 0; i < 30; i++) {
    await assert.rejects(
      tokens.replaceRejected('app', 'same-token'),
      (error: DingTalkError) => error.kind === 'tokenRejected' && /IP whitelist/.test(error.message) && /permission/.test(error.message),
    );
    await clock.advance(1000);
  }
  assert.equal(count(), 2, 'no token request for a rejection right after a replacement');
  assert.equal(tokens.peek('app')?.accessToken, 'same-token', 'the token is kept: it may well be fine');
  await clock.advance(MIN_FETCH_INTERVAL_MS);
  await tokens.replaceRejected('app', 'same-token');
  assert.equal(count(), 3, 'after the interval a rejection may replace it again');
});

test('after an outage a caller with no valid token gets a fresh try within about 2 s, and the outage stays inside the cap', async () => {
  const clock = new FakeClock();
  let down = true;
  const times: number[] = [];
  const fetcher = async (appKey: string): Promise<FetchedToken> => {
    times.push(clock.now());
    if (down) throw serverError();
    return { accessToken: `${appKey}-after-outage`, expiresInSeconds: TTL_S };
  };
  // The product's defaults: two retries inside each fetch, real jitter bounds.
  const tokens = new TokenManager({ fetcher, clock, autoRefresh: false, random: () => 0.999, redactor: new Redactor() });
  let pending: Promise<unknown> | undefined;
  let servedAt: number | undefined;
  const ask = () => {
    pending ??= tokens
      .getToken('app')
      .then(
        () => (servedAt ??= clock.now()),
        () => undefined,
      )
      .finally(() => (pending = undefined));
  };
  const outageEnd = clock.now() + 5 * 60_000;
  while (clock.now() < outageEnd) {
    ask();
    await clock.advance(100);
  }
  for (const start of times) {
    const inWindow = times.filter((time) => time >= start && time < start + 60_000).length;
    assert.ok(inWindow <= MAX_TOKEN_REQUESTS_PER_MINUTE, `${inWindow} requests in the minute from ${start}`);
  }
  down = false;
  const recoveredAt = clock.now();
  while (servedAt === undefined) {
    ask();
    await clock.advance(100);
  }
  assert.ok(servedAt - recoveredAt <= 2_500, `a token ${servedAt - recoveredAt} ms after DingTalk recovered`);
});

test('a replacement that worked and is later rejected was revoked anew, and is replaced again', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher();
  const tokens = manager(clock, fetcher);
  const first = await tokens.getToken('app');
  const second = await tokens.replaceRejected('app', first.accessToken);
  tokens.confirm('app', second.accessToken);
  await clock.advance(5_000);
  const third = await tokens.replaceRejected('app', second.accessToken);
  assert.notEqual(third.accessToken, second.accessToken);
  assert.equal(count(), 3);
  // The third was never accepted by an API: rejecting it too is the loop, refused.
  await assert.rejects(tokens.replaceRejected('app', third.accessToken), (error: DingTalkError) => error.kind === 'tokenRejected');
  assert.equal(count(), 3);
});

test('when DingTalk reissues the very token an API rejected, later rejections of it are not replaced, even after other APIs accepted it', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher(...Array.from({ length: 5 }, () => ({ accessToken: 'same-token', expiresInSeconds: TTL_S })));
  const tokens = manager(clock, fetcher);
  await tokens.getToken('app');
  await tokens.replaceRejected('app', 'same-token');
  for (let i = 0; i < 10; i++) {
    tokens.confirm('app', 'same-token'); // another API accepts it
    await assert.rejects(tokens.replaceRejected('app', 'same-token'), (error: DingTalkError) => error.kind === 'tokenRejected');
  }
  assert.equal(count(), 2);
});

test('the request cap never blocks a first request, however the clock ticks between two readings', async () => {
  // A real clock moves on between readings; the cap once compared "free now" with an earlier now and refused.
  let time = Date.UTC(2026, 10, 22);
  const ticking = { now: () => ++time, setTimeout: () => 0, clearTimeout: () => undefined };
  const { fetcher, count } = scriptedFetcher();
  const tokens = new TokenManager({ fetcher, clock: ticking, autoRefresh: false, redactor: new Redactor() });
  for (const app of ['a', 'b', 'c']) assert.ok((await tokens.getToken(app)).accessToken);
  assert.equal((await tokens.forceRefresh('a')).refreshed, true);
  assert.equal(count(), 4);
});

test('every token the manager sees, fetched or taken from another window, is hidden by the redactor it was given', async () => {
  const clock = new FakeClock();
  const redactor = new Redactor();
  const shared = new Map<string, CachedToken>();
  const store: TokenStore = { load: async (key) => shared.get(key), save: async () => undefined };
  const tokens = manager(clock, scriptedFetcher({ accessToken: 'fetched-token-1', expiresInSeconds: TTL_S }).fetcher, { redactor, store });
  const fetched = await tokens.getToken('app');
  shared.set('app', { accessToken: 'shared-token-2', obtainedAt: clock.now(), expiresAt: fetched.expiresAt + 1000 });
  assert.equal(await tokens.adoptSharedToken('app'), true);
  assert.equal(redactor.redact('fetched-token-1 then shared-token-2'), '*** then ***');
  // Another manager's redactor was told nothing.
  assert.equal(new Redactor().redact('fetched-token-1'), 'fetched-token-1');
});

test('a token DingTalk says lives 3,000,000 s is held for 7200 s at most: no burst of timers, and no request before its refresh point', async () => {
  const clock = new FakeClock();
  const timersSet = countTimers(clock);
  const { fetcher, count } = scriptedFetcher({ accessToken: 'long-lived', expiresInSeconds: 3_000_000 });
  const tokens = manager(clock, fetcher, { autoRefresh: true });
  const first = await tokens.getToken('app');
  assert.equal(first.expiresAt - first.obtainedAt, TTL);
  for (let minute = 1; minute <= 60; minute++) {
    await clock.advance(60_000);
    assert.equal(count(), 1, `no token request in the first ${minute} min`);
  }
  assert.ok(timersSet() <= 2, `${timersSet()} timers set in an hour`);
  await clock.set(first.expiresAt - MARGIN - 1);
  assert.equal(count(), 1);
  await clock.set(first.expiresAt - MARGIN);
  assert.equal(count(), 2, 'refreshed at its refresh point');
});

test('a token from another window that claims to live 40 days sets one long refresh timer, never a storm, and asks DingTalk nothing', async () => {
  const clock = new FakeClock();
  const timersSet = countTimers(clock);
  const shared = new Map<string, CachedToken>([['app', { accessToken: 'from-window-two', obtainedAt: clock.now(), expiresAt: clock.now() + 40 * 24 * HOUR }]]);
  const store: TokenStore = { load: async (key) => shared.get(key), save: async () => undefined };
  const { fetcher, count } = scriptedFetcher();
  const tokens = manager(clock, fetcher, { autoRefresh: true, store });
  assert.equal(await tokens.adoptSharedToken('app'), true);
  for (let minute = 1; minute <= 60; minute++) await clock.advance(60_000);
  assert.equal(timersSet(), 1, 'one timer in the first hour');
  await clock.advance(30 * 24 * HOUR);
  assert.equal(count(), 0, 'no token request in 30 days');
  assert.ok(timersSet() <= 3, `${timersSet()} timers in 30 days: the longest Node allows, then the rest`);
  assert.equal((await tokens.getToken('app')).accessToken, 'from-window-two');
});

test('a forced refresh that fails with about 2 h left reports its next attempt at the refresh point, and the timer tries exactly then', async () => {
  const clock = new FakeClock();
  const { fetcher, count } = scriptedFetcher({ accessToken: 'kept', expiresInSeconds: TTL_S }, serverError());
  const tokens = manager(clock, fetcher, { autoRefresh: true });
  const first = await tokens.getToken('app');
  await clock.advance(2 * 60_000);
  await assert.rejects(tokens.forceRefresh('app'));
  const status = tokens.status('app');
  assert.equal(status.state, 'valid');
  assert.equal(status.lastError?.kind, 'server');
  assert.equal(status.nextAttemptAt, first.expiresAt - MARGIN);

  await clock.set(status.nextAttemptAt - 1);
  assert.equal(count(), 2, 'no request before the announced time');
  await clock.set(status.nextAttemptAt);
  assert.equal(count(), 3, 'one request at the announced time');
  assert.equal(tokens.status('app').lastError, undefined, 'the try succeeded: the failure no longer shows');
  assert.notEqual(tokens.peek('app')?.accessToken, 'kept');
});

test('after a failed refresh the next attempt reported is when the timer will try: the end of the backoff inside the refresh margin, none for wrong credentials', async () => {
  const clock = new FakeClock();
  const rejected = new DingTalkError('invalidCredentials', 'rejected', { code: 'invalidClientIdOrSecret' });
  const { fetcher, count } = scriptedFetcher({ accessToken: 'kept', expiresInSeconds: TTL_S }, serverError(), rejected);
  const tokens = manager(clock, fetcher, { autoRefresh: true });
  const first = await tokens.getToken('app');
  await clock.set(first.expiresAt - MARGIN);
  assert.equal(count(), 2, 'the timer refreshed at the refresh point, and failed');
  const next = tokens.status('app').nextAttemptAt!;
  assert.ok(next > clock.now() && next - clock.now() <= 5_000, `backoff of ${next - clock.now()} ms`);
  await clock.set(next - 1);
  assert.equal(count(), 2);
  await clock.set(next);
  assert.equal(count(), 3, 'the timer tried when announced');
  assert.equal(tokens.status('app').lastError?.kind, 'invalidCredentials');
  assert.equal(tokens.status('app').nextAttemptAt, undefined, 'only a person can fix it: no try is announced');
});
