import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../support/fakeClock';
import { isValid, mustRefresh, outlives, shouldRefresh } from '../../src/core/tokens/refreshRules';
import { MAX_TOKEN_REQUESTS_PER_MINUTE, RequestCap } from '../../src/core/tokens/requestCap';
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
