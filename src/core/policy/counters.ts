import type { Limit } from './compile';
import type { Window } from './ruleSchema';

/**
 * The policy's counters: calendar-aligned UTC windows, reserve → commit | rollback (Intercept's two-phase
 * model), so denied and failed calls use no quota; grant counters persist through a CounterStore.
 */

/** Where counters persist between engine instances (the extension backs it with globalState). */
export interface CounterStore {
  load(): Record<string, number> | undefined;
  save(snapshot: Record<string, number>): void;
}

const WINDOW_MS: Record<Window, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

interface Entry {
  start: number;
  used: number;
  pending: number;
}
interface Reservation {
  key: string;
  start: number;
  amount: number;
}
/** What a reservation is for: a limit (one unit) or a rule's counter (its increment). */
export interface Charge {
  key: string;
  window: Window;
  persist: boolean;
  amount: number;
}

function windowStart(now: number, window: Window): number {
  // Epoch milliseconds have no leap seconds, so flooring aligns minutes, hours and UTC midnights.
  return Math.floor(now / WINDOW_MS[window]) * WINDOW_MS[window];
}

export function secondsUntilReset(now: number, window: Window): number {
  return Math.max(1, Math.ceil((windowStart(now, window) + WINDOW_MS[window] - now) / 1000));
}

export class Counters {
  private readonly entries = new Map<string, Entry & { window: Window; persist: boolean }>();

  constructor(
    private readonly store: CounterStore | undefined,
    now: number,
  ) {
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
        snapshot[JSON.stringify([...(JSON.parse(key) as unknown[]), entry.start])] = entry.used;
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
