import { checkCharges, type CounterStore, type Reservation, type StoreCharge, type StoreState } from './types';

/** Counters inside one process: what tests and `policy test` use, and the model the shared stores follow. */
export class MemoryCounterStore implements CounterStore {
  private readonly slots = new Map<string, { count: bigint; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(charges: readonly StoreCharge[]): Promise<Reservation> {
    checkCharges(charges);
    this.prune();
    const counts = charges.map((charge) => this.slots.get(charge.slot)?.count ?? 0n);
    const index = charges.findIndex((charge, i) => charge.max !== undefined && (counts[i] ?? 0n) + charge.amount > charge.max);
    if (index >= 0) return { ok: false, index, count: counts[index] ?? 0n };
    for (const charge of charges) {
      const slot = this.slots.get(charge.slot);
      this.slots.set(charge.slot, { count: (slot?.count ?? 0n) + charge.amount, expiresAt: charge.expiresAt });
    }
    return { ok: true };
  }

  async release(charges: readonly StoreCharge[]): Promise<void> {
    checkCharges(charges);
    for (const charge of charges) {
      const slot = this.slots.get(charge.slot);
      if (slot) slot.count = slot.count > charge.amount ? slot.count - charge.amount : 0n;
    }
  }

  async read(slots: readonly string[]): Promise<bigint[]> {
    this.prune();
    return slots.map((slot) => this.slots.get(slot)?.count ?? 0n);
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
