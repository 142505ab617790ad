import { ROBOT_WINDOW_MS, type SendCounter, type Take } from './limiter';

/** The part of the policy's counter store (core/policy/stores) that robot sends need; the same store is passed in. */
export interface SharedCounts {
  reserve(
    charges: readonly { slot: string; expiresAt: number; amount: bigint; max?: bigint }[],
  ): Promise<{ ok: true } | { ok: false; /** The first charge that did not fit. */ index: number; count: bigint }>;
  release(charges: readonly { slot: string; expiresAt: number; amount: bigint }[]): Promise<void>;
  read(slots: readonly string[]): Promise<bigint[]>;
}

/** Windows start this often; each lasts the limit's window plus this, so any span as long as the window lies inside one. */
export const SEND_WINDOW_STEP_MS = 10_000;

/**
 * Robot sends counted in the policy's counter store, so every server and window sharing it shares a robot's 20 a
 * minute. The store counts in fixed windows; a send counts in every window holding it: windows start every
 * SEND_WINDOW_STEP_MS and last a minute plus that step, so any 60 seconds lie inside one of them and never hold more
 * than 20 sends, whichever minute DingTalk counts by (a burst at the end of one calendar minute and another at the
 * start of the next would get the robot blocked). The price: a send may wait up to one step longer than a minute.
 * A store that cannot be used throws, and the send is refused (fail closed). A block is kept as its end time in a
 * counter that expires with it.
 */
export class StoreSendCounter implements SendCounter {
  private readonly windows = new Map<string, number>();

  constructor(private readonly store: SharedCounts) {}

  async take(key: string, max: number, windowMs: number, now: number): Promise<Take> {
    const [blockedUntil] = await this.store.read([blockSlot(key)]);
    if (Number(blockedUntil) > now) return { taken: false, retryAfterMs: Number(blockedUntil) - now };
    this.windows.set(key, windowMs);
    const charges = sendCharges(key, windowMs, now).map((charge) => ({ ...charge, max: BigInt(max) }));
    const reserved = await this.store.reserve(charges);
    // Newest window first: the first full one ends last, and once it has ended no window holds these sends.
    if (reserved.ok) return { taken: true };
    return { taken: false, retryAfterMs: (charges[reserved.index]?.expiresAt ?? now + windowMs) - now };
  }

  async giveBack(key: string, at: number): Promise<void> {
    await this.store.release(sendCharges(key, this.windows.get(key) ?? ROBOT_WINDOW_MS, at));
  }

  async block(key: string, until: number): Promise<void> {
    const end = BigInt(Math.ceil(until));
    // Set only where no block is recorded (count 0 → end); a block already there stands until it expires.
    await this.store.reserve([{ slot: blockSlot(key), expiresAt: Math.ceil(until), amount: end, max: end }]);
  }
}

/** One send at `at` in each window holding it, newest first. */
function sendCharges(key: string, windowMs: number, at: number): { slot: string; expiresAt: number; amount: bigint }[] {
  const span = windowMs + SEND_WINDOW_STEP_MS;
  const charges = [];
  for (let start = Math.floor(at / SEND_WINDOW_STEP_MS) * SEND_WINDOW_STEP_MS; start > at - span; start -= SEND_WINDOW_STEP_MS) {
    charges.push({ slot: `robot-sends:${key}:${start}+${span}`, expiresAt: start + span, amount: 1n });
  }
  return charges;
}

const blockSlot = (key: string) => `robot-block:${key}`;
