import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCases } from '../../src/core/policy/cases/cases';
import { formatCaseResults, runPolicyCases, type CaseDecider } from '../../src/core/policy/cases/run';

const YAML_CASES = `cases:
  - name: a contact read is allowed
    tool: dingtalk_api_request
    args: { method: GET, path: /v1.0/contact/users/me }
    expect: allow
  - name: the fourth status call in a minute is denied
    tool: token_status
    calls: 4
    expect: deny
    rule: three a minute
`;

test('a YAML cases file gives each case its defaults and the line it starts on', () => {
  const parsed = parseCases(YAML_CASES, 'yaml');
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.cases.map(({ name, calls, args, line }) => ({ name, calls, args, line })),
    [
      { name: 'a contact read is allowed', calls: 1, args: { method: 'GET', path: '/v1.0/contact/users/me' }, line: 2 },
      { name: 'the fourth status call in a minute is denied', calls: 4, args: {}, line: 6 },
    ],
  );
});

test('a mistake in a cases file is named by where it is, with its line', () => {
  const json = '{\n  "cases": [\n    { "name": "x", "tool": "token_status", "expect": "allowed" }\n  ]\n}';
  const parsed = parseCases(json, 'json');
  assert.ok(!parsed.ok);
  assert.match(parsed.problem, /^cases\[0\]\.expect: /);
  assert.equal(parsed.line, 3);
  assert.ok(!parseCases('cases: [', 'yaml').ok);
  assert.ok(!parseCases('{"cases": [], "extra": 1}', 'json').ok, 'unknown keys and an empty list are refused');
});

test('a case passes only with the expected decision by the expected rule, judged on its last call', async () => {
  const parsed = parseCases(YAML_CASES, 'yaml');
  assert.ok(parsed.ok);
  // A policy that allows three calls a case, then denies by "three a minute".
  const newDecider = (): CaseDecider => {
    let calls = 0;
    return async () => (++calls > 3 ? { decision: 'deny', rule: 'three a minute' } : { decision: 'allow', rule: 'default:allow' });
  };
  const results = await runPolicyCases(parsed.cases, newDecider);
  assert.deepEqual(
    results.map((result) => result.passed),
    [true, true],
  );
  const [, fourthCall] = parsed.cases;
  assert.ok(fourthCall);
  const wrongRule = await runPolicyCases([{ ...fourthCall, rule: 'another rule' }], newDecider);
  assert.equal(wrongRule[0]?.passed, false);
  assert.equal(
    formatCaseResults(wrongRule),
    '✗ the fourth status call in a minute is denied: deny by "three a minute" (expected deny by "another rule")\n0 passed, 1 failed, 1 cases',
  );
});
