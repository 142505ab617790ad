// ${command:dingtalkToken.accessToken}: the token a task or launch configuration asks for, after the person
// allowed it for this workspace; on fakes of the window and workspaceState, over the real TokenManager.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessTokenForTask, requestedApp, revokeTokenAccess } from '../../src/extension/devenv/commandVariable';
import { TokenAccessConsent } from '../../src/extension/devenv/consent';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { addApp, harness, type Harness } from '../support/fakeApis';
import { FakeMemento, FakeTrust } from '../support/devenvKit';

async function setUp(
  answer: string | undefined,
): Promise<Harness & { memento: FakeMemento; consent: TokenAccessConsent; trust: FakeTrust; ask(arg?: unknown): Promise<string | undefined> }> {
  const h = await harness();
  h.fetch = async ({ appKey }) => ({ accessToken: `token-of-${appKey}`, expiresInSeconds: 7200 });
  await addApp(h.services, 'dingsecond', 'Second');
  await addApp(h.services, 'dingfirst', 'First');
  h.apis.window.answer = (shown) => (shown.kind === 'modal' ? answer : undefined);
  const memento = new FakeMemento();
  const consent = new TokenAccessConsent(memento);
  const trust = new FakeTrust();
  return Object.assign(h, { memento, consent, trust, ask: (arg?: unknown) => accessTokenForTask(h.services, consent, trust, arg) });
}

const modals = (h: Harness) => h.apis.window.shown.filter((shown) => shown.kind === 'modal');

test('the first use asks which app and which workspace; Allow gives the token this once and asks again next time', async () => {
  const h = await setUp('Allow');
  // VS Code passes the launch configuration itself for ${command:…}: the active app's token.
  assert.equal(await h.ask({ type: 'node', request: 'launch', name: 'Debug', app: 'ignored' }), 'token-of-dingfirst');
  assert.match(modals(h)[0]?.message ?? '', /First \(dingfirst\) to the workspace "shop-service"/);
  assert.deepEqual(modals(h)[0]?.actions, ['Allow', 'Allow for This Workspace', 'Deny']);
  assert.equal(await h.ask(), 'token-of-dingfirst');
  assert.equal(modals(h).length, 2, 'Allow is for this run only');
  assert.deepEqual(h.memento.values.size, 0);
});

test('Allow for This Workspace stops asking for that app only, remembers the AppKey and never the token', async () => {
  const h = await setUp('Allow for This Workspace');
  await h.ask();
  h.apis.window.answer = () => undefined;
  assert.equal(await h.ask(), 'token-of-dingfirst', 'not asked again');
  assert.equal(modals(h).length, 1);
  assert.equal(await h.ask('Second'), undefined, 'another app is asked for again (and dismissed here)');
  assert.equal(modals(h).length, 2);
  assert.deepEqual([...h.memento.values.values()], [['dingfirst']]);
  assert.ok(!JSON.stringify([...h.memento.values]).includes('token-of'));
});

test('Deny, or closing the dialog, gives nothing: VS Code cancels the run, and nothing is remembered', async () => {
  for (const answer of ['Deny', undefined]) {
    const h = await setUp(answer);
    assert.equal(await h.ask(), undefined);
    assert.equal(h.requests.length, 0, 'the token is not even fetched');
    assert.equal(h.memento.values.size, 0);
    assert.match(h.log.join('\n'), /Refused the access token of First/);
  }
});

test('an inputs entry names the app by AppKey or label, as a string or { app }', async () => {
  const h = await setUp('Allow');
  assert.equal(await h.ask('dingsecond'), 'token-of-dingsecond');
  assert.equal(await h.ask({ app: 'Second' }), 'token-of-dingsecond');
  assert.equal(requestedApp({ app: 'Second', type: 'node' }), undefined, 'a launch configuration with an app field is not an app argument');
  assert.equal(requestedApp(['Second']), undefined);
  await assert.rejects(h.ask('Nobody'), /no DingTalk app has the AppKey or label "Nobody"/);
});

test('a valid cached token is handed out without asking DingTalk again', async () => {
  const h = await setUp('Allow for This Workspace');
  await h.ask();
  const fetched = h.requests.length;
  assert.equal(await h.ask(), 'token-of-dingfirst');
  assert.equal(h.requests.length, fetched);
});

test('when no token can be fetched the task fails with the reason, and neither the secret nor a token is in it', async () => {
  const h = await setUp('Allow');
  h.services.tokens.forget('dingfirst');
  h.fetch = async () => {
    throw new DingTalkError('invalidCredentials', 'HTTP 400', { code: 'invalidClientIdOrSecret', httpStatus: 400 });
  };
  const error = await h.ask().then(
    () => assert.fail('should fail'),
    (failure: Error) => failure,
  );
  assert.match(error.message, /\$\{command:dingtalkToken\.accessToken\} could not get the access token of First: .*invalidClientIdOrSecret/);
  assert.ok(!error.message.includes('secret-of-dingfirst'));
});

test('with no app set up, or in Restricted Mode, the task fails with what to do', async () => {
  const h = await harness();
  const consent = new TokenAccessConsent(new FakeMemento());
  await assert.rejects(accessTokenForTask(h.services, consent, new FakeTrust(), undefined), /needs a DingTalk app: run "DingTalk: Set App Credentials" first/);
  await addApp(h.services, 'dingfirst', 'First');
  await assert.rejects(accessTokenForTask(h.services, consent, new FakeTrust(false), undefined), /Restricted Mode/);
  assert.equal(h.apis.window.shown.length, 0, 'nobody was asked');
});

test('Revoke forgets every app allowed in this workspace, and the next use asks again', async () => {
  const h = await setUp('Allow for This Workspace');
  await h.ask();
  await revokeTokenAccess(h.services, h.consent, h.trust);
  assert.match(h.apis.window.shown.at(-1)!.message, /will ask you again/);
  await h.ask();
  assert.equal(modals(h).length, 2);
  await h.consent.revokeAll();
  h.memento.values.set('dingtalkToken.tokenAccess.allowedApps', 'dingfirst');
  assert.equal(h.consent.isAllowed('dingfirst'), false, 'a stored value of the wrong shape allows nothing');
});
