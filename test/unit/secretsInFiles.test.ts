// Secrets in workspace files, in the extension: the warnings on open documents, the quick fixes, moving an
// AppSecret into SecretStorage (checked with a fake DingTalk) and the workspace scan, on fakes of VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretDiagnostics } from '../../src/extension/secrets/diagnostics';
import { quickFixesFor, ignoreSecretKind } from '../../src/extension/secrets/quickFixes';
import { moveAppSecret } from '../../src/extension/secrets/moveAppSecret';
import { moveRobot } from '../../src/extension/secrets/moveRobot';
import { scanWorkspace } from '../../src/extension/secrets/workspaceScan';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { harness } from '../support/fakeApis';
import { FakeSecretsApis } from '../support/devenvKit';

const SECRET = 'Qb4pZ0cW7yR2sV9tL1mN6kJ3hG8fD5aXe2Uo4Iu7Yt1Rw9Eq';
const HEX64 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const ENV = 'file:///work/shop/.env';
const ENV_TEXT = `PORT=3000\nDINGTALK_APP_KEY=dingshop00000001\nDINGTALK_APP_SECRET=${SECRET}\n`;

async function setUp() {
  const h = await harness();
  h.fetch = async ({ appKey, appSecret }) => {
    if (appSecret !== SECRET) throw new DingTalkError('invalidCredentials', 'HTTP 400', { code: 'invalidClientIdOrSecret', httpStatus: 400 });
    return { accessToken: `token-of-${appKey}`, expiresInSeconds: 7200 };
  };
  const files = new FakeSecretsApis();
  const diagnostics = new SecretDiagnostics(h.services, files);
  return Object.assign(h, { files, diagnostics });
}

test('an open .env with an AppSecret gets a DingTalk warning on the value; fixing the line clears it', async () => {
  const h = await setUp();
  h.files.type(ENV, ENV_TEXT);
  const [problem] = h.files.problems.get(ENV)!;
  assert.ok(problem);
  assert.deepEqual(
    { line: problem.line, start: problem.start, end: problem.end, code: problem.code },
    { line: 2, start: 20, end: 20 + SECRET.length, code: 'appSecret' },
  );
  assert.match(problem.message, /DingTalk AppSecret is written in this file/);
  h.files.type(ENV, 'DINGTALK_APP_SECRET=\n');
  assert.equal(h.files.problems.has(ENV), false);
});

test('the setting turns the warnings off, and an ignored kind is not shown', async () => {
  const h = await setUp();
  h.files.type(ENV, `${ENV_TEXT}WEBHOOK=https://oapi.dingtalk.com/robot/send?access_token=${HEX64}\n`);
  assert.equal(h.files.problems.get(ENV)!.length, 2);
  h.settings = { ...h.settings, secretScan: { enabled: true, ignore: ['robotWebhook'] } };
  h.diagnostics.refresh();
  assert.deepEqual(
    h.files.problems.get(ENV)!.map((problem) => problem.code),
    ['appSecret'],
  );
  h.settings = { ...h.settings, secretScan: { enabled: false, ignore: [] } };
  h.diagnostics.refresh();
  assert.equal(h.files.problems.size, 0);
});

test('quick fixes: Move AppSecret (preferred) and ignore on an AppSecret; Move Robot (preferred) and ignore on a robot webhook', async () => {
  const h = await setUp();
  h.files.type(ENV, `${ENV_TEXT}WEBHOOK=https://oapi.dingtalk.com/robot/send?access_token=${HEX64}\n`);
  const fixes = quickFixesFor(ENV, h.files.problems.get(ENV)!);
  assert.deepEqual(
    fixes.map((fix) => [fix.title, fix.fixes, fix.preferred ?? false]),
    [
      ['Move AppSecret to DingTalk SecretStorage', 0, true],
      ['Do Not Warn About DingTalk AppSecrets Here', 0, false],
      ['Move Robot to DingTalk SecretStorage', 1, true],
      ['Do Not Warn About DingTalk robot webhooks Here', 1, false],
    ],
  );
  await ignoreSecretKind(h.services, h.files, fixes[3]?.args[0]);
  assert.deepEqual(h.files.settingsWritten, [{ key: 'secretScan.ignore', value: ['robotWebhook'], where: 'workspace' }]);
  await ignoreSecretKind(h.services, h.files, 'somethingElse');
  assert.equal(h.files.settingsWritten.length, 1, 'an unknown kind from another extension is refused');
});

test('Move AppSecret: checks the pair with DingTalk, stores the app, empties the value as one edit and saves; the key stays', async () => {
  const h = await setUp();
  h.files.disk.set(ENV, ENV_TEXT);
  h.files.type(ENV, ENV_TEXT);
  h.files.open.get(ENV)!.isDirty = false;
  const [fix] = quickFixesFor(ENV, h.files.problems.get(ENV)!);
  assert.ok(fix);
  await moveAppSecret(h.services, h.files, fix.args[0]);
  assert.deepEqual(h.requests, [{ appKey: 'dingshop00000001', appSecret: SECRET }], 'one check, and its token kept: no second fetch');
  assert.equal(await h.services.credentials.secretFor('dingshop00000001'), SECRET);
  assert.equal(h.services.credentials.activeAppKey(), 'dingshop00000001');
  assert.equal(h.services.tokens.peek('dingshop00000001')?.accessToken, 'token-of-dingshop00000001');
  assert.equal(h.files.edits.length, 1);
  assert.equal(h.files.disk.get(ENV), 'PORT=3000\nDINGTALK_APP_KEY=dingshop00000001\nDINGTALK_APP_SECRET=\n');
  assert.match(h.apis.window.shown.at(-1)!.message, /\$\{command:dingtalkToken\.accessToken\}.*DINGTALK_ACCESS_TOKEN/);
  assert.ok(!h.log.join('\n').includes(SECRET) && !h.apis.window.allText().includes(SECRET));
});

test('Move AppSecret: when DingTalk refuses the pair nothing is stored and the file is left as it was', async () => {
  const h = await setUp();
  const wrong = ENV_TEXT.replace(SECRET, 'Zz9yXx8wVv7uTt6sRr5qPp4oNn3mLl2k');
  h.files.disk.set(ENV, wrong);
  h.files.type(ENV, wrong);
  await moveAppSecret(h.services, h.files, quickFixesFor(ENV, h.files.problems.get(ENV)!)[0]!.args[0]);
  assert.deepEqual(h.services.credentials.list(), []);
  assert.equal(h.files.edits.length, 0);
  assert.equal(h.files.disk.get(ENV), wrong);
  assert.match(h.apis.window.shown.at(-1)!.message, /did not accept .* nothing was stored and the file is unchanged.*invalidClientIdOrSecret/);
});

test('Move AppSecret: with no AppKey in the file it asks for one; Escape moves nothing', async () => {
  const h = await setUp();
  const text = `{ "appSecret": "${SECRET}" }`;
  h.files.type('file:///work/shop/config.json', text);
  const [fix] = quickFixesFor('file:///work/shop/config.json', h.files.problems.get('file:///work/shop/config.json')!);
  assert.ok(fix);
  await moveAppSecret(h.services, h.files, fix.args[0]);
  assert.equal(h.requests.length, 0);
  h.apis.window.typed.push('dingasked0000001');
  await moveAppSecret(h.services, h.files, fix.args[0]);
  assert.deepEqual(h.requests, [{ appKey: 'dingasked0000001', appSecret: SECRET }]);
  assert.equal(h.files.open.get('file:///work/shop/config.json')!.text, '{ "appSecret": "" }');
});

test('Move AppSecret: a span that no longer holds the secret, or not of the quick fix shape, moves nothing', async () => {
  const h = await setUp();
  h.files.type(ENV, ENV_TEXT);
  const span = quickFixesFor(ENV, h.files.problems.get(ENV)!)[0]!.args[0];
  h.files.type(ENV, `# moved\n${ENV_TEXT}`);
  await moveAppSecret(h.services, h.files, span);
  await moveAppSecret(h.services, h.files, { uri: ENV, line: -1 });
  assert.equal(h.requests.length, 0);
  assert.match(h.apis.window.shown.at(-1)!.message, /no longer on line 3/);
});

test('the workspace scan reports every hit, skips binaries and files over 1 MB, and stops when cancelled', async () => {
  const h = await setUp();
  h.files.disk.set(ENV, ENV_TEXT);
  h.files.disk.set('file:///work/shop/notify.py', `URL = "https://oapi.dingtalk.com/robot/send?access_token=${HEX64}"`);
  h.files.disk.set('file:///work/shop/logo.png', new Uint8Array([0x89, 0x50, 0, 0, ...new TextEncoder().encode(`appSecret=${SECRET}`)]));
  h.files.disk.set('file:///work/shop/huge.env', `DINGTALK_APP_SECRET=${SECRET}\n${'#'.repeat(1024 * 1024)}`);
  h.files.disk.set('file:///work/shop/node_modules/x/.env', `DINGTALK_APP_SECRET=${SECRET}`);
  h.files.disk.set('file:///work/shop/clean.json', '{}');
  const outcome = await scanWorkspace(h.services, h.files, h.diagnostics);
  assert.deepEqual(outcome, { listed: 5, scanned: 3, skipped: 2, filesWithSecrets: 2, secrets: 2, cancelled: false });
  assert.deepEqual([...h.files.problems.keys()].sort(), [ENV, 'file:///work/shop/notify.py']);
  assert.match(h.apis.window.shown.at(-1)!.message, /Found 2 DingTalk secret\(s\) in 2 of 3 files.*2 files skipped/);
  h.files.cancelAfter = 1;
  const cancelled = await scanWorkspace(h.services, h.files, h.diagnostics);
  assert.equal(cancelled.cancelled, true);
  assert.equal(cancelled.scanned + cancelled.skipped, 1);
  assert.match(h.apis.window.shown.at(-1)!.message, /^Scan cancelled\./);
});

const SEC = `SEC${'9f8e7d6c5b4a39281706f5e4d3c2b1a0'.repeat(2)}`;
const NOTIFY = 'file:///work/shop/notify.py';
const NOTIFY_TEXT = `WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=${HEX64}"\nSECRET = "${SEC}"\n`;

test('Move Robot: asks a name, stores the webhook and its SEC secret as a robot, empties both in one edit and saves', async () => {
  const h = await setUp();
  h.files.disk.set(NOTIFY, NOTIFY_TEXT);
  h.files.type(NOTIFY, NOTIFY_TEXT);
  h.files.open.get(NOTIFY)!.isDirty = false;
  const fixes = quickFixesFor(NOTIFY, h.files.problems.get(NOTIFY)!);
  const move = fixes.find((fix) => fix.title === 'Move Robot to DingTalk SecretStorage')!;
  assert.equal(move.preferred, true);
  h.apis.window.typed.push('deploys');
  await moveRobot(h.services, h.files, move.args[0]);
  assert.deepEqual(h.services.robots.store.list(), [{ name: 'deploys', signed: true }]);
  assert.deepEqual(await h.services.robots.store.credentials('deploys'), { name: 'deploys', webhook: HEX64, secret: SEC });
  assert.equal(h.files.edits.length, 1, 'one undoable edit');
  assert.equal(h.files.disk.get(NOTIFY), 'WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token="\nSECRET = ""\n');
  assert.match(h.apis.window.shown.at(-1)!.message, /Robot "deploys" is in DingTalk SecretStorage/);
  assert.ok(![HEX64, SEC].some((value) => h.log.join('\n').includes(value) || h.apis.window.allText().includes(value)));
});

test('Move Robot: a name already taken, too long, or Escape stores nothing and leaves the file as it was', async () => {
  const h = await setUp();
  await h.services.robots.store.add({ name: 'deploys', webhook: 'b'.repeat(64) });
  h.files.disk.set(NOTIFY, NOTIFY_TEXT);
  h.files.type(NOTIFY, NOTIFY_TEXT);
  const move = quickFixesFor(NOTIFY, h.files.problems.get(NOTIFY)!).find((fix) => fix.title === 'Move Robot to DingTalk SecretStorage')!;
  h.apis.window.typed.push('deploys', 'x'.repeat(500));
  for (let attempt = 0; attempt < 3; attempt++) await moveRobot(h.services, h.files, move.args[0]);
  assert.equal(h.apis.window.inputBoxOptions[0]?.validateInput!('deploys'), 'A robot named "deploys" already exists.');
  assert.deepEqual(await h.services.robots.store.credentials('deploys'), { name: 'deploys', webhook: 'b'.repeat(64) });
  assert.equal(h.files.edits.length, 0);
  assert.equal(h.files.disk.get(NOTIFY), NOTIFY_TEXT);
});
