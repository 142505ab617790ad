// A request that may have reached DingTalk is never repeated unless it is a GET, and it counts against the
// policy's limits: the tools over an MCP client, against the emulator acting on a request and then failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { SANDBOX_APPS, SANDBOX_ROBOT_TOKEN, type Fault } from '../emulator/emulator';
import { connectTools, toolText, withEmulator } from '../support/emulatorTools';

const [APP] = SANDBOX_APPS;
const TWO_A_MINUTE = JSON.stringify({
  version: '1',
  tools: { dingtalk_api_request: { rules: [{ name: 'two sends a minute', rate_limit: '2/minute' }] } },
});
/** Mid-minute, so the policy's window cannot roll over during a test. */
const policyClock = { now: () => Date.UTC(2026, 11, 3, 9, 0, 30) };

const SENDS = {
  'a robot 1:1 message (new API)': {
    method: 'POST',
    path: '/v1.0/robot/oToMessages/batchSend',
    body: { robotCode: 'dingrobot', userIds: ['u1'], msgKey: 'sampleText', msgParam: '{"content":"hi"}' },
  },
  'a work notice (topapi)': {
    method: 'POST',
    path: '/topapi/message/corpconversation/asyncsend_v2',
    body: { agent_id: 1, userid_list: 'u1', msg: { msgtype: 'text', text: { content: 'hi' } } },
  },
  'a custom robot webhook': { method: 'POST', path: `/robot/send?access_token=${SANDBOX_ROBOT_TOKEN}`, body: { msgtype: 'text', text: { content: 'hi' } } },
} as const;

for (const [what, send] of Object.entries(SENDS)) {
  test(`${what} answered 500 ("系统繁忙" on oapi) after DingTalk acted on it: 10 calls deliver 10 messages, each error saying it may have been delivered`, async () => {
    await withEmulator({}, async (emulator) => {
      const tools = await connectTools(emulator, { apps: [APP] });
      try {
        emulator.setFault({ kind: 'server500', target: 'api', afterProcessing: true });
        for (let call = 0; call < 10; call++) {
          const result = await tools.call('dingtalk_api_request', { ...send });
          assert.equal(result.isError, true, toolText(result));
          assert.match(toolText(result), /may still have reached DingTalk and taken effect .* not sent again/);
        }
        assert.equal(emulator.deliveries(), 10);
      } finally {
        await tools.close();
      }
    });
  });
}

const LOST_ANSWERS: [string, Fault][] = [
  ['answered 500', { kind: 'server500', target: 'api', afterProcessing: true }],
  ['answered by a 502 page', { kind: 'htmlError', target: 'api', afterProcessing: true }],
  ['whose connection was reset after DingTalk acted', { kind: 'reset', target: 'api', afterProcessing: true }],
  ['that timed out after DingTalk acted', { kind: 'slow', delayMs: 5_000, target: 'api', afterProcessing: true }],
];

for (const [what, fault] of LOST_ANSWERS) {
  test(`under rate_limit 2/minute, message sends ${what} use the quota: the third call is denied and never sent`, async () => {
    await withEmulator({}, async (emulator) => {
      const tools = await connectTools(emulator, { apps: [APP], policy: TWO_A_MINUTE, policyClock, endpoints: { requestTimeoutMs: 300 } });
      try {
        emulator.setFault(fault);
        for (let call = 0; call < 2; call++) {
          const result = await tools.call('dingtalk_api_request', { ...SENDS['a robot 1:1 message (new API)'] });
          assert.equal(result.isError, true);
          assert.match(toolText(result), /may still have reached DingTalk/);
        }
        const third = await tools.call('dingtalk_api_request', { ...SENDS['a robot 1:1 message (new API)'] });
        assert.match(toolText(third), /^\[POLICY DENIED\]/);
        assert.equal(emulator.deliveries(), 2);
        assert.equal(emulator.stats().apiRequests, 2, 'nothing was sent twice, nor for the denied call');
      } finally {
        await tools.close();
      }
    });
  });
}

test('a GET that fails the same way is retried inside the call and succeeds', async () => {
  await withEmulator({}, async (emulator) => {
    const tools = await connectTools(emulator, { apps: [APP] });
    try {
      emulator.setFault({ kind: 'reset', target: 'api', times: 2 });
      const result = await tools.call('dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/u1' });
      assert.equal(result.isError, undefined, toolText(result));
      assert.equal(emulator.stats().apiRequests, 3);
    } finally {
      await tools.close();
    }
  });
});

test('a send whose connection never opened says nothing was delivered and gives its quota back', async () => {
  await withEmulator({}, async (emulator) => {
    const closedPort = await unusedPort();
    // Tokens come from the emulator's legacy host; the new API's host is a port nobody listens on.
    const endpoints = { tokenApi: 'legacy', apiBaseUrl: `http://127.0.0.1:${closedPort}` } as const;
    const tools = await connectTools(emulator, { apps: [APP], policy: TWO_A_MINUTE, policyClock, endpoints });
    try {
      for (let call = 0; call < 3; call++) {
        const result = await tools.call('dingtalk_api_request', { ...SENDS['a robot 1:1 message (new API)'] });
        assert.equal(result.isError, true);
        assert.doesNotMatch(toolText(result), /POLICY DENIED|may still have reached/, toolText(result));
      }
    } finally {
      await tools.close();
    }
  });
});

/** A loopback port that was free a moment ago (listened on, then closed). */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
