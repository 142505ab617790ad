// The status bar item as a person sees it, over fake apis (test/support/fakeApis.ts): its text, colour and tooltip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusBar } from '../../src/extension/statusBar/statusBar';
import { addApp, harness } from '../support/fakeApis';
import type { FakeStatusBarItem } from '../support/fakeUi';

function onlyItem(items: FakeStatusBarItem[]): FakeStatusBarItem {
  assert.equal(items.length, 1, 'one status bar item');
  const [item] = items;
  assert.ok(item);
  return item;
}

test('with no app the status bar invites the person to set one up, and the tooltip offers Set App Credentials', async () => {
  const h = await harness();
  const bar = new StatusBar(h.services);
  const item = onlyItem(h.apis.window.statusBarItems);
  assert.equal(item.visible, true);
  assert.equal(item.text, '$(key) DingTalk: Set up');
  assert.equal(item.command, 'dingtalkToken.statusBarActions');
  assert.match(item.tooltipText, /No DingTalk app is set up yet/);
  assert.match(item.tooltipText, /command:dingtalkToken\.setCredentials/);
  bar.dispose();
  assert.equal(item.disposed, true);
});

test("the active app's countdown shows once its token is fetched, and the item turns to a warning colour near expiry", async (t) => {
  const h = await harness();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  const bar = new StatusBar(h.services);
  // The countdown ticks on a real one-second interval until the bar is disposed.
  t.after(() => bar.dispose());
  const item = onlyItem(h.apis.window.statusBarItems);
  await h.services.tokens.getToken('dingalpha0000001');
  assert.equal(item.text, '$(key) Alpha 2:00:00');
  assert.equal(item.backgroundColor, undefined);
  assert.match(item.tooltipText, /Alpha/);
  assert.equal(item.accessibilityInformation?.label, 'DingTalk access token for Alpha expires in 2:00:00');

  h.services.tokens.configure({ autoRefresh: false, refreshMarginMs: 0 });
  await h.clock.advance(7200_000 - 60_000);
  bar.render();
  assert.equal(item.text, '$(key) Alpha 01:00');
  assert.deepEqual(item.backgroundColor, { id: 'statusBarItem.warningBackground' });
});

test('turning the status bar off in the settings hides the item', async () => {
  const h = await harness();
  const bar = new StatusBar(h.services);
  const item = onlyItem(h.apis.window.statusBarItems);
  h.settings = { ...h.settings, statusBarEnabled: false };
  bar.render();
  assert.equal(item.visible, false);
  bar.dispose();
});
