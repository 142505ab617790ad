// The extension's wording of durations and failures (src/extension/messages.ts), now loadable without VS Code;
// under node:test l10n.t gives the English messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDuration, describeError } from '../../src/extension/wording/messages';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { Redactor } from '../../src/core/redact';

test('durations in a sentence read "2 h", "1 h 54 min", "12 min", "40 s", never a clock face', () => {
  assert.equal(describeDuration(7_200_000), '2 h');
  assert.equal(describeDuration(7_198_000), '2 h', 'rounded to the minute from a minute up');
  assert.equal(describeDuration(6_840_000), '1 h 54 min');
  assert.equal(describeDuration(720_000), '12 min');
  assert.equal(describeDuration(40_000), '40 s');
  assert.equal(describeDuration(-5_000), '0 s', 'never negative');
});

test("a failure keeps DingTalk's code with its own words beside it, on one line", () => {
  const error = new DingTalkError('invalidCredentials', 'HTTP 400', {
    code: 'invalidClientIdOrSecret',
    httpStatus: 400,
    said: '无效的clientId或者clientSecret\n\u202eevil',
  });
  assert.equal(
    describeError(error, new Redactor()),
    'DingTalk rejected the AppKey/AppSecret (invalidClientIdOrSecret: 无效的clientId或者clientSecret evil). Check them under Credentials and Basic Info in the developer console.',
  );
});

test('a server error without a code names its HTTP status', () => {
  assert.equal(
    describeError(new DingTalkError('server', 'HTTP 503', { httpStatus: 503 }), new Redactor()),
    'DingTalk answered with an error (HTTP 503). Its service may be having trouble.',
  );
});

test("what DingTalk said passes the window's redactor: a secret it echoes is not shown", () => {
  const redactor = new Redactor();
  redactor.remember('echoed-app-secret-42');
  const error = new DingTalkError('invalidCredentials', 'HTTP 400', {
    code: 'invalidClientIdOrSecret',
    httpStatus: 400,
    said: 'bad secret echoed-app-secret-42',
  });
  const shown = describeError(error, redactor);
  assert.doesNotMatch(shown, /echoed-app-secret-42/);
  assert.match(shown, /invalidClientIdOrSecret: bad secret \*\*\*/);
});
