// Group robots without the network: which webhooks are accepted, what DingTalk's robot answers mean, and how
// the 20-a-minute budget counts. The sends themselves are in test/integration/robots.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRobot, RobotError, robotSignature } from '../../src/core/dingtalk';
import { robotAnswerError } from '../../src/core/dingtalk/robots/answer';
import { robotSendUrl } from '../../src/core/dingtalk/robots/webhook';

const TOKEN = 'f00dfeedrobottoken0123456789abcdef0123456789abcdef0123456789abcd';
const LEGACY = 'https://oapi.dingtalk.com';

function refusal(robot: { name: string; webhook: string; secret?: string }, legacy = LEGACY): string {
  try {
    checkRobot(robot, legacy);
  } catch (error) {
    assert.ok(error instanceof RobotError && error.kind === 'badWebhook');
    assert.ok(!error.message.includes(TOKEN), 'the refusal never quotes the token');
    return error.message;
  }
  return 'accepted';
}

test('a webhook is accepted as DingTalk gives it, or as its bare access_token; sends go to the legacy base with the token only', () => {
  assert.equal(
    robotSendUrl({ name: 'a', webhook: `${LEGACY}/robot/send?access_token=${TOKEN}` }, LEGACY).toString(),
    `${LEGACY}/robot/send?access_token=${TOKEN}`,
  );
  assert.equal(robotSendUrl({ name: 'a', webhook: ` ${TOKEN} ` }, LEGACY).toString(), `${LEGACY}/robot/send?access_token=${TOKEN}`);
  // A gateway base with a path prefix keeps it; stale timestamp/sign parameters pasted along are dropped.
  assert.equal(
    robotSendUrl(
      { name: 'a', webhook: `https://gw.example.com/oapi/robot/send?access_token=${TOKEN}&timestamp=1&sign=x` },
      'https://gw.example.com/oapi',
    ).toString(),
    `https://gw.example.com/oapi/robot/send?access_token=${TOKEN}`,
  );
});

test('a webhook anywhere but the legacy base robot endpoint is refused, naming the robot and the host, never the token', () => {
  assert.match(
    refusal({ name: 'ops', webhook: `https://evil.example.com/robot/send?access_token=${TOKEN}` }),
    /^Robot "ops": its webhook is not DingTalk's robot endpoint on the configured legacy base \(https:\/\/oapi\.dingtalk\.com\/robot\/send\), so it is refused: it points at evil\.example\.com\. Nothing was sent\.$/,
  );
  assert.match(refusal({ name: 'ops', webhook: `${LEGACY}/topapi/robot/send?access_token=${TOKEN}` }), /not DingTalk's robot endpoint/);
  assert.match(
    refusal({ name: 'ops', webhook: `http://oapi.dingtalk.com/robot/send?access_token=${TOKEN}` }),
    /points at oapi\.dingtalk\.com/,
    'http is another origin',
  );
  assert.match(refusal({ name: 'ops', webhook: `https://${TOKEN}@oapi.dingtalk.com/robot/send?access_token=${TOKEN}` }), /credentials in it/);
  assert.match(refusal({ name: 'ops', webhook: `${LEGACY}/robot/send?access_token=short` }), /no usable access_token/);
  assert.match(refusal({ name: 'ops', webhook: 'not a webhook' }), /neither a URL nor an access_token/);
  assert.match(refusal({ name: 'ops', webhook: TOKEN, secret: 'not-a-sec-secret' }), /^Robot "ops": its signing secret is not one DingTalk issues/);
  assert.equal(refusal({ name: 'ops', webhook: TOKEN, secret: `SEC${'a1'.repeat(32)}` }), 'accepted');
});

test("the signature is DingTalk's documented one: base64 HmacSHA256 of timestamp + newline + secret, keyed by the secret", () => {
  // Worked by hand with openssl: printf '1700000000000\nSECexample' | openssl dgst -sha256 -hmac SECexample -binary | base64
  assert.deepEqual(robotSignature('SECexample', 1_700_000_000_000), { timestamp: '1700000000000', sign: 'uroalHrWHORz59talE1o26b8HuX2kOp8WlAN91F9Pj0=' });
});

test("DingTalk's robot answers are kinds of their own, named after the robot, with what to do", () => {
  const kind = (status: number, body: unknown) => robotAnswerError('ops', status, typeof body === 'string' ? body : JSON.stringify(body));
  assert.equal(kind(200, { errcode: 0, errmsg: 'ok' }), undefined);
  const cases: [unknown, string, RegExp][] = [
    [{ errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' }, 'signMismatch', /SEC secret .* clock/],
    [{ errcode: 310000, errmsg: 'keywords not in content, more: [x]' }, 'keywordMissing', /custom keywords/],
    [{ errcode: 310000, errmsg: 'ip 203.0.113.7 not in whitelist, more: [x]' }, 'ipNotAllowed', /IP address range/],
    [{ errcode: 300001, errmsg: 'token is not exist' }, 'tokenInvalid', /Copy its Webhook again/],
    [{ errcode: 400102, errmsg: '机器人已停用' }, 'robotDisabled', /enable it/],
    [{ errcode: 410100, errmsg: 'send too fast, exceed 20 times per minute' }, 'tooFast', /blocks it for 10 minutes/],
    [{ errcode: 40035, errmsg: '缺少参数 json' }, 'rejected', /\(40035: 缺少参数 json\); it was not delivered\.$/],
  ];
  for (const [body, expected, advice] of cases) {
    const error = kind(200, body)!;
    assert.equal(error.kind, expected);
    assert.match(error.message, /^DingTalk refused the message to robot "ops"/);
    assert.match(error.message, advice);
  }
  assert.equal(kind(200, { errcode: 410100 })!.retryAfterMs, 10 * 60_000);
  for (const status of [500, 502, 504]) {
    const late = kind(status, '<html>Bad Gateway</html>')!;
    assert.equal(late.kind, 'mayHaveBeenDelivered');
    assert.match(late.message, /may have been delivered\. It was not sent again/);
  }
  assert.equal(kind(404, 'not found')!.kind, 'rejected');
});
