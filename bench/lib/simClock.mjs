// A tiny simulated clock for the TokenManager (the Clock interface: now, setTimeout, clearTimeout).
// Time moves only in runUntil(); each due timer runs at its own time, and after each one `idle()` is awaited
// so real work the timer started (an HTTP fetch over loopback) finishes before time moves on.
export class SimClock {
  #now;
  #nextId = 1;
  #timers = new Map();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now() {
    return this.#now;
  }

  setTimeout(callback, ms) {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id) {
    this.#timers.delete(id);
  }

  async runUntil(target, idle) {
    for (;;) {
      let dueId;
      let due;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= target && (!due || timer.at < due.at || (timer.at === due.at && id < dueId))) {
          dueId = id;
          due = timer;
        }
      }
      if (!due) break;
      this.#timers.delete(dueId);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
      await idle();
    }
    this.#now = Math.max(this.#now, target);
    await idle();
  }
}
