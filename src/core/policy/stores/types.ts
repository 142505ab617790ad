/**
 * Where the policy's counters live when they must hold beyond one process: everyone sharing a store shares one
 * count. Reserving is atomic across them (Kong's rate limiting with `policy: redis` is the model): a charge is
 * added only when it keeps its counter within its max, and all charges of a call are added or none.
 */

/** What one call adds to one counter, in one calendar window. */
export interface StoreCharge {
  /** The counter in one window (counterIdentity.ts spells it), the same in every process. */
  slot: string;
  /** When the window ends (ms): the count expires with it. */
  expiresAt: number;
  /** Whole units (the policy counts exactly, in millionths). */
  amount: bigint;
  /** The most the count may reach; a plain counter (no limit) has none. */
  max?: bigint;
}

export type Reservation = { ok: true } | { ok: false; /** The first charge that did not fit. */ index: number; count: bigint };

export type StoreKind = 'memory' | 'file' | 'redis';

export interface StoreState {
  kind: StoreKind;
  /** The file or the Redis host and database; never a password. */
  where: string;
  reachable: boolean;
  /** Why the store cannot be used right now, when it cannot. */
  problem?: string;
}

export interface CounterStore {
  /** Adds every charge when each stays within its max, atomically for everyone sharing the store; else none. */
  reserve(charges: readonly StoreCharge[]): Promise<Reservation>;
  /** Takes a reservation back: the call was denied after all, or never reached DingTalk. */
  release(charges: readonly StoreCharge[]): Promise<void>;
  /** The current counts, 0 where there is none (for rules that read `state.*`). */
  read(slots: readonly string[]): Promise<bigint[]>;
  state(): StoreState;
  close(): Promise<void>;
}

/** The store cannot be read or written: limited calls are refused with this reason (fail closed). */
export class CounterStoreUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CounterStoreUnavailable';
  }
}

/** The most any count may be: what Redis's 64-bit counters hold. */
export const MAX_COUNT = 2n ** 63n - 1n;

/** Checks charges before they reach a store: non-negative amounts and maxima within MAX_COUNT, a whole-ms expiry. */
export function checkCharges(charges: readonly StoreCharge[]): void {
  for (const { amount, max, expiresAt } of charges) {
    const counts = [amount, ...(max === undefined ? [] : [max])];
    const fine = counts.every((value) => value >= 0n && value <= MAX_COUNT) && Number.isSafeInteger(expiresAt) && expiresAt >= 0;
    if (!fine) throw new RangeError('A counter charge must be whole, non-negative numbers within range.');
  }
}
