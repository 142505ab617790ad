/**
 * The request cap: no app makes more than MAX_TOKEN_REQUESTS_PER_MINUTE token requests to DingTalk in any
 * rolling minute, whatever agents, people or timers ask (retries and forced refreshes included).
 */

/** The hard ceiling per app and rolling minute. */
export const MAX_TOKEN_REQUESTS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;

/** One app's upstream token requests of the last minute. */
export class RequestCap {
  /** When each request of the last minute was made, oldest first. */
  private readonly times: number[] = [];

  /** Counts a request made at `at` (which may be earlier than ones already counted). */
  record(at: number): void {
    let index = this.times.length;
    while (index > 0 && this.times[index - 1]! > at) index--;
    this.times.splice(index, 0, at);
  }

  /**
   * When the cap next lets this app ask DingTalk; 0 when it already does (not `now`: the clock may have moved on
   * by the time a caller compares it with its own now).
   */
  freeAt(now: number): number {
    const windowStart = now - WINDOW_MS;
    while (this.times.length > 0 && this.times[0]! <= windowStart) this.times.shift();
    // Undefined while fewer than the cap were counted (the index is then negative).
    const oldestCounted = this.times[this.times.length - MAX_TOKEN_REQUESTS_PER_MINUTE];
    return oldestCounted === undefined ? 0 : oldestCounted + WINDOW_MS;
  }
}
