// What a new integrated terminal gets from dingtalkToken.terminal.environment, over the real TokenManager and
// credential store with a fake clock; the collection is a fake recording what VS Code would hand a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalEnvironment } from '../../src/extension/terminal/environment';
import { addApp, harness, type Harness } from '../support/fakeApis';
import { FakeTerminalEnvironment, FakeTrust } from '../support/devenvKit';
import { settle } from '../support/fakeClock';

async function setUp(options: { on?: boolean; trusted?: boolean } = {}) {
  const h = await harness();
  let issued = 0;
  h.fetch = async ({ appKey }) => ({ accessToken: `token-${++issued}-of-${appKey}`, expiresInSeconds: 7200 });
  h.settings = { ...h.settings, terminalEnvironment: options.on ?? true };
  await addApp(h.services, 'dingfirst', 'First');
  const view = new FakeTerminalEnvironment();
  const trust = new FakeTrust(options.trusted ?? true);
  const environment = new TerminalEnvironment(h.services, view, trust);
  await settle();
  return Object.assign(h, {
    view,
    trust,
    environment,
    turn: (on: boolean) => ((h.settings = { ...h.settings, terminalEnvironment: on }), environment.update()),
  });
}

const expectedFor = (h: Harness, token: string, appKey = 'dingfirst') => ({
  DINGTALK_ACCESS_TOKEN: token,
  DINGTALK_APP_KEY: appKey,
  DINGTALK_ACCESS_TOKEN_EXPIRES_AT: new Date(h.clock.now() + 7200_000).toISOString(),
});

test('on: a new terminal gets the active token, the AppKey and the expiry (ISO 8601), never the AppSecret', async () => {
  const h = await setUp();
  assert.deepEqual(h.view.variables, expectedFor(h, 'token-1-of-dingfirst'));
  assert.match(h.view.description!, /First \(dingfirst\), valid until 2026-11-22T02:00:00\.000Z, in DINGTALK_ACCESS_TOKEN/);
  assert.ok(!JSON.stringify(h.view).includes('secret-of-dingfirst'));
});

test('off by default: nothing is set, and turning it off clears what was set', async () => {
  const h = await setUp({ on: false });
  assert.deepEqual(h.view.variables, {});
  h.turn(true);
  await settle();
  assert.equal(h.view.variables.DINGTALK_ACCESS_TOKEN, 'token-1-of-dingfirst');
  h.turn(false);
  assert.deepEqual(h.view.variables, {});
  assert.equal(h.view.description, undefined);
});

test('a refresh replaces the token for new terminals; an unchanged token does not mark terminals stale again', async () => {
  const h = await setUp();
  const changes = h.view.changes;
  h.environment.update();
  assert.equal(h.view.changes, changes, 'the same token again changes nothing');
  await h.clock.advance(60_000);
  await h.services.tokens.forceRefresh('dingfirst');
  assert.deepEqual(h.view.variables, expectedFor(h, 'token-2-of-dingfirst'));
});

test('switching the active app hands new terminals its token; removing it clears them', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingsecond', 'Second');
  await settle();
  assert.equal(h.view.variables.DINGTALK_APP_KEY, 'dingsecond');
  assert.equal(h.view.variables.DINGTALK_ACCESS_TOKEN, 'token-2-of-dingsecond');
  await h.services.credentials.setActive('dingfirst');
  assert.deepEqual(h.view.variables, expectedFor(h, 'token-1-of-dingfirst'));
  await h.services.credentials.remove('dingfirst');
  h.services.tokens.forget('dingfirst');
  await h.services.credentials.remove('dingsecond');
  h.services.tokens.forget('dingsecond');
  assert.deepEqual(h.view.variables, {});
});

test('an expired token is not handed to new terminals', async () => {
  const h = await setUp();
  h.settings = { ...h.settings, autoRefresh: false };
  h.services.tokens.configure({ autoRefresh: false });
  await h.clock.advance(7200_000);
  h.environment.update();
  assert.deepEqual(h.view.variables, {});
});

test('Restricted Mode: no token until the person trusts the workspace', async () => {
  const h = await setUp({ trusted: false });
  assert.deepEqual(h.view.variables, {});
  h.trust.grant();
  await settle();
  assert.equal(h.view.variables.DINGTALK_ACCESS_TOKEN, 'token-1-of-dingfirst');
});

test('disposed (the extension stops): the variables are cleared', async () => {
  const h = await setUp();
  h.environment.dispose();
  assert.deepEqual(h.view.variables, {});
});
