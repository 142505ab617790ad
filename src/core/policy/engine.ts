import { argsDigest } from '../argsDigest';
import type { CompiledPolicy, Limit, ToolRule } from './compile';
import { conditionHolds, incrementOf, nonFiniteArgument, type Rule } from './conditions';
import { counterKey, limitCounter, referenceKey, type CounterId } from './counterIdentity';
import { Counters, secondsUntilReset, type Charge, type Reservation } from './counters';
import { compareUnits, maxUnitsWithin, ONE } from './exactNumbers';
import { CounterStoreUnavailable, type CounterStore, type StoreState } from './stores/types';
import { initialState, statusOf, type PolicyState, type PolicyStatus } from './inForce';

/**
 * The MCP policy engine: holds the one policy in force (inForce.ts: the defaults, a file's rules, or
 * deny-all) and decides every tool call by it. What to put in force is decided elsewhere (loader.ts turns
 * a file into a compiled policy, apply.ts decides what a load changes); `set` swaps the whole state at once.
 *
 * Order of evaluation, as in Intercept: hide → default deny for unlisted tools → tool deny → rules (the
 * tool's, then "*"'s, in order: a deny rule denies, an evaluate rule whose conditions do not all hold
 * denies) → limits (tool first, then all_tools) and rule counters with room → reserve → approval (the
 * tool's `approve`, or an approve rule whose conditions hold). Quota is reserved before a person is asked,
 * so no one approves a call that cannot run; `finish` commits it, or gives it back for denied and failed calls.
 */

export interface PolicyCall {
  tool: string;
  args: unknown;
  sessionId: string;
}

/** Asks the person about one call: the whole arguments to show, their digest and the policy version to bind the answer to. */
export type Approver = (request: { tool: string; args: Record<string, unknown>; argsDigest: string; policyVersion: number }) => Promise<boolean>;

/** `asked`: whether a person was asked about this call (and, when allowed, approved it). */
export type Verdict =
  | { allowed: true; rule: string; asked: boolean; finish(succeeded: boolean): void }
  | { allowed: false; rule: string; reason: string; retryAfterSeconds?: number; asked: boolean };

type Denial = Extract<Verdict, { allowed: false }>;

/** What a policy would decide about a call: allowed, denied, or a person asked; and the rule that decides. */
export interface Judgement {
  decision: 'allow' | 'deny' | 'approve';
  rule: string;
}

/** A call past every check: what it would charge and the approve rule that applies. */
interface Prepared {
  inForce: PolicyState['inForce'];
  version: number;
  entry: ToolRule | undefined;
  checked: { charges: ChargeWithDenial[]; approveRule?: Rule };
  now: number;
}

export class PolicyEngine {
  private readonly clock: { now(): number };
  private readonly counters: Counters;
  private state: PolicyState;

  constructor(options: { clock?: { now(): number }; counterStore?: CounterStore; source?: string } = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.state = initialState(options.source ?? 'the MCP policy file');
    this.counters = new Counters(options.counterStore, this.clock);
  }

  /** Where the counters live, and whether they can be used now. */
  counterStore(): StoreState {
    return this.counters.store.state();
  }

  /** Puts a policy in force. Counters are kept: a counter with the same identity counts on. */
  set(next: PolicyState): void {
    this.state = next;
  }

  current(): PolicyState {
    return this.state;
  }

  status(): PolicyStatus {
    return statusOf(this.state);
  }

  isHidden(tool: string): boolean {
    const { inForce } = this.state;
    return inForce.kind !== 'deny-all' && (inForce.policy.hideAll || inForce.policy.hidden.has(tool));
  }

  /**
   * What the policy would decide about this call, without deciding it: counts are read, nothing is reserved and
   * no one is asked, so judging a call (a shadow policy beside the one in force) never changes any quota. A counter
   * store that cannot be read judges a call with limits as denied, as evaluate would.
   */
  async judge(call: PolicyCall): Promise<Judgement> {
    const prepared = await this.prepare(call);
    if ('denial' in prepared) return { decision: 'deny', rule: prepared.denial.rule };
    const { entry, checked } = prepared;
    const asking = entry?.action === 'approve' ? `tools.${call.tool}.approve` : checked.approveRule?.id;
    if (asking !== undefined) return { decision: 'approve', rule: asking };
    return { decision: 'allow', rule: entry ? `tools.${call.tool}` : 'default:allow' };
  }

  /** Everything up to reserving: the first denial, or what the call would charge and whether a person would be asked. */
  private async prepare(call: PolicyCall): Promise<{ denial: Denial } | Prepared> {
    const { inForce, source, version } = this.state;
    const { tool } = call;
    if (inForce.kind === 'deny-all') {
      const problem = inForce.trouble.outcome === 'unreadable' ? 'cannot be read' : 'is invalid';
      return {
        denial: deny('invalid-policy', `The MCP policy ${source} ${problem}, so every tool call is denied until it is fixed: ${inForce.trouble.error}`),
      };
    }
    const { policy } = inForce;
    if (this.isHidden(tool)) return { denial: deny('hide', `Tool "${tool}" is hidden by policy.`) };

    const entry = policy.tools.get(tool);
    if (!entry && policy.defaultAction === 'deny') {
      return { denial: deny('default:deny', `Tool "${tool}" is not permitted by policy (default is "deny" and the policy has no entry for it).`) };
    }
    if (entry?.action === 'deny') return { denial: deny(`tools.${tool}.deny`, entry.reason?.trim() || `Tool "${tool}" is denied by policy.`) };

    const rules = [...(entry?.rules ?? []), ...policy.everyTool];
    const limits = [...(entry?.limits ?? []), ...policy.allTools];
    const now = this.clock.now();
    // Every counter the rules read or the call may charge, read once: the checks below are judged on these counts.
    const counted = [...limits.map((limit) => limitCounter(limit, call.sessionId)), ...policy.counters.values()];
    let counts = new Map<string, bigint>();
    if (counted.length > 0) {
      try {
        counts = await this.counters.read(counted, now);
      } catch (error) {
        return { denial: storeDenial(error) };
      }
    }
    const checked = this.check(policy, rules, limits, call, counts, now);
    if ('denial' in checked) return checked;
    return { inForce, version, entry, checked, now };
  }

  async evaluate(call: PolicyCall, approver: Approver): Promise<Verdict> {
    const prepared = await this.prepare(call);
    if ('denial' in prepared) return prepared.denial;
    const { inForce, version, entry, checked, now } = prepared;
    const { tool } = call;

    // Reserved before asking, so a person is asked only about calls that can run, and the quota is theirs while they
    // decide. The store adds every charge within its max or none, so concurrent calls (in any process sharing it)
    // cannot overshoot a limit, whatever the counts read above said.
    let reservation: Reservation = [];
    if (checked.charges.length > 0) {
      try {
        const reserved = await this.counters.reserve(
          checked.charges.map(({ charge }) => charge),
          now,
        );
        if (!reserved.ok) return checked.charges.at(reserved.index)?.denial() ?? deny('counter-store', 'The counter store found no room for this call.');
        reservation = reserved.reservation;
      } catch (error) {
        return storeDenial(error);
      }
    }
    const release = () => void this.counters.release(reservation).catch(() => undefined);

    const asking = entry?.action === 'approve' ? `tools.${tool}.approve` : checked.approveRule?.id;
    const rule = asking ?? (entry ? `tools.${tool}` : 'default:allow');
    if (asking !== undefined) {
      const args = (call.args ?? {}) as Record<string, unknown>;
      const approved = await approver({ tool, args, argsDigest: argsDigest(call.args), policyVersion: version }).catch(() => false);
      if (approved !== true) {
        release();
        return deny(rule, `The call to ${tool} was not approved (the person declined or dismissed the request).`, true);
      }
      // The approval was given for the policy then in force; another one in force voids it.
      if (this.state.inForce !== inForce) {
        release();
        return deny(rule, `The MCP policy changed while ${tool} was waiting for approval, so the approval no longer applies; call again.`, true);
      }
    }
    let finished = false;
    return {
      allowed: true,
      rule,
      asked: asking !== undefined,
      finish: (succeeded) => {
        if (finished) return;
        finished = true;
        // A release that fails keeps the quota used: stricter, never looser.
        if (!succeeded) release();
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
    counts: Map<string, bigint>,
    now: number,
  ): { denial: Denial } | { charges: ChargeWithDenial[]; approveRule?: Rule } {
    const count = (id: CounterId) => counts.get(counterKey(id)) ?? 0n;
    // What this call adds to each rule counter: a cap (lt/lte) in another rule is judged on the count after it.
    const adds = new Map<string, bigint>();
    for (const rule of rules) {
      const amount = rule.state && incrementOf(rule.state, call.args);
      if (rule.state && amount !== undefined) adds.set(counterKey(rule.state.id), amount);
    }
    const countFor = (rule: Rule, cap: boolean) => (scope: string, name: string) => {
      const id = policy.counters.get(referenceKey(scope, name));
      if (!id) return 0n;
      const key = counterKey(id);
      const own = rule.state !== undefined && counterKey(rule.state.id) === key;
      return count(id) + (cap && !own ? (adds.get(key) ?? 0n) : 0n);
    };

    let approveRule: Rule | undefined;
    for (const rule of rules) {
      if (rule.action === 'deny') return { denial: deny(rule.id, rule.onDeny?.trim() || `Denied by rule "${rule.name}".`) };
      const nonFinite = nonFiniteArgument(rule, call.args);
      if (nonFinite !== undefined) {
        return {
          denial: deny(
            rule.id,
            `Rule "${rule.name}" judges ${nonFinite.path}, which is ${nonFinite.value}: not a finite number (one too large for a double, such as 1e400), so it cannot be judged or sent; the call is denied.`,
          ),
        };
      }
      const holds = rule.conditions.every((condition) =>
        conditionHolds(condition, call.args, countFor(rule, condition.op === 'lt' || condition.op === 'lte'), rule.action === 'approve'),
      );
      if (rule.action === 'approve') {
        approveRule ??= holds ? rule : undefined;
      } else if (!holds) {
        return { denial: ruleDenial(rule, rule.onDeny?.trim() || `Denied by rule "${rule.name}": a condition does not hold.`, now) };
      }
    }
    const full = overLimit(limits, call, count, now);
    if (full) return { denial: full };

    const charges: ChargeWithDenial[] = limits.map((limit) => ({
      charge: { id: limitCounter(limit, call.sessionId), amount: ONE, max: BigInt(limit.max) * ONE },
      denial: () => limitDenial(limit, call, now),
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
            `Rule "${rule.name}" counts ${path}, which must be a number from 0 to 1e12 with at most 6 decimal places in this call; it is missing or not one, so the call is denied.`,
          ),
        };
      }
      const denial = () => ruleDenial(rule, rule.onDeny?.trim() || `Rate limit exceeded for ${rule.name}.`, now);
      if (state.limit !== undefined && !fits(count(state.id) + amount, state.limit)) return { denial: denial() };
      const max = state.limit && maxUnitsWithin(state.limit.value, state.limit.inclusive);
      charges.push({ charge: { id: state.id, amount, ...(max !== undefined ? { max } : {}) }, denial });
    }
    return { charges, approveRule };
  }
}

/** A charge with the denial a call gets when the store finds no room for it. */
interface ChargeWithDenial {
  charge: Charge;
  denial: () => Denial;
}

/**
 * The denial for the first limit that has no room (tool limits before all_tools, as Intercept orders
 * them); when several are full, the one that frees up last, since the call cannot run before then.
 */
function overLimit(limits: Limit[], call: PolicyCall, count: (id: CounterId) => bigint, now: number): Denial | undefined {
  let worst: { limit: Limit; retry: number } | undefined;
  for (const limit of limits) {
    if (compareUnits(count(limitCounter(limit, call.sessionId)) + ONE, limit.max) <= 0) continue;
    const retry = secondsUntilReset(now, limit.window);
    if (!worst || retry > worst.retry) worst = { limit, retry };
  }
  return worst && limitDenial(worst.limit, call, now);
}

function limitDenial(limit: Limit, call: PolicyCall, now: number): Denial {
  const who = limit.target === 'all_tools' ? 'all tools together' : call.tool;
  const scope = limit.scope === 'grant' ? 'all sessions together' : 'per session';
  const times = limit.max === 1 ? 'once' : `${limit.max} times`;
  return {
    allowed: false,
    rule: limit.rule,
    reason: `Rate limit reached: ${who} may be called at most ${times} per ${limit.window} (${scope}; counter "${limit.counter}").`,
    retryAfterSeconds: secondsUntilReset(now, limit.window),
    asked: false,
  };
}

/** A call with limits when the counter store cannot be used: refused, saying why (fail closed). */
function storeDenial(error: unknown): Denial {
  const why =
    error instanceof CounterStoreUnavailable ? error.message : `The counter store failed (${error instanceof Error ? error.message : String(error)}).`;
  return deny('counter-store', `${why} Calls with limits are refused until it can be used again.`);
}

/** Whether a count (millionths) stays within an lt/lte cap, exactly. */
function fits(units: bigint, limit: { value: number; inclusive: boolean }): boolean {
  const order = compareUnits(units, limit.value);
  return limit.inclusive ? order <= 0 : order < 0;
}

function deny(rule: string, reason: string, asked = false): Denial {
  return { allowed: false, rule, reason, asked };
}

/** A rule's denial; one that keeps a counter says when its window resets. */
function ruleDenial(rule: Rule, reason: string, now: number): Denial {
  return rule.state
    ? { allowed: false, rule: rule.id, reason, retryAfterSeconds: secondsUntilReset(now, rule.state.window), asked: false }
    : deny(rule.id, reason);
}

/** The text an agent sees for a denial: "[POLICY DENIED] <reason>", plus when to retry for limits. */
export function denialText(verdict: Denial): string {
  const retry = verdict.retryAfterSeconds !== undefined ? ` Retry after ${verdict.retryAfterSeconds} s.` : '';
  return `[POLICY DENIED] ${verdict.reason}${retry}`;
}
