/**
 * DingTalk takes 20 messages a minute per robot and then blocks the robot for ten minutes
 * (自定义机器人发送群消息, https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages). So the 21st
 * send within any 60 seconds is refused here, before it leaves, and a 410100 answer stops sends until the block ends.
 *
 * The counting sits behind SendCounter so it lives in the policy counters' store (memory, a file, or Redis for a
 * team) and is shared the same way (storeCounter.ts).
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

/** The counter key of a robot: a digest of its token, so a shared store never holds the token. */
export function robotCounterKey(token: string): string {
  return `robot:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
}
