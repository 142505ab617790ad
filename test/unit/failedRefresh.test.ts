// What a person meets when a manual refresh fails while the token has hours left: the warning's promise of the
// next automatic try is kept, and the status bar keeps its normal colour. Commands on fake apis over the real
// TokenManager with a fake clock (test/support/fakeApis.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCommands } from '../../src/extension/commands';
import { COMMAND } from '../../src/extension/commandIds';
import { statusBarView, type StatusWords } from '../../src/extension/statusBar/model';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { addApp, harness, NO_FEATURE_COMMANDS } from '../support/fakeApis';

const APP = 'dingalpha0000001';
const words: StatusWords = {
  setUp: 'set up',
  expired: 'expired',
  failing: 'failed',
  noToken: 'no token',
  ariaValid: '{0} {1}',
  ariaFetching: '{0}',
  ariaExpired: '{0}',
  ariaFailing: '{0}',
  ariaNoToken: '{0}',
};

test('a manual refresh that fails with 1 h 58 min left names the next automatic try, DingTalk is asked then and not before, and the status bar stays in its normal colour', async () => {
  const h = await harness();
  registerCommands(h.services, { show: () => undefined }, NO_FEATURE_COMMANDS);
  await addApp(h.services, APP, 'Alpha');
  await h.apis.commands.execute(COMMAND.getToken);
  await h.clock.advance(2 * 60_000);
  h.fetch = async () => {
    throw new DingTalkError('server', 'HTTP 503', { httpStatus: 503 });
  };
  h.apis.window.shown.length = 0;
  await h.apis.commands.execute(COMMAND.refreshToken);

  const status = h.services.tokens.status(APP);
  const next = status.nextAttemptAt;
  assert.ok(next !== undefined, 'a next try is announced');
  const time = new Date(next).toLocaleTimeString(h.apis.env.language, { hour: '2-digit', minute: '2-digit' });
  const [warning] = h.apis.window.shown;
  assert.ok(warning);
  assert.match(warning.message, /The current token is valid for 1 h 58 min\./);
  assert.ok(warning.message.includes(`Next automatic try at ${time}.`), warning.message);
  const view = statusBarView('Alpha', status, h.clock.now(), h.settings.warningMs, words);
  assert.equal(view.severity, 'normal', 'no warning colour for a token with hours left');
  assert.equal(status.lastError?.kind, 'server', 'the failure is kept for the tooltip');

  const asked = h.requests.length;
  await h.clock.set(next - 1);
  assert.equal(h.requests.length, asked, 'no request before the announced time');
  h.fetch = async () => ({ accessToken: 'token-after-recovery', expiresInSeconds: 7200 });
  await h.clock.set(next);
  assert.equal(h.requests.length, asked + 1, 'one request at the announced time');
  assert.equal(h.services.tokens.peek(APP)?.accessToken, 'token-after-recovery');
  assert.equal(h.services.tokens.status(APP).lastError, undefined, 'the try succeeded: back to normal');
});
