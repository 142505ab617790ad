import * as l10n from '@vscode/l10n';
import {
  SUMMARIZED_PROBLEMS,
  type MustBe,
  type PolicyFailure,
  type PolicyProblem,
  type PolicyProblemCode,
  type ProblemParams,
  type RegexProblemCode,
  type PolicyReport,
  DEFAULT_REFRESHES_PER_MINUTE,
} from '../../core/policy';

/**
 * Policy problems in the person's language: the core gives each a code and parameters (src/core/policyProblems.ts,
 * which also has the English the log and the CLI use); these tables word the same codes through
 * @vscode/l10n's t (VS Code's bundle for the display language), for the Problems panel, the notifications and the DingTalk view. Paths, keys and values
 * from the file (tools.x.limits[0], "minute", "action": "deny") stay as written: they are what to type.
 */

type Words = (p: ProblemParams) => string;

const quote = (value: string | number | undefined) => JSON.stringify(value) ?? '';
const where = (p: ProblemParams) => (p.at === undefined || p.at === '' ? l10n.t('the policy') : String(p.at));

/** What a field must be ("tools.x must be <what>"). */
export const MUST_BE_WORDS: Record<MustBe, Words> = {
  toolName: () => l10n.t('a tool name'),
  nonEmptyToolName: () => l10n.t('a non-empty tool name'),
  counterName: () => l10n.t('a counter name'),
  nonEmptyCounterName: () => l10n.t('a non-empty counter name'),
  window: () => l10n.t('"minute", "hour" or "day"'),
  wholeNumber: () => l10n.t('a whole number of at least 1'),
  scope: () => l10n.t('"grant" or "session"'),
  limit: () => l10n.t('an object like {0}', '{"counter": "calls", "window": "minute", "max": 10, "scope": "grant"}'),
  limitList: () => l10n.t('a list of limits'),
  toolAction: () => l10n.t('"deny" or "approve" (leave it out to allow)'),
  string: () => l10n.t('a string'),
  ruleList: () => l10n.t('a list of rules'),
  tool: () => l10n.t('an object ({} allows the tool)'),
  version: () => '"1"',
  defaultAction: () => l10n.t('"allow" or "deny"'),
  hide: () => l10n.t('a list of tool names or "*"'),
  tools: () => l10n.t('an object mapping tool names to rules'),
  allTools: () => l10n.t('an object like {0}', '{"limits": [...]}'),
  policy: () => l10n.t('a JSON object'),
  conditionPath: () => l10n.t('a string such as {0} or {1}', '"args.method"', '"state.<tool>.<counter>"'),
  operator: (p) => l10n.t('one of {0}', String(p.operators)),
  condition: () => l10n.t('an object like {0}', '{"path": "args.method", "op": "eq", "value": "GET"}'),
  atMostIncrement: (p) => l10n.t('at most {0}', String(p.max)),
  argsPath: () => l10n.t('a path such as {0}', '"args.amount"'),
  state: () => l10n.t('an object like {0}', '{"counter": "calls", "window": "hour"}'),
  ruleAction: () => l10n.t('"evaluate", "deny" or "approve"'),
  conditionList: () => l10n.t('a list of conditions'),
  rateLimit: () => l10n.t('a string such as {0}', '"5/hour"'),
  rule: () => l10n.t('an object with at least a {0}', '"name"'),
};

/** Why a regex is refused. */
export const REGEX_WORDS: Record<RegexProblemCode, Words> = {
  unexpectedParen: () => l10n.t('unexpected ")"'),
  nothingToRepeat: () => l10n.t('nothing to repeat'),
  repeatedRepetition: () => l10n.t('repeated repetition'),
  repeatTooLarge: (p) => l10n.t('a repeat count may be at most {0}', String(p.max)),
  invalidRepeat: (p) => l10n.t('invalid repeat {0}', `{${p.min},${p.max}}`),
  unterminatedGroupName: () => l10n.t('unterminated group name'),
  lookaround: () => l10n.t('lookaround is not supported (RE2 has none)'),
  groupFlags: () => l10n.t('unsupported group flags (only a leading {0} is)', '(?i)'),
  missingParen: () => l10n.t('missing ")"'),
  missingBracket: () => l10n.t('missing "]"'),
  classRange: () => l10n.t('invalid range in a class'),
  unknownClass: (p) => l10n.t("unknown class {0} (RE2's are {1} and the like)", String(p.name), '[:alnum:], [:alpha:], [:digit:], [:space:], [:word:]'),
  trailingBackslash: () => l10n.t('trailing backslash'),
  backreference: () => l10n.t('backreferences are not supported (RE2 has none)'),
  unsupportedEscape: (p) => l10n.t('unsupported escape {0}', `\\${p.escape}`),
  tooLong: (p) => l10n.t('it is {0} characters long; a pattern may be at most {1}', String(p.length), String(p.max)),
  tooCostly: (p) =>
    l10n.t(
      'matching it could take more than {0} steps on a {1}-character argument; use fewer or smaller {2} repeats, or anchor it with ^ and bound its repeats',
      String(p.max),
      String(p.length),
      '{n,m}',
    ),
};

function regexReason(p: ProblemParams): string {
  const words = REGEX_WORDS[p.reason as RegexProblemCode];
  const reason = words ? words(p) : String(p.reason);
  return p.position !== undefined ? l10n.t('{0} at character {1}', reason, String(p.position)) : reason;
}

/** A `hide` or `tools` entry that names no tool, with the closest real name or the list of tools. */
function wordUnknownEntry(p: ProblemParams): string {
  return p.suggestion !== undefined
    ? l10n.t('{0} (did you mean {1}?)', String(p.entry), quote(p.suggestion))
    : l10n.t('{0} (the tools are {1})', String(p.entry), String(p.tools));
}

export const PROBLEM_WORDS: Record<PolicyProblemCode, Words> = {
  emptyFile: (p) => l10n.t('the file is empty; it needs at least {0}', String(p.needs)),
  invalidJson: (p) =>
    p.line !== undefined
      ? l10n.t('not valid JSON (line {0}, column {1}): {2}', String(p.line), String(p.column), String(p.detail))
      : l10n.t('not valid JSON: {0}', String(p.detail)),
  invalidYaml: (p) =>
    p.line !== undefined
      ? l10n.t('not valid YAML (line {0}, column {1}): {2}', String(p.line), String(p.column), String(p.detail))
      : l10n.t('not valid YAML: {0}', String(p.detail)),
  required: (p) => l10n.t('{0} is required', where(p)),
  mustBe: (p) => l10n.t('{0} must be {1}', where(p), MUST_BE_WORDS[p.what as MustBe]?.(p) ?? String(p.what)),
  unknownKeys: (p) =>
    p.count === 1 ? l10n.t('{0} has unknown key {1}', where(p), String(p.keys)) : l10n.t('{0} has unknown keys {1}', where(p), String(p.keys)),
  repeatedLimit: (p) =>
    l10n.t(
      '{0} repeats the counter {1} ({2}, {3}) of limits[{4}]; give it another counter name',
      where(p),
      quote(p.counter),
      String(p.window),
      String(p.scope),
      String(p.first),
    ),
  reasonWithoutDeny: (p) => l10n.t('{0} is only used with "action": "deny"', where(p)),
  withDeny: (p) => l10n.t('{0} cannot be combined with "action": "deny"', where(p)),
  notUnderStar: (p) => l10n.t('{0} is not allowed under "*", which holds only rules (limits for every tool go in all_tools)', where(p)),
  repeatedHide: (p) => l10n.t('{0} repeats {1}', where(p), quote(p.name)),
  other: (p) => l10n.t('{0} is invalid ({1})', where(p), String(p.text)),
  duplicateCounter: (p) => l10n.t('{0}: duplicate state counter {1} (also used by rules[{2}])', where(p), quote(p.counter), String(p.first)),
  ruleName: (p) => l10n.t('{0}: rule must have a name', where(p)),
  ruleAction: (p) => l10n.t('{0}: action must be "evaluate" or "deny" (or "approve"), got {1}', where(p), quote(p.action)),
  rateLimitFormat: (p) => l10n.t('{0}: rate_limit must be in the format "N/window" (e.g. "5/hour"), got {1}', where(p), quote(p.text)),
  rateLimitCount: (p) => l10n.t('{0}: rate_limit count must be a positive integer, got {1}', where(p), quote(p.count)),
  rateLimitMax: (p) => l10n.t('{0}: rate_limit count must be at most {1}, got {2}', where(p), String(p.max), quote(p.count)),
  rateLimitWindow: (p) => l10n.t('{0}: rate_limit window must be "minute", "hour", or "day", got {1}', where(p), quote(p.window)),
  rateLimitCombined: (p) => l10n.t('{0}: rate_limit cannot be combined with conditions or state; use separate rules or the full syntax instead', where(p)),
  rateLimitAction: (p) => l10n.t('{0}: rate_limit cannot be used with action {1}', where(p), quote(p.action)),
  denyConditions: (p) => l10n.t('{0}: deny rules must not have conditions', where(p)),
  evaluateNoConditions: (p) => l10n.t('{0}: evaluate rules must have at least one condition', where(p)),
  denyState: (p) => l10n.t('{0}: deny rules must not have a state counter (they allow nothing to count)', where(p)),
  counterEmpty: (p) => l10n.t('{0}: counter must not be empty', where(p)),
  counterDot: (p) => l10n.t('{0}: counter must not contain "." (conditions name it as {1})', where(p), 'state.<tool>.<counter>'),
  stateWindow: (p) => l10n.t('{0}: window must be "minute", "hour", or "day", got {1}', where(p), quote(p.window)),
  incrementFromPath: (p) => l10n.t('{0}: increment_from must start with "args.", got {1}', where(p), quote(p.path)),
  incrementBoth: (p) => l10n.t('{0}: increment and increment_from cannot both be given', where(p)),
  counterReference: (p) => l10n.t('{0}: condition references {1} but no matching state block found', where(p), `state.${p.scope}.${p.counter}`),
  pathStart: (p) => l10n.t('{0}: path must start with "args." or "state.", got {1}', where(p), quote(p.path)),
  argsPath: (p) => l10n.t('{0}: path must name a field after "args." with no empty parts, got {1}', where(p), quote(p.path)),
  statePath: (p) => l10n.t('{0}: path must be {1}, got {2}', where(p), 'state.<tool>.<counter>', quote(p.path)),
  unknownOperator: (p) => l10n.t('{0}: unknown operator {1} (use one of {2})', where(p), quote(p.op), String(p.operators)),
  needsList: (p) => l10n.t('{0}: operator {1} requires a list value', where(p), quote(p.op)),
  needsNumber: (p) => l10n.t('{0}: operator {1} requires a numeric value', where(p), quote(p.op)),
  existsBoolean: (p) => l10n.t('{0}: operator "exists" requires a boolean value', where(p)),
  needsValue: (p) => l10n.t('{0}: operator {1} requires a value', where(p), quote(p.op)),
  regexString: (p) => l10n.t('{0}: regex value must be a string', where(p)),
  invalidRegex: (p) => l10n.t('{0}: invalid regex {1}: {2}', where(p), quote(p.pattern), regexReason(p)),
  unknownTool: (p) => l10n.t('{0} names no tool of this server and changes nothing', wordUnknownEntry(p)),
  moreUnknownTools: (p) => l10n.t('{0} more entries name no tool of this server and change nothing', String(p.count)),
  isDirectory: () => l10n.t('it is a directory, not a file'),
  notRegularFile: () => l10n.t('it is not a regular file'),
  danglingLink: () => l10n.t('it is a symbolic link to a file that does not exist'),
  linkLoop: () => l10n.t('it is a symbolic link that loops back on itself'),
  tooLarge: (p) => l10n.t('it is {0} bytes; a policy file may be at most {1}', String(p.size), String(p.max)),
  grewTooLarge: (p) => l10n.t('it is over {0} bytes', String(p.max)),
  readFailed: (p) => l10n.t('the system could not read it: {0}', String(p.detail)),
  vanished: () => l10n.t('it no longer exists'),
  notLocal: (p) => l10n.t("it is not on this machine's disk; set {0} to a local path", String(p.setting)),
};

/** One problem in the person's language (the core's English when a code is unknown, which the table test rules out). */
export function wordProblem(problem: Pick<PolicyProblem, 'code' | 'params' | 'message'>): string {
  return PROBLEM_WORDS[problem.code]?.(problem.params) ?? problem.message;
}

/** Why a policy cannot be used, in one line: the first few problems with their lines, and how many more there are. */
export function wordFailure(failure: PolicyFailure): string {
  const shown = failure.problems.slice(0, SUMMARIZED_PROBLEMS).map((problem) => {
    const text = wordProblem(problem);
    return failure.showLines && problem.line !== undefined ? l10n.t('{0} (line {1})', text, String(problem.line)) : text;
  });
  if (failure.total > shown.length) shown.push(l10n.t('and {0} more', String(failure.total - shown.length)));
  return joined(shown);
}

/** The entries of an unknownTools notice: each entry with its closest real name, or how many more there are. */
export function wordUnknownEntries(entries: PolicyProblem[]): string {
  return joined(entries.map((entry) => (entry.code === 'unknownTool' ? wordUnknownEntry(entry.params) : l10n.t('and {0} more', String(entry.params.count)))));
}

/** What applying the policy file did, for the log: the core's report in the person's language. */
export function wordReport(report: PolicyReport, source: string): string {
  if (!report.ok && report.outcome === 'vanished') {
    return report.denyingAll
      ? l10n.t('MCP policy {0} no longer exists; every tool call stays denied until you choose the built-in defaults.', source)
      : l10n.t('MCP policy {0} no longer exists; the policy it held stays in force until you choose the built-in defaults.', source);
  }
  if (!report.ok) {
    const problem =
      report.outcome === 'unreadable'
        ? l10n.t('MCP policy {0} cannot be read: {1}.', source, wordFailure(report.failure))
        : l10n.t('MCP policy {0} is invalid: {1}.', source, wordFailure(report.failure));
    const then = report.denyingAll ? l10n.t('Every tool call is denied until it is fixed.') : l10n.t('The last good policy stays in force.');
    return sentences(problem, then);
  }
  if (report.outcome === 'missing') {
    return l10n.t(
      'MCP policy {0} does not exist; the built-in defaults apply (every tool allowed, refresh_access_token at most {1} times a minute).',
      source,
      DEFAULT_REFRESHES_PER_MINUTE,
    );
  }
  const loaded = report.resolvedPath
    ? l10n.t('MCP policy {0} (the file it resolves to: {1}) loaded and in force.', source, report.resolvedPath)
    : l10n.t('MCP policy {0} loaded and in force.', source);
  if (report.unknownTools.length === 0) return loaded;
  return sentences(loaded, l10n.t('These entries name no tool of this server and change nothing: {0}.', wordUnknownEntries(report.problems)));
}

/** Two sentences in a row, as the language writes them (Chinese puts no space after 。). */
function sentences(first: string, second: string): string {
  return l10n.t('{0} {1}', first, second);
}

/** "a; b; c" with the language's separator. */
function joined(parts: string[]): string {
  return parts.length === 0 ? '' : parts.reduce((all, next) => l10n.t('{0}; {1}', all, next));
}
