// The standalone server's DINGTALK_ROBOTS_FILE: a list of robots is read, and every way the file can be wrong
// gets a message that says what to fix without quoting the file (it holds webhook tokens and SEC secrets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { readRobots } from '../../src/mcp/cli/robotsFile';

const TOKEN = 'robottokennevershown0123456789abcdef0123456789abcdef0123456789ab';
const SECRET = 'SECsecretnevershown0123456789abcdef0123456789abcdef0123456789abc';
const LEGACY = 'https://oapi.dingtalk.com';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'robots-file-'));
let count = 0;

function robotsFrom(content: string) {
  const file = path.join(dir, `robots-${count++}.json`);
  fs.writeFileSync(file, content);
  const result = readRobots({ DINGTALK_ROBOTS_FILE: file }, LEGACY);
  for (const problem of result.problems) assert.ok(!problem.includes(TOKEN) && !problem.includes(SECRET), 'no problem quotes the file');
  return { ...result, problems: result.problems.map((problem) => problem.replace(file, 'FILE')) };
}

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('robots are read with their webhook (URL or bare token) and optional secret; no file, no robots and no problem', () => {
  const { robots, problems } = robotsFrom(
    JSON.stringify([
      { name: 'builds', webhook: `${LEGACY}/robot/send?access_token=${TOKEN}` },
      { name: 'alerts', webhook: TOKEN, secret: SECRET, note: 'ignored' },
    ]),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(robots, [
    { name: 'builds', webhook: `${LEGACY}/robot/send?access_token=${TOKEN}` },
    { name: 'alerts', webhook: TOKEN, secret: SECRET },
  ]);
  assert.deepEqual(readRobots({}, LEGACY), { robots: [], problems: [] });
});

test('a robots file saved with a UTF-8 byte-order mark is read like any other', () => {
  const { robots, problems } = robotsFrom(`\uFEFF${JSON.stringify([{ name: '构建', webhook: TOKEN }])}`);
  assert.deepEqual(problems, []);
  assert.deepEqual(robots, [{ name: '构建', webhook: TOKEN }]);
});

test('a broken robots file gives no robots and a message that never quotes it', () => {
  assert.deepEqual(robotsFrom(`[{"name": "a", "webhook": "${TOKEN}",]`).problems, [
    'DINGTALK_ROBOTS_FILE FILE is not valid JSON; check its quotes (double quotes only) and commas. Its content is not shown because the file holds webhook tokens.',
  ]);
  assert.deepEqual(robotsFrom(JSON.stringify({ name: 'a', webhook: TOKEN })).problems, [
    'DINGTALK_ROBOTS_FILE FILE must hold a JSON list of {name, webhook, secret?}.',
  ]);
  assert.deepEqual(
    robotsFrom(
      JSON.stringify([
        { name: 'a', webhook: TOKEN },
        { name: 'b', webhook: 7, secret: SECRET },
      ]),
    ),
    {
      robots: [],
      problems: ['DINGTALK_ROBOTS_FILE FILE: robot "b" (entry 1) needs a name (1-100 characters), a webhook and, when it signs, a secret, all as text.'],
    },
  );
  assert.deepEqual(
    robotsFrom(
      JSON.stringify([
        { name: 'a', webhook: TOKEN },
        { name: 'a', webhook: TOKEN },
      ]),
    ).problems,
    ['DINGTALK_ROBOTS_FILE FILE: the name "a" is listed twice.'],
  );
  assert.match(robotsFrom(JSON.stringify([{ webhook: TOKEN }])).problems[0] ?? '', /^DINGTALK_ROBOTS_FILE FILE: entry 0 needs a name/);
});

test('a robot on another host, or with a secret that is not a SEC secret, is left out by name; the others stay', () => {
  const { robots, problems } = robotsFrom(
    JSON.stringify([
      { name: 'kept', webhook: TOKEN },
      { name: 'elsewhere', webhook: `https://hooks.example.org/robot/send?access_token=${TOKEN}` },
      { name: 'badsecret', webhook: TOKEN, secret: `x${SECRET}` },
    ]),
  );
  assert.deepEqual(
    robots.map((robot) => robot.name),
    ['kept'],
  );
  assert.deepEqual(problems, [
    `DINGTALK_ROBOTS_FILE FILE: Robot "elsewhere": its webhook is not DingTalk's robot endpoint on the configured legacy base (${LEGACY}/robot/send), so it is refused: it points at hooks.example.org. The robot is left out.`,
    'DINGTALK_ROBOTS_FILE FILE: Robot "badsecret": its signing secret is not one DingTalk issues (it starts with SEC, then letters and digits). Copy it again from the robot\'s security settings (加签). The robot is left out.',
  ]);
});
