import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MUST_BE, POLICY_PROBLEMS, REGEX_PROBLEMS, type PolicyProblemCode, type ProblemParams } from '../../src/core/policy/problems';
import { parsePolicy } from '../../src/core/policy/file/parse';
import { applyPolicyRead } from '../../src/core/policy/apply';
import { PolicyEngine } from '../../src/core/policy/engine';
import type { PolicyFileRead } from '../../src/core/policy/file/read';

import * as l10n from '@vscode/l10n';
import { MUST_BE_WORDS, PROBLEM_WORDS, REGEX_WORDS, wordFailure, wordProblem, wordReport, wordUnknownEntries } from '../../src/extension/wording/policyWording';

const root = path.join(__dirname, '../../..');
const apply = (engine: PolicyEngine, read: PolicyFileRead) => applyPolicyRead(engine, read, { knownTools: ['get_access_token', 'list_apps'] });
const bundle = JSON.parse(readFileSync(path.join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

/**
 * Words read with VS Code's zh-cn bundle handed to @vscode/l10n, as activate() does for a zh-cn person; outside
 * it, with no bundle: English. (test/unit/l10n.test.ts checks every message has a translation.)
 */
function inChinese<T>(read: () => T): T {
  l10n.config({ contents: bundle });
  try {
    return read();
  } finally {
    l10n.config({ contents: {} });
  }
}

/** Parameters of each code, as the core gives them. */
const SAMPLES: Record<PolicyProblemCode, ProblemParams[]> = {
  emptyFile: [{ needs: '{"version": "1"}' }],
  invalidJson: [{ detail: 'Unexpected token', line: 3, column: 5 }, { detail: 'Unexpected end of JSON input' }],
  invalidYaml: [{ detail: 'Map keys must be unique', line: 2, column: 1 }, { detail: 'Excessive alias count' }],
  required: [{ at: 'version' }, { at: '' }],
  mustBe: Object.keys(MUST_BE).map((what) => ({ at: 'tools.x', what, operators: 'eq, neq', max: 1e12 })),
  unknownKeys: [
    { at: 'tools.x', count: 1, keys: '"acton"' },
    { at: '', count: 2, keys: '"a", "b"' },
  ],
  repeatedLimit: [{ at: 'tools.x.limits[1]', counter: 'c', window: 'minute', scope: 'grant', first: 0 }],
  reasonWithoutDeny: [{ at: 'tools.x.reason' }],
  withDeny: [{ at: 'tools.x.limits' }],
  notUnderStar: [{ at: 'tools["*"].action' }],
  repeatedHide: [{ at: 'hide[1]', name: 'list_apps' }],
  other: [{ at: 'tools', text: 'Invalid key in record' }],
  duplicateCounter: [{ at: 'tools.x.rules[1]', counter: 'c', first: 0 }],
  ruleName: [{ at: 'tools.x.rules[0]' }],
  ruleAction: [{ at: 'tools.x.rules[0].action', action: 'allow' }],
  rateLimitFormat: [{ at: 'tools.x.rules[0].rate_limit', text: '5' }],
  rateLimitCount: [{ at: 'tools.x.rules[0].rate_limit', count: '0' }],
  rateLimitMax: [{ at: 'tools.x.rules[0].rate_limit', count: '9999999999', max: 1e9 }],
  rateLimitWindow: [{ at: 'tools.x.rules[0].rate_limit', window: 'week' }],
  rateLimitCombined: [{ at: 'tools.x.rules[0]' }],
  rateLimitAction: [{ at: 'tools.x.rules[0]', action: 'deny' }],
  denyConditions: [{ at: 'tools.x.rules[0]' }],
  evaluateNoConditions: [{ at: 'tools.x.rules[0]' }],
  denyState: [{ at: 'tools.x.rules[0]' }],
  counterEmpty: [{ at: 'tools.x.rules[0].state.counter' }],
  counterDot: [{ at: 'tools.x.rules[0].state.counter' }],
  stateWindow: [{ at: 'tools.x.rules[0].state.window', window: 'week' }],
  incrementFromPath: [{ at: 'tools.x.rules[0].state.increment_from', path: 'amount' }],
  incrementBoth: [{ at: 'tools.x.rules[0].state' }],
  counterReference: [{ at: 'tools.x.rules[0].conditions[0]', scope: 'x', counter: 'c' }],
  pathStart: [{ at: 'tools.x.rules[0].conditions[0]', path: 'amount' }],
  argsPath: [{ at: 'tools.x.rules[0].conditions[0]', path: 'args.' }],
  statePath: [{ at: 'tools.x.rules[0].conditions[0]', path: 'state.x' }],
  unknownOperator: [{ at: 'tools.x.rules[0].conditions[0]', op: 'like', operators: 'eq, neq' }],
  needsList: [{ at: 'tools.x.rules[0].conditions[0]', op: 'in' }],
  needsNumber: [{ at: 'tools.x.rules[0].conditions[0]', op: 'lt' }],
  existsBoolean: [{ at: 'tools.x.rules[0].conditions[0]' }],
  needsValue: [{ at: 'tools.x.rules[0].conditions[0]', op: 'eq' }],
  regexString: [{ at: 'tools.x.rules[0].conditions[0]' }],
  invalidRegex: Object.keys(REGEX_PROBLEMS).map((reason) => ({
    at: 'tools.x.rules[0].conditions[0]',
    pattern: '(a',
    reason,
    position: 3,
    max: 100,
    min: 5,
    escape: 'q',
    length: 600,
  })),
  unknownTool: [
    { entry: 'hide[0] "Get_Access_Token"', suggestion: 'get_access_token' },
    { entry: 'tools["x"]', tools: 'get_access_token, list_apps' },
  ],
  moreUnknownTools: [{ count: 3 }],
  isDirectory: [{}],
  notRegularFile: [{}],
  danglingLink: [{}],
  linkLoop: [{}],
  tooLarge: [{ size: 2_000_000, max: 1_048_576 }],
  grewTooLarge: [{ max: 1_048_576 }],
  readFailed: [{ detail: 'permission denied (EACCES)' }],
  vanished: [{}],
  notLocal: [{ setting: 'dingtalkToken.mcp.policyFile' }],
};

/** Where the extension's English deliberately differs from the core's (the log's): same facts, worded for a notification. */
const WORDED_DIFFERENTLY = new Set<string>(['invalidJson', 'invalidYaml', 'moreUnknownTools', 'readFailed', 'other', 'mustBe:rateLimit']);

test('every policy problem code, every "must be" and every regex refusal has a wording in the extension', () => {
  assert.deepEqual(Object.keys(PROBLEM_WORDS).sort(), Object.keys(POLICY_PROBLEMS).sort());
  assert.deepEqual(Object.keys(MUST_BE_WORDS).sort(), Object.keys(MUST_BE).sort());
  assert.deepEqual(Object.keys(REGEX_WORDS).sort(), Object.keys(REGEX_PROBLEMS).sort());
  assert.deepEqual(Object.keys(SAMPLES).sort(), Object.keys(POLICY_PROBLEMS).sort(), 'the samples below cover every code');
});

test('every policy problem reads in Chinese for a zh-cn person, and in English says what the core says', () => {
  for (const [code, samples] of Object.entries(SAMPLES) as [PolicyProblemCode, ProblemParams[]][]) {
    for (const params of samples) {
      const core = POLICY_PROBLEMS[code](params);
      const zh = inChinese(() => wordProblem({ code, params, message: core }));
      assert.match(zh, /[\u4e00-\u9fff]|^tools\.x must be "1"$/, `${code} ${JSON.stringify(params)}: ${zh}`);
      const key = code === 'mustBe' ? `mustBe:${params.what}` : code;
      if (!WORDED_DIFFERENTLY.has(key)) assert.equal(wordProblem({ code, params, message: core }), core, key);
    }
  }
});

test('a broken policy file reaches a zh-cn person in Chinese, with its lines and how many more problems there are', () => {
  const text = [
    '{',
    '  "version": "1",',
    '  "default": "block",',
    '  "tools": {',
    '    "refresh_access_token": { "limits": [{ "counter": "c", "window": "week", "max": 0 }] },',
    '    "dingtalk_api_request": { "rules": [{ "action": "deny", "conditions": [{ "path": "args.path", "op": "regex", "value": "(a" }] },',
    '      { "name": "r", "conditions": [{ "path": "args.path", "op": "regex", "value": "(?=x)" }] }] },',
    '    "list_apps": { "action": "deny", "reason": "no", "acton": 1 }',
    '  }',
    '}',
  ].join('\n');
  const result = parsePolicy(text);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(
    inChinese(() => wordFailure(result.failure)),
    [
      'default 必须是"allow" 或 "deny"（第 3 行）',
      'tools.refresh_access_token.limits[0].window 必须是"minute"、"hour" 或 "day"（第 5 行）',
      'tools.refresh_access_token.limits[0].max 必须是不小于 1 的整数（第 5 行）',
      'tools.dingtalk_api_request.rules[0]：规则必须有名称（name）（第 6 行）',
      'tools.dingtalk_api_request.rules[0]：deny 规则不能带条件（conditions）（第 6 行）',
      `另有 ${result.failure.total - 5} 个`,
    ].join('；'),
  );
  const regex = result.failure.problems.find((problem) => problem.code === 'invalidRegex' && problem.params.reason === 'lookaround')!;
  assert.equal(
    inChinese(() => wordProblem(regex)),
    'tools.dingtalk_api_request.rules[1].conditions[0]：正则表达式 "(?=x)" 无效：不支持环视断言（RE2 没有此语法）（第 2 个字符）',
  );
  const keys = result.failure.problems.find((problem) => problem.code === 'unknownKeys')!;
  assert.equal(
    inChinese(() => wordProblem(keys)),
    'tools.list_apps 中有未知的键 "acton"',
  );
  // The CLI and the log keep the English.
  assert.match(result.error, /^default must be "allow" or "deny" \(line 3\); /);
});

test('an unreadable policy file, and entries naming unknown tools, reach a zh-cn person in Chinese', () => {
  const engine = new PolicyEngine({ source: '/ws/p.json' });
  const unreadable = apply(engine, {
    kind: 'unreadable',
    problem: { code: 'isDirectory', params: {}, message: 'it is a directory, not a file', severity: 'error' },
  });
  assert.equal(!unreadable.ok && inChinese(() => wordFailure(unreadable.failure)), '这是一个文件夹，不是文件');
  assert.equal(
    inChinese(() => wordFailure(engine.status().failure!)),
    '这是一个文件夹，不是文件',
    'the DingTalk view reads the same from the status',
  );
  const typos = apply(engine, {
    kind: 'text',
    text: JSON.stringify({ version: '1', hide: ['Get_Access_Token'], tools: { nothing_like_it: {} } }),
    resolvedPath: '/ws/p.json',
  });
  assert.equal(
    inChinese(() => wordUnknownEntries(typos.problems)),
    'hide[0] "Get_Access_Token"（是否想写 "get_access_token"？）；tools["nothing_like_it"]（可用的工具：get_access_token, list_apps）',
  );
  assert.equal(
    inChinese(() => wordProblem(typos.problems[0]!)),
    'hide[0] "Get_Access_Token"（是否想写 "get_access_token"？）不是本服务器的工具，不起任何作用',
  );
});

test("what applying the policy file did reaches the log in the person's language, as the core says it in English", () => {
  const engine = new PolicyEngine({ source: '/ws/p.json' });
  const missing = apply(engine, { kind: 'missing' });
  assert.equal(wordReport(missing, '/ws/p.json'), missing.message, 'English: the same line as the CLI writes');
  assert.match(
    inChinese(() => wordReport(missing, '/ws/p.json')),
    /^MCP 策略 \/ws\/p\.json 不存在，使用内置默认策略.*每分钟最多 \d+ 次/,
  );
  const loaded = apply(engine, { kind: 'text', text: '{"version": "1"}', resolvedPath: '/ws/p.json' });
  assert.equal(wordReport(loaded, '/ws/p.json'), loaded.message);
  assert.equal(
    inChinese(() => wordReport(loaded, '/ws/p.json')),
    'MCP 策略 /ws/p.json 已加载并生效。',
  );
  const broken = apply(engine, { kind: 'text', text: '{"version": "1", "default": "block"}', resolvedPath: '/ws/p.json' });
  assert.equal(
    inChinese(() => wordReport(broken, '/ws/p.json')),
    'MCP 策略 /ws/p.json 无效：default 必须是"allow" 或 "deny"。上一份有效的策略继续生效。',
  );
});
