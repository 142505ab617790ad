import { applyPolicyRead, type ApplyOptions, type PolicyReport } from './apply';
import { PolicyEngine, type Judgement, type PolicyCall } from './engine';
import type { PolicyFileRead } from './file/read';
import type { CounterStore } from './stores/types';

/**
 * A second policy judged beside the one in force, to see what it would change before it governs: it never
 * decides, never reserves quota and never asks a person. Its limits read the counters the policy in force keeps
 * (the same store), so a limit both share is judged on the real counts; a counter only the shadow has stays at zero.
 * Only a file that loads is a shadow: a missing, unreadable or invalid one means no shadow (never a deny-all).
 */
export class ShadowPolicy {
  private readonly engine: PolicyEngine;
  private active = false;

  constructor(
    readonly source: string,
    options: { counterStore?: CounterStore; clock?: { now(): number } } = {},
  ) {
    this.engine = new PolicyEngine({ source, counterStore: options.counterStore, clock: options.clock });
  }

  /** Puts what reading the shadow file gave in place; the report says whether there is a shadow now. */
  apply(read: PolicyFileRead, options: ApplyOptions = {}): PolicyReport {
    const report = applyPolicyRead(this.engine, read, options);
    this.active = report.ok && report.outcome === 'loaded';
    return report;
  }

  /** Whether a shadow is being judged now. */
  isActive(): boolean {
    return this.active;
  }

  /** What the shadow would decide about this call; nothing while there is no shadow. */
  async judge(call: PolicyCall): Promise<Judgement | undefined> {
    if (!this.active) return undefined;
    return this.engine.judge(call);
  }
}
