// The app rows of the DingTalk view: what they show and how often they change. VS Code re-renders a row each time
// it is told the row changed, which resets the row's hover, so a row must change only when its text does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppRows, timeLeft, type RowWords } from '../../src/extension/apps/appRows';
import { codeSpan } from '../../src/extension/wording/markdown';
import type { StatusWords } from '../../src/extension/statusBar/model';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { addApp, harness, type Harness } from '../support/fakeApis';

const statusWords: StatusWords = {
  setUp: 'DingTalk: Set up',
  expired: 'expired',
  failing: 'failed',
  noToken: 'no token',
  ariaValid: 'DingTalk access token for {0} expires in {1}',
  ariaFetching: 'Fetching a DingTalk access token for {0}',
  ariaExpired: 'The DingTalk access token for {0} has expired',
  ariaFailing: 'Could not get a DingTalk access token for {0}',
  ariaNoToken: 'No DingTalk access token for {0} yet',
};
const words = (): RowWords => ({ status: statusWords, formatTime: (ms) => new Date(ms).toISOString().slice(11, 16) });

async function rowsWithToken(expiresInSeconds: number): Promise<Harness & { rows: AppRows }> {
  const h = await harness();
  h.fetch = async () => ({ accessToken: `token-${h.clock.now()}`, expiresInSeconds });
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  await h.services.tokens.getToken('dingalpha0000001');
  await h.services.tokens.getToken('dingbeta00000002');
  return Object.assign(h, { rows: new AppRows(h.services, words) });
}

/** A minute of the view's one-second tick: the rows it reports stale are drawn again, as VS Code would. */
async function changesOverAMinute(h: Harness & { rows: AppRows }): Promise<Map<string, number>> {
  const changes = new Map<string, number>();
  for (const appKey of ['dingalpha0000001', 'dingbeta00000002']) h.rows.row(appKey);
  for (let second = 0; second < 60; second++) {
    await h.clock.advance(1000);
    for (const appKey of h.rows.stale()) {
      changes.set(appKey, (changes.get(appKey) ?? 0) + 1);
      h.rows.row(appKey);
    }
  }
  return changes;
}

test('with more than an hour left, a row changes at most once in a minute of ticks', async () => {
  const h = await rowsWithToken(7200);
  const changes = await changesOverAMinute(h);
  for (const appKey of ['dingalpha0000001', 'dingbeta00000002']) assert.ok((changes.get(appKey) ?? 0) <= 1, `${appKey} changed ${changes.get(appKey)} times`);
  assert.match(h.rows.row('dingalpha0000001')!.description, /^1 h 59 min · dingalpha0000001$/);
  assert.match(h.rows.row('dingbeta00000002')!.description, /^1 h 59 min · active · dingbeta00000002$/);
});

test('under an hour left, a row changes once a second, never more', async () => {
  const h = await rowsWithToken(1800);
  const changes = await changesOverAMinute(h);
  assert.equal(changes.get('dingalpha0000001'), 60);
  assert.equal(changes.get('dingbeta00000002'), 60);
  assert.match(h.rows.row('dingalpha0000001')!.description, /^29:00 · dingalpha0000001$/);
});

test('an unchanged row is the same object, tooltip included; its tooltip shows the expiry time, not a ticking countdown', async () => {
  const h = await rowsWithToken(7200);
  await h.clock.advance(1000);
  const first = h.rows.row('dingalpha0000001')!;
  await h.clock.advance(5000);
  assert.equal(h.rows.row('dingalpha0000001'), first);
  assert.deepEqual(h.rows.stale(), []);
  assert.match(first.tooltip, /^\*\*Alpha\*\* `dingalpha0000001`\n\nExpires at 02:00$/);
  assert.equal(first.ariaLabel, 'DingTalk access token for Alpha expires in 1 h 59 min');
});

test('a failed refresh puts its reason in the tooltip; a removed app has no row', async () => {
  const h = await rowsWithToken(7200);
  h.fetch = async () => {
    throw new DingTalkError('network', 'socket hang up');
  };
  // Past the minimum interval between two asks, so the refresh reaches DingTalk.
  await h.clock.advance(120_000);
  await h.services.tokens.forceRefresh('dingalpha0000001').catch(() => undefined);
  const row = h.rows.row('dingalpha0000001')!;
  assert.match(row.tooltip, /\n\n\$\(warning\) .+/, row.tooltip);
  await h.services.credentials.remove('dingalpha0000001');
  assert.deepEqual(h.rows.stale(), ['dingalpha0000001']);
  assert.equal(h.rows.row('dingalpha0000001'), undefined);
});

test('the row countdown reads MM:SS under an hour and hours and minutes above', () => {
  assert.equal(timeLeft(59 * 60_000 + 59_999), '59:59');
  assert.equal(timeLeft(3_600_000), '1 h 0 min');
  assert.equal(timeLeft(7_199_000), '1 h 59 min');
  assert.equal(timeLeft(-5), '00:00');
});

test('a path shown as code in a tooltip keeps its dashes and dots as written, and survives backticks', () => {
  assert.equal(codeSpan('/home/ux-run2/.vscode/policy.json'), '`/home/ux-run2/.vscode/policy.json`');
  assert.equal(codeSpan('a`b'), '``a`b``');
  assert.equal(codeSpan('`x'), '`` `x ``');
});
