// Chinese built in code reads as Chinese: no space after a full stop, full-width brackets, words from the
// translation, the product's terms. Messages are worded with the real zh-cn bundle loaded into @vscode/l10n.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as l10n from '@vscode/l10n';
import { joinSentences, localTimestamp } from '../../src/extension/wording/messages';
import { POLICY_TEMPLATES } from '../../src/extension/mcp/policyTemplate';
import { appItems } from '../../src/extension/apps/picks';
import { setCredentials } from '../../src/extension/apps/credentialsFlow';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { addApp, harness } from '../support/fakeApis';

const root = path.join(__dirname, '../../..');
const chinese = JSON.parse(readFileSync(path.join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
const inChinese = () => l10n.config({ contents: chinese });
after(() => l10n.config({ contents: {} }));

test('sentences are joined with a space in English and with none after a Chinese full stop', () => {
  assert.equal(joinSentences('Refreshed.', undefined, 'Valid for 2 h.'), 'Refreshed. Valid for 2 h.');
  assert.equal(joinSentences('已刷新。', '有效期 2 小时。'), '已刷新。有效期 2 小时。');
  assert.equal(joinSentences('失败（HTTP 503）', '请稍后重试。'), '失败（HTTP 503）请稍后重试。');
});

test('adding a second app in Chinese: one message, no space between its sentences', async () => {
  inChinese();
  const h = await harness();
  h.fetch = async () => ({ accessToken: 'token-zh-0123456789abcdef', expiresInSeconds: 7200 });
  await addApp(h.services, 'dingfirstapp0001', '第一个');
  const done = setCredentials(h.services);
  for (const value of ['dingsecondapp002', 'second-secret-1234', '第二个']) {
    const box = await h.apis.window.nextInputBox();
    box.type(value);
    await box.accept();
  }
  await done;
  assert.equal(h.apis.window.shown[0]?.message, '钉钉应用 第二个 已设置完成，其访问令牌的剩余有效期为 2 小时。状态栏和智能体仍使用 第一个。');
  assert.deepEqual(h.apis.window.shown[0]?.actions, ['设为当前应用']);
});

test('a failing app in a Chinese quick pick: a short detail with full-width brackets, not the whole error', async () => {
  inChinese();
  const h = await harness();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  h.fetch = async () => {
    throw new DingTalkError('ipNotWhitelisted', 'IP not whitelisted', { code: 'Forbidden.AccessDenied.IpNotInWhiteList', httpStatus: 403, ip: '203.0.113.9' });
  };
  await h.services.tokens.getToken('dingalpha0000001').catch(() => undefined);
  const [item] = appItems(h.services);
  assert.ok(item);
  assert.equal(item.detail, `失败：${chinese['IP not in the whitelist']}（Forbidden.AccessDenied.IpNotInWhiteList）`);
});

test("the policy templates' description and on_deny are in the person's language", () => {
  inChinese();
  const readOnly = JSON.parse(POLICY_TEMPLATES.readOnly) as { description: string; tools: { dingtalk_api_request: { rules: { on_deny: string }[] } } };
  assert.equal(readOnly.description, '智能体可以从钉钉读取数据，但不能做任何修改。');
  assert.equal(readOnly.tools.dingtalk_api_request.rules[0]?.on_deny, '此智能体只能从钉钉读取数据（GET 请求）。');
  l10n.config({ contents: {} });
  assert.equal((JSON.parse(POLICY_TEMPLATES.readOnly) as { description: string }).description, 'Agents may read from DingTalk but not change anything.');
});

test('times in the log are local, not UTC', () => {
  const zone = process.env.TZ;
  process.env.TZ = 'Asia/Shanghai';
  try {
    assert.equal(localTimestamp(Date.UTC(2026, 11, 3, 1, 2, 3)), '2026-12-03 09:02:03');
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});
