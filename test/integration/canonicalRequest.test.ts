// Policy rules decide on the request as it is sent: the path in its one spelling, the app by its appKey.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DingTalkEmulator, SANDBOX_APPS, SANDBOX_ROBOT_TOKEN } from '../emulator/emulator';
import { approvalText, ENGLISH_APPROVAL_WORDS } from '../../src/core/policy/approvalText';
import { Redactor } from '../../src/core/redact';
import { POLICY_TEMPLATES } from '../../src/extension/mcp/policyTemplate';

const MESSAGES_NEED_APPROVAL_TEMPLATE = POLICY_TEMPLATES.messagesNeedApproval;
import { connectTools, toolText, type ToolSessionOptions } from '../support/emulatorTools';

const [APP, PROD] = SANDBOX_APPS;

async function withTools(options: ToolSessionOptions, fn: (tools: Awaited<ReturnType<typeof connectTools>>, emulator: DingTalkEmulator) => Promise<void>) {
  const emulator = await DingTalkEmulator.start();
  const tools = await connectTools(emulator, options);
  try {
    await fn(tools, emulator);
  } finally {
    await tools.close();
    await emulator.close();
  }
}

const DISGUISED_SENDS = [
  { method: 'POST', path: '/v1.0/%72obot/oTo%4Dessages/batchSend', body: { robotCode: 'dingrobot', userIds: ['u1'], msgKey: 'sampleText', msgParam: '{}' } },
  { method: 'POST', path: '/topapi/%6Dessage/corpconversation/asyncsend_v2', body: { agent_id: 1, userid_list: 'u1', msg: { msgtype: 'text' } } },
  { method: 'POST', path: '/topapi/message/corpconversation/%61syncsend_v2', body: { agent_id: 1, userid_list: 'u1', msg: { msgtype: 'text' } } },
];

test('the "messages need approval" template asks the person about a send however its path is percent-encoded; declined, nothing is sent', async () => {
  await withTools({ apps: [APP], policy: MESSAGES_NEED_APPROVAL_TEMPLATE, approve: false }, async (tools, emulator) => {
    for (const send of DISGUISED_SENDS) {
      const result = await tools.call('dingtalk_api_request', send);
      assert.match(toolText(result), /^\[POLICY DENIED\].*not approved/, `${send.path}: ${toolText(result)}`);
    }
    assert.deepEqual(
      tools.approvals.map((approval) => approval.args.path),
      ['/v1.0/robot/oToMessages/batchSend', '/topapi/message/corpconversation/asyncsend_v2', '/topapi/message/corpconversation/asyncsend_v2'],
      'the person was shown the path as it would be sent',
    );
    assert.equal(emulator.stats().apiRequests, 0);
  });
});

test('an approved send goes upstream under its canonical path, which is the one DingTalk serves', async () => {
  await withTools({ apps: [APP], policy: MESSAGES_NEED_APPROVAL_TEMPLATE, approve: true }, async (tools, emulator) => {
    for (const send of DISGUISED_SENDS) {
      const result = await tools.call('dingtalk_api_request', send);
      assert.equal(result.isError, undefined, toolText(result));
    }
    assert.equal(emulator.deliveries(), DISGUISED_SENDS.length);
    const echo = await tools.call('dingtalk_api_request', { method: 'GET', path: '/v1.0/emulator/%65cho?page=%32', query: { size: 10 } });
    assert.deepEqual((echo.structuredContent as { body: { path: string; query: unknown } }).body.path, '/v1.0/emulator/echo');
    assert.deepEqual((echo.structuredContent as { body: { path: string; query: unknown } }).body.query, { page: '2', size: '10' });
  });
});

const NOT_PRODUCTION = JSON.stringify({
  version: '1',
  tools: {
    dingtalk_api_request: {
      rules: [
        {
          name: 'not production',
          conditions: [{ path: 'args.app', op: 'neq', value: PROD.appKey }],
          on_deny: 'Agents may not call DingTalk as the production app.',
        },
      ],
    },
  },
});

test('a rule on args.app holds whether the agent names the app by its appKey or by its label', async () => {
  await withTools({ apps: [APP, PROD], policy: NOT_PRODUCTION }, async (tools, emulator) => {
    for (const app of [PROD.appKey, PROD.label!]) {
      const result = await tools.call('dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/u1', app });
      assert.match(toolText(result), /^\[POLICY DENIED\].*production app/, `app ${app}: ${toolText(result)}`);
    }
    for (const app of [APP.appKey, APP.label!, undefined]) {
      const result = await tools.call('dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/u1', ...(app ? { app } : {}) });
      assert.equal(result.isError, undefined, `app ${app}: ${toolText(result)}`);
    }
    assert.equal(emulator.stats(PROD.appKey).tokenRequests, 0, 'the production app never even fetched a token');
  });
});

test('a path that cannot be put in one spelling is refused with the reason, and nothing is sent', async () => {
  await withTools({ apps: [APP] }, async (tools, emulator) => {
    const refused: [string, RegExp][] = [
      ['/v1.0/robot/..;/oauth2/accessToken', /";"/],
      ['/topapi/message/..;/corpconversation/asyncsend_v2', /";"/],
      ['/v1.0/robot;x=1/oToMessages/batchSend', /";"/],
      ['/v1.0/robot/oToMessages/batchSend%00', /control character/],
      ['/v1.0/robot/oToMessages/batch%0ASend', /control character/],
      ['/v1.0/robot/oToMessages/batchSend\u0007', /control character/],
      ['/v1.0/robot%252FoToMessages/batchSend', /encoded twice/],
      ['/v1.0/%252e%252e/oauth2/accessToken', /encoded twice/],
      ['/v1.0/robot%2FoToMessages/batchSend', /encoded slash/],
      ['/v1.0/robot/%3F/batchSend', /encoded "\?" or "#"/],
      ['/v1.0/robot//oToMessages/batchSend', /empty segment/],
      ['/robot/send?access_token=a&access_token=b', /given twice/],
    ];
    for (const [path, why] of refused) {
      const result = await tools.call('dingtalk_api_request', { method: 'POST', path, body: {} });
      assert.equal(result.isError, true, path);
      assert.match(toolText(result), why, `${JSON.stringify(path)}: ${toolText(result)}`);
      assert.match(toolText(result), /No request was made/);
    }
    const stats = emulator.stats();
    assert.deepEqual([stats.tokenRequests, stats.apiRequests], [0, 0]);
  });
});

test("a robot webhook given whole in the path is approved as /robot/send with only its token's tail shown", async () => {
  const policy = JSON.stringify({ version: '1', tools: { dingtalk_api_request: { action: 'approve' } } });
  await withTools({ apps: [APP], policy, approve: true }, async (tools, emulator) => {
    const result = await tools.call('dingtalk_api_request', {
      method: 'POST',
      path: `${emulator.legacyApiBaseUrl}/robot/send?access_token=${SANDBOX_ROBOT_TOKEN}`,
      body: { msgtype: 'text', text: { content: 'hi' } },
    });
    assert.equal(result.isError, undefined, toolText(result));
    assert.ok(tools.approvals[0], 'the send was put to the person');
    const shown = approvalText('dingtalk_api_request', tools.approvals[0].args, ENGLISH_APPROVAL_WORDS, new Redactor());
    assert.match(shown, /^Path: \/robot\/send$/m);
    assert.ok(shown.includes(`access_token = *** …${SANDBOX_ROBOT_TOKEN.slice(-6)}`), shown);
    assert.ok(!shown.includes(SANDBOX_ROBOT_TOKEN.slice(-7)), shown);
    assert.equal(emulator.deliveries(), 1);
  });
});
