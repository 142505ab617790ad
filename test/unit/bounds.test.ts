import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedNumber, REQUEST_TIMEOUT_MS } from '../../src/core/bounds';

const timeout = { ...REQUEST_TIMEOUT_MS, name: 'DINGTALK_REQUEST_TIMEOUT_MS' };

test('a number past the range is clamped, with a message naming the variable and the range', () => {
  const result = boundedNumber('3000000000', timeout);
  assert.equal(result.value, 120_000);
  assert.match(result.problem!, /DINGTALK_REQUEST_TIMEOUT_MS is 3000000000, outside the range 1000–120000 ms; using 120000/);
  assert.equal(boundedNumber(-5, timeout).value, 1000);
  assert.equal(boundedNumber('1e400', timeout).value, 10_000, 'Infinity is not a number of ms');
});

test('text that is not a number falls back to the default and says so; unset is quietly the default', () => {
  for (const raw of ['soon', 'NaN', {}, true]) {
    const result = boundedNumber(raw, timeout);
    assert.equal(result.value, 10_000);
    assert.match(result.problem!, /DINGTALK_REQUEST_TIMEOUT_MS .*not a number in the range 1000–120000 ms; using the default 10000/);
    assert.doesNotMatch(result.problem!, /\[object Object\]/, 'the value as it was set');
  }
  assert.deepEqual(boundedNumber(undefined, timeout), { value: 10_000 });
  assert.deepEqual(boundedNumber('  ', timeout), { value: 10_000 });
  assert.deepEqual(boundedNumber(' 2500 ', timeout), { value: 2500 });
});
