// activate()'s wiring over fake apis (test/support/fakeApis.ts): what a person sees right after VS Code starts
// the extension, and what a settings change does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { start, type ActivationContext } from '../../src/extension/activation';
import { fakeApis, FakeSecrets, type FakeApis } from '../support/fakeApis';
import { FakeMemento, FakeSecretsApis, FakeTerminalEnvironment, FakeTrust } from '../support/devenvKit';

async function activated(apis: FakeApis): Promise<{ dispose(): void }> {
  const subscriptions: { dispose(): unknown }[] = [];
  const globalState = new Map<string, unknown>();
  const context = {
    subscriptions,
    secrets: new FakeSecrets(),
    globalState: {
      get: (key: string) => globalState.get(key),
      update: async (key: string, value: unknown) => void globalState.set(key, value),
      keys: () => [],
    },
    workspaceState: new FakeMemento(),
    // Never written: nothing here counts a limited call or a robot send.
    globalStorageUri: { fsPath: path.join(os.tmpdir(), 'dingtalk-activation-unused') },
    extension: { packageJSON: { version: '0.1.0' } },
  } as unknown as ActivationContext;
  await start(context, apis, { trust: new FakeTrust(), terminal: new FakeTerminalEnvironment(), secrets: new FakeSecretsApis() });
  return { dispose: () => subscriptions.forEach((subscription) => void subscription.dispose()) };
}

test('on a fresh install the status bar invites setting up, the walkthrough has nothing done, and the log says it started', async (t) => {
  const apis = fakeApis();
  const extension = await activated(apis);
  t.after(() => extension.dispose());
  assert.equal(apis.window.statusBarItems[0]?.text, '$(key) DingTalk: Set up');
  const keys = apis.executed.filter(({ id }) => id === 'setContext').map(({ args }) => args);
  assert.deepEqual(keys, [
    ['dingtalkToken.hasApp', false],
    ['dingtalkToken.hasToken', false],
    ['dingtalkToken.mcpRunning', false],
  ]);
  assert.ok(apis.commandHandlers.has('dingtalkToken.setCredentials'), 'the commands are registered');
  assert.deepEqual([...apis.treeViews.keys()], ['dingtalkToken.apps', 'dingtalkToken.agents', 'dingtalkToken.robots']);
  assert.match(apis.window.logChannels[0]?.lines.join('\n') ?? '', /info Activated in \d+ ms with 0 app\(s\); token API v1 at https:\/\/api\.dingtalk\.com/);
  assert.deepEqual(apis.window.shown, [], 'nothing to warn about');
});

test('a setting out of range is logged by name and the person is told once, with Show Log', async (t) => {
  const apis = fakeApis();
  apis.configuration.set('dingtalkToken.requestTimeoutMs', 5);
  apis.window.answer = () => 'Show Log';
  const extension = await activated(apis);
  t.after(() => extension.dispose());
  const log = apis.window.logChannels[0];
  assert.ok(log);
  assert.ok(log.lines.includes('warn dingtalkToken.requestTimeoutMs is 5, outside the range 1000–120000 ms; using 1000.'), log.lines.join('\n'));
  assert.equal(apis.window.shown.length, 1);
  assert.match(apis.window.shown[0]?.message ?? '', /out of range or of the wrong type/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(log.shown, 1, 'Show Log opened the log');
});

test('changing the settings applies at once: turning the status bar off hides it', async (t) => {
  const apis = fakeApis();
  const extension = await activated(apis);
  t.after(() => extension.dispose());
  const item = apis.window.statusBarItems[0];
  assert.equal(item?.visible, true);
  apis.configuration.set('dingtalkToken.statusBar.enabled', false);
  apis.configurationChanged.fire();
  assert.equal(item?.visible, false);
});
