/**
 * DingTalk takes 20 messages a minute per robot and then blocks the robot for ten minutes
 * (自定义机器人发送群消息, https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages). So the 21st
 * send within any 60 seconds is refused here, before it leaves, and a 410100 answer stops sends until the block ends.
 *
 * The counting sits behind SendCounter so it can live in the policy counters' store (a file, or Redis for a team)
 * and be shared the same way; MemorySendCounter keeps it in this process only.
 */
import { createHash } from 'node:crypto';

export const ROBOT_SENDS_PER_MINUTE = 20;
export const ROBOT_WINDOW_MS = 60_000;
export const ROBOT_BLOCK_MS = 10 * 60_000;

export type Take = { taken: true } | { taken: false; retryAfterMs: number };

/** Where robot sends are counted. Keys are digests of the robot's token, never the token. */
export interface SendCounter {
  /** Counts one send at `now` if fewer than `max` were counted in the `windowMs` before it and the key is not blocked. */
  take(key: string, max: number, windowMs: number, now: number): Promise<Take>;
  /** Forgets the send counted at `at`: it never left this machine. */
  giveBack(key: string, at: number): Promise<void>;
  /** Refuses every send for `key` until `until`. */
  block(key: string, until: number): Promise<void>;
}

/** Sliding windows in memory: never more than `max` within any `windowMs`, whatever minute DingTalk counts by. */
export class MemorySendCounter implements SendCounter {
  private readonly sent = new Map<string, number[]>();
  private readonly blocked = new Map<string, number>();

  async take(key: string, max: number, windowMs: number, now: number): Promise<Take> {
    const until = this.blocked.get(key);
    if (until !== undefined && until > now) return { taken: false, retryAfterMs: until - now };
    if (until !== undefined) this.blocked.delete(key);
    const recent = (this.sent.get(key) ?? []).filter((at) => at > now - windowMs);
    if (recent.length >= max) {
      this.sent.set(key, recent);
      // The send that leaves the window first frees a place (with max 0, none does: a whole window).
      return { taken: false, retryAfterMs: (recent[recent.length - max] ?? now) + windowMs - now };
    }
    recent.push(now);
    this.sent.set(key, recent);
    return { taken: true };
  }

  async giveBack(key: string, at: number): Promise<void> {
    const recent = this.sent.get(key);
    const index = recent?.lastIndexOf(at) ?? -1;
    if (recent && index >= 0) recent.splice(index, 1);
  }

  async block(key: string, until: number): Promise<void> {
    this.blocked.set(key, Math.max(until, this.blocked.get(key) ?? 0));
  }
}

/** The counter key of a robot: a digest of its token, so a shared store never holds the token. */
export function robotCounterKey(token: string): string {
  return `robot:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
}
