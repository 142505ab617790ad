// The palette commands below the UI: registered on fake apis (test/support/fakeApis.ts) over the real
// TokenManager and credential store, with a fake clock and a fake DingTalk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCommands } from '../../src/extension/commands';
import { COMMAND } from '../../src/extension/commandIds';
import { appNode } from '../../src/extension/apps/appNode';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { isSeparator, type PickEntry, type PickItem } from '../../src/extension/apis/pick';
import { addApp, harness, NO_FEATURE_COMMANDS, type Harness } from '../support/fakeApis';

const TOKEN = 'access-token-0123456789abcdef0123';

async function setUp(): Promise<Harness & { inspected: (string | undefined)[]; run(id: string, ...args: unknown[]): Promise<void> }> {
  const h = await harness();
  h.fetch = async () => ({ accessToken: TOKEN, expiresInSeconds: 7200 });
  const inspected: (string | undefined)[] = [];
  registerCommands(h.services, { show: (appKey?: string) => void inspected.push(appKey) }, NO_FEATURE_COMMANDS);
  // The same object: a test swapping `fetch` swaps it for the services too.
  return Object.assign(h, { inspected, run: async (id: string, ...args: unknown[]) => void (await h.apis.commands.execute(id, ...args)) });
}

const items = <T>(entries: PickEntry<T>[]): PickItem<T>[] => entries.filter((entry): entry is PickItem<T> => !isSeparator(entry));

test('Copy Access Token puts the token on the clipboard and never in a message or the log', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await h.run(COMMAND.copyToken);
  assert.deepEqual(h.apis.clipboard, [TOKEN]);
  assert.deepEqual(
    h.apis.window.shown.map((shown) => shown.message),
    ['Access token for Alpha copied (valid for 2 h).'],
  );
  assert.doesNotMatch(h.apis.window.allText(), new RegExp(TOKEN));
  assert.doesNotMatch(h.log.join('\n'), new RegExp(TOKEN));
});

test('a command run on an app row of the DingTalk view acts on that app, not the active one', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  await h.run(COMMAND.copyToken, appNode('dingalpha0000001'));
  assert.match(h.apis.window.shown[0]?.message ?? '', /^Access token for Alpha copied/);
  assert.equal(h.requests[0]?.appKey, 'dingalpha0000001');
});

test('a refresh that fails while the token is valid says how long it lasts; inside the wait that follows it offers Show Log, not Retry', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await h.run(COMMAND.getToken);
  await h.clock.advance(6 * 60_000);
  h.fetch = async () => {
    throw new DingTalkError('server', 'HTTP 503', { httpStatus: 503 });
  };
  h.apis.window.answer = (shown) => (shown.kind === 'warning' ? 'Show Log' : undefined);
  h.apis.window.shown.length = 0;

  await h.run(COMMAND.refreshToken);
  const [warning] = h.apis.window.shown;
  assert.ok(warning);
  assert.equal(warning.kind, 'warning', 'a warning, not an error: nothing is lost yet');
  assert.match(
    warning.message,
    /^Refreshing the token of Alpha failed: DingTalk answered with an error \(HTTP 503\)\. Its service may be having trouble\. The current token is valid for 1 h 54 min\./,
  );
  assert.deepEqual(warning.actions, ['Show Log'], 'a Retry now would only be refused until the backoff ends');
  assert.equal(h.logShown(), 1, 'Show Log shows the log');
  assert.equal(h.services.tokens.peek('dingalpha0000001')?.accessToken, TOKEN, 'the valid token stays');
});

test('DingTalk throttling a refresh (HTTP 429, wait 60 s): the toast says to wait and offers no Retry that would be refused', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await h.run(COMMAND.getToken);
  await h.clock.advance(6 * 60_000);
  const before = h.requests.length;
  h.fetch = async () => {
    throw new DingTalkError('throttled', 'HTTP 429', { httpStatus: 429, retryAfterMs: 60_000 });
  };
  h.apis.window.shown.length = 0;
  await h.run(COMMAND.refreshToken);
  const [warning] = h.apis.window.shown;
  assert.ok(warning);
  assert.match(warning.message, /Wait 60 s before trying again\./);
  assert.deepEqual(warning.actions, ['Show Log']);
  assert.equal(h.requests.length, before + 1);
});

test('a refresh refused for a reason the person fixes in the console offers Retry at once and Open Developer Console', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await h.run(COMMAND.getToken);
  await h.clock.advance(6 * 60_000);
  h.fetch = async () => {
    throw new DingTalkError('ipNotWhitelisted', 'IP not whitelisted', { code: 'Forbidden.AccessDenied.IpNotInWhiteList', httpStatus: 403, ip: '203.0.113.9' });
  };
  h.apis.window.answer = (shown) => (shown.kind === 'warning' && h.apis.opened.length === 0 ? 'Open Developer Console' : 'Retry');
  h.apis.window.shown.length = 0;
  await h.run(COMMAND.refreshToken);
  const [warning] = h.apis.window.shown;
  assert.ok(warning);
  assert.match(warning.message, /203\.0\.113\.9/);
  assert.deepEqual(warning.actions, ['Retry', 'Open Developer Console', 'Show Log']);
  assert.deepEqual(h.apis.opened, ['https://open-dev.dingtalk.com/']);

  // Whitelisted in the console meanwhile: Retry reaches DingTalk at once and gets a token.
  const refused = () => new DingTalkError('ipNotWhitelisted', 'IP not whitelisted', { code: 'Forbidden.AccessDenied.IpNotInWhiteList', httpStatus: 403 });
  let asked = 0;
  h.fetch = async () => {
    asked++;
    if (asked === 1) throw refused();
    return { accessToken: `${TOKEN}-new`, expiresInSeconds: 7200 };
  };
  h.apis.window.shown.length = 0;
  h.apis.window.answer = (shown) => (shown.kind === 'warning' ? 'Retry' : undefined);
  await h.run(COMMAND.refreshToken);
  assert.deepEqual(
    h.apis.window.shown.map((shown) => shown.kind),
    ['warning', 'info'],
  );
  assert.match(h.apis.window.shown[1]?.message ?? '', /^Refreshed\./);
  assert.equal(asked, 2, 'the refused try, then the Retry');
  assert.equal(h.services.tokens.peek('dingalpha0000001')?.accessToken, `${TOKEN}-new`);
});

test('a failure with no valid token is an error with Show Log; one the console fixes also offers Open Developer Console', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  h.fetch = async () => {
    throw new DingTalkError('server', 'HTTP 503', { httpStatus: 503 });
  };
  await h.run(COMMAND.getToken);
  assert.deepEqual(
    h.apis.window.shown.map(({ kind, actions }) => ({ kind, actions })),
    [{ kind: 'error', actions: ['Show Log'] }],
  );
  assert.deepEqual(h.apis.window.progress, ['Fetching the access token of Alpha…'], 'a first fetch shows progress');

  await h.clock.advance(10 * 60_000);
  h.apis.window.shown.length = 0;
  h.fetch = async () => {
    throw new DingTalkError('ipNotWhitelisted', 'IP not whitelisted', { code: 'Forbidden.AccessDenied.IpNotInWhiteList', httpStatus: 403, ip: '203.0.113.9' });
  };
  h.apis.window.answer = () => 'Open Developer Console';
  await h.run(COMMAND.getToken);
  const [error] = h.apis.window.shown;
  assert.ok(error);
  assert.match(error.message, /^Could not get a token for Alpha\. DingTalk refused the call from IP 203\.0\.113\.9/);
  assert.deepEqual(error.actions, ['Open Developer Console', 'Show Log']);
  assert.deepEqual(h.apis.opened, ['https://open-dev.dingtalk.com/']);
});

test('with no app, Get Access Token offers Set App Credentials', async () => {
  const h = await setUp();
  await h.run(COMMAND.getToken);
  assert.deepEqual(
    h.apis.window.shown.map(({ message, actions }) => ({ message, actions })),
    [{ message: 'No DingTalk app is set up yet.', actions: ['Set App Credentials'] }],
  );
});

test('Switch App: apps grouped under a separator, the active one marked by its icon, each with its state and item buttons', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  await h.services.tokens.getToken('dingbeta00000002');
  await h.run(COMMAND.switchApp);

  const [pick] = h.apis.window.picks;
  assert.ok(pick);
  assert.equal(pick.options.title, 'Switch App');
  assert.deepEqual(
    pick.entries.map((entry) => (isSeparator(entry) ? `— ${entry.separator}` : entry.label)),
    ['— Apps', 'Alpha', 'Beta', '— ', 'Add an app…'],
  );
  const [alpha, beta] = items(pick.entries);
  assert.ok(alpha);
  assert.ok(beta);
  // The label is never prefixed (a prefix would shift it against the other rows): the icon marks the active app.
  assert.deepEqual([alpha.icon, alpha.description, alpha.detail], ['key', 'dingalpha0000001', 'no token yet']);
  assert.deepEqual([beta.icon, beta.description, beta.detail], ['check', 'dingbeta00000002 · active', 'valid for 2 h']);
  assert.deepEqual(
    alpha.buttons?.map((button) => [button.icon, button.tooltip]),
    [
      ['copy', 'Copy Access Token'],
      ['eye', 'Inspect Access Token'],
      ['trash', 'Remove App'],
    ],
  );
});

test('Switch App: choosing an app makes it active; its buttons copy, inspect or remove that app', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  const choose = (label: string, button?: string) => {
    h.apis.window.choose = (pick) => {
      const item = items(pick.entries).find((candidate) => candidate.label === label);
      return item && { value: item.value, button };
    };
  };

  choose('Alpha');
  await h.run(COMMAND.switchApp);
  assert.equal(h.services.credentials.activeAppKey(), 'dingalpha0000001');

  choose('Beta', 'copy');
  await h.run(COMMAND.switchApp);
  assert.deepEqual(h.apis.clipboard, [TOKEN]);
  assert.equal(h.services.credentials.activeAppKey(), 'dingalpha0000001', 'a button does not switch');

  choose('Beta', 'inspect');
  await h.run(COMMAND.switchApp);
  assert.deepEqual(h.inspected, ['dingbeta00000002']);

  choose('Beta', 'remove');
  h.apis.window.answer = (shown) => (shown.kind === 'modal' ? 'Remove' : undefined);
  await h.run(COMMAND.switchApp);
  const confirm = h.apis.window.shown.find((shown) => shown.kind === 'modal');
  assert.equal(confirm?.message, 'Remove Beta? Its appSecret and cached token are deleted from this machine.');
  assert.deepEqual(
    h.services.credentials.list().map((app) => app.label),
    ['Alpha'],
  );
  assert.equal(h.services.tokens.peek('dingbeta00000002'), undefined, 'its cached token went with it');
});

test('Remove App asks first: dismissing the question keeps the app', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  h.apis.window.choose = (pick) => items(pick.entries)[0];
  await h.run(COMMAND.removeApp);
  assert.equal(h.apis.window.picks[0]?.options.title, 'Remove App');
  assert.deepEqual(
    h.services.credentials.list().map((app) => app.label),
    ['Alpha'],
  );
  assert.equal(await h.services.credentials.secretFor('dingalpha0000001'), 'secret-of-dingalpha0000001');
});

test('the status-bar menu groups the actions under the app, Apps and Agents, and runs the one chosen', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  h.apis.window.choose = (pick) => items(pick.entries).find((item) => item.label === 'Show Log');
  await h.run(COMMAND.statusBarActions);
  const [pick] = h.apis.window.picks;
  assert.ok(pick);
  assert.deepEqual(
    pick.entries.map((entry) => (isSeparator(entry) ? `— ${entry.separator}` : entry.label)),
    [
      '— Alpha',
      'Get Access Token',
      'Refresh Access Token',
      'Copy Access Token',
      'Inspect Access Token',
      '— Apps',
      'Switch App',
      'Set App Credentials',
      '— Agents',
      'Open MCP Policy',
      'Show Log',
    ],
  );
  assert.equal(items(pick.entries)[0]?.detail, 'no token yet', "the app's state under Get Access Token");
  assert.equal(h.logShown(), 1);
});

test('Rename App changes the label only: the secret stays', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  h.apis.window.typed.push('  Alpha Prod ');
  await h.run(COMMAND.renameApp, appNode('dingalpha0000001'));
  assert.deepEqual(h.services.credentials.list(), [{ appKey: 'dingalpha0000001', label: 'Alpha Prod' }]);
  assert.equal(await h.services.credentials.secretFor('dingalpha0000001'), 'secret-of-dingalpha0000001');
});
