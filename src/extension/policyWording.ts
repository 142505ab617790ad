import {
  SUMMARIZED_PROBLEMS, type MustBe, type PolicyFailure, type PolicyProblem, type PolicyProblemCode, type ProblemParams, type RegexProblemCode,
} from '../core/policyProblems';

/**
 * Policy problems in the person's language: the core gives each a code and parameters (src/core/policyProblems.ts,
 * which also has the English the log and the CLI use); these tables word the same codes through
 * vscode.l10n.t, for the Problems panel, the notifications and the DingTalk view. Paths, keys and values
 * from the file (tools.x.limits[0], "minute", "action": "deny") stay as written: they are what to type.
 */

/** vscode.l10n.t's shape: the extension passes vscode.l10n.t, tests a fake. */
export type Translate = (message: string, ...args: (string | number | boolean)[]) => string;

type Words = (p: ProblemParams, t: Translate) => string;

const quote = (value: string | number | undefined) => JSON.stringify(value) ?? '';
const where = (p: ProblemParams, t: Translate) => (p.at === undefined || p.at === '' ? t('the policy') : String(p.at));

/** What a field must be ("tools.x must be <what>"). */
export const MUST_BE_WORDS: Record<MustBe, Words> = {
  toolName: (_p, t) => t('a tool name'),
  nonEmptyToolName: (_p, t) => t('a non-empty tool name'),
  counterName: (_p, t) => t('a counter name'),
  nonEmptyCounterName: (_p, t) => t('a non-empty counter name'),
  window: (_p, t) => t('"minute", "hour" or "day"'),
  wholeNumber: (_p, t) => t('a whole number of at least 1'),
  scope: (_p, t) => t('"grant" or "session"'),
  limit: (_p, t) => t('an object like {0}', '{"counter": "calls", "window": "minute", "max": 10, "scope": "grant"}'),
  limitList: (_p, t) => t('a list of limits'),
  toolAction: (_p, t) => t('"deny" or "approve" (leave it out to allow)'),
  string: (_p, t) => t('a string'),
  ruleList: (_p, t) => t('a list of rules'),
  tool: (_p, t) => t('an object ({} allows the tool)'),
  version: () => '"1"',
  defaultAction: (_p, t) => t('"allow" or "deny"'),
  hide: (_p, t) => t('a list of tool names or "*"'),
  tools: (_p, t) => t('an object mapping tool names to rules'),
  allTools: (_p, t) => t('an object like {0}', '{"limits": [...]}'),
  policy: (_p, t) => t('a JSON object'),
  conditionPath: (_p, t) => t('a string such as {0} or {1}', '"args.method"', '"state.<tool>.<counter>"'),
  operator: (p, t) => t('one of {0}', String(p.operators)),
  condition: (_p, t) => t('an object like {0}', '{"path": "args.method", "op": "eq", "value": "GET"}'),
  atMostIncrement: (p, t) => t('at most {0}', String(p.max)),
  argsPath: (_p, t) => t('a path such as {0}', '"args.amount"'),
  state: (_p, t) => t('an object like {0}', '{"counter": "calls", "window": "hour"}'),
  ruleAction: (_p, t) => t('"evaluate", "deny" or "approve"'),
  conditionList: (_p, t) => t('a list of conditions'),
  rateLimit: (_p, t) => t('a string such as {0}', '"5/hour"'),
  rule: (_p, t) => t('an object with at least a {0}', '"name"'),
};

/** Why a regex is refused. */
export const REGEX_WORDS: Record<RegexProblemCode, Words> = {
  unexpectedParen: (_p, t) => t('unexpected ")"'),
  nothingToRepeat: (_p, t) => t('nothing to repeat'),
  repeatedRepetition: (_p, t) => t('repeated repetition'),
  repeatTooLarge: (p, t) => t('a repeat count may be at most {0}', String(p.max)),
  invalidRepeat: (p, t) => t('invalid repeat {0}', `{${p.min},${p.max}}`),
  unterminatedGroupName: (_p, t) => t('unterminated group name'),
  lookaround: (_p, t) => t('lookaround is not supported (RE2 has none)'),
  groupFlags: (_p, t) => t('unsupported group flags (only a leading {0} is)', '(?i)'),
  missingParen: (_p, t) => t('missing ")"'),
  missingBracket: (_p, t) => t('missing "]"'),
  classRange: (_p, t) => t('invalid range in a class'),
  trailingBackslash: (_p, t) => t('trailing backslash'),
  backreference: (_p, t) => t('backreferences are not supported (RE2 has none)'),
  unsupportedEscape: (p, t) => t('unsupported escape {0}', `\\${p.escape}`),
  tooLong: (p, t) => t('it is {0} characters long; a pattern may be at most {1}', String(p.length), String(p.max)),
  programTooLarge: (_p, t) => t('the pattern expands to too large a program; use fewer or smaller {0} repeats', '{n,m}'),
};

function regexReason(p: ProblemParams, t: Translate): string {
  const words = REGEX_WORDS[p.reason as RegexProblemCode];
  const reason = words ? words(p, t) : String(p.reason);
  return p.position !== undefined ? t('{0} at character {1}', reason, String(p.position)) : reason;
}

/** A `hide` or `tools` entry that names no tool, with the closest real name or the list of tools. */
export function wordUnknownEntry(p: ProblemParams, t: Translate): string {
  return p.suggestion !== undefined ? t('{0} (did you mean {1}?)', String(p.entry), quote(p.suggestion)) : t('{0} (the tools are {1})', String(p.entry), String(p.tools));
}

export const PROBLEM_WORDS: Record<PolicyProblemCode, Words> = {
  emptyFile: (p, t) => t('the file is empty; it needs at least {0}', String(p.needs)),
  invalidJson: (p, t) => (p.line !== undefined
    ? t('not valid JSON (line {0}, column {1}): {2}', String(p.line), String(p.column), String(p.detail))
    : t('not valid JSON: {0}', String(p.detail))),
  invalidYaml: (p, t) => (p.line !== undefined
    ? t('not valid YAML (line {0}, column {1}): {2}', String(p.line), String(p.column), String(p.detail))
    : t('not valid YAML: {0}', String(p.detail))),
  required: (p, t) => t('{0} is required', where(p, t)),
  mustBe: (p, t) => t('{0} must be {1}', where(p, t), MUST_BE_WORDS[p.what as MustBe]?.(p, t) ?? String(p.what)),
  unknownKeys: (p, t) => (p.count === 1 ? t('{0} has unknown key {1}', where(p, t), String(p.keys)) : t('{0} has unknown keys {1}', where(p, t), String(p.keys))),
  repeatedLimit: (p, t) => t('{0} repeats the counter {1} ({2}, {3}) of limits[{4}]; give it another counter name', where(p, t), quote(p.counter), String(p.window), String(p.scope), String(p.first)),
  reasonWithoutDeny: (p, t) => t('{0} is only used with "action": "deny"', where(p, t)),
  withDeny: (p, t) => t('{0} cannot be combined with "action": "deny"', where(p, t)),
  notUnderStar: (p, t) => t('{0} is not allowed under "*", which holds only rules (limits for every tool go in all_tools)', where(p, t)),
  repeatedHide: (p, t) => t('{0} repeats {1}', where(p, t), quote(p.name)),
  other: (p, t) => t('{0} is invalid ({1})', where(p, t), String(p.text)),
  duplicateCounter: (p, t) => t('{0}: duplicate state counter {1} (also used by rules[{2}])', where(p, t), quote(p.counter), String(p.first)),
  ruleName: (p, t) => t('{0}: rule must have a name', where(p, t)),
  ruleAction: (p, t) => t('{0}: action must be "evaluate" or "deny" (or "approve"), got {1}', where(p, t), quote(p.action)),
  rateLimitFormat: (p, t) => t('{0}: rate_limit must be in the format "N/window" (e.g. "5/hour"), got {1}', where(p, t), quote(p.text)),
  rateLimitCount: (p, t) => t('{0}: rate_limit count must be a positive integer, got {1}', where(p, t), quote(p.count)),
  rateLimitMax: (p, t) => t('{0}: rate_limit count must be at most {1}, got {2}', where(p, t), String(p.max), quote(p.count)),
  rateLimitWindow: (p, t) => t('{0}: rate_limit window must be "minute", "hour", or "day", got {1}', where(p, t), quote(p.window)),
  rateLimitCombined: (p, t) => t('{0}: rate_limit cannot be combined with conditions or state; use separate rules or the full syntax instead', where(p, t)),
  rateLimitAction: (p, t) => t('{0}: rate_limit cannot be used with action {1}', where(p, t), quote(p.action)),
  denyConditions: (p, t) => t('{0}: deny rules must not have conditions', where(p, t)),
  evaluateNoConditions: (p, t) => t('{0}: evaluate rules must have at least one condition', where(p, t)),
  denyState: (p, t) => t('{0}: deny rules must not have a state counter (they allow nothing to count)', where(p, t)),
  counterEmpty: (p, t) => t('{0}: counter must not be empty', where(p, t)),
  counterDot: (p, t) => t('{0}: counter must not contain "." (conditions name it as {1})', where(p, t), 'state.<tool>.<counter>'),
  stateWindow: (p, t) => t('{0}: window must be "minute", "hour", or "day", got {1}', where(p, t), quote(p.window)),
  incrementFromPath: (p, t) => t('{0}: increment_from must start with "args.", got {1}', where(p, t), quote(p.path)),
  incrementBoth: (p, t) => t('{0}: increment and increment_from cannot both be given', where(p, t)),
  counterReference: (p, t) => t('{0}: condition references {1} but no matching state block found', where(p, t), `state.${p.scope}.${p.counter}`),
  pathStart: (p, t) => t('{0}: path must start with "args." or "state.", got {1}', where(p, t), quote(p.path)),
  argsPath: (p, t) => t('{0}: path must name a field after "args." with no empty parts, got {1}', where(p, t), quote(p.path)),
  statePath: (p, t) => t('{0}: path must be {1}, got {2}', where(p, t), 'state.<tool>.<counter>', quote(p.path)),
  unknownOperator: (p, t) => t('{0}: unknown operator {1} (use one of {2})', where(p, t), quote(p.op), String(p.operators)),
  needsList: (p, t) => t('{0}: operator {1} requires a list value', where(p, t), quote(p.op)),
  needsNumber: (p, t) => t('{0}: operator {1} requires a numeric value', where(p, t), quote(p.op)),
  existsBoolean: (p, t) => t('{0}: operator "exists" requires a boolean value', where(p, t)),
  needsValue: (p, t) => t('{0}: operator {1} requires a value', where(p, t), quote(p.op)),
  regexString: (p, t) => t('{0}: regex value must be a string', where(p, t)),
  invalidRegex: (p, t) => t('{0}: invalid regex {1}: {2}', where(p, t), quote(p.pattern), regexReason(p, t)),
  unknownTool: (p, t) => t('{0} names no tool of this server and changes nothing', wordUnknownEntry(p, t)),
  moreUnknownTools: (p, t) => t('{0} more entries name no tool of this server and change nothing', String(p.count)),
  isDirectory: (_p, t) => t('it is a directory, not a file'),
  notRegularFile: (_p, t) => t('it is not a regular file'),
  danglingLink: (_p, t) => t('it is a symbolic link to a file that does not exist'),
  linkLoop: (_p, t) => t('it is a symbolic link that loops back on itself'),
  tooLarge: (p, t) => t('it is {0} bytes; a policy file may be at most {1}', String(p.size), String(p.max)),
  grewTooLarge: (p, t) => t('it is over {0} bytes', String(p.max)),
  readFailed: (p, t) => t('the system could not read it: {0}', String(p.detail)),
  notLocal: (p, t) => t('it is not on this machine\'s disk; set {0} to a local path', String(p.setting)),
};

/** One problem in the person's language (the core's English when a code is unknown, which the table test rules out). */
export function wordProblem(problem: Pick<PolicyProblem, 'code' | 'params' | 'message'>, t: Translate): string {
  return PROBLEM_WORDS[problem.code]?.(problem.params, t) ?? problem.message;
}

/** Why a policy cannot be used, in one line: the first few problems with their lines, and how many more there are. */
export function wordFailure(failure: PolicyFailure, t: Translate): string {
  const shown = failure.problems.slice(0, SUMMARIZED_PROBLEMS).map((problem) => {
    const text = wordProblem(problem, t);
    return failure.showLines && problem.line !== undefined ? t('{0} (line {1})', text, String(problem.line)) : text;
  });
  if (failure.total > shown.length) shown.push(t('and {0} more', String(failure.total - shown.length)));
  return joined(shown, t);
}

/** The entries of an unknownTools notice: each entry with its closest real name, or how many more there are. */
export function wordUnknownEntries(entries: PolicyProblem[], t: Translate): string {
  return joined(entries.map((entry) => (entry.code === 'unknownTool' ? wordUnknownEntry(entry.params, t) : t('and {0} more', String(entry.params.count)))), t);
}

/** "a; b; c" with the language's separator. */
function joined(parts: string[], t: Translate): string {
  return parts.length === 0 ? '' : parts.reduce((all, next) => t('{0}; {1}', all, next));
}
