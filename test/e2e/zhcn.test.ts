import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DingTalkEmulator } from '../emulator/emulator';
import { waitUntil } from './harness/wait';
import { assertCountdownNear, closeSession, DingTalkView, SESSION_START_TIMEOUT, startSession, type VSCodeSession } from './harness';

// The same extension in a VS Code whose display language is Simplified Chinese: the palette titles come
// from package.nls.zh-cn.json, everything the extension says from l10n/bundle.l10n.zh-cn.json.
const APP = { appKey: 'dinge2ezhcn0001', appSecret: 'e2e-zhcn-secret-5a7c3e', label: '沙箱应用' };
const SECOND = { appKey: 'dinge2ezhcn0002', appSecret: 'e2e-zhcn-secret-9b1d4f', label: '沙箱二号' };

let emulator: DingTalkEmulator;
let vscode: VSCodeSession;

before(
  async () => {
    ({ emulator, vscode } = await startSession({ apps: [APP, SECOND], locale: 'zh-cn' }));
  },
  { timeout: SESSION_START_TIMEOUT },
);

after(() => closeSession(vscode, emulator));

test('zh-cn: the status bar invites the person to set up, in Chinese', async () => {
  await vscode.statusBar.waitFor(/钉钉：去设置/, 90_000);
});

/** The walkthrough's step checkboxes, in order: true where the step shows as done. */
async function walkthroughSteps(): Promise<boolean[]> {
  const boxes = vscode.page.locator('.getting-started-step .codicon[role=checkbox]');
  await boxes.first().waitFor({ state: 'visible', timeout: 15_000 });
  return boxes.evaluateAll((elements: { className: string }[]) => elements.map((element) => element.className.includes('getting-started-step-checked')));
}

test('zh-cn: the walkthrough names the commands as the Chinese palette shows them, with nothing done yet', async () => {
  // VS Code's own UI stays English here (see the harness); the extension's walkthrough is Chinese.
  await vscode.palette.run('Welcome: Open Walkthrough...');
  await vscode.quickInput.pick(/开始使用/);
  const guide = await vscode.webviews.waitFor(/依次完成三步/, 30_000);
  assert.match(await guide.locator('body').innerText(), /DingTalk: 设置应用凭证/);
  assert.deepEqual(await walkthroughSteps(), [false, false, false]);
});

test('zh-cn: Set App Credentials asks in Chinese and explains a refusal in Chinese', async () => {
  await vscode.palette.run('DingTalk: 设置应用凭证');
  await vscode.quickInput.waitForOpen();
  assert.match((await vscode.quickInput.info()).title, /设置应用凭证/);
  await vscode.quickInput.answer(APP.appKey);
  await vscode.quickInput.submit('e2e-zhcn-wrong-secret');
  const message = await vscode.quickInput.waitForMessage(/请重新输入 dinge2ezhcn0001 的 AppSecret/, 30_000);
  assert.match(message, /invalidClientIdOrSecret: 无效的clientId或者clientSecret/, "DingTalk's own Chinese words beside its code");
  assert.equal(emulator.stats(APP.appKey).tokenIssued, 0);
  await vscode.page.keyboard.press('Escape');
});

test('zh-cn: with the right secret the countdown starts under the Chinese label', async () => {
  await vscode.palette.run('DingTalk: 设置应用凭证');
  await vscode.quickInput.answer(APP.appKey);
  await vscode.quickInput.answer(APP.appSecret);
  await vscode.quickInput.answer(APP.label);
  await vscode.notifications.waitFor(/已设置完成/, 30_000);
  assertCountdownNear(await vscode.statusBar.waitFor(/^沙箱应用 \d:\d\d:\d\d/, 30_000), emulator.secondsLeft(APP.appKey));
});

test('zh-cn: walkthrough steps complete when their state is reached: an app stored, a token fetched', async () => {
  await vscode.palette.run('Welcome: Open Walkthrough...');
  await vscode.quickInput.pick(/开始使用/);
  // It opens on the first step not yet done: the MCP server's.
  await vscode.webviews.waitFor(/MCP 服务器启动后，这一步即完成/, 30_000);
  assert.deepEqual(await walkthroughSteps(), [true, true, false], 'the MCP step waits for the server to start');
});

test('zh-cn: the DingTalk view reads the time left in Chinese, and the log is under the Chinese product name', async () => {
  const view = new DingTalkView(vscode.page);
  await view.open();
  await view.waitForAppRow(APP.label, /^沙箱应用 \| 1 小时 \d+ 分钟 · 当前 · dinge2ezhcn0001$/, 15_000);
  await vscode.palette.run('DingTalk: 显示日志');
  // The Output panel's channel picker shows the channel on screen by its name.
  const panel = vscode.page.locator('.part.panel');
  const shown = await waitUntil('the Output panel to show our log', 15_000, async () => {
    const selected = await panel
      .locator('select')
      .evaluateAll((selects: { selectedIndex: number; options: { text: string }[] }[]) =>
        selects.map((select) => select.options[select.selectedIndex]?.text ?? ''),
      );
    return selected.find((name) => name.includes('钉钉访问令牌')) ?? false;
  }).catch(async (error: Error) => {
    throw new Error(`${error.message}; the panel shows: ${(await panel.innerText().catch(() => '')).slice(0, 300)}`);
  });
  assert.equal(shown, '钉钉访问令牌');
});

test('zh-cn: a second app is set up beside the current one, with 设为当前应用 offered in Chinese', async () => {
  await vscode.notifications.clear();
  await vscode.palette.run('DingTalk: 设置应用凭证');
  await vscode.quickInput.answer(SECOND.appKey);
  await vscode.quickInput.answer(SECOND.appSecret);
  await vscode.quickInput.answer(SECOND.label);
  const setUp = /钉钉应用 沙箱二号 已设置完成/;
  // Chinese sentences join without a space after 。
  assert.match(
    await vscode.notifications.waitFor(setUp, 30_000),
    /^钉钉应用 沙箱二号 已设置完成，其访问令牌的剩余有效期为 (2 小时|1 小时 5\d 分钟)。状态栏和智能体仍使用 沙箱应用。$/,
  );
  assert.deepEqual(await vscode.notifications.buttons(setUp), ['设为当前应用']);
  await vscode.statusBar.waitFor(/^沙箱应用 \d:\d\d:\d\d/);
  await vscode.notifications.clickButton(setUp, '设为当前应用');
  await vscode.statusBar.waitFor(/^沙箱二号 \d:\d\d:\d\d/, 30_000);
});

test('zh-cn: a refresh DingTalk fails says in Chinese that the current token is still valid and when the next try is', async () => {
  await vscode.notifications.clear();
  emulator.setFault({ kind: 'server500' });
  try {
    await vscode.palette.run('DingTalk: 刷新访问令牌');
    const failed = /刷新 沙箱二号 的访问令牌失败：/;
    const message = await vscode.notifications.waitFor(failed, 30_000);
    assert.match(message, /当前令牌仍有效，剩余 (2 小时|1 小时 5\d 分钟)。将于 \d{1,2}:\d\d 自动重试。$/);
    assert.doesNotMatch(message, /。 /, 'no ASCII space after a full stop');
    assert.deepEqual(await vscode.notifications.buttons(failed), ['显示日志']);
  } finally {
    emulator.setFault(null);
  }
});

test('zh-cn: the Agents view says in Chinese whether the policy open in the editor would take effect', async () => {
  const policyFile = path.join(vscode.workspaceDir, '.vscode', 'dingtalk-mcp-policy.json');
  fs.mkdirSync(path.dirname(policyFile), { recursive: true });
  fs.writeFileSync(policyFile, '{\n  "version": "1",\n  "default": "block"\n}\n');
  const view = new DingTalkView(vscode.page);
  await view.open();
  await view.waitForAgentsRow('MCP 服务器', /^智能体需要时启动$/, 15_000);
  await vscode.palette.run('DingTalk: 打开 MCP 策略');
  await view.waitForAgentsRow('策略', /^不会生效：有 1 处错误待修正$/, 20_000);
  // Fixed on disk (a checkout, say): the open editor follows, and so does the row.
  fs.writeFileSync(policyFile, JSON.stringify({ version: '1', default: 'allow' }, undefined, 2));
  await view.waitForAgentsRow('策略', /^会生效$/, 20_000);
});
