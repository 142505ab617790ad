import { z } from 'zod/v4';
import { compileSafeRegex, type SafeRegex } from './safeRegex';

/**
 * Rules on what a call says, in Intercept's vocabulary (its POLICY.md): per tool a list of `rules`, each
 * `deny` (always), `evaluate` (all `conditions` must hold, or the call is denied with `on_deny`) or our
 * own `approve` (when all its conditions hold, a person is asked). `rate_limit: N/window` is shorthand for
 * an evaluate rule on a counter; `state` counts calls (or an argument's amount) per calendar-aligned UTC
 * window. Conditions read `args.<field>` (dots descend) or `state.<tool>.<counter>` (`_global` for "*").
 */

export type Window = 'minute' | 'hour' | 'day';
export const WINDOWS: readonly Window[] = ['minute', 'hour', 'day'];

export const OPERATORS = ['eq', 'neq', 'in', 'not_in', 'lt', 'lte', 'gt', 'gte', 'regex', 'contains', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];

/** The largest counter increment; keeps sums exact in doubles. */
export const MAX_INCREMENT = 1e12;

const must = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`);

export const conditionSchema = z.strictObject({
  path: z.string({ error: must('a string such as "args.method" or "state.<tool>.<counter>"') }),
  op: z.string({ error: must(`one of ${OPERATORS.join(', ')}`) }),
  value: z.unknown().optional(),
}, { error: must('an object like {"path": "args.method", "op": "eq", "value": "GET"}') });

export const stateSchema = z.strictObject({
  counter: z.string({ error: must('a counter name') }),
  window: z.string({ error: must('"minute", "hour" or "day"') }),
  increment: z.number({ error: must('a whole number of at least 1') }).int({ error: must('a whole number of at least 1') })
    .min(1, { error: must('a whole number of at least 1') }).max(MAX_INCREMENT, { error: must(`at most ${MAX_INCREMENT}`) }).optional(),
  increment_from: z.string({ error: must('a path such as "args.amount"') }).optional(),
}, { error: must('an object like {"counter": "calls", "window": "hour"}') });

export const ruleSchema = z.strictObject({
  name: z.string({ error: must('a string') }).optional(),
  action: z.string({ error: must('"evaluate", "deny" or "approve"') }).optional(),
  conditions: z.array(conditionSchema, { error: must('a list of conditions') }).optional(),
  on_deny: z.string({ error: must('a string') }).optional(),
  rate_limit: z.string({ error: must('a string like "5/hour"') }).optional(),
  state: stateSchema.optional(),
}, { error: must('an object with at least a "name"') });

export type RuleFile = z.infer<typeof ruleSchema>;
type ConditionFile = z.infer<typeof conditionSchema>;

/** One problem, at a path inside the policy (`["tools", "x", "rules", 0]`). */
export interface RuleProblem { path: (string | number)[]; message: string }

const MAX_RATE = 1e9;

/** Parses "5/hour"; the error words are Intercept's. */
export function parseRateLimit(text: string): { count: number; window: Window } | { error: string } {
  const parts = text.split('/');
  if (parts.length !== 2) return { error: `rate_limit must be in the format "N/window" (e.g. "5/hour"), got ${JSON.stringify(text)}` };
  const [count, window] = parts as [string, string];
  if (!/^\d+$/.test(count) || Number(count) <= 0) return { error: `rate_limit count must be a positive integer, got ${JSON.stringify(count)}` };
  if (Number(count) > MAX_RATE) return { error: `rate_limit count must be at most ${MAX_RATE}, got ${JSON.stringify(count)}` };
  if (!(WINDOWS as readonly string[]).includes(window)) return { error: `rate_limit window must be "minute", "hour", or "day", got ${JSON.stringify(window)}` };
  return { count: Number(count), window: window as Window };
}

/** The scope a tool's counters live in: its name, or `_global` for "*". */
export const counterScope = (tool: string) => (tool === '*' ? '_global' : tool);

/** The counter a rule defines (its own, or the shorthand's `_rate_<window>`), when it has one. */
function definedCounter(rule: RuleFile): string | undefined {
  if (rule.rate_limit !== undefined) {
    const parsed = parseRateLimit(rule.rate_limit);
    return 'error' in parsed ? undefined : `_rate_${parsed.window}`;
  }
  return rule.state?.counter;
}

/**
 * Every check Intercept's `validate` makes on one tool's rules, plus ours for `approve` and for regexes
 * (paths from the tool: `["rules", 0, "action"]`). References to counters are counterReferenceProblems'.
 */
export function validateRules(rules: RuleFile[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const at = (index: number, ...rest: (string | number)[]) => ['rules', index, ...rest];
  const seen = new Map<string, number>();
  rules.forEach((rule, index) => {
    const counter = definedCounter(rule);
    if (counter === undefined) return;
    const first = seen.get(counter);
    if (first === undefined) seen.set(counter, index);
    else problems.push({ path: at(index), message: `duplicate state counter ${JSON.stringify(counter)} (also used by rules[${first}])` });
  });
  rules.forEach((rule, index) => {
    const add = (message: string, ...rest: (string | number)[]) => problems.push({ path: at(index, ...rest), message });
    if (rule.name === undefined || rule.name.trim() === '') add('rule must have a name');
    const action = rule.action ?? 'evaluate';
    if (!['evaluate', 'deny', 'approve'].includes(action)) add(`action must be "evaluate" or "deny" (or "approve"), got ${JSON.stringify(action)}`, 'action');
    if (rule.rate_limit !== undefined) {
      const parsed = parseRateLimit(rule.rate_limit);
      if ('error' in parsed) add(parsed.error, 'rate_limit');
      if (rule.conditions !== undefined || rule.state !== undefined) add('rate_limit cannot be combined with conditions or state; use separate rules or the full syntax instead');
      if (action === 'deny' || action === 'approve') add(`rate_limit cannot be used with action ${JSON.stringify(action)}`);
      return;
    }
    const conditions = rule.conditions ?? [];
    if (action === 'deny' && conditions.length > 0) add('deny rules must not have conditions');
    if (action === 'evaluate' && conditions.length === 0) add('evaluate rules must have at least one condition');
    if (action === 'deny' && rule.state !== undefined) add('deny rules must not have a state counter (they allow nothing to count)');
    conditions.forEach((condition, j) => {
      for (const message of conditionProblems(condition)) add(message, 'conditions', j);
    });
    if (rule.state) {
      const { counter, window, increment_from: from } = rule.state;
      if (counter.trim() === '') add('counter must not be empty', 'state', 'counter');
      else if (counter.includes('.')) add('counter must not contain "." (conditions name it as state.<tool>.<counter>)', 'state', 'counter');
      if (!(WINDOWS as readonly string[]).includes(window)) add(`window must be "minute", "hour", or "day", got ${JSON.stringify(window)}`, 'state', 'window');
      if (from !== undefined && !isArgsPath(from)) add(`increment_from must start with "args.", got ${JSON.stringify(from)}`, 'state', 'increment_from');
      if (from !== undefined && rule.state.increment !== undefined) add('increment and increment_from cannot both be given', 'state');
    }
  });
  return problems;
}

/**
 * Conditions on `state.<tool>.<counter>` that name no counter a rule of that tool defines (`_global`: of
 * "*"); `rulesOf(tool)` gives any tool's rules. Paths from the policy's root.
 */
export function counterReferenceProblems(tool: string, rules: RuleFile[], rulesOf: (tool: string) => RuleFile[] | undefined): RuleProblem[] {
  const problems: RuleProblem[] = [];
  rules.forEach((rule, index) => (rule.conditions ?? []).forEach((condition, j) => {
    const reference = /^state\.([^.]+)\.([^.]+)$/.exec(condition.path);
    if (!reference) return;
    const [, scope, name] = reference as unknown as [string, string, string];
    if (!rulesOf(scope === '_global' ? '*' : scope)?.some((other) => definedCounter(other) === name)) {
      problems.push({ path: ['tools', tool, 'rules', index, 'conditions', j], message: `condition references state.${scope}.${name} but no matching state block found` });
    }
  }));
  return problems;
}

const isArgsPath = (path: string) => /^args\.[^.]+(\.[^.]+)*$/.test(path);

function conditionProblems(condition: ConditionFile): string[] {
  const problems: string[] = [];
  const { path, op, value } = condition;
  if (!path.startsWith('args.') && !path.startsWith('state.')) problems.push(`path must start with "args." or "state.", got ${JSON.stringify(path)}`);
  else if (path.startsWith('args.') && !isArgsPath(path)) problems.push(`path must name a field after "args." with no empty parts, got ${JSON.stringify(path)}`);
  else if (path.startsWith('state.') && !/^state\.[^.]+\.[^.]+$/.test(path)) problems.push(`path must be state.<tool>.<counter>, got ${JSON.stringify(path)}`);
  if (!(OPERATORS as readonly string[]).includes(op)) {
    problems.push(`unknown operator ${JSON.stringify(op)} (use one of ${OPERATORS.join(', ')})`);
    return problems;
  }
  if ((op === 'in' || op === 'not_in') && !Array.isArray(value)) problems.push(`operator ${JSON.stringify(op)} requires a list value`);
  if (['lt', 'lte', 'gt', 'gte'].includes(op) && !(typeof value === 'number' && Number.isFinite(value))) problems.push(`operator ${JSON.stringify(op)} requires a numeric value`);
  if (op === 'exists' && typeof value !== 'boolean') problems.push('operator "exists" requires a boolean value');
  if (['eq', 'neq', 'contains'].includes(op) && value === undefined) problems.push(`operator ${JSON.stringify(op)} requires a value`);
  if (op === 'regex') {
    if (typeof value !== 'string') problems.push('regex value must be a string');
    else {
      try {
        compileSafeRegex(value);
      } catch (error) {
        problems.push(`invalid regex ${JSON.stringify(value.length > 80 ? `${value.slice(0, 79)}…` : value)}: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Compiled rules: what evaluation reads.

export interface Condition {
  /** `args` or `state`. */
  source: 'args' | 'state';
  /** For args: the field names; for state: [scope, counter]. */
  keys: string[];
  op: Operator;
  value: unknown;
  regex?: SafeRegex;
}

export interface CounterDef {
  /** Where Counters keeps it: global to the server, as Intercept's are (`state:<tool>`, apart from the limits' `tools.<tool>`). */
  key: string;
  scope: string;
  counter: string;
  window: Window;
  increment: number;
  /** Field names under args whose value is the increment. */
  incrementFrom?: string[];
  /** The most the counter may reach after this call (from an lt/lte condition on itself), as Intercept reserves. */
  limit?: number;
}

export interface Rule {
  /** Names the rule in audits and denials: `tools.x.rules[0] "name"`. */
  id: string;
  name: string;
  action: 'evaluate' | 'deny' | 'approve';
  conditions: Condition[];
  onDeny?: string;
  state?: CounterDef;
}

/** Compiles rules that passed validateRules (the rate_limit shorthand spelled out, as Intercept does). */
export function compileRules(tool: string, rules: RuleFile[]): Rule[] {
  const scope = counterScope(tool);
  const where = tool === '*' ? 'tools["*"]' : /^[A-Za-z_$][\w$-]*$/.test(tool) ? `tools.${tool}` : `tools[${JSON.stringify(tool)}]`;
  return rules.map((file, index) => {
    const name = file.name ?? '';
    // Shortened: the id goes into every audit event.
    const id = `${where}.rules[${index}] ${JSON.stringify(name.length > 80 ? `${name.slice(0, 79)}…` : name)}`;
    if (file.rate_limit !== undefined) {
      const { count, window } = parseRateLimit(file.rate_limit) as { count: number; window: Window };
      const counter = `_rate_${window}`;
      return {
        id, name, action: 'evaluate',
        conditions: [{ source: 'state', keys: [scope, counter], op: 'lte', value: count }],
        onDeny: file.on_deny ?? `Rate limit of ${count} per ${window} reached. Try again later.`,
        state: { key: stateKey(scope, counter, window), scope, counter, window, increment: 1, limit: count },
      };
    }
    const conditions = (file.conditions ?? []).map(compileCondition);
    let state: CounterDef | undefined;
    if (file.state) {
      const own = conditions.find((condition) => condition.source === 'state' && condition.keys[0] === scope && condition.keys[1] === file.state!.counter
        && (condition.op === 'lt' || condition.op === 'lte'));
      state = {
        key: stateKey(scope, file.state.counter, file.state.window as Window), scope, counter: file.state.counter, window: file.state.window as Window, increment: file.state.increment ?? 1,
        incrementFrom: file.state.increment_from?.split('.').slice(1),
        limit: own ? (own.op === 'lt' ? (own.value as number) - 1 : (own.value as number)) : undefined,
      };
    }
    return { id, name, action: (file.action ?? 'evaluate') as Rule['action'], conditions, onDeny: file.on_deny, state };
  });
}

const stateKey = (scope: string, counter: string, window: Window) => JSON.stringify([`state:${scope}`, counter, window, 'grant']);

function compileCondition(file: ConditionFile): Condition {
  const [source, ...keys] = file.path.split('.');
  return {
    source: source as 'args' | 'state', keys, op: file.op as Operator, value: file.value,
    ...(file.op === 'regex' ? { regex: compileSafeRegex(file.value as string) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Evaluation.

/** The value at `args.<keys>`: own properties of plain objects only, as JSON arguments have. */
export function resolveArgs(args: unknown, keys: readonly string[]): { found: true; value: unknown } | { found: false } {
  let current = args;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { found: true, value: current };
}

/**
 * Whether a condition holds; `counter` reads a state counter's value in its current window. `undecided`
 * is the answer when the condition cannot be decided: the field is missing, has the wrong type for the
 * operator (a string for lt, a number for regex), or is too long for a regex. The caller picks the answer
 * that fails closed: false for an evaluate rule (denied, as Intercept does), true for an approve rule (asked).
 */
export function conditionHolds(condition: Condition, args: unknown, counter: (scope: string, name: string) => number, undecided: boolean): boolean {
  let found: boolean;
  let value: unknown;
  if (condition.source === 'state') {
    [found, value] = [true, counter(condition.keys[0], condition.keys[1])];
  } else {
    const resolved = resolveArgs(args, condition.keys);
    found = resolved.found;
    value = resolved.found ? resolved.value : undefined;
  }
  if (condition.op === 'exists') return (found && value !== null) === condition.value;
  if (!found) return undecided;
  return applyOperator(condition, value) ?? undecided;
}

function applyOperator(condition: Condition, actual: unknown): boolean | undefined {
  const expected = condition.value;
  switch (condition.op) {
    case 'eq': return equal(actual, expected);
    case 'neq': return !equal(actual, expected);
    case 'in': return (expected as unknown[]).some((item) => equal(actual, item));
    case 'not_in': return !(expected as unknown[]).some((item) => equal(actual, item));
    case 'lt': return typeof actual === 'number' ? actual < (expected as number) : undefined;
    case 'lte': return typeof actual === 'number' ? actual <= (expected as number) : undefined;
    case 'gt': return typeof actual === 'number' ? actual > (expected as number) : undefined;
    case 'gte': return typeof actual === 'number' ? actual >= (expected as number) : undefined;
    case 'regex': return typeof actual === 'string' ? condition.regex!.test(actual) : undefined;
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' ? actual.includes(expected) : undefined;
      return Array.isArray(actual) ? actual.some((item) => equal(item, expected)) : undefined;
    case 'exists': return false; // handled by the caller
  }
}

/** Intercept's equality: numbers as numbers, other scalars by their text (so 5 equals "5"), structures by their JSON. */
function equal(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') return actual === expected;
  const structured = (value: unknown) => value !== null && typeof value === 'object';
  if (structured(actual) || structured(expected)) return JSON.stringify(actual) === JSON.stringify(expected);
  return String(actual) === String(expected);
}

/** The amount a call adds to a counter: `increment`, or the argument `increment_from` names (a number ≥ 0, else no amount). */
export function incrementOf(state: CounterDef, args: unknown): number | undefined {
  if (!state.incrementFrom) return state.increment;
  const resolved = resolveArgs(args, state.incrementFrom);
  if (!resolved.found || typeof resolved.value !== 'number' || !Number.isFinite(resolved.value)) return undefined;
  // A negative amount would give quota back; an absurd one could make the sums inexact.
  if (resolved.value < 0 || resolved.value > MAX_INCREMENT) return undefined;
  return resolved.value;
}
