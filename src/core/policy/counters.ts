import { counterKey, isGrant, parseSnapshotKey, snapshotKey, type CounterId } from './counterIdentity';
import { toUnits, unitsFromText, unitsText } from './exactNumbers';
import type { Window } from './ruleSchema';

/**
 * The policy's counters: calendar-aligned UTC windows, reserve → commit | rollback (Intercept's two-phase
 * model), so denied and failed calls use no quota; grant counters persist through a CounterStore. Counts
 * are exact (millionths as BigInt, exactNumbers.ts): what is given back is exactly what was taken.
 */

/**
 * Where counters persist between engine instances (the extension backs it with globalState). Each value is
 * the count as a number, or as its decimal text when no double holds it exactly.
 */
export interface CounterStore {
  load(): Record<string, number | string> | undefined;
  save(snapshot: Record<string, number | string>): void;
}

const WINDOW_MS: Record<Window, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

interface Entry {
  id: CounterId;
  start: number;
  used: bigint;
  pending: bigint;
}
export interface Reservation {
  key: string;
  start: number;
  amount: bigint;
}
/** What a reservation is for: a limit (one call) or a rule's counter (its increment), in millionths. */
export interface Charge {
  id: CounterId;
  amount: bigint;
}

export function windowStart(now: number, window: Window): number {
  // Epoch milliseconds have no leap seconds, so flooring aligns minutes, hours and UTC midnights.
  return Math.floor(now / WINDOW_MS[window]) * WINDOW_MS[window];
}

export function secondsUntilReset(now: number, window: Window): number {
  return Math.max(1, Math.ceil((windowStart(now, window) + WINDOW_MS[window] - now) / 1000));
}

export class Counters {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: CounterStore | undefined,
    now: number,
  ) {
    this.restore(now);
  }

  /** Millionths in use (committed + in flight) in the current window. */
  count(id: CounterId, now: number): bigint {
    const entry = this.entries.get(counterKey(id));
    return entry && entry.start === windowStart(now, id.window) ? entry.used + entry.pending : 0n;
  }

  reserve({ id, amount }: Charge, now: number): Reservation {
    const key = counterKey(id);
    const start = windowStart(now, id.window);
    let entry = this.entries.get(key);
    if (!entry || entry.start !== start) {
      // A new window starts from zero; reservations from the old one no longer count anywhere.
      entry = { id, start, used: 0n, pending: 0n };
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
      if (entry.start !== windowStart(now, entry.id.window) && entry.pending === 0n) this.entries.delete(key);
    }
  }

  /**
   * Only committed grant counters of current windows are saved: session ids die with the editor
   * window, and an expired window counts nothing. That keeps the snapshot to a handful of numbers.
   */
  private save(now: number): void {
    if (!this.store) return;
    const snapshot: Record<string, number | string> = {};
    for (const entry of this.entries.values()) {
      if (isGrant(entry.id) && entry.used > 0n && entry.start === windowStart(now, entry.id.window)) {
        const text = unitsText(entry.used);
        snapshot[snapshotKey(entry.id, entry.start)] = String(Number(text)) === text ? Number(text) : text;
      }
    }
    try {
      this.store.save(snapshot);
    } catch {
      // Losing a snapshot only makes limits more lenient after a restart; it must not fail the call.
    }
  }

  private restore(now: number): void {
    let snapshot: Record<string, number | string> | undefined;
    try {
      snapshot = this.store?.load();
    } catch {
      return;
    }
    for (const [stored, saved] of Object.entries(snapshot ?? {})) {
      const parsed = parseSnapshotKey(stored);
      if (!parsed || parsed.windowStart !== windowStart(now, parsed.id.window)) continue;
      const used = savedUnits(saved);
      if (used === undefined || used <= 0n) continue;
      this.entries.set(counterKey(parsed.id), { id: parsed.id, start: parsed.windowStart, used, pending: 0n });
    }
  }
}

/** A saved count read back exactly: a number, or the decimal text of one no double holds. */
function savedUnits(saved: unknown): bigint | undefined {
  if (typeof saved === 'number') return toUnits(saved);
  return typeof saved === 'string' ? unitsFromText(saved) : undefined;
}
