import type { Clock } from '../clock';
import type { DingTalkError } from './errors';

/** Retries of one call after a transient failure (5xx, reset, timeout); never for 4xx, throttling or quota. */
export const MAX_TRANSIENT_RETRIES = 2;
/** No retry starts once this long has passed since the first attempt: a retried call stays a few seconds long. */
export const TRANSIENT_RETRY_BUDGET_MS = 3_000;
/** First retry after 150–300 ms, the second after 300–600 ms (jittered, so callers do not retry in lockstep). */
const RETRY_BASE_MS = 300;

/** A failure that a second try a moment later may not meet: DingTalk's 5xx or "系统繁忙" (-1), a dropped connection, a timeout. */
export function isTransient(error: Pick<DingTalkError, 'kind' | 'httpStatus' | 'code'>): boolean {
  if (error.kind === 'network' || error.kind === 'timeout') return true;
  return error.kind === 'server' && ((error.httpStatus ?? 0) >= 500 || error.code === '-1');
}

/**
 * Failures that happen before a connection to DingTalk exists (refused, no route, no such host, connect timeout):
 * nothing was sent, so even a message send may be tried again. A reset or a timeout later on may come after
 * DingTalk received the request.
 */
const CONNECTION_NEVER_OPENED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

export function connectionNeverOpened(error: Pick<DingTalkError, 'kind' | 'code'>): boolean {
  return error.kind === 'network' && error.code !== undefined && CONNECTION_NEVER_OPENED.has(error.code);
}

/** How long to wait before retry number `retry` (1-based), jittered into [50%, 100%] of the step. */
export function retryDelayMs(retry: number, random: () => number): number {
  return Math.round(RETRY_BASE_MS * 2 ** (retry - 1) * (0.5 + random() / 2));
}

export interface RetryOptions {
  clock: Pick<Clock, 'now' | 'setTimeout'>;
  random: () => number;
  /** At most this many retries (MAX_TRANSIENT_RETRIES when omitted, never more). */
  maxRetries?: number;
  /** Asked before each retry; false stops (a per-app request cap, say). */
  mayRetry?: () => boolean;
}

/**
 * Runs `attempt` and retries it on a transient failure, at most MAX_TRANSIENT_RETRIES times within
 * TRANSIENT_RETRY_BUDGET_MS. `transient` says whether what the attempt threw or returned is worth another try.
 */
export async function withTransientRetries<T>(
  attempt: () => Promise<T>,
  transient: (outcome: { value: T } | { error: unknown }) => boolean,
  options: RetryOptions,
): Promise<T> {
  const startedAt = options.clock.now();
  const maxRetries = Math.min(options.maxRetries ?? MAX_TRANSIENT_RETRIES, MAX_TRANSIENT_RETRIES);
  for (let retry = 1; ; retry++) {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: await attempt() };
    } catch (error) {
      outcome = { error };
    }
    const delay = retryDelayMs(retry, options.random);
    const canRetry =
      retry <= maxRetries && options.clock.now() + delay - startedAt <= TRANSIENT_RETRY_BUDGET_MS && transient(outcome) && (options.mayRetry?.() ?? true);
    if (!canRetry) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    await new Promise<void>((resolve) => options.clock.setTimeout(resolve, delay));
  }
}
