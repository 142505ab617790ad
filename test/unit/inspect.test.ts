// The inspect view's host side below the UI: what the page is sent for each state, on a fake panel
// (test/support/fakeApis.ts). What the page draws from it is the end-to-end tests' job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InspectPanel } from '../../src/extension/inspect/panel';
import { COMMAND } from '../../src/extension/commandIds';
import { addApp, harness } from '../support/fakeApis';
import { settle } from '../support/fakeClock';

const TOKEN = 'inspect-test-access-token-0123456789';

async function opened(appKey?: string) {
  const h = await harness();
  h.fetch = async () => ({ accessToken: TOKEN, expiresInSeconds: 7200 });
  const inspect = new InspectPanel(h.services);
  const open = async () => {
    inspect.show(appKey);
    const panel = h.apis.panels.at(-1)!;
    await panel.send({ type: 'ready' });
    return panel;
  };
  return { ...h, inspect, open };
}

test('no app: the empty state, with Set App Credentials running the command', async () => {
  const h = await opened();
  const panel = await h.open();
  assert.equal(panel.title, 'DingTalk Access Token');
  assert.match(panel.html, /<section id="empty" class="empty" hidden>/, 'the page carries the empty state');
  assert.match(panel.html, /<button id="setUp" type="button">Set App Credentials<\/button>/);
  const state = panel.lastState();
  assert.equal(state?.app, null);
  assert.equal(state?.state, 'empty');
  assert.deepEqual(state?.apps, []);
  await panel.send({ type: 'setCredentials' });
  assert.deepEqual(
    h.apis.executed.map((call) => call.id),
    [COMMAND.setCredentials],
  );
});

test('a valid token: the app in the tab title, its times and a masked token; the token itself only on Reveal', async () => {
  const h = await opened();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await h.services.tokens.getToken('dingalpha0000001');
  const panel = await h.open();
  const now = h.clock.now();
  assert.equal(panel.title, 'DingTalk: Alpha');
  const state = panel.lastState()!;
  assert.deepEqual(state.app, { appKey: 'dingalpha0000001', label: 'Alpha' });
  assert.equal(state.state, 'valid');
  assert.equal(state.obtainedAt, now);
  assert.equal(state.expiresAt, now + 7_200_000);
  assert.equal(state.refreshAt, now + 7_200_000 - 300_000, 'where refresh-ahead starts');
  assert.equal(state.autoRefresh, true, 'the active app refreshes by itself');
  assert.equal(state.source, 'network');
  assert.ok(typeof state.maskedToken === 'string' && !state.maskedToken.includes(TOKEN));
  assert.doesNotMatch(JSON.stringify(panel.posted), new RegExp(TOKEN), 'the token is not sent before a click');

  await panel.send({ type: 'reveal' });
  assert.deepEqual(panel.posted.at(-1), { type: 'revealed', token: TOKEN });
});

test('the header follows the apps: an app removed while shown gives way to the active one, then to the empty state', async () => {
  const h = await opened('dingbeta00000002');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  const panel = await h.open();
  assert.equal(panel.title, 'DingTalk: Beta', 'opened on Beta from the DingTalk view');
  assert.equal((panel.lastState()!.app as { label: string }).label, 'Beta');
  assert.equal(panel.lastState()!.autoRefresh, false, 'Beta is not the active app');

  await h.services.credentials.remove('dingbeta00000002');
  await settle();
  assert.equal(panel.title, 'DingTalk: Alpha', 'no stale header after the app is removed');
  assert.equal((panel.lastState()!.app as { label: string }).label, 'Alpha');
  assert.deepEqual(
    (panel.lastState()!.apps as { label: string }[]).map((app) => app.label),
    ['Alpha'],
  );

  await h.services.credentials.remove('dingalpha0000001');
  await settle();
  assert.equal(panel.title, 'DingTalk Access Token');
  assert.equal(panel.lastState()!.app, null);
});

test('the switcher shows a configured app and ignores anything else', async () => {
  const h = await opened();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  const panel = await h.open();
  assert.equal(panel.title, 'DingTalk: Beta');
  await panel.send({ type: 'show', appKey: 'dingalpha0000001' });
  assert.equal(panel.title, 'DingTalk: Alpha');
  const sent = panel.posted.length;
  await panel.send({ type: 'show', appKey: 'ding-not-configured' });
  await panel.send({ type: 'show', appKey: { toString: () => 'dingalpha0000001' } });
  await panel.send({ type: 'unknown' });
  await panel.send(null);
  assert.equal(panel.posted.length, sent, 'nothing posted for messages that name no configured app');
  assert.equal(panel.title, 'DingTalk: Alpha');
});

test('one panel: showing again reveals it; once closed, changes post nothing', async () => {
  const h = await opened();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  const panel = await h.open();
  h.inspect.show();
  assert.equal(h.apis.panels.length, 1);
  assert.equal(panel.revealed, 1);

  panel.dispose();
  const sent = panel.posted.length;
  await h.services.tokens.getToken('dingalpha0000001');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  assert.equal(panel.posted.length, sent, 'a closed panel leaves no listeners behind');
  h.inspect.show();
  assert.equal(h.apis.panels.length, 2, 'showing after closing opens a new panel');
});
