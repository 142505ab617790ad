// The standalone server's DINGTALK_APPS_FILE: a list of apps is read, and every way the file can be wrong
// gets a message that says what to fix without quoting the file (it holds appSecrets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { readApps } from '../../src/mcp/cli/appsFile';

const SECRET = 'app-secret-never-shown-0123456789';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apps-file-'));
let count = 0;

function appsFrom(content: string) {
  const file = path.join(dir, `apps-${count++}.json`);
  fs.writeFileSync(file, content);
  const result = readApps({ DINGTALK_APPS_FILE: file });
  assert.ok(!result.problem?.includes(SECRET), 'no problem quotes the file');
  return { ...result, problem: result.problem?.replace(file, 'FILE') };
}

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a list of apps is read; a missing, empty or non-text label shows the appKey, other fields are ignored', () => {
  const { apps, problem } = appsFrom(
    JSON.stringify([
      { appKey: 'ding1', appSecret: SECRET, label: 'Sales' },
      { appKey: 'ding2', appSecret: SECRET },
      { appKey: 'ding3', appSecret: SECRET, label: '' },
      { appKey: 'ding4', appSecret: SECRET, label: 7, note: 'kept out' },
    ]),
  );
  assert.equal(problem, undefined);
  assert.deepEqual(apps, [
    { appKey: 'ding1', appSecret: SECRET, label: 'Sales' },
    { appKey: 'ding2', appSecret: SECRET, label: 'ding2' },
    { appKey: 'ding3', appSecret: SECRET, label: 'ding3' },
    { appKey: 'ding4', appSecret: SECRET, label: 'ding4' },
  ]);
});

test('each kind of mistake has its own message and leaves no apps', () => {
  const cases: [string, string][] = [
    [
      `[{"appKey": "ding1", "appSecret": '${SECRET}'}]`,
      'DINGTALK_APPS_FILE FILE is not valid JSON; check its quotes (double quotes only) and commas. Its content is not shown because the file holds secrets.',
    ],
    [JSON.stringify({ appKey: 'ding1', appSecret: SECRET }), 'DINGTALK_APPS_FILE FILE must hold a JSON list of {appKey, appSecret, label}.'],
    ['null', 'DINGTALK_APPS_FILE FILE must hold a JSON list of {appKey, appSecret, label}.'],
    [JSON.stringify([{ appKey: 'ding1', appSecret: SECRET }, null]), 'DINGTALK_APPS_FILE FILE: entry 1 needs a non-empty appKey and appSecret.'],
    [JSON.stringify([SECRET]), 'DINGTALK_APPS_FILE FILE: entry 0 needs a non-empty appKey and appSecret.'],
    [JSON.stringify([{ appKey: '', appSecret: SECRET }]), 'DINGTALK_APPS_FILE FILE: entry 0 needs a non-empty appKey and appSecret.'],
    [JSON.stringify([{ appKey: 'ding1' }]), 'DINGTALK_APPS_FILE FILE: entry 0 needs a non-empty appKey and appSecret.'],
    [JSON.stringify([{ appKey: 42, appSecret: SECRET }]), 'DINGTALK_APPS_FILE FILE: entry 0 needs a non-empty appKey and appSecret.'],
    [
      JSON.stringify([
        { appKey: 'ding1', appSecret: SECRET },
        { appKey: 'ding1', appSecret: 'other' },
      ]),
      'DINGTALK_APPS_FILE FILE: appKey ding1 is listed twice.',
    ],
  ];
  for (const [content, message] of cases) assert.deepEqual(appsFrom(content), { apps: [], problem: message }, content.replace(SECRET, '…'));
});

test('an unreadable file says why by its error code', () => {
  const file = path.join(dir, 'missing.json');
  assert.deepEqual(readApps({ DINGTALK_APPS_FILE: file }), { apps: [], problem: `DINGTALK_APPS_FILE ${file} could not be read (ENOENT).` });
});

test('without a file, DINGTALK_APP_KEY and DINGTALK_APP_SECRET are one app, and one without the other is named', () => {
  assert.deepEqual(readApps({ DINGTALK_APP_KEY: 'ding1', DINGTALK_APP_SECRET: SECRET }), { apps: [{ appKey: 'ding1', appSecret: SECRET, label: 'ding1' }] });
  assert.equal(readApps({ DINGTALK_APP_KEY: 'ding1' }).problem, 'DINGTALK_APP_SECRET is not set; both are needed.');
  assert.match(readApps({}).problem ?? '', /^No credentials: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET, or DINGTALK_APPS_FILE/);
});

test('an apps file saved with a UTF-8 byte-order mark is read like any other', () => {
  const { apps, problem } = appsFrom(`\uFEFF${JSON.stringify([{ appKey: 'ding1', appSecret: SECRET, label: '销售' }])}`);
  assert.equal(problem, undefined);
  assert.deepEqual(apps, [{ appKey: 'ding1', appSecret: SECRET, label: '销售' }]);
});
