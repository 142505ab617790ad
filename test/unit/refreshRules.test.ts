import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../support/fakeClock';
import {
  BACKOFF_CAP_MS,
  blockFor,
  isValid,
  MAX_TOKEN_LIFETIME_MS,
  MIN_FETCH_INTERVAL_MS,
  mustRefresh,
  outlives,
  refreshBlock,
  RETRY_AFTER_CAP_MS,
  retryDelay,
  shouldRefresh,
  tokenLifetimeMs,
  wouldLoop,
} from '../../src/core/tokens/refreshRules';
import { MAX_TOKEN_REQUESTS_PER_MINUTE, RequestCap } from '../../src/core/tokens/requestCap';
import { countRequest, holdFailure, holdFetched, holdShared, newEntry } from '../../src/core/tokens/state';
import type { FetchTrigger } from '../../src/core/tokens/model';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { TokenManager } from '../../src/core/tokens/manager';
import { Redactor } from '../../src/core/redact';

const NOW = Date.UTC(2026, 10, 22);
// Written out rather than imported, so a change to the product's floor and margin shows up here.
const WAIT_FLOOR = 10_000;
const MARGIN = 300_000;
const token = (expiresAt: number) => ({ accessToken: 'policy-token', obtainedAt: NOW - 1000, expiresAt });

test('a token is valid until its expiry, must be refreshed from 10 s before it and should be from the margin before it', () => {
  const expiresAt = NOW + MARGIN + WAIT_FLOOR;
  assert.equal(isValid(token(NOW + 1), NOW), true);
  assert.equal(isValid(token(NOW), NOW), false);
  assert.equal(isValid(undefined, NOW), false);

  assert.equal(mustRefresh(undefined, NOW), true);
  assert.equal(mustRefresh(token(NOW + WAIT_FLOOR + 1), NOW), false);
  assert.equal(mustRefresh(token(NOW + WAIT_FLOOR), NOW), true);

  assert.equal(shouldRefresh(undefined, NOW, MARGIN), true);
  assert.equal(shouldRefresh(token(expiresAt), expiresAt - MARGIN - 1, MARGIN), false);
  assert.equal(shouldRefresh(token(expiresAt), expiresAt - MARGIN, MARGIN), true);
});

test('a token outlives another only when it expires strictly later', () => {
  assert.equal(outlives(token(NOW + 2), token(NOW + 1)), true);
  assert.equal(outlives(token(NOW + 1), token(NOW + 1)), false);
  assert.equal(outlives(token(NOW + 1), undefined), true);
});

test('the request cap counts a request recorded late (a token fetched outside the manager) in its place', () => {
  const cap = new RequestCap();
  for (let i = 1; i < MAX_TOKEN_REQUESTS_PER_MINUTE; i++) cap.record(NOW + i * 1000);
  cap.record(NOW);
  assert.equal(cap.freeAt(NOW + 30_000), NOW + 60_000, 'the earliest request frees the cap first');
  assert.equal(cap.freeAt(NOW + 60_000), 0);
});

test('an unreadable shared store means no token is adopted, not an error', async () => {
  const clock = new FakeClock();
  const tokens = new TokenManager({
    fetcher: async () => ({ accessToken: 'own-token', expiresInSeconds: 7200 }),
    clock,
    autoRefresh: false,
    redactor: new Redactor(),
    store: {
      load: async () => {
        throw new Error('SecretStorage is locked');
      },
      save: async () => undefined,
    },
  });
  assert.equal(await tokens.adoptSharedToken('app'), false);
  assert.equal(tokens.status('app').state, 'empty');
});

const serverError = () => new DingTalkError('server', 'DingTalk answered HTTP 500.', { httpStatus: 500 });
const wrongCredentials = () => new DingTalkError('invalidCredentials', 'rejected', { code: 'invalidClientIdOrSecret' });
const throttled = (retryAfterMs: number) => new DingTalkError('throttled', 'slow down', { httpStatus: 429, retryAfterMs });
const ALL_TRIGGERS: FetchTrigger[] = ['cold', 'ahead', 'timer', 'forced', 'rejected'];

/** An app's record after a token fetched at NOW (obtained then), as TokenManager holds it. */
function fetchedAt(at: number) {
  const entry = newEntry('app');
  holdFetched(entry, { accessToken: 'held', obtainedAt: at, expiresAt: at + 7_200_000 }, at);
  return entry;
}

test('a new app is blocked by nothing', () => {
  const entry = newEntry('app');
  for (const trigger of ALL_TRIGGERS) assert.equal(blockFor(entry, trigger, NOW), undefined, trigger);
});

test('after a fetch, automatic requests wait the minimum interval to the millisecond; forcing and replacing a rejected token do not', () => {
  const entry = fetchedAt(NOW);
  for (const trigger of ['cold', 'ahead', 'timer'] as const) {
    assert.deepEqual(blockFor(entry, trigger, NOW + MIN_FETCH_INTERVAL_MS - 1), { until: NOW + MIN_FETCH_INTERVAL_MS, by: 'minimumInterval' }, trigger);
    assert.equal(blockFor(entry, trigger, NOW + MIN_FETCH_INTERVAL_MS), undefined, trigger);
  }
  assert.equal(blockFor(entry, 'forced', NOW + 1), undefined);
  assert.equal(blockFor(entry, 'rejected', NOW + 1), undefined);
});

test('after a failure that may pass, every request waits out the backoff, forced ones too, and not a millisecond longer', () => {
  const entry = fetchedAt(NOW);
  holdFailure(entry, serverError(), NOW + 1000, () => 5000);
  for (const trigger of ALL_TRIGGERS) {
    assert.deepEqual(blockFor(entry, trigger, NOW + 5999), { until: NOW + 6000, by: 'backoff' }, trigger);
    assert.equal(blockFor(entry, trigger, NOW + 6000), undefined, trigger);
  }
});

test("DingTalk's Retry-After is the reason given, and even a forced refresh waits for it", () => {
  const entry = fetchedAt(NOW);
  holdFailure(entry, throttled(30_000), NOW, () => 30_000);
  for (const trigger of ALL_TRIGGERS) assert.deepEqual(blockFor(entry, trigger, NOW + 29_999), { until: NOW + 30_000, by: 'retryAfter' }, trigger);
  assert.equal(refreshBlock({ until: NOW + 30_000, by: 'retryAfter' }), 'retryAfter');
});

test('after wrong credentials, a forced refresh may ask at once (they may just have been fixed); other requests wait', () => {
  const entry = fetchedAt(NOW);
  holdFailure(entry, wrongCredentials(), NOW, () => 5000);
  assert.equal(blockFor(entry, 'forced', NOW + 1), undefined);
  for (const trigger of ['cold', 'ahead', 'timer', 'rejected'] as const) assert.equal(blockFor(entry, trigger, NOW + 1)?.by, 'backoff', trigger);
});

test('a token taken from another window ends the wait after failures, but not the minimum interval after our own fetch', () => {
  const failed = fetchedAt(NOW);
  holdFailure(failed, throttled(60_000), NOW + MIN_FETCH_INTERVAL_MS, () => 60_000);
  holdShared(failed, { accessToken: 'shared', obtainedAt: NOW, expiresAt: NOW + 7_200_000 });
  assert.equal(blockFor(failed, 'cold', NOW + MIN_FETCH_INTERVAL_MS + 1), undefined);

  const fresh = fetchedAt(NOW);
  holdShared(fresh, { accessToken: 'shared', obtainedAt: NOW, expiresAt: NOW + 7_200_000 });
  assert.equal(blockFor(fresh, 'cold', NOW + 1)?.by, 'minimumInterval');
});

test('the request cap blocks every trigger until its oldest request is a minute old; the later of it and a wait is reported', () => {
  const entry = fetchedAt(NOW - MIN_FETCH_INTERVAL_MS);
  for (let i = 0; i < MAX_TOKEN_REQUESTS_PER_MINUTE; i++) countRequest(entry, NOW + i);
  for (const trigger of ALL_TRIGGERS) assert.deepEqual(blockFor(entry, trigger, NOW + 59_999), { until: NOW + 60_000, by: 'requestCap' }, trigger);
  assert.equal(blockFor(entry, 'forced', NOW + 60_000), undefined, 'the oldest request has left the window');
  assert.equal(refreshBlock({ until: NOW + 60_000, by: 'requestCap' }), 'requestCap');

  // A longer wait after a failure is the one reported.
  holdFailure(entry, throttled(120_000), NOW + 100, () => 120_000);
  assert.deepEqual(blockFor(entry, 'cold', NOW + 200), { until: NOW + 120_100, by: 'retryAfter' });
});

test('retryDelay: Retry-After is honoured between 1 s and an hour, whatever else holds', () => {
  const random = () => 0.5;
  assert.equal(retryDelay(throttled(120_000), 1, true, random), 120_000);
  assert.equal(retryDelay(throttled(120_000), 9, false, random), 120_000);
  assert.equal(retryDelay(throttled(0), 1, true, random), 1000);
  assert.equal(retryDelay(throttled(999), 1, true, random), 1000);
  assert.equal(retryDelay(throttled(RETRY_AFTER_CAP_MS + 1), 1, true, random), RETRY_AFTER_CAP_MS);
});

test('retryDelay: with no valid token, a failure that may pass is retried after 1 to 2 s, however many came before', () => {
  assert.equal(
    retryDelay(serverError(), 1, false, () => 0),
    1000,
  );
  assert.equal(
    retryDelay(serverError(), 50, false, () => 0),
    1000,
  );
  assert.equal(
    retryDelay(serverError(), 50, false, () => 0.999_999),
    2000,
  );
});

test('retryDelay: behind a valid token (or after a failure only a person can fix) the backoff doubles from 5 s to at most 5 min, jittered to 50-100 %', () => {
  const at = (consecutive: number, random: number, hasValidToken = true, error = serverError()) => retryDelay(error, consecutive, hasValidToken, () => random);
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => at(n, 0.999_999)),
    [5000, 10_000, 20_000, 40_000, 80_000, 160_000, BACKOFF_CAP_MS, BACKOFF_CAP_MS],
  );
  assert.equal(at(1, 0), 2500);
  assert.equal(at(8, 0), BACKOFF_CAP_MS / 2);
  assert.equal(at(1, 0, false, wrongCredentials()), 2500, 'wrong credentials back off even with no token: retrying in 1 s would not help');
});

test('wouldLoop: a replacement rejected again within the minimum interval, before any API accepted it, is a loop; not a millisecond later', () => {
  const replacement = { token: 'replacement', at: NOW, sameAsRejected: false, confirmed: false };
  assert.equal(wouldLoop(undefined, 'replacement', NOW), false);
  assert.equal(wouldLoop(replacement, 'another-token', NOW), false, 'only the replacement itself');
  assert.equal(wouldLoop(replacement, 'replacement', NOW + MIN_FETCH_INTERVAL_MS - 1), true);
  assert.equal(wouldLoop(replacement, 'replacement', NOW + MIN_FETCH_INTERVAL_MS), false);
  assert.equal(wouldLoop({ ...replacement, confirmed: true }, 'replacement', NOW + 1), false, 'it worked, then was revoked anew');
  assert.equal(wouldLoop({ ...replacement, confirmed: true, sameAsRejected: true }, 'replacement', NOW + 1), true, 'DingTalk handed back the very token');
});

test("a token is held no longer than DingTalk's documented 7200 s, and never for a negative or unreadable time", () => {
  assert.equal(tokenLifetimeMs(7200), MAX_TOKEN_LIFETIME_MS);
  assert.equal(tokenLifetimeMs(7199), 7_199_000);
  assert.equal(tokenLifetimeMs(3_000_000), MAX_TOKEN_LIFETIME_MS);
  assert.equal(tokenLifetimeMs(Number.POSITIVE_INFINITY), MAX_TOKEN_LIFETIME_MS);
  assert.equal(tokenLifetimeMs(-5), 0);
  assert.equal(tokenLifetimeMs(Number.NaN), 0);
});
