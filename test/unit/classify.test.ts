import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAnswer, type AnswerKind } from '../../src/core/dingtalk/classify';

const answer = (status: number) => ({ status, headers: {}, text: '' });

// DingTalk's documented codes (服务端API错误码, the gateway's throttling and quota codes): code first, then status.
const CASES: Array<[string, number, Record<string, unknown>, AnswerKind | undefined, string?]> = [
  ['InvalidAuthentication at 400', 400, { code: 'InvalidAuthentication', message: '不合法的access_token' }, 'invalidToken'],
  ['InvalidAuthentication at 401', 401, { code: 'InvalidAuthentication' }, 'invalidToken'],
  ['missing token header', 400, { code: 'AuthenticationFailed.MissingParameter' }, 'invalidToken'],
  ['topapi 88 + "40014"', 200, { errcode: 88, sub_code: '40014', sub_msg: '不合法的access_token' }, 'invalidToken', '40014'],
  ['topapi 88 + "42001"', 200, { errcode: 88, sub_code: '42001' }, 'invalidToken', '42001'],
  ['topapi 88 + "40001"', 200, { errcode: 88, sub_code: '40001' }, 'invalidToken'],
  ['topapi 88 + "33001"', 200, { errcode: 88, sub_code: '33001' }, 'invalidToken'],
  ['top-level 40014', 200, { errcode: 40014 }, 'invalidToken'],
  ['top-level 42001', 200, { errcode: 42001 }, 'invalidToken'],
  ['QpsLimitForApi', 403, { code: 'Forbidden.AccessDenied.QpsLimitForApi' }, 'throttled'],
  ['QpsLimitForAppkeyAndApi', 403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' }, 'throttled'],
  ['QpmLimitForAppkeyAndApi', 403, { code: 'Forbidden.AccessDenied.QpmLimitForAppkeyAndApi' }, 'throttled'],
  ['QpsLimitForSuitekeyAndOrgAndApi', 403, { code: 'Forbidden.AccessDenied.QpsLimitForSuitekeyAndOrgAndApi' }, 'throttled'],
  ['legacy 90002', 200, { errcode: 90002 }, 'throttled'],
  ['legacy 90006', 200, { errcode: 90006 }, 'throttled'],
  ['legacy 90018', 200, { errcode: 90018 }, 'throttled'],
  ['legacy 90001', 200, { errcode: 90001 }, 'throttled'],
  ['429 with any code', 429, { code: 'Throttling' }, 'throttled'],
  ['ApiCountLimitForOrg', 403, { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg' }, 'quotaExceeded'],
  ['legacy 90020', 200, { errcode: 90020 }, 'quotaExceeded'],
  [
    'IpNotInWhiteList',
    403,
    { code: 'Forbidden.AccessDenied.IpNotInWhiteList', message: '访问ip不在白名单之中,request ip=198.51.100.4 appKey(x)' },
    'ipNotWhitelisted',
  ],
  ['legacy 60020', 200, { errcode: 60020, errmsg: '访问ip不在白名单之中,request ip=198.51.100.4' }, 'ipNotWhitelisted'],
  [
    'AccessTokenPermissionDenied',
    403,
    { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', accessdenieddetail: { requiredScopes: ['Contact.User.Read'] } },
    'permissionDenied',
  ],
  ['topapi 88 + "60011"', 200, { errcode: 88, sub_code: '60011', sub_msg: '没有调用该接口的权限' }, 'permissionDenied'],
  ['success', 200, { errcode: 0, errmsg: 'ok' }, undefined],
  ['a business error', 200, { errcode: 40035, errmsg: '缺少参数' }, undefined],
  ['topapi 88 with another sub_code', 200, { errcode: 88, sub_code: 'isv.invalid-parameter' }, undefined],
  ['unknown method', 200, { errcode: 22, errmsg: 'Invalid method' }, undefined],
  ['a 5xx', 500, { code: 'ServiceUnavailable' }, undefined],
  ['a 403 with another code', 403, { code: 'Forbidden.NoPermission' }, undefined],
];

for (const [name, status, body, kind, code] of CASES) {
  test(`classify: ${name} → ${kind ?? 'not a refusal'}`, () => {
    const facts = classifyAnswer(answer(status), body);
    assert.equal(facts?.kind, kind);
    if (code) assert.equal(facts?.code, code);
  });
}

test('classify: the facts name the IP and the scopes, bounded, and nothing else from a hostile answer', () => {
  assert.equal(classifyAnswer(answer(403), CASES[20]![2])?.ip, '198.51.100.4');
  assert.deepEqual(classifyAnswer(answer(403), CASES[22]![2])?.requiredScopes, ['Contact.User.Read']);
  assert.deepEqual(
    classifyAnswer(answer(200), { errcode: 88, sub_code: '60011', sub_msg: '应用尚未开通所需的权限：[qyapi_get_member, qyapi_get_department_list]' })
      ?.requiredScopes,
    ['qyapi_get_member', 'qyapi_get_department_list'],
  );
  const hostile = classifyAnswer(answer(403), {
    code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
    message: 'x'.repeat(100_000),
    accessdenieddetail: { requiredScopes: [...Array.from({ length: 1000 }, (_, i) => `scope${i}`), '<script>', 42] },
  })!;
  assert.ok(hostile.said!.length <= 200);
  assert.equal(hostile.requiredScopes!.length, 20);
  assert.ok(!hostile.requiredScopes!.includes('<script>'));
});
