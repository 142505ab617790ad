// Robot sends from two VS Code windows of one person, each a whole extension started by activate()'s wiring over fake
// apis, sharing one global storage folder as real windows do, sending to the DingTalk emulator's robot.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DingTalkEmulator, SANDBOX_ROBOT_TOKEN } from '../emulator/emulator';
import { fakeApis, FakeSecrets, type FakeApis } from '../support/fakeApis';
import { FakeMemento, FakeSecretsApis, FakeTerminalEnvironment, FakeTrust } from '../support/devenvKit';
import { FakeClock } from '../support/fakeClock';
import { start, type ActivationContext } from '../../src/extension/activation';
import type { Services } from '../../src/extension/services';
import { RobotError } from '../../src/core/dingtalk';
import * as serverBundle from '../../src/mcp/bundle';

const ROBOT = 'builds';
/** The robot's row in the Robots view: what its inline Send command is given. */
const ROBOT_ROW = { kind: 'robot', name: ROBOT };
const made: string[] = [];
after(() => Promise.all(made.map((dir) => fs.rm(dir, { recursive: true, force: true }))));

async function globalStorage(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'window-robots-'));
  made.push(dir);
  return dir;
}

interface Window {
  services: Services;
  apis: FakeApis;
}

/**
 * One window: the extension activated over `storage` with the robot added. Its clock sits at the start of a minute an
 * hour ahead, so every send of a test falls in one calendar minute (the counters file drops windows that ended).
 */
async function openWindow(t: { after(fn: () => void): void }, storage: string, emulator: DingTalkEmulator, clock: FakeClock): Promise<Window> {
  const apis = fakeApis();
  apis.configuration.set('dingtalkToken.legacyApiBaseUrl', emulator.legacyApiBaseUrl);
  const subscriptions: { dispose(): unknown }[] = [];
  const globalState = new FakeMemento();
  const context = {
    subscriptions,
    secrets: new FakeSecrets(),
    globalState: Object.assign(globalState, { keys: () => [...globalState.values.keys()], setKeysForSync: () => undefined }),
    workspaceState: new FakeMemento(),
    globalStorageUri: { fsPath: storage },
    extension: { packageJSON: { version: '0.1.0' } },
  } as unknown as ActivationContext;
  const devenv = { trust: new FakeTrust(), terminal: new FakeTerminalEnvironment(), secrets: new FakeSecretsApis() };
  const services = await start(context, apis, devenv, { clock, loadServer: () => serverBundle });
  t.after(() => subscriptions.forEach((subscription) => void subscription.dispose()));
  await services.robots.store.add({ name: ROBOT, webhook: `${emulator.legacyApiBaseUrl}/robot/send?access_token=${SANDBOX_ROBOT_TOKEN}` });
  return { services, apis };
}

const nextMinuteAnHourAhead = () => Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000;

test('two windows sending 25 messages to one robot share its 20 a minute: 20 reach DingTalk, 5 are refused before they leave, and DingTalk never blocks the robot', async (t) => {
  const clock = new FakeClock(nextMinuteAnHourAhead());
  const emulator = await DingTalkEmulator.start({ now: () => clock.now() });
  t.after(() => emulator.close());
  const storage = await globalStorage();
  const windows = [await openWindow(t, storage, emulator, clock), await openWindow(t, storage, emulator, clock)] as const;

  const sends = await Promise.allSettled(
    Array.from({ length: 25 }, (_, i) => windows[i % 2 === 0 ? 0 : 1].services.robots.sender.send(ROBOT, { msgtype: 'text', text: { content: `build ${i}` } })),
  );
  assert.equal(emulator.robots.deliveries(SANDBOX_ROBOT_TOKEN).length, 20);
  const refused = sends.flatMap((send) => (send.status === 'rejected' ? [send.reason as unknown] : []));
  assert.deepEqual(
    refused.map((error) => (error instanceof RobotError ? error.kind : String(error))),
    Array(5).fill('localLimit'),
    'refused here, with nothing sent: DingTalk never answered "send too fast"',
  );

  // Told when a send fits again, both windows may send then, and DingTalk takes it.
  const wait = Math.max(...refused.map((error) => (error as RobotError).retryAfterMs ?? 0));
  await clock.advance(wait - 1);
  await assert.rejects(windows[1].services.robots.sender.send(ROBOT, { msgtype: 'text', text: { content: 'too soon' } }), /may not send now/);
  await clock.advance(1);
  await windows[1].services.robots.sender.send(ROBOT, { msgtype: 'text', text: { content: 'later' } });
  assert.equal(emulator.robots.deliveries(SANDBOX_ROBOT_TOKEN).length, 21);
});

test('Send Robot Message from the Robots view with a counter store that cannot be used sends nothing and says why, naming the setting', async (t) => {
  const clock = new FakeClock(nextMinuteAnHourAhead());
  const emulator = await DingTalkEmulator.start({ now: () => clock.now() });
  t.after(() => emulator.close());
  const window = await openWindow(t, await globalStorage(), emulator, clock);
  window.apis.configuration.set('dingtalkToken.mcp.counterStore', 'memcached://cache.example:11211');
  window.apis.configurationChanged.fire();

  window.apis.window.typed.push('deploy finished');
  await window.apis.commandHandlers.get('dingtalkToken.sendRobotMessage')!(ROBOT_ROW);
  assert.equal(emulator.robots.deliveries().length, 0);
  const error = window.apis.window.shown.find((shown) => shown.kind === 'error');
  assert.match(
    error?.message ?? '',
    /^Robot "builds" did not send: its 20 messages a minute are counted in the counter store \(dingtalkToken\.mcp\.counterStore\), which cannot be used now, so nothing was sent\. dingtalkToken\.mcp\.counterStore: The counter store must be a redis:\/\/ or rediss:\/\/ URL/,
  );

  window.apis.configuration.set('dingtalkToken.mcp.counterStore', '');
  window.apis.configurationChanged.fire();
  window.apis.window.typed.push('deploy finished');
  await window.apis.commandHandlers.get('dingtalkToken.sendRobotMessage')!(ROBOT_ROW);
  assert.equal(emulator.robots.deliveries().length, 1, 'sends again once the setting names a usable store');
});
