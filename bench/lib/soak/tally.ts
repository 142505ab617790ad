/**
 * The soak's accounting. Each call is judged: a call that fails while the server serving it held a valid token
 * (unexpired, not revoked) is a failure of ours, unless it is an API call hit by an injected API-side fault
 * (then DingTalk failed, and saying so is right); calls that fail with no valid token are counted apart.
 * Beside the counts: per tool and per phase, the longest time a token cache had no usable token, the longest
 * backoff our messages announced, the common reasons for failing without a token, a few examples.
 */
import type { CallOutcome } from './calls';
import type { FaultSchedule } from './phases';

export interface SoakFigures {
  completed: number;
  succeeded: number;
  failedWithValidToken: number;
  failedWithoutValidToken: number;
  failedByApiFault: number;
  byTool: Record<string, { calls: number; failed: number }>;
  /** By the fault phase in force when the call started. */
  byPhase: Record<string, { calls: number; failed: number; failedWithoutValidToken: number }>;
  /**
   * The longest time one token cache (the HTTP server's, or one stdio server's) had no usable token for an app:
   * from a call failing for want of a token to the next call that got one.
   */
  longestTokenOutageMs: number;
  /** The longest wait our error messages announced ("Next attempt in N s"). */
  longestAnnouncedBackoffSeconds: number;
  /** The most common reasons calls failed with no valid token (digits and quoted values blanked), with counts. */
  noTokenReasons: Record<string, number>;
  apiStatuses: Record<string, number>;
  examples: string[];
}

export class SoakTally {
  private readonly figures: Omit<SoakFigures, 'noTokenReasons'> = {
    completed: 0,
    succeeded: 0,
    failedWithValidToken: 0,
    failedWithoutValidToken: 0,
    failedByApiFault: 0,
    byTool: {},
    byPhase: {},
    longestTokenOutageMs: 0,
    longestAnnouncedBackoffSeconds: 0,
    apiStatuses: {},
    examples: [],
  };
  /** Per token cache and app ("cache appKey"): when the current outage began. */
  private readonly outageSince = new Map<string, number>();
  private readonly noTokenReasons = new Map<string, number>();

  constructor(private readonly schedule: FaultSchedule) {}

  get completed(): number {
    return this.figures.completed;
  }

  record(call: CallOutcome): void {
    const f = this.figures;
    f.completed++;
    if (call.apiStatus !== undefined) f.apiStatuses[call.apiStatus] = (f.apiStatuses[call.apiStatus] ?? 0) + 1;
    const stats = (f.byTool[call.tool] ??= { calls: 0, failed: 0 });
    const phaseStats = (f.byPhase[call.phase] ??= { calls: 0, failed: 0, failedWithoutValidToken: 0 });
    stats.calls++;
    phaseStats.calls++;
    const announced = /Next attempt in (\d+) s/.exec(call.why);
    if (announced) f.longestAnnouncedBackoffSeconds = Math.max(f.longestAnnouncedBackoffSeconds, Number(announced[1]));
    if (!call.failed) {
      f.succeeded++;
      if (call.tool !== 'token_status') this.outageEnds(call);
      return;
    }
    stats.failed++;
    phaseStats.failed++;
    this.judgeFailure(call, phaseStats);
  }

  /** Outages still open when the run ended count up to now. */
  closeOutages(now: number): void {
    for (const since of this.outageSince.values()) this.figures.longestTokenOutageMs = Math.max(this.figures.longestTokenOutageMs, now - since);
  }

  result(): SoakFigures {
    return { ...this.figures, noTokenReasons: Object.fromEntries([...this.noTokenReasons].sort((a, b) => b[1] - a[1]).slice(0, 8)) };
  }

  private judgeFailure(call: CallOutcome, phaseStats: { failedWithoutValidToken: number }): void {
    const f = this.figures;
    const held = call.heldAtStart;
    // Valid when the call started, and not revoked by the time it ended.
    const stillValid = held !== undefined && call.start < held.expiresAt && !this.schedule.isRevoked(held.accessToken);
    if (call.tool === 'dingtalk_api_request' && this.schedule.apiFaultDuring(call.start, call.end)) {
      f.failedByApiFault++;
    } else if (stillValid) {
      f.failedWithValidToken++;
      if (f.examples.length < 5) f.examples.push(`${call.handle.name} ${call.tool} during "${this.schedule.current()}": ${call.why.slice(0, 300)}`);
    } else {
      f.failedWithoutValidToken++;
      phaseStats.failedWithoutValidToken++;
      const reason = call.why
        .replace(/"[^"]*"/g, '"…"')
        .replace(/\d+/g, 'N')
        .slice(0, 110);
      this.noTokenReasons.set(reason, (this.noTokenReasons.get(reason) ?? 0) + 1);
      const key = outageKey(call);
      if (!this.outageSince.has(key)) this.outageSince.set(key, call.start);
    }
  }

  private outageEnds(call: CallOutcome): void {
    const key = outageKey(call);
    const since = this.outageSince.get(key);
    if (since === undefined) return;
    this.figures.longestTokenOutageMs = Math.max(this.figures.longestTokenOutageMs, call.end - since);
    this.outageSince.delete(key);
  }
}

function outageKey(call: CallOutcome): string {
  return `${call.handle.cache} ${call.appKey}`;
}
