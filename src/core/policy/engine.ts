import { argsDigest } from '../argsDigest';
import { compile, unknownToolEntries, type CompiledPolicy, type Limit } from './compile';
import { Counters, secondsUntilReset, type Charge, type CounterStore } from './counters';
import { DEFAULT_POLICY, DEFAULT_REFRESHES_PER_MINUTE } from './defaults';
import type { PolicyFileRead } from './file/read';
import { parsePolicy, policyFormatOf } from './file/parse';
import { failureOf, type PolicyFailure, type PolicyProblem } from './problems';
import { conditionHolds, incrementOf, type Rule } from './conditions';

/**
 * The MCP policy engine: a PolicyLayer/Intercept-compatible policy.json (version "1") decides every tool
 * call before it runs. Plain TypeScript (no vscode) so the extension, the standalone CLI and tests share it.
 *
 * Order of evaluation, as in Intercept: hide → default deny for unlisted tools → tool deny → rules (the
 * tool's, then "*"'s, in order: a deny rule denies, an evaluate rule whose conditions do not all hold
 * denies) → limits (tool first, then all_tools) and rule counters with room → approval (the tool's
 * `approve`, or an approve rule whose conditions hold) → reserve. Counters are reserved before the tool
 * runs and committed or rolled back by `finish`, so denied and failed calls use no quota.
 *
 * The file's shape is policySchema.ts', its parsing policyParse.ts', compiling policyCompile.ts', the
 * counters policyCounters.ts'; the built-in defaults are defaultPolicy.ts', the problems' codes and
 * English policyProblems.ts'. What remains (PolicyEngine, a little over 300 lines) is the decision order above,
 * kept in one class so that order can be read top to bottom.
 */

export interface PolicyCall {
  tool: string;
  args: unknown;
  sessionId: string;
}

export type Approver = (request: { tool: string; argsDigest: string; policyVersion: number }) => Promise<boolean>;

export type Verdict =
  { allowed: true; rule: string; finish(succeeded: boolean): void } | { allowed: false; rule: string; reason: string; retryAfterSeconds?: number };

/** What applying a policy file did: `level` error means every call is now denied; warn, a problem while a good policy stays. */
export type PolicyReport =
  | {
      ok: true;
      level: 'info' | 'warn';
      /** No file (the defaults apply), or the file loaded. */
      outcome: 'missing' | 'loaded';
      /** The file the source resolved to, when that differs (a symlink). */
      resolvedPath?: string;
      message: string;
      /** Entries naming tools the server does not have. */ unknownTools: string[];
      problems: PolicyProblem[];
    }
  | {
      ok: false;
      level: 'warn' | 'error';
      outcome: 'unreadable' | 'invalid';
      message: string;
      error: string;
      /** The error as problems, for wording in the person's language. */ failure: PolicyFailure;
      denyingAll: boolean;
      problems: PolicyProblem[];
    };

export interface PolicyStatus {
  source: string;
  /** What decides calls now: the file's rules, the built-in defaults (no file), or nothing (every call denied). */
  inForce: 'file' | 'defaults' | 'none';
  /** The file the source resolved to when it was loaded, when that differs (a symlink). */
  resolvedPath?: string;
  usingDefault: boolean;
  valid: boolean;
  error?: string;
  /** The error as problems, for wording in the person's language. */
  failure?: PolicyFailure;
  policyVersion: number;
}

export class PolicyEngine {
  private readonly clock: { now(): number };
  private source: string;
  private readonly counters: Counters;
  /** The policy in force; undefined when no file was valid since the defaults applied (then everything is denied). */
  private policy: CompiledPolicy | undefined = compile(DEFAULT_POLICY);
  /** True while the built-in defaults decide (no file, or none read yet). */
  private usingDefault = true;
  private error: string | undefined;
  private failure: PolicyFailure | undefined;
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
      this.problems = parsed.failure.problems;
      return this.fail(parsed.error, parsed.failure, false);
    }
    this.policy = compile(parsed.policy);
    const unknown = this.knownTools ? unknownToolEntries(parsed.policy, this.knownTools) : [];
    this.unknownTools = unknown.map((entry) => entry.text);
    const lines = unknown.length > 0 && 'lineOf' in parsed ? parsed.lineOf() : undefined;
    this.problems = unknown.map((entry) => ({ ...entry.problem, ...(lines?.(entry.path) !== undefined ? { line: lines(entry.path) } : {}) }));
    this.usingDefault = text === undefined;
    this.error = undefined;
    this.failure = undefined;
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
    const result =
      read.kind === 'unreadable' ? this.fail(read.problem.message, failureOf(read.problem), true) : this.load(read.kind === 'text' ? read.text : undefined);
    const problems = this.problems;
    if (result.ok) this.resolvedPath = read.kind === 'text' && read.resolvedPath !== source ? read.resolvedPath : undefined;
    if (!result.ok) {
      const failure = this.failure!;
      const outcome = read.kind === 'unreadable' ? 'unreadable' : 'invalid';
      const problem = `MCP policy ${source} ${outcome === 'unreadable' ? 'cannot be read' : 'is invalid'}: ${result.error}.`;
      return this.policy
        ? {
            ok: false,
            level: 'warn',
            outcome,
            error: result.error,
            failure,
            denyingAll: false,
            problems,
            message: `${problem} The last good policy stays in force.`,
          }
        : {
            ok: false,
            level: 'error',
            outcome,
            error: result.error,
            failure,
            denyingAll: true,
            problems,
            message: `${problem} Every tool call is denied until it is fixed.`,
          };
    }
    if (read.kind === 'missing') {
      return {
        ok: true,
        level: 'info',
        outcome: 'missing',
        unknownTools: [],
        problems,
        message: `MCP policy ${source} does not exist; the built-in defaults apply (every tool allowed, refresh_access_token at most ${DEFAULT_REFRESHES_PER_MINUTE} times a minute).`,
      };
    }
    const resolvedPath = read.kind === 'text' && read.resolvedPath !== source ? read.resolvedPath : undefined;
    const loaded = `MCP policy ${source}${resolvedPath ? ` (the file it resolves to: ${resolvedPath})` : ''} loaded and in force.`;
    const unknownTools = this.unknownTools;
    if (unknownTools.length === 0) return { ok: true, level: 'info', outcome: 'loaded', resolvedPath, unknownTools, problems, message: loaded };
    return {
      ok: true,
      level: 'warn',
      outcome: 'loaded',
      resolvedPath,
      unknownTools,
      problems,
      message: `${loaded} These entries name no tool of this server and change nothing: ${unknownTools.join('; ')}.`,
    };
  }

  private fail(error: string, failure: PolicyFailure, unreadable: boolean): { ok: false; error: string } {
    this.error = error;
    this.failure = failure;
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
      ...(this.failure !== undefined ? { failure: this.failure } : {}),
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
      return deny(
        'invalid-policy',
        `The MCP policy ${this.source} ${problem}, so every tool call is denied until it is fixed: ${this.error ?? 'unknown error'}`,
      );
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
      const approved = await approver({ tool, argsDigest: argsDigest(call.args), policyVersion: version }).catch(() => false);
      if (approved !== true) return deny(rule, `The call to ${tool} was not approved (the person declined or dismissed the request).`);
      // The approval was given for this policy version; a reload while asking voids it.
      if (this.version !== version)
        return deny(rule, `The MCP policy changed while ${tool} was waiting for approval, so the approval no longer applies; call again.`);
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
  private check(
    policy: CompiledPolicy,
    rules: Rule[],
    limits: Limit[],
    call: PolicyCall,
  ): { denial: Extract<Verdict, { allowed: false }> } | { charges: Charge[]; approveRule?: Rule } {
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

    const charges: Charge[] = limits.map((limit) => ({
      key: Counters.key(limit, call.sessionId),
      window: limit.window,
      persist: limit.scope === 'grant',
      amount: 1,
    }));
    for (const rule of rules) {
      if (!rule.state) continue;
      const state = rule.state;
      const amount = incrementOf(state, call.args);
      if (amount === undefined) {
        const path = `args.${state.incrementFrom!.join('.')}`;
        return {
          denial: deny(
            rule.id,
            `Rule "${rule.name}" counts ${path}, which must be a number from 0 to 1e12 in this call; it is missing or not one, so the call is denied.`,
          ),
        };
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

/** The text an agent sees for a denial: "[POLICY DENIED] <reason>", plus when to retry for limits. */
export function denialText(verdict: Extract<Verdict, { allowed: false }>): string {
  const retry = verdict.retryAfterSeconds !== undefined ? ` Retry after ${verdict.retryAfterSeconds} s.` : '';
  return `[POLICY DENIED] ${verdict.reason}${retry}`;
}
