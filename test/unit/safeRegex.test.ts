import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSafeRegex, matchCountingSteps, MAX_MATCHED_LENGTH, MAX_PATTERN_LENGTH, MAX_STEPS } from '../../src/core/policy/regex/matcher';
import { parsePolicy } from '../../src/core/policy/file/parse';

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
    ['(?:(?:x{100}){100}){100}', /more than 16777216 steps on a 65536-character argument/],
    ['[[:foo:]]', /unknown class \[:foo:\] .* at character 2/],
    ['[a-\\d]', /invalid range in a class/],
    ['\\é', /unsupported escape/],
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

/** A negated class of `count` separate ranges (or single characters) outside ASCII, as a hostile policy would write it. */
const negatedClass = (count: number, width: number) =>
  `[^${Array.from({ length: count }, (_, i) => {
    const low = 0x100 + i * (width + 2);
    return width === 0 ? String.fromCodePoint(low) : `${String.fromCodePoint(low)}-${String.fromCodePoint(low + width - 1)}`;
  }).join('')}]`;

test('a pattern whose matching could stall every call is refused when the policy loads, saying why', () => {
  for (const pattern of [`(?i)(?:${negatedClass(60, 2)}{100}){9}Z`, `${negatedClass(249, 0)}{100}`]) {
    assert.throws(() => compileSafeRegex(pattern), /matching it could take more than 16777216 steps on a 65536-character argument/);
  }
  const policy = JSON.stringify({
    version: '1',
    tools: { x: { rules: [{ name: 'r', conditions: [{ path: 'args.text', op: 'regex', value: `${negatedClass(249, 0)}{100}` }] }] } },
  });
  const result = parsePolicy(policy);
  assert.match(!result.ok ? result.error : 'ok', /^tools\.x\.rules\[0\]\.conditions\[0\]: invalid regex ".*…": matching it could take more than/);
});

test('the costliest patterns under the bound finish within their step count on the longest argument', () => {
  const worst = [
    { pattern: '[^a]{80}c', input: 'b' },
    { pattern: '(?:[^a]|b){35}c', input: 'b' },
    { pattern: `(?i)(?:${negatedClass(7, 2)}{20}){2}Z`, input: 'q' },
    { pattern: '(?:b?){80}c', input: 'b' },
  ];
  for (const { pattern, input } of worst) {
    const { maxSteps } = compileSafeRegex(pattern);
    assert.ok(maxSteps <= MAX_STEPS && maxSteps > MAX_STEPS / 4, `${pattern} is near the bound: ${maxSteps}`);
    const { matched, steps } = matchCountingSteps(pattern, input.repeat(MAX_MATCHED_LENGTH));
    assert.equal(matched, false);
    assert.ok(steps <= maxSteps && steps > maxSteps / 2, `${pattern}: ${steps} steps, bound ${maxSteps}`);
  }
});

test('a pattern anchored with ^ and bounded repeats may cost more per character: it stops once it can no longer match', () => {
  const pattern = '^(?:[A-Za-z0-9_-]{1,100}){1,10}$';
  assert.ok(compileSafeRegex(pattern).maxSteps <= MAX_STEPS);
  const { matched, steps } = matchCountingSteps(pattern, 'a'.repeat(MAX_MATCHED_LENGTH));
  assert.equal(matched, false);
  assert.ok(steps <= compileSafeRegex(pattern).maxSteps);
});

test('RE2 semantics: POSIX classes, case folding under (?i), \\s without \\v, and \\v', () => {
  const cases: [pattern: string, input: string, matches: boolean][] = [
    ['^[[:alpha:]]+$', 'abcXYZ', true],
    ['^[[:alpha:]]+$', 'ab:c', false],
    ['^[[:alpha:]]+$', 'a]', false],
    ['^[[:^digit:]x]+$', 'ab', true],
    ['^[[:^digit:]]+$', 'a1', false],
    ['^[[:space:]]$', '\v', true],
    ['^[[:punct:]]+$', '!/:@[`{~', true],
    ['(?i)^[[:upper:]]$', 'q', true],
    ['(?i)k', '\u212a', true],
    ['(?i)K', '\u212a', true],
    ['(?i)\u212a', 'k', true],
    ['k', '\u212a', false],
    ['(?i)s', '\u017f', true],
    ['(?i)^[a-z]+$', '\u212a\u017f', true],
    ['(?i)^[^k]$', '\u212a', false],
    ['(?i)^\\W$', '\u212a', false],
    ['(?i)ß', '\u1e9e', true],
    ['(?i)i', '\u0131', false],
    ['(?i)σ', 'ς', true],
    ['^\\s$', '\v', false],
    ['^[\\s]$', '\v', false],
    ['^\\S$', '\v', true],
    ['^\\s+$', ' \t\n\f\r', true],
    ['^\\v$', '\v', true],
    ['^\\v$', '\n', false],
    ['^[\\t-\\r]+$', '\t\v\r', true],
    ['^\\a$', '\x07', true],
  ];
  for (const [pattern, input, matches] of cases) assert.equal(compileSafeRegex(pattern).test(input), matches, `${pattern} on ${JSON.stringify(input)}`);
});
