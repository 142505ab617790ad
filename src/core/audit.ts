/**
 * The audit trail of MCP tool calls: one event per call, kept in a small ring for the inspect view and
 * passed to listeners (the log). Arguments appear only as their sha256, so secrets and tokens cannot.
 */
export interface AuditEvent {
  /** ISO 8601 time the call arrived. */
  time: string;
  tool: string;
  /** The appKey the call was about, when it names one. */
  app?: string;
  decision: 'allow' | 'deny' | 'approve' | 'error';
  /** The policy rule that decided, e.g. `default:allow`, `tools.x.limits[0]`. */
  rule: string;
  durationMs: number;
  argsSha256: string;
  sessionId?: string;
  retryAfterSeconds?: number;
  /** What the shadow policy would have decided, when one is set; it never decides. */
  shadow?: { decision: AuditEvent['decision']; rule: string };
}

export const DEFAULT_AUDIT_CAPACITY = 100;

/**
 * Whether the shadow policy would have decided this call otherwise. An `error` is a call the policy in force let
 * through that then failed, so it differs only from a shadow deny; otherwise the decisions are compared as they are
 * (a person who declined an approval shows as deny, beside a shadow that would have asked).
 */
export function shadowDiffers(event: Pick<AuditEvent, 'decision' | 'shadow'>): boolean {
  if (!event.shadow) return false;
  if (event.decision === 'error') return event.shadow.decision === 'deny';
  return event.shadow.decision !== event.decision;
}

export class AuditTrail {
  private readonly events: AuditEvent[] = [];
  private readonly listeners = new Set<(event: AuditEvent) => void>();

  constructor(private readonly capacity = DEFAULT_AUDIT_CAPACITY) {}

  record(event: AuditEvent): void {
    const kept = pick(event);
    this.events.push(kept);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    for (const listener of [...this.listeners]) {
      try {
        listener(kept);
      } catch {
        // A failing listener (a closed webview, say) must not lose the event or the others.
      }
    }
  }

  /** The latest events, newest first. */
  recent(limit = this.capacity): AuditEvent[] {
    if (limit <= 0) return [];
    return this.events.slice(-limit).reverse();
  }

  onDidRecord(listener: (event: AuditEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }
}

/**
 * Copies only the declared fields: callers pass objects built from requests, and anything extra
 * (an `args` property, a token) must not ride along into the log or the webview.
 */
function pick(event: AuditEvent): AuditEvent {
  const kept: AuditEvent = {
    time: String(event.time),
    tool: String(event.tool),
    decision: event.decision,
    rule: String(event.rule),
    durationMs: Number(event.durationMs),
    argsSha256: String(event.argsSha256),
  };
  if (event.app !== undefined) kept.app = String(event.app);
  if (event.sessionId !== undefined) kept.sessionId = String(event.sessionId);
  if (event.retryAfterSeconds !== undefined) kept.retryAfterSeconds = Number(event.retryAfterSeconds);
  if (event.shadow !== undefined) kept.shadow = { decision: event.shadow.decision, rule: String(event.shadow.rule) };
  return kept;
}
