import { ruleCounter, type CounterId } from './counterIdentity';
import { compareUnits, toUnits, unitsText } from './exactNumbers';
import { compileSafeRegex, type SafeRegex } from './regex/matcher';
import { counterScope, MAX_INCREMENT, parseRateLimit, type ConditionFile, type Operator, type RuleFile, type Window } from './ruleSchema';

/**
 * Intercept's rules compiled and evaluated: conditions on `args.<field>` and `state.<tool>.<counter>`, the
 * rate_limit shorthand spelled out. Their shape and validation are policyRuleSchema.ts'.
 */

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
  id: CounterId;
  scope: string;
  counter: string;
  window: Window;
  /** Millionths added per call (exactNumbers.ts). */
  increment: bigint;
  /** Field names under args whose value is the increment. */
  incrementFrom?: string[];
  /** What the counter may reach after this call (from an lt/lte condition on itself), as Intercept reserves. */
  limit?: { value: number; inclusive: boolean };
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
        id,
        name,
        action: 'evaluate',
        conditions: [{ source: 'state', keys: [scope, counter], op: 'lte', value: count }],
        onDeny: file.on_deny ?? `Rate limit of ${count} per ${window} reached. Try again later.`,
        state: { id: ruleCounter(scope, counter, window), scope, counter, window, increment: toUnits(1)!, limit: { value: count, inclusive: true } },
      };
    }
    const conditions = (file.conditions ?? []).map(compileCondition);
    let state: CounterDef | undefined;
    if (file.state) {
      const own = conditions.find(
        (condition) =>
          condition.source === 'state' &&
          condition.keys[0] === scope &&
          condition.keys[1] === file.state!.counter &&
          (condition.op === 'lt' || condition.op === 'lte'),
      );
      state = {
        id: ruleCounter(scope, file.state.counter, file.state.window as Window),
        scope,
        counter: file.state.counter,
        window: file.state.window as Window,
        // Whole numbers up to MAX_INCREMENT (ruleSchema.ts), so always exact.
        increment: toUnits(file.state.increment ?? 1)!,
        incrementFrom: file.state.increment_from?.split('.').slice(1),
        limit: own ? { value: own.value as number, inclusive: own.op === 'lte' } : undefined,
      };
    }
    return { id, name, action: (file.action ?? 'evaluate') as Rule['action'], conditions, onDeny: file.on_deny, state };
  });
}

function compileCondition(file: ConditionFile): Condition {
  const [source, ...keys] = file.path.split('.');
  return {
    source: source as 'args' | 'state',
    keys,
    op: file.op as Operator,
    value: file.value,
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
 * Whether a condition holds; `counter` reads a state counter's value in its current window, in millionths
 * (compared exactly). `undecided` is the answer when the condition cannot be decided: the field is missing,
 * has the wrong type for the operator (a string for lt, a number for regex), or is too long for a regex. The
 * caller picks the answer that fails closed: false for an evaluate rule (denied, as Intercept does), true for
 * an approve rule (asked).
 */
export function conditionHolds(condition: Condition, args: unknown, counter: (scope: string, name: string) => bigint, undecided: boolean): boolean {
  let found: boolean;
  let value: unknown;
  if (condition.source === 'state') {
    const [scope, name] = condition.keys;
    [found, value] = scope !== undefined && name !== undefined ? [true, counter(scope, name)] : [false, undefined];
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
  if (typeof actual === 'bigint') return applyToCount(condition.op, actual, expected);
  switch (condition.op) {
    case 'eq':
      return equal(actual, expected);
    case 'neq':
      return !equal(actual, expected);
    case 'in':
      return (expected as unknown[]).some((item) => equal(actual, item));
    case 'not_in':
      return !(expected as unknown[]).some((item) => equal(actual, item));
    case 'lt':
      return typeof actual === 'number' ? actual < (expected as number) : undefined;
    case 'lte':
      return typeof actual === 'number' ? actual <= (expected as number) : undefined;
    case 'gt':
      return typeof actual === 'number' ? actual > (expected as number) : undefined;
    case 'gte':
      return typeof actual === 'number' ? actual >= (expected as number) : undefined;
    case 'regex':
      return typeof actual === 'string' ? condition.regex!.test(actual) : undefined;
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' ? actual.includes(expected) : undefined;
      return Array.isArray(actual) ? actual.some((item) => equal(item, expected)) : undefined;
    case 'exists':
      return false; // handled by the caller
  }
}

/** An operator on a counter's exact count. */
function applyToCount(op: Operator, units: bigint, expected: unknown): boolean | undefined {
  const is = (value: unknown) => (typeof value === 'number' ? Number.isFinite(value) && compareUnits(units, value) === 0 : equal(unitsText(units), value));
  switch (op) {
    case 'eq':
      return is(expected);
    case 'neq':
      return !is(expected);
    case 'in':
      return (expected as unknown[]).some(is);
    case 'not_in':
      return !(expected as unknown[]).some(is);
    case 'lt':
      return compareUnits(units, expected as number) < 0;
    case 'lte':
      return compareUnits(units, expected as number) <= 0;
    case 'gt':
      return compareUnits(units, expected as number) > 0;
    case 'gte':
      return compareUnits(units, expected as number) >= 0;
    default:
      return undefined;
  }
}

/** Intercept's equality: numbers as numbers, other scalars by their text (so 5 equals "5"), structures by their JSON. */
function equal(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') return actual === expected;
  const structured = (value: unknown) => value !== null && typeof value === 'object';
  if (structured(actual) || structured(expected)) return JSON.stringify(actual) === JSON.stringify(expected);
  return String(actual) === String(expected);
}

/**
 * The millionths a call adds to a counter: `increment`, or the argument `increment_from` names (a number
 * from 0 to MAX_INCREMENT with at most six decimal places, else no amount).
 */
export function incrementOf(state: CounterDef, args: unknown): bigint | undefined {
  if (!state.incrementFrom) return state.increment;
  const resolved = resolveArgs(args, state.incrementFrom);
  if (!resolved.found || typeof resolved.value !== 'number' || !Number.isFinite(resolved.value)) return undefined;
  // A negative amount would give quota back; an absurd one is surely a mistake.
  if (resolved.value < 0 || resolved.value > MAX_INCREMENT) return undefined;
  return toUnits(resolved.value);
}

/**
 * The first argument a rule's conditions judge that is a number JSON cannot carry: 1e400 arrives as
 * Infinity, passes `gte 1`, and would be sent on as null. (incrementOf refuses such an amount itself.)
 */
export function nonFiniteArgument(rule: Rule, args: unknown): { path: string; value: number } | undefined {
  for (const condition of rule.conditions) {
    if (condition.source !== 'args') continue;
    const resolved = resolveArgs(args, condition.keys);
    if (resolved.found && typeof resolved.value === 'number' && !Number.isFinite(resolved.value)) {
      return { path: `args.${condition.keys.join('.')}`, value: resolved.value };
    }
  }
  return undefined;
}
