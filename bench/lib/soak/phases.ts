/**
 * The soak's fault schedule: the cycle of phases the emulator goes through (each a fault, or a revocation of
 * every live token), when one phase gives way to the next, and the record of which phase ran when and which
 * tokens a revocation killed, for judging each call afterwards.
 */
import type { DingTalkEmulator, Fault } from '../../../test/emulator/emulator';

interface Phase {
  name: string;
  fault: Fault | null;
  revoke?: boolean;
}

export const SOAK_PHASES: readonly Phase[] = [
  { name: 'healthy', fault: null },
  { name: 'token endpoint 500', fault: { kind: 'server500', target: 'token' } },
  { name: '429 everywhere', fault: { kind: 'rateLimit429', target: 'all', retryAfterSeconds: 1 } },
  { name: 'API connection resets', fault: { kind: 'reset', target: 'api' } },
  { name: 'slow answers', fault: { kind: 'slow', target: 'all', delayMs: 300 } },
  { name: 'token revoked', fault: null, revoke: true },
  { name: 'token endpoint resets', fault: { kind: 'reset', target: 'token' } },
  { name: 'API 500', fault: { kind: 'server500', target: 'api' } },
  { name: 'token revoked while the token endpoint answers 500', fault: { kind: 'server500', target: 'token' }, revoke: true },
  { name: 'healthy again', fault: null },
  { name: 'token endpoint HTML error page', fault: { kind: 'htmlError', target: 'token' } },
];

interface PhaseSpan {
  name: string;
  apiFault: boolean;
  start: number;
  end: number;
}

export interface PhaseLimits {
  /** A phase ends after this many completed calls... */
  callsPerPhase: number;
  /** ...or after this long, whichever comes first. */
  maxPhaseMs: number;
}

export class FaultSchedule {
  private readonly spans: PhaseSpan[] = [];
  private readonly revoked = new Set<string>();
  private phaseIndex = -1;
  private phaseStartedAt = 0;
  private phaseCompleted = 0;
  private ticker: NodeJS.Timeout | undefined;
  private revocationCount = 0;

  /** handedOut: every token a client was given so far (a revocation kills them all). */
  constructor(
    private readonly emulator: DingTalkEmulator,
    private readonly appKeys: readonly string[],
    private readonly handedOut: ReadonlySet<string>,
    private readonly limits: PhaseLimits,
  ) {}

  /** Enters the first phase and checks every 50 ms whether the current one has run its course. */
  start(): void {
    this.advance();
    this.ticker = setInterval(() => this.maybeAdvance(), 50);
  }

  /** One call completed: it counts towards the phase's calls, which may end the phase. */
  callCompleted(): void {
    this.phaseCompleted++;
    this.maybeAdvance();
  }

  /** Ends the last phase and clears the fault. */
  stop(): void {
    clearInterval(this.ticker);
    const last = this.spans.at(-1);
    if (last) last.end = Date.now();
    this.emulator.setFault(null);
  }

  /** The name of the phase in force now. */
  current(): string {
    // start() entered the first phase.
    return this.spans.at(-1)!.name;
  }

  /** Whether an API-side fault was in force at any moment between start and end. */
  apiFaultDuring(start: number, end: number): boolean {
    return this.spans.some((span) => span.apiFault && span.start <= end && span.end >= start);
  }

  isRevoked(accessToken: string): boolean {
    return this.revoked.has(accessToken);
  }

  get revocations(): number {
    return this.revocationCount;
  }

  /** How many phases ran. */
  get phases(): number {
    return this.spans.length;
  }

  /** The names of the phases that ran, each once. */
  get phaseKinds(): string[] {
    return [...new Set(this.spans.map((span) => span.name))];
  }

  private maybeAdvance(): void {
    if (this.phaseCompleted >= this.limits.callsPerPhase || Date.now() - this.phaseStartedAt >= this.limits.maxPhaseMs) this.advance();
  }

  private advance(): void {
    const now = Date.now();
    const last = this.spans.at(-1);
    if (last) last.end = now;
    this.phaseIndex++;
    const phase = SOAK_PHASES[this.phaseIndex % SOAK_PHASES.length]!;
    if (phase.revoke) this.revokeAll();
    this.emulator.setFault(phase.fault);
    const target = phase.fault?.target ?? 'token';
    this.spans.push({ name: phase.name, apiFault: phase.fault !== null && target !== 'token', start: now, end: Infinity });
    this.phaseStartedAt = now;
    this.phaseCompleted = 0;
  }

  /** Revokes every live token, remembering exactly which ones died: all handed out so far and the emulator's live ones. */
  private revokeAll(): void {
    const live = this.appKeys.map((appKey) => this.emulator.currentToken(appKey)).filter((token) => token !== undefined);
    for (const token of [...this.handedOut, ...live]) this.revoked.add(token);
    this.emulator.revokeTokens();
    this.revocationCount++;
  }
}
