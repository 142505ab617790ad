import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCountdown } from '../../src/shared/countdown';
import { statusBarView, type StatusWords } from '../../src/extension/statusBar/model';
import type { TokenStatus } from '../../src/core/tokens';

const words: StatusWords = {
  setUp: 'DingTalk: Set up',
  expired: 'expired',
  failing: 'failed',
  noToken: 'no token',
  ariaValid: 'token for {0} expires in {1}',
  ariaFetching: 'fetching for {0}',
  ariaExpired: '{0} expired',
  ariaFailing: '{0} failing',
  ariaNoToken: '{0} has no token',
};
const NOW = Date.UTC(2026, 10, 22, 8, 0, 0);
const WARNING = 300_000;

function valid(expiresInMs: number, extra: Partial<TokenStatus> = {}): TokenStatus {
  return { appKey: 'k', state: 'valid', refreshing: false, expiresAt: NOW + expiresInMs, obtainedAt: NOW, ...extra };
}

test('countdown: H:MM:SS from an hour up, MM:SS below, never negative, seconds floored', () => {
  assert.equal(formatCountdown(7_200_000), '2:00:00');
  assert.equal(formatCountdown(7_199_999), '1:59:59');
  assert.equal(formatCountdown(3_600_000), '1:00:00');
  assert.equal(formatCountdown(3_599_999), '59:59');
  assert.equal(formatCountdown(65_000), '01:05');
  assert.equal(formatCountdown(999), '00:00');
  assert.equal(formatCountdown(-5_000), '00:00');
  assert.equal(formatCountdown(36_000_000 + 61_000), '10:01:01');
});

test('no app: the call to action, plain colour, no ticking', () => {
  const view = statusBarView(undefined, undefined, NOW, WARNING, words);
  assert.equal(view.text, '$(key) DingTalk: Set up');
  assert.equal(view.severity, 'normal');
  assert.equal(view.counting, false);
});

test('a fresh token counts down with the label and an accessible description', () => {
  const view = statusBarView('Sandbox', valid(7_199_500), NOW, WARNING, words);
  assert.equal(view.text, '$(key) Sandbox 1:59:59');
  assert.equal(view.severity, 'normal');
  assert.equal(view.counting, true);
  assert.equal(view.ariaLabel, 'token for Sandbox expires in 1:59:59');
});

test('warning colour from warningSeconds before expiry, not a millisecond earlier', () => {
  assert.equal(statusBarView('A', valid(WARNING + 1), NOW, WARNING, words).severity, 'normal');
  assert.equal(statusBarView('A', valid(WARNING), NOW, WARNING, words).severity, 'warning');
});

test('a failed refresh behind a still-valid token keeps the normal colour until warningSeconds before expiry', () => {
  const lastError = { kind: 'server' as const, message: 'HTTP 500', at: NOW };
  assert.equal(statusBarView('A', valid(7_080_000, { lastError }), NOW, WARNING, words).severity, 'normal');
  assert.equal(statusBarView('A', valid(WARNING + 1, { lastError }), NOW, WARNING, words).severity, 'normal');
  assert.equal(statusBarView('A', valid(WARNING, { lastError }), NOW, WARNING, words).severity, 'warning');
});

test('spinner while fetching, and while refreshing behind a valid token', () => {
  assert.equal(statusBarView('A', { appKey: 'k', state: 'fetching', refreshing: false }, NOW, WARNING, words).text, '$(sync~spin) A');
  assert.equal(statusBarView('A', valid(200_000, { refreshing: true }), NOW, WARNING, words).text, '$(sync~spin) A 03:20');
});

test('expired and failing use the error colour and stop counting', () => {
  const expired = statusBarView('A', { appKey: 'k', state: 'expired', refreshing: false, expiresAt: NOW - 1 }, NOW, WARNING, words);
  assert.deepEqual([expired.text, expired.severity, expired.counting], ['$(key) A expired', 'error', false]);
  const failing = statusBarView('A', { appKey: 'k', state: 'failing', refreshing: false }, NOW, WARNING, words);
  assert.deepEqual([failing.text, failing.severity, failing.counting], ['$(error) A failed', 'error', false]);
});
