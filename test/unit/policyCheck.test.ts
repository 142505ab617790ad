import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPolicyText, type LocatedProblem } from '../../src/core/policy/check';

/** The policy checked as it is typed: what the engine would say, once per mistake, under the part it is about. */

const TOOLS = ['get_access_token', 'refresh_access_token', 'token_status', 'list_apps', 'dingtalk_api_request'];

/** The text a problem's range covers. */
function covered(text: string, problem: LocatedProblem): string | undefined {
  const lines = text.split('\n');
  const { start, end } = problem.range;
  if (start.line === end.line) return lines[start.line - 1]?.slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1]?.slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1]?.slice(0, end.column - 1)].join('\n');
}

test('a wrong value is one problem under that value, and the file would not take effect', () => {
  const text = '{\n  "version": "1",\n  "default": "block"\n}\n';
  const { takesEffect, problems } = checkPolicyText(text, 'json', TOOLS);
  assert.equal(takesEffect, false);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.severity, covered(text, problem), problem.range.start]),
    [['mustBe', 'error', '"block"', { line: 3, column: 14 }]],
  );
});

test('two unknown keys in one object are two problems, each under its key', () => {
  const text = '{\n  "version": "1",\n  "tools": { "list_apps": { "acton": "deny", "limit": [] } }\n}';
  const { problems } = checkPolicyText(text, 'json', TOOLS);
  assert.deepEqual(
    problems.map((problem) => [problem.message, covered(text, problem)]),
    [
      ['tools.list_apps has unknown key "acton"', '"acton"'],
      ['tools.list_apps has unknown key "limit"', '"limit"'],
    ],
  );
});

test('a misspelled tool name is a warning under the name; the policy still takes effect', () => {
  const text = '{\n  "version": "1",\n  "hide": ["list_app"],\n  "tools": {\n    "get-access-token": { "action": "approve" }\n  }\n}\n';
  const { takesEffect, problems } = checkPolicyText(text, 'json', TOOLS);
  assert.equal(takesEffect, true);
  assert.deepEqual(
    problems.map((problem) => [problem.severity, covered(text, problem), problem.line]),
    [
      ['warning', '"list_app"', 3],
      ['warning', '"get-access-token"', 5],
    ],
  );
  assert.match(problems[1]?.message ?? '', /did you mean "get_access_token"/);
});

test('a mistake inside a rule is placed at the value, on its line and column', () => {
  const text = '{"version": "1",\n "tools": {"list_apps": {"rules": [\n   {"name": "r", "conditions": [{"path": "args.a", "op": "like", "value": 1}]}\n ]}}}';
  const [problem, ...rest] = checkPolicyText(text, 'json').problems;
  assert.ok(problem);
  assert.equal(rest.length, 0);
  assert.equal(problem.code, 'unknownOperator');
  assert.equal(covered(text, problem), '{"path": "args.a", "op": "like", "value": 1}');
  assert.equal(problem.range.start.line, 3);
});

test('a syntax error is placed where the parser stopped; an empty file on the first line', () => {
  const text = '{\n  "version": "1",\n  "tools": {,}\n}';
  const [problem] = checkPolicyText(text, 'json').problems;
  assert.ok(problem);
  assert.equal(problem.code, 'invalidJson');
  assert.deepEqual(problem.range.start, { line: 3, column: 13 });
  assert.deepEqual(checkPolicyText('  ', 'json').problems[0]?.range.start, { line: 1, column: 1 });
});

test('YAML problems cover their line from its first character', () => {
  const text = 'version: "1"\ndefault: block\n';
  const { takesEffect, problems } = checkPolicyText(text, 'yaml', TOOLS);
  assert.equal(takesEffect, false);
  assert.deepEqual(
    problems.map((problem) => [problem.code, covered(text, problem)]),
    [['mustBe', 'default: block']],
  );
});

test('a byte order mark does not shift the ranges', () => {
  const text = '\uFEFF{"version": "1", "default": "block"}';
  const [problem] = checkPolicyText(text, 'json').problems;
  assert.ok(problem);
  assert.equal(covered(text, problem), '"block"');
});
