import { counterKey, storedKey, type CounterId } from './counterIdentity';
import { MemoryCounterStore } from './stores/memory';
import type { CounterStore, StoreCharge } from './stores/types';
import type { Window } from './ruleSchema';

/**
 * The policy's counters over a counter store (stores/: memory, a file per person, Redis for a team):
 * calendar-aligned UTC windows, reserve → commit | release (Intercept's two-phase model), so denied and failed
 * calls use no quota. A reservation carries each counter's maximum, and the store adds all of a call's charges or
 * none, atomically for everyone sharing it. Counts are exact millionths (BigInt, exactNumbers.ts).
 */

const WINDOW_MS: Record<Window, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** What a call adds to one counter: a limit (one call) or a rule's counter (its increment), in millionths. */
export interface Charge {
  id: CounterId;
  amount: bigint;
  /** The most the count may reach with this charge; none for a counter without a cap. */
  max?: bigint;
}

export type Reservation = readonly StoreCharge[];

export function windowStart(now: number, window: Window): number {
  // Epoch milliseconds have no leap seconds, so flooring aligns minutes, hours and UTC midnights.
  return Math.floor(now / WINDOW_MS[window]) * WINDOW_MS[window];
}

export function secondsUntilReset(now: number, window: Window): number {
  return Math.max(1, Math.ceil((windowStart(now, window) + WINDOW_MS[window] - now) / 1000));
}

function slotOf(id: CounterId, now: number): { slot: string; expiresAt: number } {
  const start = windowStart(now, id.window);
  return { slot: storedKey(id, start), expiresAt: start + WINDOW_MS[id.window] };
}

export class Counters {
  readonly store: CounterStore;

  constructor(store: CounterStore | undefined, clock: { now(): number }) {
    this.store = store ?? new MemoryCounterStore(() => clock.now());
  }

  /** The counts of these counters in their current windows (committed and in flight), by counterKey. */
  async read(ids: readonly CounterId[], now: number): Promise<Map<string, bigint>> {
    const counts = await this.store.read(ids.map((id) => slotOf(id, now).slot));
    return new Map(ids.map((id, index) => [counterKey(id), counts[index] ?? 0n]));
  }

  /** Adds every charge, each within its max, or none: then the index of the first that has no room. */
  async reserve(charges: readonly Charge[], now: number): Promise<{ ok: true; reservation: Reservation } | { ok: false; index: number }> {
    // A charge larger than its max never fits, whatever the count (never below zero) is.
    const hopeless = charges.findIndex(({ amount, max }) => max !== undefined && amount > max);
    if (hopeless >= 0) return { ok: false, index: hopeless };
    const reservation = charges.map(({ id, amount, max }) => ({ ...slotOf(id, now), amount, ...(max !== undefined ? { max } : {}) }));
    const reserved = await this.store.reserve(reservation);
    return reserved.ok ? { ok: true, reservation } : { ok: false, index: reserved.index };
  }

  /** Gives a reservation back (the call was denied after all, or never reached DingTalk). */
  async release(reservation: Reservation): Promise<void> {
    await this.store.release(reservation);
  }
}
