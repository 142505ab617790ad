// Add Robot, Send Robot Message and Remove Robot over the fake VS Code API, sending to the DingTalk emulator:
// what the person is asked, in which order, and where the webhook and secret end up (SecretStorage only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DingTalkEmulator, SANDBOX_SIGNED_ROBOT } from '../emulator/emulator';
import { harness, type Harness } from '../support/fakeApis';
import { addRobot, removeRobot, sendRobotMessage } from '../../src/extension/robots/commands';

async function withEmulator(run: (h: Harness, emulator: DingTalkEmulator) => Promise<void>): Promise<void> {
  const h = await harness();
  // DingTalk checks a signed send's timestamp against its own clock: the emulator reads the test's.
  const emulator = await DingTalkEmulator.start({ now: () => h.clock.now() });
  h.settings = { ...h.settings, endpoints: { ...h.settings.endpoints, legacyApiBaseUrl: emulator.legacyApiBaseUrl } };
  try {
    await run(h, emulator);
  } finally {
    await emulator.close();
  }
}

/** Everything globalState holds, as text. */
function globalStateText(h: Harness): string {
  const state = h.services.context.globalState;
  return JSON.stringify(state.keys().map((key) => [key, state.get(key)]));
}

test('Add Robot asks the webhook and the SEC secret in password boxes, then a name; keeps both secrets out of globalState; the offered test message arrives signed', () =>
  withEmulator(async (h, emulator) => {
    const webhook = `${emulator.legacyApiBaseUrl}/robot/send?access_token=${SANDBOX_SIGNED_ROBOT.token}`;
    h.apis.window.typed.push(webhook, SANDBOX_SIGNED_ROBOT.secret, ' alerts ');
    h.apis.window.answer = (shown) => shown.actions.find((action) => action === 'Send a Test Message');
    await addRobot(h.services);

    assert.deepEqual(
      h.apis.window.inputBoxOptions.map((options) => [options.password === true, options.prompt]),
      [
        [true, "The robot's Webhook from the group's robot settings, or only its access_token"],
        [true, "The robot's SEC secret from its security settings (加签); press Enter for a robot that does not sign"],
        [false, 'A name for the robot: agents and the policy call it by this name'],
      ],
    );
    assert.deepEqual(
      h.services.robots.store.list().map((robot) => [robot.name, robot.signed, robot.lastSend?.ok]),
      [['alerts', true, true]],
    );
    const delivered = emulator.robots.deliveries();
    assert.deepEqual(
      delivered.map((delivery) => [delivery.token === SANDBOX_SIGNED_ROBOT.token, delivery.signed]),
      [[true, true]],
    );
    assert.ok(h.apis.window.shown.some((shown) => shown.message === 'Sent to the group of robot "alerts".'));
    const stored = [...h.secrets.values.values()];
    assert.ok(stored.includes(webhook) && stored.includes(SANDBOX_SIGNED_ROBOT.secret), 'the webhook and secret are in SecretStorage');
    const visible = globalStateText(h) + h.log.join('\n') + JSON.stringify(h.apis.window.shown);
    assert.ok(
      !visible.includes(SANDBOX_SIGNED_ROBOT.token) && !visible.includes(SANDBOX_SIGNED_ROBOT.secret),
      'no secret in globalState, the log or a message',
    );
  }));

test('Add Robot refuses a webhook on another host while it is typed, without quoting it; Escape at any step stores nothing', () =>
  withEmulator(async (h) => {
    const foreign = 'https://collector.example.net/robot/send?access_token=abcdefabcdefabcdefabcdefabcdef';
    h.apis.window.typed.push(undefined);
    await addRobot(h.services);
    assert.ok(h.apis.window.inputBoxOptions[0], 'Add Robot asked for the webhook');
    const problem = h.apis.window.inputBoxOptions[0].validateInput!(foreign) as string;
    assert.match(problem, /^This is not a robot webhook on http:\/\/127\.0\.0\.1:\d+\/robot\/send, nor its access_token\./);
    assert.ok(!problem.includes('abcdefabcdef'));
    assert.equal(h.apis.window.inputBoxOptions[0].validateInput!('abcdefabcdefabcdefabcdefabcdef'), undefined, 'a bare access_token is accepted');
    assert.deepEqual(h.services.robots.store.list(), []);
    assert.equal(h.secrets.values.size, 0);
  }));

test("Send Robot Message reports DingTalk's refusal in words naming the robot; Remove Robot deletes its secrets", () =>
  withEmulator(async (h, emulator) => {
    await h.services.robots.store.add({ name: 'ops', webhook: SANDBOX_SIGNED_ROBOT.token, secret: 'SECwrongwrongwrongwrongwrongwrong' });
    h.apis.window.typed.push('disk full');
    await sendRobotMessage(h.services, 'ops');
    const error = h.apis.window.shown.find((shown) => shown.kind === 'error');
    assert.match(error?.message ?? '', /^DingTalk refused the message to robot "ops": the signature does not match\. .* \(310000: sign not match/);
    assert.equal(emulator.robots.deliveries().length, 0);
    assert.deepEqual(
      h.services.robots.store.list().map((robot) => [robot.name, robot.lastSend?.ok, robot.lastSend?.kind]),
      [['ops', false, 'signMismatch']],
    );

    h.apis.window.answer = (shown) => shown.actions.find((action) => action === 'Remove');
    await removeRobot(h.services, 'ops');
    assert.deepEqual(h.services.robots.store.list(), []);
    assert.equal(h.secrets.values.size, 0);
  }));
