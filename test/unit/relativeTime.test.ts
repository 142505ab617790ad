// The inspect view's relative times ("3 seconds ago"), worded by src/shared/relativeTime.ts and re-worded each
// second by the page's script. Elements are stand-ins with the two members the script touches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refreshRelativeTimes, relativeTime, type FormatRelative, type RelativeTimeElement } from '../../src/shared/relativeTime';

const english = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const format: FormatRelative = (value, unit) => english.format(value, unit);
const chinese = new Intl.RelativeTimeFormat('zh-CN', { numeric: 'auto' });

const cell = (at: number | string): RelativeTimeElement => ({ dataset: { at: String(at) }, textContent: null });

test('a moment is worded in seconds under a minute, minutes under an hour, then hours, past or future', () => {
  const now = 1_800_000_000_000;
  assert.equal(relativeTime(now - 3_000, now, format), '3 seconds ago');
  assert.equal(relativeTime(now - 4 * 60_000, now, format), '4 minutes ago');
  assert.equal(relativeTime(now - 2 * 3_600_000, now, format), '2 hours ago');
  assert.equal(relativeTime(now + 90 * 60_000, now, format), 'in 2 hours');
  assert.equal(relativeTime(now, now, format), 'now');
  assert.equal(
    relativeTime(now - 4 * 60_000, now, (value, unit) => chinese.format(value, unit)),
    '4分钟前',
  );
});

test('a time drawn as "3 seconds ago" reads "2 minutes ago" two minutes later, beside one that keeps ticking', () => {
  const drawnAt = 1_800_000_000_000;
  const fetched = cell(drawnAt - 3_000);
  const called = cell(drawnAt - 4 * 60_000);
  const page = [fetched, called];
  refreshRelativeTimes(page, drawnAt, format);
  assert.deepEqual(
    page.map((element) => element.textContent),
    ['3 seconds ago', '4 minutes ago'],
  );
  for (let second = 1; second <= 120; second++) refreshRelativeTimes(page, drawnAt + second * 1000, format);
  assert.deepEqual(
    page.map((element) => element.textContent),
    ['2 minutes ago', '6 minutes ago'],
  );
});

test('text is written only when the wording changes, and cells without a readable moment are left alone', () => {
  const now = 1_800_000_000_000;
  let writes = 0;
  let text: string | null = null;
  const counted: RelativeTimeElement = {
    dataset: { at: String(now - 10 * 60_000) },
    get textContent() {
      return text;
    },
    set textContent(value) {
      writes++;
      text = value;
    },
  };
  // Ten minutes ago stays "10 minutes ago" for the next 29 seconds.
  for (let second = 0; second < 30; second++) refreshRelativeTimes([counted], now + second * 1000, format);
  assert.equal(text, '10 minutes ago');
  assert.equal(writes, 1);
  const unreadable = cell('not a time');
  const empty: RelativeTimeElement = { dataset: {}, textContent: '–' };
  refreshRelativeTimes([unreadable, empty], now, format);
  assert.equal(unreadable.textContent, null);
  assert.equal(empty.textContent, '–');
});
