import { hash } from 'node:crypto';
import { z } from 'zod/v4';
import { closestName } from './closestName';
import type { PolicyFileRead } from './policyFile';
import { jsonLineOf, type LineOf } from './jsonLines';
import {
  compileRules, conditionHolds, counterReferenceProblems, incrementOf, ruleSchema, validateRules, type Rule, type RuleFile, type Window,
} from './policyRules';

/**
 * The MCP policy engine: a PolicyLayer/Intercept-compatible policy.json (version "1") decides every tool
 * call before it runs. Plain TypeScript (no vscode) so the extension, the standalone CLI and tests share it.
 *
 * Order of evaluation, as in Intercept: hide → default deny for unlisted tools → tool deny → rules (the
 * tool's, then "*"'s, in order: a deny rule denies, an evaluate rule whose conditions do not all hold
 * denies) → limits (tool first, then all_tools) and rule counters with room → approval (the tool's
 * `approve`, or an approve rule whose conditions hold) → reserve. Counters are reserved before the tool
 * runs and committed or rolled back by `finish`, so denied and failed calls use no quota.
 */

export interface PolicyCall { tool: string; args: unknown; sessionId: string }

export type Approver = (request: { tool: string; argsDigest: string; policyVersion: number }) => Promise<boolean>;

export type Verdict =
  | { allowed: true; rule: string; finish(succeeded: boolean): void }
  | { allowed: false; rule: string; reason: string; retryAfterSeconds?: number };

/** Where counters persist between engine instances (the extension backs it with globalState). */
export interface CounterStore {
  load(): Record<string, number> | undefined;
  save(snapshot: Record<string, number>): void;
}

/** One problem in the policy file, at its line (1-based) when it has one: what the Problems panel shows. */
export interface PolicyProblem { message: string; line?: number; severity: 'error' | 'warning' }

/** What applying a policy file did: `level` error means every call is now denied; warn, a problem while a good policy stays. */
export type PolicyReport =
  | { ok: true; level: 'info' | 'warn'; message: string; /** Entries naming tools the server does not have. */ unknownTools: string[]; problems: PolicyProblem[] }
  | { ok: false; level: 'warn' | 'error'; message: string; error: string; denyingAll: boolean; problems: PolicyProblem[] };

export interface PolicyStatus {
  source: string;
  /** What decides calls now: the file's rules, the built-in defaults (no file), or nothing (every call denied). */
  inForce: 'file' | 'defaults' | 'none';
  /** The file the source resolved to when it was loaded, when that differs (a symlink). */
  resolvedPath?: string;
  usingDefault: boolean;
  valid: boolean;
  error?: string;
  policyVersion: number;
}

type Scope = 'grant' | 'session';

const WINDOW_MS: Record<Window, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

// ---------------------------------------------------------------------------------------------------
// The file's shape. Messages read "<json path> must be …"; the path is added when issues are formatted.

/** An error message for a field: "is required" when absent, "must be <what>" otherwise. */
const must = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`);

const toolName = z.string({ error: must('a tool name') }).min(1, { error: must('a non-empty tool name') });

const limitSchema = z.strictObject({
  counter: z.string({ error: must('a counter name') }).min(1, { error: must('a non-empty counter name') }),
  window: z.enum(['minute', 'hour', 'day'], { error: must('"minute", "hour" or "day"') }),
  max: z.number({ error: must('a whole number of at least 1') })
    .int({ error: must('a whole number of at least 1') })
    .min(1, { error: must('a whole number of at least 1') }),
  // Intercept's counters are global to the proxy; "grant" is the same thing, so it is the default.
  scope: z.enum(['grant', 'session'], { error: must('"grant" or "session"') }).optional(),
}, { error: must('an object like {"counter": "calls", "window": "minute", "max": 10, "scope": "grant"}') });

const limitsSchema = z.array(limitSchema, { error: must('a list of limits') }).superRefine((limits, ctx) => {
  // Two limits on one counter/window/scope would share (and double-count) one counter.
  const seen = new Map<string, number>();
  limits.forEach((limit, index) => {
    const key = JSON.stringify([limit.counter, limit.window, limit.scope ?? 'grant']);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else ctx.addIssue({ code: 'custom', path: [index], message: `repeats the counter "${limit.counter}" (${limit.window}, ${limit.scope ?? 'grant'}) of limits[${first}]; give it another counter name` });
  });
});

const toolSchema = z.strictObject({
  action: z.enum(['deny', 'approve'], { error: must('"deny" or "approve" (leave it out to allow)') }).optional(),
  reason: z.string({ error: must('a string') }).optional(),
  limits: limitsSchema.optional(),
  rules: z.array(ruleSchema, { error: must('a list of rules') }).optional(),
}, { error: must('an object ({} allows the tool)') }).superRefine((tool, ctx) => {
  if (tool.reason !== undefined && tool.action !== 'deny') ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is only used with "action": "deny"' });
  if (tool.limits !== undefined && tool.action === 'deny') ctx.addIssue({ code: 'custom', path: ['limits'], message: 'cannot be combined with "action": "deny"' });
  if (tool.rules !== undefined && tool.action === 'deny') ctx.addIssue({ code: 'custom', path: ['rules'], message: 'cannot be combined with "action": "deny"' });
  // Checked per tool, so one tool's mistakes are reported even while another part of the file has its own.
  for (const problem of validateRules(tool.rules ?? [])) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, params: RULE_PROBLEM });
});

/** Rule problems read as Intercept's: "tools.x.rules[0]: deny rules must not have conditions". */
const RULE_PROBLEM = { rule: true };

const policySchema = z.strictObject({
  version: z.literal('1', { error: must('"1"') }),
  description: z.string({ error: must('a string') }).optional(),
  default: z.enum(['allow', 'deny'], { error: must('"allow" or "deny"') }).optional(),
  hide: z.union([z.literal('*'), z.array(toolName)], { error: must('a list of tool names or "*"') }).optional()
    .superRefine((hide, ctx) => {
      if (!Array.isArray(hide)) return;
      hide.forEach((name, index) => {
        if (hide.indexOf(name) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `repeats "${name}"` });
      });
    }),
  tools: z.record(toolName, toolSchema, { error: must('an object mapping tool names to rules') }).optional(),
  all_tools: z.strictObject({ limits: limitsSchema.optional() }, { error: must('an object like {"limits": [...]}') }).optional(),
}, { error: must('a JSON object') }).superRefine((file, ctx) => {
  const tools = file.tools ?? {};
  const rulesOf = (name: string): RuleFile[] | undefined => (Object.hasOwn(tools, name) ? tools[name].rules : undefined);
  for (const [name, tool] of Object.entries(tools)) {
    if (name === '*') {
      // "*" holds rules for every tool; a tool-wide deny, approve or limits there would be all_tools' job.
      for (const key of ['action', 'reason', 'limits'] as const) {
        if (tool[key] !== undefined) ctx.addIssue({ code: 'custom', path: ['tools', name, key], message: 'is not allowed under "*", which holds only rules (limits for every tool go in all_tools)' });
      }
    }
    for (const problem of counterReferenceProblems(name, tool.rules ?? [], rulesOf)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, params: RULE_PROBLEM });
  }
});

type PolicyFile = z.infer<typeof policySchema>;

// ---------------------------------------------------------------------------------------------------
// The compiled policy: what evaluate() reads.

interface Limit {
  /** Rule id for audits and messages, e.g. `tools.x.limits[0]`. */
  rule: string;
  /** Whose counter: `tools.<name>` or `all_tools`. */
  target: string;
  counter: string;
  window: Window;
  max: number;
  scope: Scope;
}

interface ToolRule { action: 'allow' | 'deny' | 'approve'; reason?: string; limits: Limit[]; rules: Rule[] }

interface CompiledPolicy {
  defaultAction: 'allow' | 'deny';
  hideAll: boolean;
  hidden: Set<string>;
  tools: Map<string, ToolRule>;
  /** The rules under "*", evaluated after each tool's own. */
  everyTool: Rule[];
  allTools: Limit[];
  /** Each rule counter by `<scope>\0<counter>`, for conditions that read it (state.<scope>.<counter>). */
  counters: Map<string, { key: string; window: Window }>;
}

function compile(file: PolicyFile): CompiledPolicy {
  const limits = (target: string, list: z.infer<typeof limitSchema>[] | undefined): Limit[] =>
    (list ?? []).map((limit, index) => ({
      rule: `${target}.limits[${index}]`, target, counter: limit.counter, window: limit.window, max: limit.max, scope: limit.scope ?? 'grant',
    }));
  const tools = new Map<string, ToolRule>();
  for (const [name, tool] of Object.entries(file.tools ?? {})) {
    if (name === '*') continue;
    tools.set(name, { action: tool.action ?? 'allow', reason: tool.reason, limits: limits(`tools.${name}`, tool.limits), rules: compileRules(name, tool.rules ?? []) });
  }
  const hideList = file.hide === '*' ? ['*'] : file.hide ?? [];
  const everyTool = compileRules('*', file.tools?.['*']?.rules ?? []);
  const counters = new Map<string, { key: string; window: Window }>();
  for (const rule of [...[...tools.values()].flatMap((tool) => tool.rules), ...everyTool]) {
    if (rule.state) counters.set(`${rule.state.scope}\0${rule.state.counter}`, { key: rule.state.key, window: rule.state.window });
  }
  return {
    defaultAction: file.default ?? 'allow',
    // Intercept treats a "*" entry in the list like hide: "*".
    hideAll: hideList.includes('*'),
    hidden: new Set(hideList),
    tools,
    everyTool,
    allTools: limits('all_tools', file.all_tools?.limits),
    counters,
  };
}

const MAX_REPORTED_UNKNOWN = 10;

/** A name from the file as messages show it: quoted, shortened, bidi controls visible (JSON escapes the rest). */
function quoteName(name: string): string {
  const short = name.length > 80 ? `${name.slice(0, 79)}…` : name;
  return JSON.stringify(short).replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `hide` and `tools` entries that name no tool the server has (a typo such as "Get_Access_Token" silently
 * changes nothing), each with the closest real name: `hide[0] "Get_Access_Token" (did you mean "get_access_token"?)`.
 */
function unknownToolEntries(file: PolicyFile, knownTools: readonly string[]): { text: string; path: (string | number)[] }[] {
  const describe = (where: string, name: string) => {
    const suggestion = closestName(name, knownTools);
    return `${where} ${suggestion ? `(did you mean "${suggestion}"?)` : `(the tools are ${knownTools.join(', ')})`}`;
  };
  const named: [where: string, name: string, path: (string | number)[]][] = [];
  // "*" in hide means every tool.
  if (Array.isArray(file.hide)) file.hide.forEach((name, index) => name !== '*' && named.push([`hide[${index}] ${quoteName(name)}`, name, ['hide', index]]));
  for (const name of Object.keys(file.tools ?? {})) if (name !== '*') named.push([`tools[${quoteName(name)}]`, name, ['tools', name]]);
  // A few are enough to see the mistake; a hostile file with thousands must not cost a suggestion each.
  const unknown = named.filter(([, name]) => !knownTools.includes(name));
  const shown = unknown.slice(0, MAX_REPORTED_UNKNOWN).map(([where, name, path]) => ({ text: describe(where, name), path }));
  if (unknown.length > shown.length) shown.push({ text: `and ${unknown.length - shown.length} more`, path: [] });
  return shown;
}

/**
 * Without a policy file: allow everything, but keep agents from hammering DingTalk's token endpoint.
 * Same counter name as the template "Open MCP Policy" writes, so creating the file keeps the count.
 */
const DEFAULT_POLICY: PolicyFile = {
  version: '1',
  default: 'allow',
  tools: { refresh_access_token: { limits: [{ counter: 'refreshes', window: 'minute', max: 60, scope: 'grant' }] } },
};

export type PolicyFormat = 'json' | 'yaml';

/** Intercept's YAML for .yaml and .yml files, PolicyLayer's JSON for anything else. */
export function policyFormatOf(file: string): PolicyFormat {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}

/** Parses and validates policy text; errors name the path of each problem, and its line in YAML. */
export function parsePolicy(text: string, format: PolicyFormat = 'json'):
  { ok: true; policy: PolicyFile; /** Lines of the file's parts, worked out when asked. */ lineOf(): LineOf } | { ok: false; error: string; problems: PolicyProblem[] } {
  const source = text.replace(/^\uFEFF/, '');
  const failed = (error: string, line?: number) => ({ ok: false as const, error, problems: [{ message: error, line, severity: 'error' as const }] });
  if (source.trim() === '') return failed(`the file is empty; it needs at least ${format === 'yaml' ? 'version: "1"' : '{"version": "1"}'}`, 1);
  let value: unknown;
  let lineOf: () => LineOf;
  if (format === 'yaml') {
    // Required here, not imported: the YAML parser loads only when a YAML policy does.
    const { readYamlPolicy } = require('./policyYaml') as typeof import('./policyYaml');
    const read = readYamlPolicy(source);
    if (!read.ok) return failed(read.error, read.line);
    value = read.value;
    lineOf = () => read.lineOf;
  } else {
    try {
      value = JSON.parse(source);
    } catch (error) {
      const { text: words, line } = describeJsonError(error as Error, source);
      return failed(`not valid JSON: ${words}`, line);
    }
    lineOf = () => jsonLineOf(source);
  }
  const result = policySchema.safeParse(value);
  if (result.success) return { ok: true, policy: result.data, lineOf };
  const issues = result.error.issues;
  const lines = lineOf();
  // A one-line file (written by a program) gains nothing from "(line 1)" in its messages.
  const multiline = source.trim().includes('\n');
  const problems: PolicyProblem[] = issues.slice(0, 100).map((issue) => ({ message: describeIssue(issue), line: lines(issue.path), severity: 'error' }));
  const shown = problems.slice(0, 5).map(({ message, line }) => (multiline && line !== undefined ? `${message} (line ${line})` : message));
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more`);
  return { ok: false, error: shown.join('; '), problems };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || 'the policy';
  if (issue.code === 'custom' && issue.params?.rule === true) return `${where}: ${issue.message}`;
  if (issue.code === 'unrecognized_keys') {
    return `${where} has unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
  }
  return `${where} ${issue.message}`;
}

/** ['tools', 'x', 'limits', 0, 'window'] → tools.x.limits[0].window */
function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    const name = String(part);
    if (/^[A-Za-z_$][\w$-]*$/.test(name)) return text ? `${text}.${name}` : name;
    return `${text}[${JSON.stringify(name)}]`;
  }, '');
}

/** Node reports JSON errors by character position; people look for a line and column. */
function describeJsonError(error: Error, text: string): { text: string; line?: number } {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return { text: error.message };
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return { text: `${error.message.replace(/\s*(?:in JSON )?at position \d+.*$/, '')} (line ${line}, column ${column})`, line };
}

// ---------------------------------------------------------------------------------------------------
// Counters: calendar-aligned UTC windows, reserve → commit | rollback (Intercept's two-phase model).

interface Entry { start: number; used: number; pending: number }
interface Reservation { key: string; start: number; amount: number }
/** What a reservation is for: a limit (one unit) or a rule's counter (its increment). */
interface Charge { key: string; window: Window; persist: boolean; amount: number }

function windowStart(now: number, window: Window): number {
  // Epoch milliseconds have no leap seconds, so flooring aligns minutes, hours and UTC midnights.
  return Math.floor(now / WINDOW_MS[window]) * WINDOW_MS[window];
}

function secondsUntilReset(now: number, window: Window): number {
  return Math.max(1, Math.ceil((windowStart(now, window) + WINDOW_MS[window] - now) / 1000));
}

class Counters {
  private readonly entries = new Map<string, Entry & { window: Window; persist: boolean }>();

  constructor(private readonly store: CounterStore | undefined, now: number) {
    this.restore(now);
  }

  /**
   * The key names the counter, not the rule: a reload that keeps tool, counter, window and scope keeps
   * its count, even if `max` changed. Session counters carry the session id.
   */
  static key(limit: Limit, sessionId: string): string {
    return JSON.stringify([limit.target, limit.counter, limit.window, limit.scope === 'grant' ? 'grant' : `session:${sessionId}`]);
  }


  /** Units in use (committed + in flight) in the current window. */
  count(key: string, window: Window, now: number): number {
    const entry = this.entries.get(key);
    return entry && entry.start === windowStart(now, window) ? entry.used + entry.pending : 0;
  }

  reserve({ key, window, persist, amount }: Charge, now: number): Reservation {
    const start = windowStart(now, window);
    let entry = this.entries.get(key);
    if (!entry || entry.start !== start) {
      // A new window starts from zero; reservations from the old one no longer count anywhere.
      entry = { start, used: 0, pending: 0, window, persist };
      this.entries.set(key, entry);
    }
    entry.pending += amount;
    return { key, start, amount };
  }

  finish(reservations: Reservation[], succeeded: boolean, now: number): void {
    for (const { key, start, amount } of reservations) {
      const entry = this.entries.get(key);
      if (!entry || entry.start !== start || entry.pending < amount) continue;
      entry.pending -= amount;
      if (succeeded) entry.used += amount;
    }
    this.prune(now);
    if (succeeded) this.save(now);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.start !== windowStart(now, entry.window) && entry.pending === 0) this.entries.delete(key);
    }
  }

  /**
   * Only committed grant counters of current windows are saved: session ids die with the editor
   * window, and an expired window counts nothing. That keeps the snapshot to a handful of numbers.
   */
  private save(now: number): void {
    if (!this.store) return;
    const snapshot: Record<string, number> = {};
    for (const [key, entry] of this.entries) {
      if (entry.persist && entry.used > 0 && entry.start === windowStart(now, entry.window)) {
        snapshot[JSON.stringify([...JSON.parse(key) as unknown[], entry.start])] = entry.used;
      }
    }
    try {
      this.store.save(snapshot);
    } catch {
      // Losing a snapshot only makes limits more lenient after a restart; it must not fail the call.
    }
  }

  private restore(now: number): void {
    let snapshot: Record<string, number> | undefined;
    try {
      snapshot = this.store?.load();
    } catch {
      return;
    }
    for (const [stored, used] of Object.entries(snapshot ?? {})) {
      let parts: unknown;
      try {
        parts = JSON.parse(stored);
      } catch {
        continue;
      }
      if (!Array.isArray(parts) || parts.length !== 5 || parts[3] !== 'grant') continue;
      const [target, counter, window, , start] = parts as [unknown, unknown, unknown, unknown, unknown];
      if (typeof target !== 'string' || typeof counter !== 'string' || typeof window !== 'string' || !(window in WINDOW_MS)) continue;
      if (start !== windowStart(now, window as Window) || typeof used !== 'number' || !Number.isFinite(used) || used <= 0) continue;
      this.entries.set(JSON.stringify([target, counter, window, 'grant']), { start, used, pending: 0, window: window as Window, persist: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The engine.

export class PolicyEngine {
  private readonly clock: { now(): number };
  private source: string;
  private readonly counters: Counters;
  /** The policy in force; undefined when no file was valid since the defaults applied (then everything is denied). */
  private policy: CompiledPolicy | undefined = compile(DEFAULT_POLICY);
  /** True while the built-in defaults decide (no file, or none read yet). */
  private usingDefault = true;
  private error: string | undefined;
  /** Whether the last failure was reading the file (true) or what it said (false). */
  private unreadable = false;
  private version = 0;

  /** Tool names the server has, to point out typos in `hide` and `tools`; no check without them. */
  private readonly knownTools: readonly string[] | undefined;
  private unknownTools: string[] = [];
  /** Problems of the last file applied, with their lines, for the editor. */
  private problems: PolicyProblem[] = [];
  private resolvedPath: string | undefined;

  constructor(options: { clock?: { now(): number }; counterStore?: CounterStore; source?: string; knownTools?: readonly string[] } = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.source = options.source ?? 'the MCP policy file';
    this.knownTools = options.knownTools;
    this.counters = new Counters(options.counterStore, this.clock.now());
  }

  /** Applies policy text (undefined: no file → the built-in default). Invalid text keeps the last good policy. */
  load(text: string | undefined, format = policyFormatOf(this.source)): { ok: true } | { ok: false; error: string } {
    const parsed = text === undefined ? { ok: true as const, policy: DEFAULT_POLICY } : parsePolicy(text, format);
    if (!parsed.ok) {
      this.problems = parsed.problems;
      return this.fail(parsed.error, false);
    }
    this.policy = compile(parsed.policy);
    const unknown = this.knownTools ? unknownToolEntries(parsed.policy, this.knownTools) : [];
    this.unknownTools = unknown.map((entry) => entry.text);
    const lines = unknown.length > 0 && 'lineOf' in parsed ? parsed.lineOf() : undefined;
    this.problems = unknown.map((entry) => ({ message: `${entry.text} names no tool of this server and changes nothing`, line: lines?.(entry.path), severity: 'warning' }));
    this.usingDefault = text === undefined;
    this.error = undefined;
    this.unreadable = false;
    this.version++;
    return { ok: true };
  }

  /**
   * Applies what reading the policy file gave (no file → the defaults; a file that cannot be read counts
   * as invalid) and says what is now in force, in one line for the log. `source` names the file when
   * it changed (another setting, another workspace folder).
   */
  apply(read: PolicyFileRead, source = this.source): PolicyReport {
    this.source = source;
    this.problems = [];
    const result = read.kind === 'unreadable' ? this.fail(read.error, true) : this.load(read.kind === 'text' ? read.text : undefined);
    const problems = this.problems;
    if (result.ok) this.resolvedPath = read.kind === 'text' && read.resolvedPath !== source ? read.resolvedPath : undefined;
    if (!result.ok) {
      const problem = `MCP policy ${source} ${read.kind === 'unreadable' ? 'cannot be read' : 'is invalid'}: ${result.error}.`;
      return this.policy
        ? { ok: false, level: 'warn', error: result.error, denyingAll: false, problems, message: `${problem} The last good policy stays in force.` }
        : { ok: false, level: 'error', error: result.error, denyingAll: true, problems, message: `${problem} Every tool call is denied until it is fixed.` };
    }
    if (read.kind === 'missing') {
      return { ok: true, level: 'info', unknownTools: [], problems, message: `MCP policy ${source} does not exist; the built-in defaults apply (every tool allowed, refresh_access_token at most 60 times a minute).` };
    }
    const resolved = read.kind === 'text' && read.resolvedPath !== source ? ` (the file it resolves to: ${read.resolvedPath})` : '';
    const loaded = `MCP policy ${source}${resolved} loaded and in force.`;
    const unknownTools = this.unknownTools;
    if (unknownTools.length === 0) return { ok: true, level: 'info', unknownTools, problems, message: loaded };
    return { ok: true, level: 'warn', unknownTools, problems, message: `${loaded} These entries name no tool of this server and change nothing: ${unknownTools.join('; ')}.` };
  }

  private fail(error: string, unreadable: boolean): { ok: false; error: string } {
    this.error = error;
    this.unreadable = unreadable;
    // Fail closed: with no good file to fall back on, no call may pass. The built-in defaults are not
    // one: a policy file that appears broken was surely meant to restrict, not to allow everything.
    if (this.usingDefault) this.policy = undefined;
    return { ok: false, error };
  }

  status(): PolicyStatus {
    return {
      source: this.source,
      inForce: this.policy === undefined ? 'none' : this.usingDefault ? 'defaults' : 'file',
      ...(this.resolvedPath !== undefined ? { resolvedPath: this.resolvedPath } : {}),
      usingDefault: this.policy !== undefined && this.usingDefault,
      valid: this.error === undefined,
      ...(this.error !== undefined ? { error: this.error } : {}),
      policyVersion: this.version,
    };
  }

  isHidden(tool: string): boolean {
    const policy = this.policy;
    return policy !== undefined && (policy.hideAll || policy.hidden.has(tool));
  }

  async evaluate(call: PolicyCall, approver: Approver): Promise<Verdict> {
    const policy = this.policy;
    const version = this.version;
    const { tool } = call;
    if (!policy) {
      const problem = this.unreadable ? 'cannot be read' : 'is invalid';
      return deny('invalid-policy', `The MCP policy ${this.source} ${problem}, so every tool call is denied until it is fixed: ${this.error ?? 'unknown error'}`);
    }
    if (this.isHidden(tool)) return deny('hide', `Tool "${tool}" is hidden by policy.`);

    const entry = policy.tools.get(tool);
    if (!entry && policy.defaultAction === 'deny') {
      return deny('default:deny', `Tool "${tool}" is not permitted by policy (default is "deny" and the policy has no entry for it).`);
    }
    if (entry?.action === 'deny') return deny(`tools.${tool}.deny`, entry.reason?.trim() || `Tool "${tool}" is denied by policy.`);

    const rules = [...(entry?.rules ?? []), ...policy.everyTool];
    const limits = [...(entry?.limits ?? []), ...policy.allTools];
    // Check rules and limits before asking anyone: a person should not approve a call that cannot run anyway.
    const early = this.check(policy, rules, limits, call);
    if ('denial' in early) return early.denial;
    let charges = early.charges;

    let rule = entry ? `tools.${tool}` : 'default:allow';
    const asking = entry?.action === 'approve' ? `tools.${tool}.approve` : early.approveRule?.id;
    if (asking !== undefined) {
      rule = asking;
      const approved = await approver({ tool, argsDigest: argsDigest(call.args), policyVersion: version })
        .catch(() => false);
      if (approved !== true) return deny(rule, `The call to ${tool} was not approved (the person declined or dismissed the request).`);
      // The approval was given for this policy version; a reload while asking voids it.
      if (this.version !== version) return deny(rule, `The MCP policy changed while ${tool} was waiting for approval, so the approval no longer applies; call again.`);
      // Others may have used the quota while the person was deciding.
      const late = this.check(policy, rules, limits, call);
      if ('denial' in late) return late.denial;
      charges = late.charges;
    }

    // Synchronous from check to reserve, so concurrent calls cannot overshoot a limit.
    const now = this.clock.now();
    const reservations = charges.map((charge) => this.counters.reserve(charge, now));
    let finished = false;
    return {
      allowed: true,
      rule,
      finish: (succeeded) => {
        if (finished) return;
        finished = true;
        this.counters.finish(reservations, succeeded, this.clock.now());
      },
    };
  }

  /**
   * Rules in order (the tool's, then "*"'s), then limits, then whether each rule counter has room for
   * this call's increment: the first denial, or what to reserve and the approve rule that applies.
   */
  private check(policy: CompiledPolicy, rules: Rule[], limits: Limit[], call: PolicyCall):
    { denial: Extract<Verdict, { allowed: false }> } | { charges: Charge[]; approveRule?: Rule } {
    const now = this.clock.now();
    const counter = (scope: string, name: string) => {
      const found = policy.counters.get(`${scope}\0${name}`);
      return found ? this.counters.count(found.key, found.window, now) : 0;
    };
    let approveRule: Rule | undefined;
    for (const rule of rules) {
      if (rule.action === 'deny') return { denial: deny(rule.id, rule.onDeny?.trim() || `Denied by rule "${rule.name}".`) };
      const holds = rule.conditions.every((condition) => conditionHolds(condition, call.args, counter, rule.action === 'approve'));
      if (rule.action === 'approve') {
        approveRule ??= holds ? rule : undefined;
      } else if (!holds) {
        return { denial: ruleDenial(rule, rule.onDeny?.trim() || `Denied by rule "${rule.name}": a condition does not hold.`, now) };
      }
    }
    const full = this.overLimit(limits, call);
    if (full) return { denial: full };

    const charges: Charge[] = limits.map((limit) => ({ key: Counters.key(limit, call.sessionId), window: limit.window, persist: limit.scope === 'grant', amount: 1 }));
    for (const rule of rules) {
      if (!rule.state) continue;
      const state = rule.state;
      const amount = incrementOf(state, call.args);
      if (amount === undefined) {
        const path = `args.${state.incrementFrom!.join('.')}`;
        return { denial: deny(rule.id, `Rule "${rule.name}" counts ${path}, which must be a number from 0 to 1e12 in this call; it is missing or not one, so the call is denied.`) };
      }
      const key = state.key;
      if (state.limit !== undefined && this.counters.count(key, state.window, now) + amount > state.limit) {
        return { denial: ruleDenial(rule, rule.onDeny?.trim() || `Rate limit exceeded for ${rule.name}.`, now) };
      }
      charges.push({ key, window: state.window, persist: true, amount });
    }
    return { charges, approveRule };
  }

  /**
   * The denial for the first limit that has no room (tool limits before all_tools, as Intercept orders
   * them); when several are full, the one that frees up last, since the call cannot run before then.
   */
  private overLimit(limits: Limit[], call: PolicyCall): Extract<Verdict, { allowed: false }> | undefined {
    const now = this.clock.now();
    let worst: { limit: Limit; retry: number } | undefined;
    for (const limit of limits) {
      if (this.counters.count(Counters.key(limit, call.sessionId), limit.window, now) + 1 <= limit.max) continue;
      const retry = secondsUntilReset(now, limit.window);
      if (!worst || retry > worst.retry) worst = { limit, retry };
    }
    if (!worst) return undefined;
    const { limit, retry } = worst;
    const who = limit.target === 'all_tools' ? 'all tools together' : call.tool;
    const scope = limit.scope === 'grant' ? 'all sessions together' : 'per session';
    const times = limit.max === 1 ? 'once' : `${limit.max} times`;
    return {
      allowed: false,
      rule: limit.rule,
      reason: `Rate limit reached: ${who} may be called at most ${times} per ${limit.window} (${scope}; counter "${limit.counter}").`,
      retryAfterSeconds: retry,
    };
  }
}

function deny(rule: string, reason: string): Extract<Verdict, { allowed: false }> {
  return { allowed: false, rule, reason };
}

/** A rule's denial; one that keeps a counter says when its window resets. */
function ruleDenial(rule: Rule, reason: string, now: number): Extract<Verdict, { allowed: false }> {
  return rule.state ? { allowed: false, rule: rule.id, reason, retryAfterSeconds: secondsUntilReset(now, rule.state.window) } : deny(rule.id, reason);
}

// ---------------------------------------------------------------------------------------------------
// Helpers shared with the MCP tools and the audit trail.

/** sha256 (hex) of the arguments as canonical JSON: object keys sorted, so equal arguments hash equally. */
export function argsDigest(args: unknown): string {
  // One-shot hash: every tool call pays for this, and a Hash object costs ~60x more for small inputs.
  return hash('sha256', canonicalJson(args), 'hex');
}

function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString();
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
    }
    return item;
  });
  return text ?? 'null';
}

/** The text an agent sees for a denial: "[POLICY DENIED] <reason>", plus when to retry for limits. */
export function denialText(verdict: Extract<Verdict, { allowed: false }>): string {
  const retry = verdict.retryAfterSeconds !== undefined ? ` Retry after ${verdict.retryAfterSeconds} s.` : '';
  return `[POLICY DENIED] ${verdict.reason}${retry}`;
}
