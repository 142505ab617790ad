import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalPath } from '../../src/core/dingtalk/target';

test('a path has one spelling: letters decoded, the rest encoded in uppercase hex, and spelling it again changes nothing', () => {
  const cases: [string, string][] = [
    ['/v1.0/%72obot/oTo%4Dessages/batchSend', '/v1.0/robot/oToMessages/batchSend'],
    ['/topapi/%6d%65ssage/corpconversation/asyncsend_v2', '/topapi/message/corpconversation/asyncsend_v2'],
    ['/v1.0/contact/users/%e5%bc%a0', '/v1.0/contact/users/%E5%BC%A0'],
    ['/v1.0/contact/users/张', '/v1.0/contact/users/%E5%BC%A0'],
    ['/v1.0/contact/users/a%20b', '/v1.0/contact/users/a%20b'],
    ['/v1.0/a:b@c/%21', '/v1.0/a:b@c/!'],
    ['/robot/send', '/robot/send'],
  ];
  for (const [given, canonical] of cases) {
    assert.equal(canonicalPath(given), canonical, given);
    assert.equal(canonicalPath(canonical), canonical, `${canonical} again`);
  }
});
