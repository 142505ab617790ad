import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskNamedValues, maskToken, Redactor } from '../../src/core/redact';

test('a remembered secret or token is hidden wherever it appears', () => {
  const redactor = new Redactor();
  redactor.remember('s3cr3t-app-secret-value');
  redactor.remember('0123456789abcdef0123456789abcdef');
  const line = 'fetch with s3cr3t-app-secret-value gave 0123456789abcdef0123456789abcdef; again 0123456789abcdef0123456789abcdef';
  const cleaned = redactor.redact(line);
  assert.ok(!cleaned.includes('s3cr3t-app-secret-value'));
  assert.ok(!cleaned.includes('0123456789abcdef0123456789abcdef'));
  assert.equal(cleaned, 'fetch with *** gave ***; again ***');
});

test('token-shaped parameters are masked even when never remembered', () => {
  const redactor = new Redactor();
  assert.equal(redactor.redact('GET /topapi/x?access_token=unseen-value-1&userid=42'), 'GET /topapi/x?access_token=***&userid=42');
  assert.equal(redactor.redact('{"accessToken":"unseen-value-2","expireIn":7200}'), '{"accessToken":"***","expireIn":7200}');
  assert.equal(redactor.redact('x-acs-dingtalk-access-token: unseen-value-3'), 'x-acs-dingtalk-access-token: ***');
  assert.equal(redactor.redact('/gettoken?appkey=dingabc&appsecret=unseen-value-4'), '/gettoken?appkey=dingabc&appsecret=***');
  assert.equal(redactor.redact('{"appKey":"dingabc","appSecret":"unseen-value-5"}'), '{"appKey":"dingabc","appSecret":"***"}');
  // The same masking without any redactor: a pure function of the text.
  assert.equal(maskNamedValues('GET /topapi/x?access_token=unseen-value-6&userid=42'), 'GET /topapi/x?access_token=***&userid=42');
});

test('text without secrets is left alone', () => {
  const line = 'Fetched a token for dingabc in 12 ms (valid 7200 s)';
  assert.equal(new Redactor().redact(line), line);
  assert.equal(maskNamedValues(line), line);
});

test('a masked token shows only its ends', () => {
  const masked = maskToken('0123456789abcdef0123456789abcdef');
  assert.equal(masked, '0123••••••••cdef');
  assert.equal(maskToken('short'), '•••••');
});

test('a secret shorter than 6 characters is hidden too', () => {
  const redactor = new Redactor();
  redactor.remember('k9Zx');
  assert.equal(redactor.redact('the secret k9Zx was rejected'), 'the secret *** was rejected');
});

test('a short secret inside a longer token does not leave the rest of the token visible', () => {
  const redactor = new Redactor();
  redactor.remember('ab12');
  redactor.remember('tok-ab12-0123456789');
  assert.equal(redactor.redact('token tok-ab12-0123456789'), 'token ***');
});

test('two redactors do not leak into each other: what one was told changes nothing in the other', () => {
  const extension = new Redactor();
  const cli = new Redactor();
  extension.remember('extension-secret-1');
  cli.remember('cli-token-2');
  const line = 'extension-secret-1 and cli-token-2';
  assert.equal(extension.redact(line), '*** and cli-token-2');
  assert.equal(cli.redact(line), 'extension-secret-1 and ***');
  // A fresh redactor knows nothing, whatever others were told before it.
  assert.equal(new Redactor().redact(line), line);
});

test('a redactor forgets nothing it was told, however many values follow and in whatever order', () => {
  const redactor = new Redactor();
  const values = Array.from({ length: 200 }, (_, i) => `value-${String(i).padStart(3, '0')}-${'x'.repeat(i % 7)}`);
  for (const value of values) redactor.remember(value);
  // Telling it again, or telling it nothing, changes nothing.
  redactor.remember(values[0]);
  redactor.remember(undefined);
  redactor.remember('');
  for (const value of values) assert.equal(redactor.redact(`<${value}>`), '<***>', value);
  assert.equal(redactor.redact('value-'), 'value-');
});
