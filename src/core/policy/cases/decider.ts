import { PolicyEngine } from '../engine';
import { loadPolicyText } from '../loader';
import type { CaseApp } from './cases';
import type { CaseDecider } from './run';

/** The moment every case starts at: a fixed time mid-minute, mid-hour, mid-day (UTC), so windows behave alike each run. */
const CASE_CLOCK_START = Date.UTC(2026, 0, 15, 12, 30, 30);

/**
 * Deciders over the policy text, once it is known to be valid: each case gets a fresh engine with its own counters,
 * a clock that stands still (every call of a case falls in one window) and a person who would approve when asked.
 * Nothing is sent anywhere. Calls naming an app by its label are judged by its appKey, as the servers judge them.
 */
export function engineDeciders(
  policyText: string | undefined,
  format: 'json' | 'yaml',
  apps: readonly CaseApp[],
): { ok: true; newDecider: () => CaseDecider } | { ok: false; problem: string } {
  const loaded = freshEngine(policyText, format);
  if (!loaded.ok) return { ok: false, problem: loaded.problem };
  return { ok: true, newDecider: () => decider(freshEngine(policyText, format), apps) };
}

function freshEngine(policyText: string | undefined, format: 'json' | 'yaml'): { ok: true; engine: PolicyEngine } | { ok: false; problem: string } {
  const source = 'the policy under test';
  const engine = new PolicyEngine({ clock: { now: () => CASE_CLOCK_START }, source });
  // No text: the built-in defaults, which a new engine holds.
  if (policyText === undefined) return { ok: true, engine };
  const loaded = loadPolicyText(policyText, { format });
  if (loaded.kind !== 'loaded') return { ok: false, problem: loaded.error };
  engine.set({ source, inForce: { kind: 'file', policy: loaded.policy }, version: 1 });
  return { ok: true, engine };
}

function decider(loaded: ReturnType<typeof freshEngine>, apps: readonly CaseApp[]): CaseDecider {
  if (!loaded.ok) throw new Error(loaded.problem);
  const { engine } = loaded;
  return async ({ tool, args }) => {
    const verdict = await engine.evaluate({ tool, args: withAppKey(args, apps), sessionId: 'policy-test' }, async () => true);
    if (!verdict.allowed) return { decision: 'deny', rule: ruleName(verdict.rule) };
    verdict.finish(true);
    return { decision: verdict.asked ? 'approve' : 'allow', rule: ruleName(verdict.rule) };
  };
}

function withAppKey(args: Record<string, unknown>, apps: readonly CaseApp[]): Record<string, unknown> {
  const named = typeof args.app === 'string' ? apps.find((app) => app.label === args.app || app.appKey === args.app) : undefined;
  return named ? { ...args, app: named.appKey } : args;
}

/** A rule by its name where it has one (`tools.x.rules[0] "three a minute"` → `three a minute`), else by where it is. */
export function ruleName(rule: string): string {
  const named = /^\S+ ("(?:[^"\\]|\\.)+")$/.exec(rule);
  return named?.[1] ? (JSON.parse(named[1]) as string) : rule;
}
