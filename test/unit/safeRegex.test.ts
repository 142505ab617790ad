import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSafeRegex, MAX_MATCHED_LENGTH, MAX_PATTERN_LENGTH } from '../../src/core/policy/regex/matcher';

test("policy regexes match as Go's MatchString does: a search unless anchored", () => {
  const cases: [pattern: string, input: string, matches: boolean][] = [
    ['^feat/', 'feat/x', true],
    ['^feat/', 'xfeat/', false],
    ['a.c', 'zzabc', true],
    ['^(GET|HEAD)$', 'GET', true],
    ['^(GET|HEAD)$', 'GETS', false],
    ['\\d{3}', 'ab123', true],
    ['^\\d{3}$', '1234', false],
    ['[^a-z]', 'abc', false],
    ['[^a-z]', 'abC', true],
    ['(?i)^get$', 'GeT', true],
    ['/v1\\.0/robot/', '/v1.0/robot/x', true],
    ['/v1\\.0/robot/', '/v1x0/robot/x', false],
    ['^a*$', '', true],
    ['colou?r', 'color', true],
    ['x{2,}', 'xx', true],
    ['x{2,}', 'x', false],
    ['^x{1,2}$', 'xxx', false],
    ['^$', '', true],
    ['a|b', 'c', false],
    ['(?:a|ab)(?:c|bcd)d*', 'abcd', true],
    ['^(?P<v>v\\d)\\.0/', 'v1.0/', true],
    ['[\\w-]+@', 'a-b@', true],
    ['^[a-c-]$', '-', true],
    ['消息', '发送消息', true],
    ['^.$', '钉', true],
    ['^.$', '😀', true],
    ['\\bsend\\b', '/robot/send', true],
    ['\\bsend\\b', '/robot/sendall', false],
    ['\\Bend', 'send', true],
    ['\\Bend', 'end', false],
  ];
  for (const [pattern, input, matches] of cases) assert.equal(compileSafeRegex(pattern).test(input), matches, `${pattern} on ${JSON.stringify(input)}`);
});

test('patterns RE2 would refuse, or that are too large, are refused with the reason and where', () => {
  const refused: [string, RegExp][] = [
    ['(a', /missing "\)"/],
    ['a)', /unexpected "\)" at character 2/],
    ['[a', /missing "\]"/],
    ['\\1', /backreferences/],
    ['(?=a)', /lookaround/],
    ['a**', /repeated repetition/],
    ['*a', /nothing to repeat at character 1/],
    ['x{1000}', /at most 100/],
    ['\\q', /unsupported escape/],
    ['x'.repeat(MAX_PATTERN_LENGTH + 1), /at most 512/],
    ['(?:(?:x{100}){100}){100}', /too large a program/],
  ];
  for (const [pattern, message] of refused) assert.throws(() => compileSafeRegex(pattern), message, pattern.slice(0, 30));
});

test('a pattern that makes a backtracking engine hang is matched in linear time', { timeout: 30_000 }, () => {
  // (a+)+$ and a*a*a*a*b take minutes in JavaScript's RegExp on inputs a fraction of this size.
  const long = 'a'.repeat(20_000);
  assert.equal(compileSafeRegex('(a+)+$').test(`${long}!`), false);
  assert.equal(compileSafeRegex('a*a*a*a*b').test(long), false);
  assert.equal(compileSafeRegex('(x|x)*y').test('x'.repeat(20_000)), false);
});

test('text longer than the bound is left undecided, for the caller to fail closed', () => {
  const regex = compileSafeRegex('a');
  assert.equal(regex.test('a'.repeat(MAX_MATCHED_LENGTH)), true);
  assert.equal(regex.test('a'.repeat(MAX_MATCHED_LENGTH + 1)), undefined);
});
