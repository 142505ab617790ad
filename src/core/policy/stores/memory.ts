import { checkCharges, slotName, type CounterStore, type Reservation, type StoreCharge, type StoreState } from './types';

/** Counters inside one process: what tests and `policy test` use, and the model the shared stores follow. */
export class MemoryCounterStore implements CounterStore {
  private readonly slots = new Map<string, { count: bigint; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(charges: readonly StoreCharge[]): Promise<Reservation> {
    checkCharges(charges);
    this.prune();
    const counts = charges.map((charge) => this.slots.get(slotName(charge))?.count ?? 0n);
    const index = charges.findIndex((charge, i) => charge.max !== undefined && (counts[i] ?? 0n) + charge.amount > charge.max);
    if (index >= 0) return { ok: false, index, count: counts[index] ?? 0n };
    for (const charge of charges) {
      const slot = this.slots.get(slotName(charge));
      this.slots.set(slotName(charge), { count: (slot?.count ?? 0n) + charge.amount, expiresAt: charge.windowStart + charge.windowMs });
    }
    return { ok: true };
  }

  async release(charges: readonly StoreCharge[]): Promise<void> {
    checkCharges(charges);
    for (const charge of charges) {
      const slot = this.slots.get(slotName(charge));
      if (slot) slot.count = slot.count > charge.amount ? slot.count - charge.amount : 0n;
    }
  }

  async read(counters: readonly Pick<StoreCharge, 'key' | 'windowStart'>[]): Promise<bigint[]> {
    this.prune();
    return counters.map((counter) => this.slots.get(slotName(counter))?.count ?? 0n);
  }

  state(): StoreState {
    return { kind: 'memory', where: 'memory', reachable: true };
  }

  async close(): Promise<void> {}

  private prune(): void {
    const now = this.now();
    for (const [name, slot] of this.slots) if (slot.expiresAt <= now) this.slots.delete(name);
  }
}
