import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { CounterStoreUnavailable, checkCharges, type CounterStore, type Reservation, type StoreCharge, type StoreState } from './types';

/**
 * Counters in one JSON file, shared by every process of one person (VS Code windows, standalone servers): each
 * change happens under a lock (proper-lockfile) and lands by an atomic rename, mode 0600. A file that cannot be
 * read or parsed is never reset: limited calls are refused, saying which file and why, until it is fixed or removed.
 */
export class FileCounterStore implements CounterStore {
  private problem: string | undefined;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  async reserve(charges: readonly StoreCharge[]): Promise<Reservation> {
    checkCharges(charges);
    return this.change<Reservation>((slots) => {
      const counts = charges.map((charge) => slots[charge.slot]?.count ?? 0n);
      const index = charges.findIndex((charge, i) => charge.max !== undefined && (counts[i] ?? 0n) + charge.amount > charge.max);
      if (index >= 0) return { result: { ok: false, index, count: counts[index] ?? 0n }, changed: false };
      for (const charge of charges) {
        const name = charge.slot;
        slots[name] = { count: (slots[name]?.count ?? 0n) + charge.amount, expiresAt: charge.expiresAt };
      }
      return { result: { ok: true }, changed: true };
    });
  }

  async release(charges: readonly StoreCharge[]): Promise<void> {
    checkCharges(charges);
    await this.change((slots) => {
      for (const charge of charges) {
        const slot = slots[charge.slot];
        if (slot) slot.count = slot.count > charge.amount ? slot.count - charge.amount : 0n;
      }
      return { result: undefined, changed: true };
    });
  }

  async read(slots: readonly string[]): Promise<bigint[]> {
    const stored = await this.load();
    return slots.map((slot) => stored[slot]?.count ?? 0n);
  }

  state(): StoreState {
    return { kind: 'file', where: this.file, reachable: this.problem === undefined, ...(this.problem ? { problem: this.problem } : {}) };
  }

  async close(): Promise<void> {}

  /** Read, change and write back under the lock; expired windows are dropped on the way. */
  private async change<T>(edit: (slots: Slots) => { result: T; changed: boolean }): Promise<T> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    let unlock: () => Promise<void>;
    try {
      unlock = await lockfile.lock(this.file, LOCK_OPTIONS);
    } catch (error) {
      throw this.unavailable(`could not lock it (${reason(error)})`);
    }
    try {
      const slots = await this.load();
      const { result, changed } = edit(slots);
      if (changed) await this.write(slots);
      return result;
    } finally {
      await unlock().catch(() => undefined);
    }
  }

  private async load(): Promise<Slots> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.healthy({});
      throw this.unavailable(`could not read it (${reason(error)})`);
    }
    const slots = parseSlots(text);
    if (!slots) throw this.unavailable('it is not a counters file this version wrote; fix or remove it');
    const now = this.now();
    for (const [name, slot] of Object.entries(slots)) if (slot.expiresAt <= now) delete slots[name];
    return this.healthy(slots);
  }

  private async write(slots: Slots): Promise<void> {
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      // Counts as decimal text: millionths outgrow what a JSON number holds exactly.
      const saved = Object.fromEntries(Object.entries(slots).map(([name, slot]) => [name, { count: slot.count.toString(), expiresAt: slot.expiresAt }]));
      await fs.writeFile(temporary, JSON.stringify({ version: 1, slots: saved }), { mode: 0o600 });
      await fs.rename(temporary, this.file);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw this.unavailable(`could not write it (${reason(error)})`);
    }
  }

  private healthy(slots: Slots): Slots {
    this.problem = undefined;
    return slots;
  }

  private unavailable(why: string): CounterStoreUnavailable {
    this.problem = `The counters file ${this.file}: ${why}.`;
    return new CounterStoreUnavailable(this.problem);
  }
}

type Slots = Record<string, { count: bigint; expiresAt: number }>;

const LOCK_OPTIONS: lockfile.LockOptions = {
  // The file may not exist yet; the lock is a directory beside it either way.
  realpath: false,
  // A process that died holding the lock frees it after this long.
  stale: 10_000,
  retries: { retries: 100, factor: 1.3, minTimeout: 2, maxTimeout: 100, randomize: true },
  // A lock found stale mid-change: the change is a few milliseconds, the next one locks afresh.
  onCompromised: () => undefined,
};

/** The file's slots, or undefined when it is not what this store writes (never guessed at). */
function parseSlots(text: string): Slots | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.version !== 1 || !isRecord(parsed.slots)) return undefined;
  const slots: Slots = {};
  for (const [name, slot] of Object.entries(parsed.slots)) {
    if (!isRecord(slot) || typeof slot.count !== 'string' || !/^\d{1,19}$/.test(slot.count) || !Number.isSafeInteger(slot.expiresAt)) return undefined;
    slots[name] = { count: BigInt(slot.count), expiresAt: slot.expiresAt as number };
  }
  return slots;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}
