import type { Clock } from '../../src/core/clock';

const NODE_MAX_DELAY_MS = 2 ** 31 - 1;

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** A clock that moves only when told; due timers run in order, with pending promises settled in between. */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 10, 22, 0, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Like Node's timers, a delay beyond 2^31 - 1 ms (or not a number) fires after 1 ms, so a missing clamp shows here. */
  setTimeout(callback: () => void, ms: number): unknown {
    const delay = ms > NODE_MAX_DELAY_MS || Number.isNaN(ms) ? 1 : Math.max(0, ms);
    const timer = { id: this.nextId++, at: this.current + delay, callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Moves time forward by `ms`, running each timer at its own due time. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = target;
    await settle();
  }

  async set(time: number): Promise<void> {
    await this.advance(time - this.current);
  }
}

/** Lets every already-resolvable promise chain run to its end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
