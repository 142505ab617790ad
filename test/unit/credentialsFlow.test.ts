// Set App Credentials below the UI: the three input boxes as a person meets them, over the real credential
// store and TokenManager, with DingTalk faked (test/support/fakeApis.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setCredentials } from '../../src/extension/apps/credentialsFlow';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { addApp, harness } from '../support/fakeApis';

const APP_KEY = 'dingflowtest0001';
const RIGHT = 'the-right-secret-1234';
const WRONG = 'a-wrong-secret-9876';

/** DingTalk as the v1.0 token API answers: a token for the right secret, invalidClientIdOrSecret otherwise. */
function dingTalk(right = RIGHT) {
  return async ({ appSecret }: { appSecret: string }) => {
    if (appSecret !== right)
      throw new DingTalkError('invalidCredentials', 'HTTP 400 invalidClientIdOrSecret', { code: 'invalidClientIdOrSecret', httpStatus: 400 });
    return { accessToken: 'fresh-access-token-0123456789abcdef', expiresInSeconds: 7200 };
  };
}

test('a wrong secret is not stored: the box stays on the secret with the appKey kept, and the right one is then stored', async () => {
  const h = await harness();
  h.fetch = dingTalk();
  const done = setCredentials(h.services);
  const window = h.apis.window;

  const appKeyBox = await window.nextInputBox();
  assert.equal(appKeyBox.step, 1);
  appKeyBox.type(APP_KEY);
  await appKeyBox.accept();

  const secretBox = await window.nextInputBox();
  assert.equal(secretBox.step, 2);
  assert.equal(secretBox.password, true, 'the secret is typed hidden');
  assert.match(secretBox.prompt ?? '', new RegExp(APP_KEY), 'the secret step names the appKey entered');
  secretBox.type(WRONG);
  await secretBox.accept();

  assert.equal(secretBox.visible, true, 'a refused secret keeps the same box open');
  assert.equal(secretBox.step, 2, 'still on the secret, not back at the appKey');
  assert.equal(secretBox.value, '', 'the refused secret is cleared');
  assert.match(
    secretBox.message ?? '',
    /DingTalk rejected the AppKey\/AppSecret \(invalidClientIdOrSecret\).*Enter the AppSecret of dingflowtest0001 again, or go back to change the AppKey\./,
  );
  assert.deepEqual(h.services.credentials.list(), [], 'nothing is stored');
  assert.deepEqual(
    [...h.secrets.values.values()].filter((value) => value.includes(WRONG)),
    [],
    'the wrong secret is in no store',
  );

  secretBox.type(RIGHT);
  await secretBox.accept();
  const labelBox = await window.nextInputBox();
  assert.equal(labelBox.step, 3);
  labelBox.type('Flow App');
  await labelBox.accept();
  await done;

  assert.deepEqual(h.services.credentials.list(), [{ appKey: APP_KEY, label: 'Flow App' }]);
  assert.equal(await h.services.credentials.secretFor(APP_KEY), RIGHT);
  assert.equal(h.requests.length, 2, 'one check per secret entered; storing fetches nothing more');
  assert.deepEqual(
    window.shown.map((shown) => shown.message),
    ['DingTalk app Flow App is set up. Its token is valid for 2 h.'],
  );
  for (const secret of [WRONG, RIGHT]) {
    assert.doesNotMatch(h.log.join('\n'), new RegExp(secret), 'no secret in the log');
    assert.doesNotMatch(window.allText(), new RegExp(secret), 'no secret in anything shown');
  }
});

test('Back from the secret shows the appKey as typed; Back from the label asks for the secret again; Escape stores nothing', async () => {
  const h = await harness();
  h.fetch = dingTalk();
  const done = setCredentials(h.services);
  const window = h.apis.window;

  const first = await window.nextInputBox();
  assert.ok(!first.buttons.includes(window.backButton), 'no Back on the first step');
  first.type('dingtypo');
  await first.accept();
  const secret = await window.nextInputBox();
  assert.ok(secret.buttons.includes(window.backButton), 'Back on the second step');
  await secret.press(window.backButton);

  const again = await window.nextInputBox();
  assert.equal(again.step, 1);
  assert.equal(again.value, 'dingtypo', 'the appKey typed earlier is kept');
  again.type(APP_KEY);
  await again.accept();
  const secret2 = await window.nextInputBox();
  assert.match(secret2.prompt ?? '', new RegExp(APP_KEY), 'the corrected appKey is the one the secret is for');
  secret2.type(RIGHT);
  await secret2.accept();

  const label = await window.nextInputBox();
  assert.equal(label.step, 3);
  await label.press(window.backButton);
  const secret3 = await window.nextInputBox();
  assert.equal(secret3.step, 2, 'Back from the label returns to the secret');
  assert.equal(secret3.value, '', 'the secret is never shown again');
  await secret3.escape();
  await done;

  assert.deepEqual(h.services.credentials.list(), [], 'dismissed: nothing stored');
  assert.equal(await h.services.credentials.secretFor(APP_KEY), undefined);
  assert.deepEqual(window.shown, [], 'no message after a dismissed flow');
});

test('an appKey with spaces is refused while typing and on Enter', async () => {
  const h = await harness();
  const done = setCredentials(h.services);
  const box = await h.apis.window.nextInputBox();
  box.type('ding with spaces');
  assert.equal(box.message, 'Enter the AppKey: one word, no spaces.');
  await box.accept();
  assert.equal(box.visible, true, 'Enter does not move on');
  await box.escape();
  await done;
  assert.equal(h.requests.length, 0);
});

test('adding a second app keeps the active one active and offers Make Active, which switches to the new one', async () => {
  const h = await harness();
  h.fetch = dingTalk();
  await addApp(h.services, 'dingfirstapp0001', 'First');
  const setUpSecond = async () => {
    const done = setCredentials(h.services);
    for (const value of [APP_KEY, RIGHT, 'Second']) {
      const box = await h.apis.window.nextInputBox();
      box.type(value);
      await box.accept();
    }
    await done;
  };
  await setUpSecond();
  const [message] = h.apis.window.shown;
  assert.ok(message);
  assert.equal(message.message, 'DingTalk app Second is set up. Its token is valid for 2 h. The status bar and agents keep using First.');
  assert.deepEqual(message.actions, ['Make Active']);
  assert.equal(h.services.credentials.activeAppKey(), 'dingfirstapp0001', 'dismissing the message keeps the first app active');
  assert.equal(h.services.credentials.list().length, 2);

  h.apis.window.answer = (shown) => shown.actions.find((action) => action === 'Make Active');
  await setUpSecond();
  assert.equal(h.services.credentials.activeAppKey(), APP_KEY, 'Make Active switched to the new app');
});

test('while DingTalk checks the secret the box is busy and says so; a refusal then names the appKey again', async () => {
  const h = await harness();
  const window = h.apis.window;
  let seenWhileChecking: { prompt?: string; busy: boolean; message?: string } | undefined;
  h.fetch = async (credentials) => {
    const box = window.inputBoxes.at(-1)!;
    seenWhileChecking = { prompt: box.prompt, busy: box.busy, message: box.message };
    return dingTalk()(credentials);
  };
  const done = setCredentials(h.services);
  const appKeyBox = await window.nextInputBox();
  appKeyBox.type(APP_KEY);
  await appKeyBox.accept();
  const secretBox = await window.nextInputBox();
  secretBox.type(WRONG);
  await secretBox.accept();
  assert.deepEqual(seenWhileChecking, { prompt: `Checking the AppSecret of ${APP_KEY} with DingTalk…`, busy: true, message: undefined });
  assert.match(secretBox.message ?? '', new RegExp(`Enter the AppSecret of ${APP_KEY} again`));
  assert.match(secretBox.prompt ?? '', /^AppSecret \(Client Secret\) of dingflowtest0001/, 'the prompt is back once DingTalk answered');

  secretBox.type(RIGHT);
  await secretBox.accept();
  assert.equal(seenWhileChecking?.message, undefined, "the last refusal's message is gone while checking again");
  await (await window.nextInputBox()).escape();
  await done;
});

test("the developer console button opens DingTalk's developer console and keeps the box open", async () => {
  const h = await harness();
  const done = setCredentials(h.services);
  const box = await h.apis.window.nextInputBox();
  const consoleButton = box.buttons.find((button) => button.tooltip === 'Open Developer Console');
  assert.ok(consoleButton);
  await box.press(consoleButton);
  assert.deepEqual(h.apis.opened, ['https://open-dev.dingtalk.com/']);
  assert.equal(box.visible, true);
  await box.escape();
  await done;
});
