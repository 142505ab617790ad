// `npm run screenshots`: the pictures under docs/images, taken from the packaged extension in a real VS Code
// (code-server) against the emulator, in light, dark and high-contrast themes and in Simplified Chinese. Tests never write
// committed files; this script is the one place that does. Run `npm test` (or `npm run package` and
// `bash scripts/setup-vscode.sh`) first. Pictures are at 2× and cropped to what they show; `npm run screenshots --
// en-light zh-cn-dark` takes only those sets.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { DingTalkView, startVSCode } = require(path.join(root, 'out', 'test', 'e2e', 'harness', 'index.js'));
const { DingTalkEmulator, SANDBOX_SIGNED_ROBOT } = require(path.join(root, 'out', 'test', 'emulator', 'emulator.js'));
const images = path.join(root, 'docs', 'images');
const vsix = path.join(root, 'dingtalk-token.vsix');

const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern', 'high-contrast': 'Default High Contrast' };
const WORDS = {
  en: {
    setCredentials: 'DingTalk: Set App Credentials',
    inspect: 'DingTalk: Inspect Access Token',
    refresh: 'DingTalk: Refresh Access Token',
    refreshFailed: /Refreshing the token of .* failed/,
    addRobot: 'DingTalk: Add Robot',
    sendRobotMessage: 'DingTalk: Send Robot Message',
    robot: 'alerts',
    robotMessage: 'Deploy finished',
    labels: ['Sales Bot', 'HR Sync'],
  },
  'zh-cn': {
    setCredentials: 'DingTalk: 设置应用凭证',
    inspect: 'DingTalk: 查看访问令牌',
    refresh: 'DingTalk: 刷新访问令牌',
    refreshFailed: /刷新 .* 的访问令牌失败/,
    addRobot: 'DingTalk: 添加机器人',
    sendRobotMessage: 'DingTalk: 发送机器人消息',
    robot: '告警',
    robotMessage: '部署完成',
    labels: ['销售机器人', '人事同步'],
  },
};

const shots = [
  ['en', 'light'],
  ['en', 'dark'],
  ['en', 'high-contrast'],
  ['zh-cn', 'light'],
  ['zh-cn', 'dark'],
];

const chosen = process.argv.slice(2);
fs.mkdirSync(images, { recursive: true });
for (const [language, theme] of shots) if (!chosen.length || chosen.includes(`${language}-${theme}`)) await capture(language, theme);
console.log(`Screenshots written to ${path.relative(root, images)}/`);

async function capture(language, theme) {
  const words = WORDS[language];
  const apps = words.labels.map((label, index) => ({ appKey: `dingshot000${index + 1}`, appSecret: `screenshot-secret-${index + 1}`, label }));
  const emulator = await DingTalkEmulator.start({ apps });
  const vscode = await startVSCode({
    vsixPath: vsix,
    ...(language === 'en' ? {} : { locale: language }),
    settings: {
      'workbench.colorTheme': THEMES[theme],
      'dingtalkToken.apiBaseUrl': emulator.apiBaseUrl,
      'dingtalkToken.legacyApiBaseUrl': emulator.legacyApiBaseUrl,
    },
    viewport: { width: 1280, height: 760 },
    deviceScaleFactor: 2,
    timeoutMs: 180_000,
  });
  const suffix = `${language === 'en' ? '' : `-${language}`}-${theme}`;
  const file = (name) => path.join(images, `${name}${suffix}.png`);
  const EDITOR = '#workbench\\.parts\\.editor';
  const SIDEBAR = '#workbench\\.parts\\.sidebar';
  try {
    await vscode.statusBar.waitFor(/DingTalk|钉钉/, 90_000);
    // The inspect view before any app: its empty state.
    await vscode.palette.run(words.inspect);
    await vscode.webviews.waitFor(/./, 30_000);
    await vscode.page.waitForTimeout(800);
    await vscode.screenshot(file('inspect-empty'), EDITOR);
    await vscode.palette.run('View: Close All Editors');

    const view = new DingTalkView(vscode.page);
    await view.open();
    await vscode.page.waitForTimeout(800);
    await vscode.screenshot(file('view-welcome'), SIDEBAR);

    // A refused secret: the box keeps the AppKey and says why.
    await vscode.palette.run(words.setCredentials);
    await vscode.quickInput.answer(apps[0].appKey);
    await vscode.quickInput.submit('not-the-secret');
    await vscode.quickInput.waitForMessage(/invalidClientIdOrSecret/, 30_000);
    await vscode.screenshot(file('credentials-refused'), '.quick-input-widget');
    await vscode.quickInput.answer(apps[0].appSecret);
    await vscode.quickInput.answer(apps[0].label);
    for (const app of apps.slice(1)) {
      await vscode.palette.run(words.setCredentials);
      await vscode.quickInput.answer(app.appKey);
      await vscode.quickInput.answer(app.appSecret);
      await vscode.quickInput.answer(app.label);
    }
    // Adding apps keeps the first one active: the status bar and inspect show it.
    await vscode.statusBar.waitFor(new RegExp(`${apps[0].label} 1:59`), 30_000);
    await vscode.notifications.clear();
    await vscode.page.waitForTimeout(800);
    await vscode.screenshot(file('view'), SIDEBAR);
    if (theme === 'light') {
      // The walkthrough's pictures ship in the .vsix: the view alone and the status bar, small.
      const walkthrough = path.join(root, 'media', 'walkthrough');
      const lang = language === 'en' ? '' : `.${language}`;
      // Only the Apps section: every byte here is in the .vsix.
      const sidebar = await vscode.page.locator('#workbench\\.parts\\.sidebar').boundingBox();
      const small = { type: 'jpeg', quality: 80 };
      await vscode.page.screenshot({ ...small, path: path.join(walkthrough, `view${lang}.jpg`), clip: { ...sidebar, height: 140 } });
      await vscode.page.locator('.statusbar').screenshot({ ...small, path: path.join(walkthrough, `statusbar${lang}.jpg`) });
      // The README's status-bar picture is our item alone: the whole bar at this width is a speck.
      if (language === 'en')
        await vscode.page
          .locator('.statusbar-item', { hasText: apps[0].label })
          .first()
          .screenshot({ path: path.join(images, 'statusbar.png') });
    }

    // A refresh DingTalk fails while the token is still valid: the message says so, with Retry and Show Log.
    emulator.setFault({ kind: 'server500' });
    await vscode.palette.run(words.refresh);
    await vscode.notifications.waitFor(words.refreshFailed, 30_000);
    await vscode.page.waitForTimeout(500);
    await vscode.screenshot(file('refresh-failed'), '.notifications-toasts .notification-toast');
    emulator.setFault(null);
    await vscode.notifications.clear();

    await vscode.palette.run(words.inspect);
    await vscode.webviews.waitFor(new RegExp(apps[0].appKey), 30_000);
    await vscode.page.waitForTimeout(800);
    await vscode.screenshot(file('inspect'), EDITOR);
    await vscode.palette.run('View: Close All Editors');

    // A signed group robot, added and used from the palette: the Robots section shows its last send.
    await vscode.palette.run(words.addRobot);
    await vscode.quickInput.answer(`${emulator.legacyApiBaseUrl}/robot/send?access_token=${SANDBOX_SIGNED_ROBOT.token}`);
    await vscode.quickInput.answer(SANDBOX_SIGNED_ROBOT.secret);
    await vscode.quickInput.answer(words.robot);
    await vscode.notifications.clear();
    await vscode.palette.run(words.sendRobotMessage);
    await vscode.quickInput.pick(new RegExp(words.robot));
    await vscode.quickInput.answer(words.robotMessage);
    await view.waitForRobotRow(words.robot, /sent|已发送/, 30_000);
    await vscode.notifications.clear();
    await vscode.page.waitForTimeout(800);
    await vscode.screenshot(file('robots'), SIDEBAR);
  } finally {
    await vscode.close();
    await emulator.close();
  }
}
