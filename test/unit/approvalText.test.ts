import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approvalText, ENGLISH_APPROVAL_WORDS, visibleLine } from '../../src/core/policy/approvalText';
import { Redactor } from '../../src/core/redact';

const words = ENGLISH_APPROVAL_WORDS;
const redactor = new Redactor();

test('the approval text shows method, whole path and query, and the whole body as indented JSON', () => {
  const padding = ' '.repeat(400);
  const args = {
    method: 'POST',
    path: '/v1.0/robot/oToMessages/batchSend?source=agent',
    query: { dryRun: false, tag: 'weekly' },
    body: { robotCode: `ding${padding}x`, userIds: ['manager4220', 'ceo0001'], msgParam: { content: 'Everyone is fired' } },
    app: 'Sales',
  };
  const text = approvalText('dingtalk_api_request', args, words, redactor);
  assert.equal(
    text,
    [
      'Method: POST',
      'Path: /v1.0/robot/oToMessages/batchSend?source=agent',
      'Query:',
      '  dryRun = false',
      '  tag = weekly',
      'Body:',
      JSON.stringify(args.body, undefined, 2),
      'App: Sales',
    ].join('\n'),
  );
  // A padded first field no longer hides the recipients or the message.
  assert.match(text, /"ceo0001"/);
  assert.match(text, /Everyone is fired/);
});

test('control, bidi and invisible characters are shown as \\u escapes', () => {
  const text = approvalText(
    'dingtalk_api_request',
    {
      method: 'POST',
      path: '/topapi/message/send\u202E?txt.exe',
      body: { text: 'pay \u202Eredro\u202C now\u200B', note: 'line\nbreak\u0007' },
    },
    words,
    redactor,
  );
  // eslint-disable-next-line no-control-regex -- BEL must not survive into the text
  assert.ok(!/[\u202E\u202C\u200B\u0007]/.test(text), text);
  assert.match(text, /Path: \/topapi\/message\/send\\u202E\?txt\.exe/);
  assert.match(text, /"text": "pay \\u202Eredro\\u202C now\\u200B"/);
  assert.match(text, /"note": "line\\nbreak\\u0007"/);
  assert.equal(visibleLine('a\tb\r\nc'), 'a\\u0009b\\u000D\\u000Ac');
});

test('other tools show their arguments whole, and secrets stay masked', () => {
  assert.equal(approvalText('get_access_token', { app: 'Sales' }, words, redactor), 'App: Sales');
  assert.equal(approvalText('list_apps', {}, words, redactor), '(no arguments)');
  const text = approvalText('dingtalk_api_request', { method: 'GET', path: '/gettoken?appkey=k&appsecret=s3cr3t-value', extra: [1, 2] }, words, redactor);
  assert.ok(!text.includes('s3cr3t-value'));
  assert.match(text, /Arguments:\n\{\n {2}"extra": \[/);
});

test('the approval text shows a method, path or app that is not text as its JSON, not "[object Object]"', () => {
  const text = approvalText('dingtalk_api_request', { method: ['POST'], path: { toward: '/v1.0/robot' }, app: { name: 'Sales' } }, words, redactor);
  assert.doesNotMatch(text, /\[object Object\]/);
  assert.match(text, /"toward": "\/v1\.0\/robot"/);
  assert.match(text, /"name": "Sales"/);
});
