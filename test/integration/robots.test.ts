import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { DingTalkEmulator, SANDBOX_APPS, SANDBOX_ROBOT_TOKEN, SANDBOX_SIGNED_ROBOT } from '../emulator/emulator';
import { resultText, startCli, type CliSession } from '../support/cliProcess';
import { withEmulator } from '../support/emulatorTools';

// Distinctive values, so a leak anywhere (tool output, log line, error) is found by a plain search.
const LEAKY_TOKEN = 'qqzxrobottokendistinct7c1e0b9a4f2d6e8a3b5c7d9e1f3a5b7c9d1e3f5a7b';
const LEAKY_SECRET = 'SECqqzxsecretdistinct0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9';
const WRONG_SECRET = 'SECqqzxwrongsecret11112222333344445555666677778888999900001111aa';
const [APP] = SANDBOX_APPS;

interface Robot {
  name: string;
  webhook: string;
  secret?: string;
}

async function serve(emulator: DingTalkEmulator, robots: Robot[], extra: Record<string, string> = {}): Promise<CliSession & { files: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'robots-'));
  const robotsFile = path.join(dir, 'robots.json');
  await fs.writeFile(robotsFile, JSON.stringify(robots));
  const session = await startCli({
    DINGTALK_APP_KEY: APP.appKey,
    DINGTALK_APP_SECRET: APP.appSecret,
    DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
    DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
    DINGTALK_ROBOTS_FILE: robotsFile,
    DINGTALK_POLICY_FILE: path.join(dir, 'policy.json'),
    ...extra,
  });
  await session.stderrIncludes('serving');
  return { ...session, files: dir };
}

const webhook = (emulator: DingTalkEmulator, token: string) => `${emulator.legacyApiBaseUrl}/robot/send?access_token=${token}`;
const text = (content: string) => ({ msgtype: 'text', text: { content } });

test('a signed and an unsigned robot each deliver a message by name; list_robots says which signs, and never a token or secret', () =>
  withEmulator({}, async (emulator) => {
    const cli = await serve(emulator, [
      { name: 'builds', webhook: webhook(emulator, SANDBOX_ROBOT_TOKEN) },
      { name: 'alerts', webhook: SANDBOX_SIGNED_ROBOT.token, secret: SANDBOX_SIGNED_ROBOT.secret },
    ]);
    try {
      const unsigned = await cli.call('send_robot_message', { robot: 'builds', ...text('build 42 passed') });
      assert.deepEqual(unsigned.structuredContent, { robot: 'builds', sent: true });
      const signed = await cli.call('send_robot_message', {
        robot: 'alerts',
        msgtype: 'markdown',
        markdown: { title: 'disk', text: '**disk** at 91%' },
        at: { isAtAll: true },
      });
      assert.deepEqual(signed.structuredContent, { robot: 'alerts', sent: true });

      const deliveries = emulator.robots.deliveries();
      assert.deepEqual(
        deliveries.map((delivery) => [delivery.token === SANDBOX_SIGNED_ROBOT.token ? 'alerts' : 'builds', delivery.signed, delivery.message]),
        [
          ['builds', false, { msgtype: 'text', text: { content: 'build 42 passed' } }],
          ['alerts', true, { msgtype: 'markdown', markdown: { title: 'disk', text: '**disk** at 91%' }, at: { isAtAll: true } }],
        ],
      );
      const listed = (await cli.call('list_robots')).structuredContent as { robots: { name: string; signed: boolean; lastSentAt?: string }[] };
      assert.deepEqual(
        listed.robots.map(({ name, signed: isSigned, lastSentAt }) => [name, isSigned, typeof lastSentAt]),
        [
          ['builds', false, 'string'],
          ['alerts', true, 'string'],
        ],
      );
      const everything = JSON.stringify([unsigned, signed, listed]) + cli.stderr();
      for (const secret of [SANDBOX_ROBOT_TOKEN, SANDBOX_SIGNED_ROBOT.token, SANDBOX_SIGNED_ROBOT.secret]) assert.ok(!everything.includes(secret));
    } finally {
      await cli.close();
    }
  }));

test('a robot with the wrong SEC secret is refused by DingTalk with 310000, named as a signature mismatch of that robot', () =>
  withEmulator({}, async (emulator) => {
    const cli = await serve(emulator, [{ name: 'alerts', webhook: webhook(emulator, SANDBOX_SIGNED_ROBOT.token), secret: WRONG_SECRET }]);
    try {
      const result = await cli.call('send_robot_message', text('hello'));
      assert.equal(result.isError, true);
      const said = resultText(result);
      assert.match(said, /^Robot error: signMismatch \(310000\)\. DingTalk refused the message to robot "alerts" \(310000: sign not match/);
      assert.match(said, /SEC secret/);
      assert.equal(emulator.robots.deliveries().length, 0);
      assert.ok(!said.includes(WRONG_SECRET) && !said.includes(SANDBOX_SIGNED_ROBOT.token));
    } finally {
      await cli.close();
    }
  }));

test('25 sends in a burst: 20 reach DingTalk, the other 5 are refused here with retryAfterSeconds and never leave', () =>
  withEmulator({}, async (emulator) => {
    const cli = await serve(emulator, [{ name: 'builds', webhook: webhook(emulator, SANDBOX_ROBOT_TOKEN) }]);
    try {
      const before = emulator.stats().apiRequests;
      const results = [];
      for (let index = 1; index <= 25; index++) results.push(await cli.call('send_robot_message', text(`message ${index}`)));
      assert.equal(results.filter((result) => !result.isError).length, 20);
      const refused = results.slice(20);
      for (const result of refused) {
        assert.equal(result.isError, true);
        assert.match(
          resultText(result),
          /^Robot error: localLimit\. Robot "builds" may not send now: DingTalk takes 20 messages a minute .* retryAfterSeconds: ([1-9]|[1-6]\d|70)$/,
        );
      }
      assert.equal(emulator.robots.deliveries().length, 20, 'DingTalk received exactly 20');
      assert.equal(emulator.stats().apiRequests - before, 20, 'the refused sends never reached DingTalk, so it never blocked the robot');
    } finally {
      await cli.close();
    }
  }));

test('a 500 after DingTalk delivered the message: reported as maybe delivered, never sent again, delivered exactly once', () =>
  withEmulator({}, async (emulator) => {
    const cli = await serve(emulator, [{ name: 'builds', webhook: webhook(emulator, SANDBOX_ROBOT_TOKEN) }]);
    try {
      emulator.robots.answer500AfterDelivery(1);
      const before = emulator.stats().apiRequests;
      const result = await cli.call('send_robot_message', text('deploy started'));
      assert.equal(result.isError, true);
      assert.match(resultText(result), /^Robot error: mayHaveBeenDelivered \(HTTP 500\)\. .*robot "builds".*may have been delivered\. It was not sent again/);
      assert.equal(emulator.robots.deliveries().length, 1);
      assert.equal(emulator.stats().apiRequests - before, 1, 'one POST, no retry');
    } finally {
      await cli.close();
    }
  }));

test('a webhook on another host is refused when the robots file is loaded, naming the robot and never echoing its token', () =>
  withEmulator({}, async (emulator) => {
    const cli = await serve(emulator, [
      { name: 'builds', webhook: webhook(emulator, SANDBOX_ROBOT_TOKEN) },
      { name: 'exfil', webhook: `https://collector.example.net/robot/send?access_token=${LEAKY_TOKEN}`, secret: LEAKY_SECRET },
    ]);
    try {
      await cli.stderrIncludes('robot(s)');
      assert.match(
        cli.stderr(),
        /Robot "exfil": its webhook is not DingTalk's robot endpoint on the configured legacy base .* it points at collector\.example\.net\. The robot is left out\./,
      );
      assert.match(cli.stderr(), /1 robot\(s\): builds;/);
      const attempt = await cli.call('send_robot_message', { robot: 'exfil', ...text('hi') });
      assert.equal(attempt.isError, true);
      assert.match(resultText(attempt), /No robot is named "exfil"\. Configured robots: "builds"\./);
      const everything = resultText(attempt) + cli.stderr();
      assert.ok(!everything.includes(LEAKY_TOKEN) && !everything.includes(LEAKY_SECRET));
    } finally {
      await cli.close();
    }
  }));

test('no robot token or SEC secret appears in any tool output, log line or error, whatever the send came to', () =>
  withEmulator({}, async (emulator) => {
    emulator.robots.add({ token: LEAKY_TOKEN, secret: LEAKY_SECRET });
    const cli = await serve(emulator, [
      { name: 'good', webhook: webhook(emulator, LEAKY_TOKEN), secret: LEAKY_SECRET },
      { name: 'unsigned-but-should-sign', webhook: LEAKY_TOKEN },
    ]);
    try {
      const outputs = [
        await cli.call('list_robots'),
        await cli.call('send_robot_message', { robot: 'good', ...text('ok') }),
        await cli.call('send_robot_message', { robot: 'unsigned-but-should-sign', ...text('refused: no sign') }),
        await cli.call('send_robot_message', text('which robot?')),
        await cli.call('send_robot_message', { robot: 'good', msgtype: 'link', text: { content: 'no link body' } }),
        // The generic tool still sends a webhook as given (unsigned: DingTalk's 310000 comes back as its body), never echoing the token.
        await cli.call('dingtalk_api_request', { method: 'POST', path: `/robot/send?access_token=${LEAKY_TOKEN}`, body: text('raw') }),
      ];
      emulator.robots.answer500AfterDelivery(1);
      outputs.push(await cli.call('send_robot_message', { robot: 'good', ...text('late 500') }));
      assert.deepEqual(
        outputs.map((result) => result.isError === true),
        [false, false, true, true, true, false, true],
      );
      assert.match(resultText(outputs[2]!), /signMismatch \(310000\)/);
      assert.match(resultText(outputs[3]!), /Several robots are configured; name one as `robot`: "good", "unsigned-but-should-sign"\./);
      await cli.stderrIncludes('"tool":"send_robot_message"');
      const everything = JSON.stringify(outputs) + cli.stderr();
      assert.ok(!everything.includes(LEAKY_TOKEN), 'the robot token leaked');
      assert.ok(!everything.includes(LEAKY_SECRET), 'the SEC secret leaked');
    } finally {
      await cli.close();
    }
  }));

test('a policy rule on args.robot decides sends, and sees the robot even when the call leaves it to the only one', () =>
  withEmulator({}, async (emulator) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'robots-policy-'));
    const policyFile = path.join(dir, 'policy.json');
    await fs.writeFile(
      policyFile,
      JSON.stringify({
        version: '1',
        tools: {
          send_robot_message: {
            rules: [
              {
                name: 'only the builds robot',
                action: 'evaluate',
                conditions: [{ path: 'args.robot', op: 'eq', value: 'builds' }],
                on_deny: 'Only the builds robot.',
              },
            ],
          },
        },
      }),
    );
    const onlyAlerts = await serve(emulator, [{ name: 'alerts', webhook: webhook(emulator, SANDBOX_ROBOT_TOKEN) }], { DINGTALK_POLICY_FILE: policyFile });
    try {
      const denied = await onlyAlerts.call('send_robot_message', text('unnamed, so the only robot: alerts'));
      assert.equal(denied.isError, true);
      assert.match(resultText(denied), /^\[POLICY DENIED\] Only the builds robot\./);
      assert.equal(emulator.robots.deliveries().length, 0);
    } finally {
      await onlyAlerts.close();
    }
    const onlyBuilds = await serve(emulator, [{ name: 'builds', webhook: webhook(emulator, SANDBOX_ROBOT_TOKEN) }], { DINGTALK_POLICY_FILE: policyFile });
    try {
      const allowed = await onlyBuilds.call('send_robot_message', text('to builds'));
      assert.deepEqual(allowed.structuredContent, { robot: 'builds', sent: true });
      assert.equal(emulator.robots.deliveries().length, 1);
    } finally {
      await onlyBuilds.close();
    }
  }));

test("when no connection to DingTalk opens, the send says nothing was sent, and uses none of the robot's 20 a minute", async () => {
  const closed = await DingTalkEmulator.start();
  const legacy = closed.legacyApiBaseUrl;
  await closed.close();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'robots-offline-'));
  const robotsFile = path.join(dir, 'robots.json');
  await fs.writeFile(robotsFile, JSON.stringify([{ name: 'builds', webhook: `${legacy}/robot/send?access_token=${SANDBOX_ROBOT_TOKEN}` }]));
  const cli = await startCli({ DINGTALK_LEGACY_API_BASE_URL: legacy, DINGTALK_ROBOTS_FILE: robotsFile, DINGTALK_POLICY_FILE: path.join(dir, 'policy.json') });
  try {
    for (let index = 1; index <= 21; index++) {
      const result = await cli.call('send_robot_message', text(`try ${index}`));
      assert.match(
        resultText(result),
        /^Robot error: notSent \(ECONNREFUSED\)\. Could not reach DingTalk to send as robot "builds" \(ECONNREFUSED\); nothing was sent\./,
      );
    }
  } finally {
    await cli.close();
  }
});
