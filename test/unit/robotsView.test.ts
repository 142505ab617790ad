// The Robots section of the DingTalk view over fake apis: the rows a person sees after adding and using robots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RobotsView } from '../../src/extension/robots/view';
import { harness } from '../support/fakeApis';

const shortTime = (at: number) => new Date(at).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' });

test('a robot row reads signed or not, then its last outcome and the minute, short enough for the sidebar; the tooltip has the second', async (t) => {
  const h = await harness();
  const view = new RobotsView(h.services);
  t.after(() => view.dispose());
  const robots = h.apis.treeViews.get('dingtalkToken.robots');
  assert.ok(robots, 'the Robots section is registered');
  assert.deepEqual(await robots.rows(), [], 'no rows, so VS Code shows the welcome line with Add Robot');

  await h.services.robots.store.add({ name: 'alerts', webhook: 'https://oapi.dingtalk.com/robot/send?access_token=robotTokenA1x9', secret: 'SECabc' });
  await h.services.robots.store.add({ name: 'builds', webhook: 'robotTokenB2y8' });
  let rows = await robots.rows();
  assert.deepEqual(
    rows.map((row) => [row.label, row.description]),
    [
      ['alerts', 'signed · nothing sent yet'],
      ['builds', 'not signed · nothing sent yet'],
    ],
  );

  const at = Date.UTC(2026, 11, 3, 9, 41, 27);
  h.services.robots.store.recordSend('alerts', { at, ok: true });
  h.services.robots.store.recordSend('builds', { at, ok: false, kind: 'signMismatch' });
  rows = await robots.rows();
  assert.deepEqual(
    rows.map((row) => [row.label, row.description]),
    [
      ['alerts', `signed · sent at ${shortTime(at)}`],
      ['builds', `not signed · signature mismatch at ${shortTime(at)}`],
    ],
  );
  assert.match(rows[0]?.tooltip as string, new RegExp(`last send ${new Date(at).toLocaleTimeString('en')}: sent`));
  assert.doesNotMatch(JSON.stringify(rows), /SECabc|robotTokenA1x9|robotTokenB2y8/, 'no webhook token or secret in the rows');
});
