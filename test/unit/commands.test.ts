// The palette commands below the UI: registered on fake apis (test/support/fakeApis.ts) over the real
// TokenManager and credential store, with a fake clock and a fake DingTalk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerCommands } from '../../src/extension/commands';
import { COMMAND } from '../../src/extension/commandIds';
import { appNode } from '../../src/extension/apps/appNode';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { isSeparator, type PickEntry, type PickItem } from '../../src/extension/apis/pick';
import { addApp, harness, type Harness } from '../support/fakeApis';

const TOKEN = 'access-token-0123456789abcdef0123';
const noFeatureCommands = Object.fromEntries(
  [COMMAND.accessToken, COMMAND.revokeTokenAccess, COMMAND.scanWorkspace, COMMAND.moveAppSecret, COMMAND.ignoreSecretKind].map((id) => [id, () => undefined]),
) as Parameters<typeof registerCommands>[2];

async function setUp(): Promise<Harness & { inspected: (string | undefined)[]; run(id: string, ...args: unknown[]): Promise<void> }> {
  const h = await harness();
  h.fetch = async () => ({ accessToken: TOKEN, expiresInSeconds: 7200 });
  const inspected: (string | undefined)[] = [];
  registerCommands(h.services, { show: (appKey?: string) => void inspected.push(appKey) }, noFeatureCommands);
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
  assert.match(h.apis.window.shown[0].message, /^Access token for Alpha copied/);
  assert.equal(h.requests[0].appKey, 'dingalpha0000001');
});

test('a refresh that fails while the token is valid says how long it lasts, and offers Retry and Show Log', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await h.run(COMMAND.getToken);
  await h.clock.advance(6 * 60_000);
  h.fetch = async () => {
    throw new DingTalkError('server', 'HTTP 503', { httpStatus: 503 });
  };
  h.apis.window.answer = (shown) => (shown.kind === 'warning' ? 'Retry' : undefined);
  h.apis.window.shown.length = 0;

  await h.run(COMMAND.refreshToken);
  const [warning, afterRetry] = h.apis.window.shown;
  assert.equal(warning.kind, 'warning', 'a warning, not an error: nothing is lost yet');
  assert.match(
    warning.message,
    /^Refreshing the token of Alpha failed: DingTalk answered with an error \(HTTP 503\)\. Its service may be having trouble\. The current token is valid for 1 h 54 min\./,
  );
  assert.deepEqual(warning.actions, ['Retry', 'Show Log']);
  // Retry asks again at once; inside the backoff after a failure, that says when a new token can be fetched.
  assert.equal(afterRetry.kind, 'info');
  assert.match(
    afterRetry.message,
    /^Not refreshed: The last token requests failed, so the next one waits\. A new token can be fetched in \d+ s\. The token of Alpha is valid until .+ \(1 h 54 min left\)\.$/,
  );
  assert.equal(h.services.tokens.peek('dingalpha0000001')?.accessToken, TOKEN, 'the valid token stays');

  await h.clock.advance(10 * 60_000);
  h.apis.window.answer = (shown) => (shown.kind === 'warning' ? 'Show Log' : undefined);
  h.apis.window.shown.length = 0;
  await h.run(COMMAND.refreshToken);
  assert.match(h.apis.window.shown[0].message, /The current token is valid for 1 h 44 min\./);
  assert.equal(h.logShown(), 1, 'Show Log shows the log');
});

test('a failure with no valid token is an error with Show Log', async () => {
  const h = await setUp();
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  h.fetch = async () => {
    throw new DingTalkError('invalidCredentials', 'HTTP 400', { code: 'invalidClientIdOrSecret', httpStatus: 400 });
  };
  await h.run(COMMAND.getToken);
  assert.deepEqual(
    h.apis.window.shown.map(({ kind, actions }) => ({ kind, actions })),
    [{ kind: 'error', actions: ['Show Log'] }],
  );
  assert.match(h.apis.window.shown[0].message, /^Could not get a token for Alpha\. DingTalk rejected the AppKey\/AppSecret \(invalidClientIdOrSecret\)/);
  assert.deepEqual(h.apis.window.progress, ['Fetching the access token of Alpha…'], 'a first fetch shows progress');
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
  assert.equal(pick.options.title, 'Switch App');
  assert.deepEqual(
    pick.entries.map((entry) => (isSeparator(entry) ? `— ${entry.separator}` : entry.label)),
    ['— Apps', 'Alpha', 'Beta', '— ', 'Add an app…'],
  );
  const [alpha, beta] = items(pick.entries);
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
  assert.equal(h.apis.window.picks[0].options.title, 'Remove App');
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
  assert.equal(items(pick.entries)[0].detail, 'no token yet', "the app's state under Get Access Token");
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
