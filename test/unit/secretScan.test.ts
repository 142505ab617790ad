// The secret detector (src/core/secretScan): what it flags and what it leaves alone, by file type, as a
// table; then the bounds (a minified file, a file full of secrets) and finding the AppKey beside a secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findAppKeyNear, findSecrets, MAX_HITS_PER_FILE, type SecretKind } from '../../src/core/secretScan';

const SECRET = 'Qb4pZ0cW7yR2sV9tL1mN6kJ3hG8fD5aXe2Uo4Iu7Yt1Rw9Eq';
const HEX64 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** [file name, line, the kind expected (or none), what the value is]. */
const FLAGGED: [string, string, SecretKind, string][] = [
  ['.env', `DINGTALK_APP_SECRET=${SECRET}`, 'appSecret', SECRET],
  ['.env.local', `export DINGTALK_APP_SECRET="${SECRET}"`, 'appSecret', SECRET],
  ['config/prod.env', `DING_CLIENT_SECRET=${SECRET}`, 'appSecret', SECRET],
  ['settings.json', `  "appSecret": "${SECRET}",`, 'appSecret', SECRET],
  ['application.yaml', `  app-secret: ${SECRET}`, 'appSecret', SECRET],
  ['config.yml', `dingtalk:\n  clientSecret: '${SECRET}'`, 'appSecret', SECRET],
  ['app.properties', `dingtalk.app.secret=${SECRET}`, 'appSecret', SECRET],
  ['pyproject.toml', `client_secret = "${SECRET}"`, 'appSecret', SECRET],
  ['settings.py', `DINGTALK_APP_SECRET = '${SECRET}'`, 'appSecret', SECRET],
  ['config.ts', `export default { appKey: 'dingabc123', appSecret: \`${SECRET}\` };`, 'appSecret', SECRET],
  ['client.js', `const client = new Client({ clientSecret: "${SECRET}" });`, 'appSecret', SECRET],
  ['deploy.sh', `curl "https://oapi.dingtalk.com/gettoken?appkey=dingabc123&appsecret=${SECRET}"`, 'legacyTokenUrl', SECRET],
  ['README.md', `GET https://oapi.dingtalk.com/gettoken?appkey=dingabc123&appsecret=${SECRET}`, 'legacyTokenUrl', SECRET],
  ['notify.py', `WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=${HEX64}"`, 'robotWebhook', HEX64],
  ['notes.txt', `https://oapi.dingtalk.com/robot/send?access_token=${HEX64}&timestamp=1`, 'robotWebhook', HEX64],
  ['.env', `ROBOT_SECRET=SEC${HEX64}`, 'robotSecret', `SEC${HEX64}`],
  ['robot.go', `secret := "SEC${HEX64}"`, 'robotSecret', `SEC${HEX64}`],
];

const NOT_FLAGGED: [string, string][] = [
  ['.env', 'DINGTALK_APP_SECRET='],
  ['.env', 'DINGTALK_APP_SECRET=${DINGTALK_APP_SECRET}'],
  ['.env', 'DINGTALK_APP_SECRET=$DINGTALK_APP_SECRET_FROM_VAULT'],
  ['.env.example', 'DINGTALK_APP_SECRET=<your app secret>'],
  ['.env.example', 'DINGTALK_APP_SECRET=<APP_SECRET_GOES_HERE>'],
  ['.env.example', 'DINGTALK_APP_SECRET=xxxxxxxxxxxxxxxxxxxxxxxx'],
  ['.env.example', 'DINGTALK_APP_SECRET=dingxxxxxxxxxxxxxxxxxxxxx'],
  ['.env.example', 'DINGTALK_APP_SECRET=your_app_secret_goes_here'],
  ['.env.example', 'DINGTALK_APP_SECRET=YourAppSecretFromTheConsole'],
  ['settings.json', '"appSecret": ""'],
  ['settings.json', '"appSecret": "{{ secrets.DINGTALK_APP_SECRET }}"'],
  ['config.yml', 'appSecret: ${DINGTALK_APP_SECRET}'],
  ['config.yml', 'appSecret: "********************"'],
  ['app.properties', 'dingtalk.app.secret=changeme'],
  ['settings.json', '"appSecret": "short"'],
  ['config.ts', 'const appSecret = process.env.DINGTALK_APP_SECRET;'],
  ['config.ts', 'appSecret: config.get("dingtalk.appSecret"),'],
  ['settings.py', 'APP_SECRET = os.environ["DINGTALK_APP_SECRET"]'],
  ['client.js', 'clientSecret:e.clientSecret,appKey:e.appKey'],
  // Another product's key is not DingTalk's.
  ['.env', `FEISHU_APP_SECRET=${SECRET}`],
  ['.env', `GITHUB_CLIENT_SECRET=${SECRET}`],
  ['.env', `DINGTALK_APP_SECRET_FILE=${SECRET}`],
  // Where a bare word is code, not a value; and prose where a key is only mentioned.
  ['client.js', `appSecret: ${SECRET},`],
  ['README.md', `Put DINGTALK_APP_SECRET=${SECRET} in your environment.`],
  // A webhook without its token, or with a token that is not DingTalk's 64 hex digits; SEC without 64 hex.
  ['notify.py', 'WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=${ROBOT_TOKEN}"'],
  ['notify.py', 'WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"'],
  ['.env', 'ROBOT_SECRET=SECxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
  ['.env', `ROBOT_SECRET=SEC${HEX64}00`],
  ['deploy.sh', 'curl "https://oapi.dingtalk.com/gettoken?appkey=$KEY&appsecret=$SECRET"'],
];

test('flagged: an AppSecret with a literal value, a legacy gettoken URL, a robot webhook token, a SEC secret', () => {
  for (const [file, text, kind, value] of FLAGGED) {
    const hits = findSecrets(text, file);
    assert.equal(hits.length, 1, `${file}: ${text} → ${JSON.stringify(hits)}`);
    const [hit] = hits;
    assert.ok(hit);
    assert.equal(hit.kind, kind, `${file}: ${text}`);
    assert.equal(text.split('\n')[hit.line]?.slice(hit.start, hit.end), value, `${file}: the value's columns`);
  }
});

test('not flagged: placeholders (${…}, <…>, xxx, your…, empty), code expressions, other products, prose', () => {
  for (const [file, text] of NOT_FLAGGED) assert.deepEqual(findSecrets(text, file), [], `${file}: ${text}`);
});

test('a minified bundle: the one secret in a 600 kB line is found at its column, and expressions beside it are not', () => {
  const chunk = 'function(e){return e.clientSecret||t.appSecret},n={appKey:e.appKey,clientSecret:e.clientSecret};';
  const before = chunk.repeat(3000);
  const text = `${before}var c={clientSecret:"${SECRET}"};${chunk.repeat(3000)}`;
  const hits = findSecrets(text, 'dist/app.min.js');
  assert.equal(hits.length, 1);
  assert.equal(hits[0]?.line, 0);
  assert.equal(text.slice(hits[0].start, hits[0].end), SECRET);
});

test('a file full of secrets reports at most MAX_HITS_PER_FILE of them', () => {
  const text = Array.from({ length: MAX_HITS_PER_FILE * 3 }, (_, index) => `DINGTALK_APP_SECRET=${SECRET}${index}`).join('\n');
  assert.equal(findSecrets(text, '.env').length, MAX_HITS_PER_FILE);
});

test('Windows line endings: the value ends before the \\r', () => {
  const [hit] = findSecrets(`A=1\r\nDINGTALK_APP_SECRET=${SECRET}\r\nB=2\r\n`, '.env');
  assert.ok(hit);
  assert.equal(hit.line, 1);
  assert.equal(hit.end - hit.start, SECRET.length);
});

test('the AppKey beside a secret: the nearest one in the file, from a key or the gettoken URL; none when only a placeholder', () => {
  const env = ['DINGTALK_APP_KEY=dingfarawayfaraway', '', '', '', 'DINGTALK_APP_KEY=dingnearbynearby', `DINGTALK_APP_SECRET=${SECRET}`].join('\n');
  assert.equal(findAppKeyNear(env, 5), 'dingnearbynearby');
  assert.equal(findAppKeyNear(`{ "clientId": "dingjson0000001", "clientSecret": "${SECRET}" }`, 0), 'dingjson0000001');
  assert.equal(findAppKeyNear(`gettoken?appkey=dingurl00000001&appsecret=${SECRET}`, 0), 'dingurl00000001');
  assert.equal(findAppKeyNear(`DINGTALK_APP_KEY=<your app key>\nDINGTALK_APP_SECRET=${SECRET}`, 1), undefined);
  assert.equal(findAppKeyNear(`DINGTALK_APP_KEY=dingxxxxxxxxxxxx\nDINGTALK_APP_SECRET=${SECRET}`, 1), undefined);
  assert.equal(findAppKeyNear(`DINGTALK_APP_SECRET=${SECRET}`, 0), undefined);
});
