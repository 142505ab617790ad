// Polling helpers shared by the page objects: the workbench renders asynchronously, so every check waits
// for its condition instead of sleeping a fixed time.
import { setTimeout as delay } from 'node:timers/promises';

/** Calls probe every 100 ms until it returns a value other than undefined/false; throws after timeoutMs. */
export async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}`,
      );
    }
    await delay(100);
  }
}

export function matches(text: string, filter: string | RegExp | undefined): boolean {
  if (filter === undefined) return true;
  return typeof filter === 'string' ? text.includes(filter) : filter.test(text);
}
