/** Time as the token logic sees it; tests pass a fake one. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's longest timer (2^31 - 1 ms, about 24.8 days); a longer delay silently becomes 1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * A delay Node's timers honour: negative is 0, beyond MAX_TIMER_DELAY_MS (or not a number) is MAX_TIMER_DELAY_MS.
 * Whoever schedules a clamped timer checks, when it fires, whether its moment has really come.
 */
export function timerDelay(ms: number): number {
  if (Number.isNaN(ms)) return MAX_TIMER_DELAY_MS;
  return Math.min(Math.max(0, ms), MAX_TIMER_DELAY_MS);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, timerDelay(ms));
    // A pending refresh must not keep a CLI or test process alive.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
