/**
 * Every problem a policy file can have, as a stable code with parameters, and its English words (the log's,
 * the CLI's and the agents'). The extension words the same codes in the person's language
 * (src/extension/policyWording.ts); a unit test keeps the two tables in step.
 */

export type ProblemParams = Record<string, string | number>;

/** One problem in the policy file, at its line (1-based) when it has one: what the Problems panel shows. */
export interface PolicyProblem {
  code: PolicyProblemCode;
  params: ProblemParams;
  /** The problem in English. */
  message: string;
  line?: number;
  severity: 'error' | 'warning';
}

/** What a field must be, in "<path> must be <what>", by code. */
export const MUST_BE = {
  toolName: () => 'a tool name',
  nonEmptyToolName: () => 'a non-empty tool name',
  counterName: () => 'a counter name',
  nonEmptyCounterName: () => 'a non-empty counter name',
  window: () => '"minute", "hour" or "day"',
  wholeNumber: () => 'a whole number of at least 1',
  scope: () => '"grant" or "session"',
  limit: () => 'an object like {"counter": "calls", "window": "minute", "max": 10, "scope": "grant"}',
  limitList: () => 'a list of limits',
  toolAction: () => '"deny" or "approve" (leave it out to allow)',
  string: () => 'a string',
  ruleList: () => 'a list of rules',
  tool: () => 'an object ({} allows the tool)',
  version: () => '"1"',
  defaultAction: () => '"allow" or "deny"',
  hide: () => 'a list of tool names or "*"',
  tools: () => 'an object mapping tool names to rules',
  allTools: () => 'an object like {"limits": [...]}',
  policy: () => 'a JSON object',
  conditionPath: () => 'a string such as "args.method" or "state.<tool>.<counter>"',
  operator: (p: ProblemParams) => `one of ${p.operators}`,
  condition: () => 'an object like {"path": "args.method", "op": "eq", "value": "GET"}',
  atMostIncrement: (p: ProblemParams) => `at most ${p.max}`,
  argsPath: () => 'a path such as "args.amount"',
  state: () => 'an object like {"counter": "calls", "window": "hour"}',
  ruleAction: () => '"evaluate", "deny" or "approve"',
  conditionList: () => 'a list of conditions',
  rateLimit: () => 'a string like "5/hour"',
  rule: () => 'an object with at least a "name"',
} satisfies Record<string, (params: ProblemParams) => string>;
export type MustBe = keyof typeof MUST_BE;

/** Why a regex in a condition is refused (safeRegex.ts), by code. */
export const REGEX_PROBLEMS = {
  unexpectedParen: () => 'unexpected ")"',
  nothingToRepeat: () => 'nothing to repeat',
  repeatedRepetition: () => 'repeated repetition',
  repeatTooLarge: (p: ProblemParams) => `a repeat count may be at most ${p.max}`,
  invalidRepeat: (p: ProblemParams) => `invalid repeat {${p.min},${p.max}}`,
  unterminatedGroupName: () => 'unterminated group name',
  lookaround: () => 'lookaround is not supported (RE2 has none)',
  groupFlags: () => 'unsupported group flags (only a leading (?i) is)',
  missingParen: () => 'missing ")"',
  missingBracket: () => 'missing "]"',
  classRange: () => 'invalid range in a class',
  unknownClass: (p: ProblemParams) => `unknown class ${p.name} (RE2's are [:alnum:], [:alpha:], [:digit:], [:space:], [:word:] and the like)`,
  trailingBackslash: () => 'trailing backslash',
  backreference: () => 'backreferences are not supported (RE2 has none)',
  unsupportedEscape: (p: ProblemParams) => `unsupported escape \\${p.escape}`,
  tooLong: (p: ProblemParams) => `it is ${p.length} characters long; a pattern may be at most ${p.max}`,
  tooCostly: (p: ProblemParams) =>
    `matching it could take more than ${p.max} steps on a ${p.length}-character argument; use fewer or smaller {n,m} repeats, or anchor it with ^ and bound its repeats`,
} satisfies Record<string, (params: ProblemParams) => string>;
export type RegexProblemCode = keyof typeof REGEX_PROBLEMS;

const quote = (value: string | number | undefined) => JSON.stringify(value);
/** Where the problem is: `tools.x.limits[0]`, or the whole policy. */
const where = (p: ProblemParams) => (p.at === undefined || p.at === '' ? 'the policy' : String(p.at));
const line = (p: ProblemParams) => (p.line !== undefined ? ` (line ${p.line}, column ${p.column})` : '');

export const POLICY_PROBLEMS = {
  // The file as a whole.
  emptyFile: (p: ProblemParams) => `the file is empty; it needs at least ${p.needs}`,
  invalidJson: (p: ProblemParams) => `not valid JSON: ${p.detail}${line(p)}`,
  invalidYaml: (p: ProblemParams) => `not valid YAML: ${p.detail}${line(p)}`,
  // Its shape (policySchema.ts).
  required: (p: ProblemParams) => `${where(p)} is required`,
  mustBe: (p: ProblemParams) => `${where(p)} must be ${MUST_BE[p.what as MustBe]?.(p) ?? p.what}`,
  unknownKeys: (p: ProblemParams) => `${where(p)} has unknown ${p.count === 1 ? 'key' : 'keys'} ${p.keys}`,
  repeatedLimit: (p: ProblemParams) =>
    `${where(p)} repeats the counter ${quote(p.counter)} (${p.window}, ${p.scope}) of limits[${p.first}]; give it another counter name`,
  reasonWithoutDeny: (p: ProblemParams) => `${where(p)} is only used with "action": "deny"`,
  withDeny: (p: ProblemParams) => `${where(p)} cannot be combined with "action": "deny"`,
  notUnderStar: (p: ProblemParams) => `${where(p)} is not allowed under "*", which holds only rules (limits for every tool go in all_tools)`,
  repeatedHide: (p: ProblemParams) => `${where(p)} repeats ${quote(p.name)}`,
  /** A zod issue none of ours words (kept as zod said it). */
  other: (p: ProblemParams) => `${where(p)} ${p.text}`,
  // Rules (policyRuleSchema.ts), in Intercept's words.
  duplicateCounter: (p: ProblemParams) => `${where(p)}: duplicate state counter ${quote(p.counter)} (also used by rules[${p.first}])`,
  ruleName: (p: ProblemParams) => `${where(p)}: rule must have a name`,
  ruleAction: (p: ProblemParams) => `${where(p)}: action must be "evaluate" or "deny" (or "approve"), got ${quote(p.action)}`,
  rateLimitFormat: (p: ProblemParams) => `${where(p)}: rate_limit must be in the format "N/window" (e.g. "5/hour"), got ${quote(p.text)}`,
  rateLimitCount: (p: ProblemParams) => `${where(p)}: rate_limit count must be a positive integer, got ${quote(p.count)}`,
  rateLimitMax: (p: ProblemParams) => `${where(p)}: rate_limit count must be at most ${p.max}, got ${quote(p.count)}`,
  rateLimitWindow: (p: ProblemParams) => `${where(p)}: rate_limit window must be "minute", "hour", or "day", got ${quote(p.window)}`,
  rateLimitCombined: (p: ProblemParams) => `${where(p)}: rate_limit cannot be combined with conditions or state; use separate rules or the full syntax instead`,
  rateLimitAction: (p: ProblemParams) => `${where(p)}: rate_limit cannot be used with action ${quote(p.action)}`,
  denyConditions: (p: ProblemParams) => `${where(p)}: deny rules must not have conditions`,
  evaluateNoConditions: (p: ProblemParams) => `${where(p)}: evaluate rules must have at least one condition`,
  denyState: (p: ProblemParams) => `${where(p)}: deny rules must not have a state counter (they allow nothing to count)`,
  counterEmpty: (p: ProblemParams) => `${where(p)}: counter must not be empty`,
  counterDot: (p: ProblemParams) => `${where(p)}: counter must not contain "." (conditions name it as state.<tool>.<counter>)`,
  stateWindow: (p: ProblemParams) => `${where(p)}: window must be "minute", "hour", or "day", got ${quote(p.window)}`,
  incrementFromPath: (p: ProblemParams) => `${where(p)}: increment_from must start with "args.", got ${quote(p.path)}`,
  incrementBoth: (p: ProblemParams) => `${where(p)}: increment and increment_from cannot both be given`,
  counterReference: (p: ProblemParams) => `${where(p)}: condition references state.${p.scope}.${p.counter} but no matching state block found`,
  pathStart: (p: ProblemParams) => `${where(p)}: path must start with "args." or "state.", got ${quote(p.path)}`,
  argsPath: (p: ProblemParams) => `${where(p)}: path must name a field after "args." with no empty parts, got ${quote(p.path)}`,
  statePath: (p: ProblemParams) => `${where(p)}: path must be state.<tool>.<counter>, got ${quote(p.path)}`,
  unknownOperator: (p: ProblemParams) => `${where(p)}: unknown operator ${quote(p.op)} (use one of ${p.operators})`,
  needsList: (p: ProblemParams) => `${where(p)}: operator ${quote(p.op)} requires a list value`,
  needsNumber: (p: ProblemParams) => `${where(p)}: operator ${quote(p.op)} requires a numeric value`,
  existsBoolean: (p: ProblemParams) => `${where(p)}: operator "exists" requires a boolean value`,
  needsValue: (p: ProblemParams) => `${where(p)}: operator ${quote(p.op)} requires a value`,
  regexString: (p: ProblemParams) => `${where(p)}: regex value must be a string`,
  invalidRegex: (p: ProblemParams) => `${where(p)}: invalid regex ${quote(p.pattern)}: ${regexReason(p)}`,
  // Entries that name no tool (a warning: the policy still applies).
  unknownTool: (p: ProblemParams) => `${unknownToolEntry(p)} names no tool of this server and changes nothing`,
  moreUnknownTools: (p: ProblemParams) => `and ${p.count} more names no tool of this server and changes nothing`,
  // A file that cannot be read (policyFile.ts) or used at all.
  isDirectory: () => 'it is a directory, not a file',
  notRegularFile: () => 'it is not a regular file',
  danglingLink: () => 'it is a symbolic link to a file that does not exist',
  linkLoop: () => 'it is a symbolic link that loops back on itself',
  tooLarge: (p: ProblemParams) => `it is ${p.size} bytes; a policy file may be at most ${p.max}`,
  grewTooLarge: (p: ProblemParams) => `it is over ${p.max} bytes`,
  readFailed: (p: ProblemParams) => String(p.detail),
  vanished: () => 'it no longer exists',
  notLocal: (p: ProblemParams) => `it is not on this machine's disk; set ${p.setting} to a local path`,
} satisfies Record<string, (params: ProblemParams) => string>;
export type PolicyProblemCode = keyof typeof POLICY_PROBLEMS;

function regexReason(p: ProblemParams): string {
  const reason = REGEX_PROBLEMS[p.reason as RegexProblemCode]?.(p) ?? String(p.reason);
  return p.position !== undefined ? `${reason} at character ${p.position}` : reason;
}

/** `hide[0] "X" (did you mean "x"?)`, or with the list of tools when no name is close. */
export function unknownToolEntry(p: ProblemParams): string {
  return `${p.entry} ${p.suggestion !== undefined ? `(did you mean ${quote(p.suggestion)}?)` : `(the tools are ${p.tools})`}`;
}

/** A problem with its English words. */
export function policyProblem(
  code: PolicyProblemCode,
  params: ProblemParams = {},
  extra: { line?: number; severity?: 'error' | 'warning' } = {},
): PolicyProblem {
  return {
    code,
    params,
    message: POLICY_PROBLEMS[code](params),
    ...(extra.line !== undefined ? { line: extra.line } : {}),
    severity: extra.severity ?? 'error',
  };
}

/** Why a policy file cannot be used: its problems (up to 100), how many there are in all, and whether their lines help. */
export interface PolicyFailure {
  problems: PolicyProblem[];
  total: number;
  /** False for a one-line file (written by a program): "(line 1)" on every problem says nothing. */
  showLines: boolean;
}

/** The number of problems a one-line summary names; the rest are counted. */
export const SUMMARIZED_PROBLEMS = 5;

/** The failure in one line of English: the first few problems, with their lines, and how many more there are. */
export function summarizeFailure(failure: PolicyFailure): string {
  const shown = failure.problems
    .slice(0, SUMMARIZED_PROBLEMS)
    .map(({ message, line }) => (failure.showLines && line !== undefined ? `${message} (line ${line})` : message));
  if (failure.total > shown.length) shown.push(`and ${failure.total - shown.length} more`);
  return shown.join('; ');
}

/** A failure that is one problem (an unreadable file, a syntax error). */
export function failureOf(problem: PolicyProblem): PolicyFailure {
  return { problems: [problem], total: 1, showLines: false };
}
