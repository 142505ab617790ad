/**
 * The per-app record's changes: the three ways it changes (a token fetched, a token shared, a failure) and what is
 * served and reported from it. The shapes are in model.ts.
 */
import type { Clock } from '../clock';
import type { DingTalkError } from '../dingtalk/errors';
import type { Redactor } from '../redact';
import { isValid, MIN_FETCH_INTERVAL_MS } from './refreshRules';
import { RequestCap } from './requestCap';
import type { TokenStore } from './sharing';
import type { AppEntry, CachedToken, Failing, FetchRecord, TokenError, TokenFetcher, TokenResult, TokenSource, TokenState, TokenStatus } from './model';

export interface TokenManagerOptions {
  fetcher: TokenFetcher;
  /** Told every token the manager sees, fetched or shared, so the logs and errors it cleans hide them. */
  redactor: Pick<Redactor, 'remember'>;
  clock?: Clock;
  /** Shared with the editor's other windows, so they share tokens instead of each fetching its own. */
  store?: TokenStore;
  /** Refresh this long before expiry (refreshMarginSeconds). */
  refreshMarginMs?: number;
  /** Keep the token fresh with a timer even when nobody asks for it. */
  autoRefresh?: boolean;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /** Retries inside one fetch after a transient failure, while a caller waits (MAX_TRANSIENT_RETRIES by default). */
  transientRetries?: number;
}

const HISTORY_LENGTH = 20;

export function newEntry(appKey: string): AppEntry {
  return { appKey, nextAttemptAt: 0, history: [], requestCap: new RequestCap() };
}

/** Newest first, the last HISTORY_LENGTH fetches. */
export function recordFetch(entry: AppEntry, record: FetchRecord): void {
  entry.history.unshift(record);
  if (entry.history.length > HISTORY_LENGTH) entry.history.length = HISTORY_LENGTH;
}

/** Holds a token this process fetched (at `obtainedAt`); true when it differs from the one held before. */
export function holdFetched(entry: AppEntry, token: CachedToken, now: number): boolean {
  const changed = entry.token?.accessToken !== token.accessToken || entry.token.expiresAt !== token.expiresAt;
  entry.token = token;
  entry.origin = 'network';
  entry.failing = undefined;
  entry.lastRefreshAt = now;
  entry.nextAttemptAt = token.obtainedAt + MIN_FETCH_INTERVAL_MS;
  return changed;
}

/** Holds a token another window fetched; whatever failed before no longer counts. */
export function holdShared(entry: AppEntry, token: CachedToken): void {
  entry.token = token;
  entry.origin = 'shared';
  entry.failing = undefined;
}

/** Counts a failed fetch; the next automatic attempt waits `delay(consecutive failures)`. */
export function holdFailure(entry: AppEntry, error: DingTalkError, now: number, delay: (consecutive: number) => number): void {
  entry.failing = { error, at: now, consecutive: (entry.failing?.consecutive ?? 0) + 1 };
  entry.nextAttemptAt = now + delay(entry.failing.consecutive);
}

/** The token a fetch delivered: from DingTalk, or from another window when the fetch found one there. */
export function fetchedResult(entry: AppEntry, token: CachedToken): TokenResult {
  return served(entry, token, entry.origin ?? 'network');
}

/** The token held in memory, served without asking: 'cache', or 'shared' while it is one another window fetched. */
export function heldResult(entry: AppEntry, token: CachedToken): TokenResult {
  return served(entry, token, entry.origin === 'shared' ? 'shared' : 'cache');
}

/** The still-valid token, served because a new one could not or need not be fetched. */
export function fallbackResult(entry: AppEntry, token: CachedToken): TokenResult {
  return served(entry, token, 'cache');
}

function served(entry: AppEntry, token: CachedToken, source: TokenSource): TokenResult {
  return { appKey: entry.appKey, accessToken: token.accessToken, expiresAt: token.expiresAt, obtainedAt: token.obtainedAt, source };
}

export function statusOf(entry: AppEntry, now: number): TokenStatus {
  const valid = isValid(entry.token, now);
  let state: TokenState;
  if (valid) state = 'valid';
  else if (entry.inflight) state = 'fetching';
  else if (entry.failing) state = 'failing';
  else state = entry.token ? 'expired' : 'empty';
  return {
    appKey: entry.appKey,
    state,
    refreshing: valid && entry.inflight !== undefined,
    expiresAt: entry.token?.expiresAt,
    obtainedAt: entry.token?.obtainedAt,
    source: entry.origin,
    lastRefreshAt: entry.lastRefreshAt,
    lastError: entry.failing && tokenError(entry.failing),
    nextAttemptAt: entry.failing ? entry.nextAttemptAt : undefined,
  };
}

function tokenError({ error, at }: Failing): TokenError {
  return { kind: error.kind, message: error.message, code: error.code, ip: error.ip, requiredScopes: error.requiredScopes, said: error.said, at };
}
