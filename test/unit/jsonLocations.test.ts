import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLineOf } from '../../src/core/policy/file/jsonLocations';
import { parsePolicy } from '../../src/core/policy/file/parse';

test('jsonLineOf finds the line of each part of a JSON file, or of the nearest part that exists', () => {
  const text =
    '{\n  "version": "1",\n  "tools": {\n    "x": {\n      "rules": [\n        { "name": "a" },\n        {\n          "name": "b\\"q",\n          "conditions": [{"path": "args.a", "op": "eq", "value": [1, {"k": 2}]}]\n        }\n      ]\n    }\n  }\n}\n';
  const lineOf = jsonLineOf(text);
  assert.equal(lineOf([]), 1);
  assert.equal(lineOf(['version']), 2);
  assert.equal(lineOf(['tools', 'x']), 4);
  assert.equal(lineOf(['tools', 'x', 'rules', 0]), 6);
  assert.equal(lineOf(['tools', 'x', 'rules', 1]), 7);
  assert.equal(lineOf(['tools', 'x', 'rules', 1, 'name']), 8);
  assert.equal(lineOf(['tools', 'x', 'rules', 1, 'conditions', 0, 'op']), 9);
  assert.equal(lineOf(['tools', 'x', 'rules', 1, 'missing']), 7, 'a missing key is placed at its object');
  assert.equal(lineOf(['nothing', 'here']), 1);
});

test('jsonLineOf survives nesting far deeper than any policy without using the stack', () => {
  const deep = `{"version": "1",\n"x": ${'['.repeat(200_000)}${']'.repeat(200_000)},\n"after": 1}`;
  assert.equal(jsonLineOf(deep)(['after']), 3);
});

test("a multi-line JSON policy's errors name their lines; each problem carries its line for the Problems panel", () => {
  const result = parsePolicy(
    '{\n  "version": "1",\n  "tools": {\n    "x": { "rules": [{ "action": "deny" }] },\n    "y": { "rules": [{ "name": "r", "rate_limit": "5/week" }] }\n  }\n}\n',
  );
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(
    result.error,
    'tools.x.rules[0]: rule must have a name (line 4); tools.y.rules[0].rate_limit: rate_limit window must be "minute", "hour", or "day", got "week" (line 5)',
  );
  assert.deepEqual(
    result.failure.problems.map(({ line, severity }) => [line, severity]),
    [
      [4, 'error'],
      [5, 'error'],
    ],
  );
  const syntax = parsePolicy('{\n  "version": "1",\n  oops\n}');
  assert.deepEqual(!syntax.ok && syntax.failure.problems.map(({ line }) => line), [3]);
});
