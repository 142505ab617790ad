import { z } from 'zod/v4';
import { compileSafeRegex } from './regex/matcher';
import { RegexProblem } from './regex/parse';
import type { MustBe, PolicyProblemCode, ProblemParams } from './problems';

/**
 * Rules on what a call says, in Intercept's vocabulary (its POLICY.md): per tool a list of `rules`, each
 * `deny` (always), `evaluate` (all `conditions` must hold, or the call is denied with `on_deny`) or our
 * own `approve` (when all its conditions hold, a person is asked). `rate_limit: N/window` is shorthand for
 * an evaluate rule on a counter; `state` counts calls (or an argument's amount) per calendar-aligned UTC
 * window. Conditions read `args.<field>` (dots descend) or `state.<tool>.<counter>` (`_global` for "*").
 *
 * This module: the rules' shape and every check on them; policyRules.ts compiles and evaluates them.
 */

export type Window = 'minute' | 'hour' | 'day';
export const WINDOWS: readonly Window[] = ['minute', 'hour', 'day'];

const OPERATORS = ['eq', 'neq', 'in', 'not_in', 'lt', 'lte', 'gt', 'gte', 'regex', 'contains', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];

/** The largest counter increment: anything larger is surely a mistake. */
export const MAX_INCREMENT = 1e12;

/** A zod issue message carrying a problem's code and parameters; policyParse.ts words it (policyProblems.ts). */
export const issueMessage = (code: PolicyProblemCode, params: ProblemParams = {}) => JSON.stringify({ ...params, code });

/** The error for a field: "is required" when absent, "must be <what>" otherwise. */
export const must =
  (what: MustBe, params: ProblemParams = {}) =>
  (issue: { input?: unknown }) =>
    issue.input === undefined ? issueMessage('required') : issueMessage('mustBe', { ...params, what });

const conditionSchema = z.strictObject(
  {
    path: z.string({ error: must('conditionPath') }),
    op: z.string({ error: must('operator', { operators: OPERATORS.join(', ') }) }),
    value: z.unknown().optional(),
  },
  { error: must('condition') },
);

const stateSchema = z.strictObject(
  {
    counter: z.string({ error: must('counterName') }),
    window: z.string({ error: must('window') }),
    increment: z
      .number({ error: must('wholeNumber') })
      .int({ error: must('wholeNumber') })
      .min(1, { error: must('wholeNumber') })
      .max(MAX_INCREMENT, { error: must('atMostIncrement', { max: MAX_INCREMENT }) })
      .optional(),
    increment_from: z.string({ error: must('argsPath') }).optional(),
  },
  { error: must('state') },
);

export const ruleSchema = z.strictObject(
  {
    name: z.string({ error: must('string') }).optional(),
    action: z.string({ error: must('ruleAction') }).optional(),
    conditions: z.array(conditionSchema, { error: must('conditionList') }).optional(),
    on_deny: z.string({ error: must('string') }).optional(),
    rate_limit: z.string({ error: must('rateLimit') }).optional(),
    state: stateSchema.optional(),
  },
  { error: must('rule') },
);

export type RuleFile = z.infer<typeof ruleSchema>;
export type ConditionFile = z.infer<typeof conditionSchema>;

/** One problem, at a path inside the policy (`["tools", "x", "rules", 0]`). */
interface RuleProblem {
  path: (string | number)[];
  code: PolicyProblemCode;
  params: ProblemParams;
}

type Problem = { code: PolicyProblemCode; params: ProblemParams };

const MAX_RATE = 1e9;

/** Parses "5/hour"; the error words are Intercept's. */
export function parseRateLimit(text: string): { count: number; window: Window } | { error: Problem } {
  const parts = text.split('/');
  if (parts.length !== 2) return { error: { code: 'rateLimitFormat', params: { text } } };
  const [count, window] = parts as [string, string];
  if (!/^\d+$/.test(count) || Number(count) <= 0) return { error: { code: 'rateLimitCount', params: { count } } };
  if (Number(count) > MAX_RATE) return { error: { code: 'rateLimitMax', params: { count, max: MAX_RATE } } };
  if (!(WINDOWS as readonly string[]).includes(window)) return { error: { code: 'rateLimitWindow', params: { window } } };
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
    else problems.push({ path: at(index), code: 'duplicateCounter', params: { counter, first } });
  });
  rules.forEach((rule, index) => {
    const add = ({ code, params }: Problem, ...rest: (string | number)[]) => problems.push({ path: at(index, ...rest), code, params });
    const problem = (code: PolicyProblemCode, params: ProblemParams = {}): Problem => ({ code, params });
    if (rule.name === undefined || rule.name.trim() === '') add(problem('ruleName'));
    const action = rule.action ?? 'evaluate';
    if (!['evaluate', 'deny', 'approve'].includes(action)) add(problem('ruleAction', { action }), 'action');
    if (rule.rate_limit !== undefined) {
      const parsed = parseRateLimit(rule.rate_limit);
      if ('error' in parsed) add(parsed.error, 'rate_limit');
      if (rule.conditions !== undefined || rule.state !== undefined) add(problem('rateLimitCombined'));
      if (action === 'deny' || action === 'approve') add(problem('rateLimitAction', { action }));
      return;
    }
    const conditions = rule.conditions ?? [];
    if (action === 'deny' && conditions.length > 0) add(problem('denyConditions'));
    if (action === 'evaluate' && conditions.length === 0) add(problem('evaluateNoConditions'));
    if (action === 'deny' && rule.state !== undefined) add(problem('denyState'));
    conditions.forEach((condition, j) => {
      for (const found of conditionProblems(condition)) add(found, 'conditions', j);
    });
    if (rule.state) {
      const { counter, window, increment_from: from } = rule.state;
      if (counter.trim() === '') add(problem('counterEmpty'), 'state', 'counter');
      else if (counter.includes('.')) add(problem('counterDot'), 'state', 'counter');
      if (!(WINDOWS as readonly string[]).includes(window)) add(problem('stateWindow', { window }), 'state', 'window');
      if (from !== undefined && !isArgsPath(from)) add(problem('incrementFromPath', { path: from }), 'state', 'increment_from');
      if (from !== undefined && rule.state.increment !== undefined) add(problem('incrementBoth'), 'state');
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
  rules.forEach((rule, index) =>
    (rule.conditions ?? []).forEach((condition, j) => {
      const reference = /^state\.([^.]+)\.([^.]+)$/.exec(condition.path);
      if (!reference) return;
      const [, scope, name] = reference as unknown as [string, string, string];
      if (!rulesOf(scope === '_global' ? '*' : scope)?.some((other) => definedCounter(other) === name)) {
        problems.push({ path: ['tools', tool, 'rules', index, 'conditions', j], code: 'counterReference', params: { scope, counter: name } });
      }
    }),
  );
  return problems;
}

const isArgsPath = (path: string) => /^args\.[^.]+(\.[^.]+)*$/.test(path);

function conditionProblems(condition: ConditionFile): Problem[] {
  const problems: Problem[] = [];
  const add = (code: PolicyProblemCode, params: ProblemParams = {}) => problems.push({ code, params });
  const { path, op, value } = condition;
  if (!path.startsWith('args.') && !path.startsWith('state.')) add('pathStart', { path });
  else if (path.startsWith('args.') && !isArgsPath(path)) add('argsPath', { path });
  else if (path.startsWith('state.') && !/^state\.[^.]+\.[^.]+$/.test(path)) add('statePath', { path });
  if (!(OPERATORS as readonly string[]).includes(op)) {
    add('unknownOperator', { op, operators: OPERATORS.join(', ') });
    return problems;
  }
  if ((op === 'in' || op === 'not_in') && !Array.isArray(value)) add('needsList', { op });
  if (['lt', 'lte', 'gt', 'gte'].includes(op) && !(typeof value === 'number' && Number.isFinite(value))) add('needsNumber', { op });
  if (op === 'exists' && typeof value !== 'boolean') add('existsBoolean');
  if (['eq', 'neq', 'contains'].includes(op) && value === undefined) add('needsValue', { op });
  if (op === 'regex') {
    if (typeof value !== 'string') add('regexString');
    else {
      try {
        compileSafeRegex(value);
      } catch (error) {
        const pattern = value.length > 80 ? `${value.slice(0, 79)}…` : value;
        // Only a RegexProblem is expected; anything else is worded as it came.
        if (error instanceof RegexProblem) add('invalidRegex', { pattern, reason: error.code, ...error.params });
        else add('invalidRegex', { pattern, reason: (error as Error).message });
      }
    }
  }
  return problems;
}
