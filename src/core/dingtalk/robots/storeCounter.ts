import { ROBOT_WINDOW_MS, type SendCounter, type Take } from './limiter';

/** The part of the policy's counter store (core/policy/stores) that robot sends need; the same store is passed in. */
export interface SharedCounts {
  reserve(charges: readonly { slot: string; expiresAt: number; amount: bigint; max?: bigint }[]): Promise<{ ok: true } | { ok: false; count: bigint }>;
  release(charges: readonly { slot: string; expiresAt: number; amount: bigint }[]): Promise<void>;
  read(slots: readonly string[]): Promise<bigint[]>;
}

/**
 * Robot sends counted in the policy's counter store, so every server and window sharing it shares a robot's 20 a
 * minute. The store counts per calendar-aligned window (as the policy's limits do), not a sliding one: up to `max`
 * sends fit at the end of one minute and `max` more at the start of the next. A store that cannot be used throws,
 * and the send is refused (fail closed). A block is kept as its end time in a counter that expires with it.
 */
export class StoreSendCounter implements SendCounter {
  private readonly windows = new Map<string, number>();

  constructor(private readonly store: SharedCounts) {}

  async take(key: string, max: number, windowMs: number, now: number): Promise<Take> {
    const [blockedUntil] = await this.store.read([blockSlot(key)]);
    if (Number(blockedUntil) > now) return { taken: false, retryAfterMs: Number(blockedUntil) - now };
    this.windows.set(key, windowMs);
    const start = Math.floor(now / windowMs) * windowMs;
    const reserved = await this.store.reserve([{ slot: sendSlot(key, start), expiresAt: start + windowMs, amount: 1n, max: BigInt(max) }]);
    return reserved.ok ? { taken: true } : { taken: false, retryAfterMs: start + windowMs - now };
  }

  async giveBack(key: string, at: number): Promise<void> {
    const windowMs = this.windows.get(key) ?? ROBOT_WINDOW_MS;
    const start = Math.floor(at / windowMs) * windowMs;
    await this.store.release([{ slot: sendSlot(key, start), expiresAt: start + windowMs, amount: 1n }]);
  }

  async block(key: string, until: number): Promise<void> {
    const end = BigInt(Math.ceil(until));
    // Set only where no block is recorded (count 0 → end); a block already there stands until it expires.
    await this.store.reserve([{ slot: blockSlot(key), expiresAt: Math.ceil(until), amount: end, max: end }]);
  }
}

const sendSlot = (key: string, windowStart: number) => `robot-sends:${key}:${windowStart}`;
const blockSlot = (key: string) => `robot-block:${key}`;
