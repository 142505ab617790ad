import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskToken, redact, registerSensitive } from '../../src/core/redact';

test('a registered secret or token is hidden wherever it appears', () => {
  registerSensitive('s3cr3t-app-secret-value');
  registerSensitive('0123456789abcdef0123456789abcdef');
  const line = 'fetch with s3cr3t-app-secret-value gave 0123456789abcdef0123456789abcdef; again 0123456789abcdef0123456789abcdef';
  const cleaned = redact(line);
  assert.ok(!cleaned.includes('s3cr3t-app-secret-value'));
  assert.ok(!cleaned.includes('0123456789abcdef0123456789abcdef'));
  assert.equal(cleaned, 'fetch with *** gave ***; again ***');
});

test('token-shaped parameters are masked even when never registered', () => {
  assert.equal(redact('GET /topapi/x?access_token=unseen-value-1&userid=42'), 'GET /topapi/x?access_token=***&userid=42');
  assert.equal(redact('{"accessToken":"unseen-value-2","expireIn":7200}'), '{"accessToken":"***","expireIn":7200}');
  assert.equal(redact('x-acs-dingtalk-access-token: unseen-value-3'), 'x-acs-dingtalk-access-token: ***');
  assert.equal(redact('/gettoken?appkey=dingabc&appsecret=unseen-value-4'), '/gettoken?appkey=dingabc&appsecret=***');
  assert.equal(redact('{"appKey":"dingabc","appSecret":"unseen-value-5"}'), '{"appKey":"dingabc","appSecret":"***"}');
});

test('text without secrets is left alone', () => {
  const line = 'Fetched a token for dingabc in 12 ms (valid 7200 s)';
  assert.equal(redact(line), line);
});

test('a masked token shows only its ends', () => {
  const masked = maskToken('0123456789abcdef0123456789abcdef');
  assert.equal(masked, '0123••••••••cdef');
  assert.equal(maskToken('short'), '•••••');
});

test('hardening 7: a secret shorter than 6 characters is hidden too', () => {
  registerSensitive('k9Zx');
  assert.equal(redact('the secret k9Zx was rejected'), 'the secret *** was rejected');
});

test('hardening 7: a short secret inside a longer token does not leave the rest of the token visible', () => {
  registerSensitive('ab12');
  registerSensitive('tok-ab12-0123456789');
  assert.equal(redact('token tok-ab12-0123456789'), 'token ***');
});
