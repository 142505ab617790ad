/**
 * The per-app record: every change to it (a token fetched, shared or dropped, a failure, a fetch begun or ended, the
 * refresh timer, a replacement) and what is served and reported from it. The shapes are in model.ts.
 */
import type { Clock } from '../clock';
import type { DingTalkError } from '../dingtalk/errors';
import type { Redactor } from '../redact';
import { isValid, MIN_FETCH_INTERVAL_MS } from './refreshRules';
import { RequestCap } from './requestCap';
import type { TokenStore } from './sharing';
import type {
  Acquired,
  AppEntry,
  CachedToken,
  Failing,
  FetchRecord,
  TokenError,
  TokenFetcher,
  TokenResult,
  TokenSource,
  TokenState,
  TokenStatus,
} from './model';

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
  return { appKey, history: [], requestCap: new RequestCap() };
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
  entry.wait = { until: token.obtainedAt + MIN_FETCH_INTERVAL_MS, by: 'minimumInterval' };
  return changed;
}

/**
 * Holds a token another window fetched; whatever failed before no longer counts, the wait it imposed included.
 * The minimum interval after this window's own fetch stays: windows handing each other tokens must not reset it.
 */
export function holdShared(entry: AppEntry, token: CachedToken): void {
  entry.token = token;
  entry.origin = 'shared';
  entry.failing = undefined;
  if (entry.wait?.by !== 'minimumInterval') entry.wait = undefined;
}

/** Counts a failed fetch; token requests wait `delay(consecutive failures)`, DingTalk's Retry-After or our backoff. */
export function holdFailure(entry: AppEntry, error: DingTalkError, now: number, delay: (consecutive: number) => number): void {
  entry.failing = { error, at: now, consecutive: (entry.failing?.consecutive ?? 0) + 1 };
  entry.wait = { until: now + delay(entry.failing.consecutive), by: error.retryAfterMs !== undefined ? 'retryAfter' : 'backoff' };
}

/** Forgets `accessToken` if it is the token held (an API rejected it); true when it was. */
export function dropToken(entry: AppEntry, accessToken: string): boolean {
  if (entry.token?.accessToken !== accessToken) return false;
  entry.token = undefined;
  return true;
}

/** Remembers the token fetched to replace `rejected`, to tell a rejection loop from a fresh revocation. */
export function holdReplacement(entry: AppEntry, token: CachedToken, rejected: string, at: number): void {
  entry.replacement = { token: token.accessToken, at, sameAsRejected: token.accessToken === rejected, confirmed: false };
}

/** An API accepted `accessToken`: if it is the replacement, it works. */
export function confirmReplacement(entry: AppEntry, accessToken: string): void {
  if (entry.replacement?.token === accessToken) entry.replacement.confirmed = true;
}

/** Counts a token request to DingTalk made at `at` towards the request cap. */
export function countRequest(entry: AppEntry, at: number): void {
  entry.requestCap.record(at);
}

export function beginFetch(entry: AppEntry, fetch: Promise<CachedToken>): void {
  entry.inflight = fetch;
}

/** `fetch` settled: the app has no fetch under way any more, unless a newer one began meanwhile. */
export function endFetch(entry: AppEntry, fetch: Promise<CachedToken>): void {
  if (entry.inflight === fetch) entry.inflight = undefined;
}

/** Notes the refresh timer set to fire at `at`. */
export function armTimer(entry: AppEntry, handle: unknown, at: number): void {
  entry.timer = { handle, at };
}

/** Forgets the refresh timer; returns its handle for the clock to cancel (undefined when none was set). */
export function disarmTimer(entry: AppEntry): unknown {
  const handle = entry.timer?.handle;
  entry.timer = undefined;
  return handle;
}

/** What acquire() answered with, served: a fetch's token, or the still-valid one when a fetch was blocked or failed. */
export function acquiredResult(entry: AppEntry, got: Acquired): TokenResult {
  return got.by === 'started' || got.by === 'joined' ? fetchedResult(entry, got.token) : fallbackResult(entry, got.token);
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
    nextAttemptAt: entry.failing?.error.retryable ? (entry.timer?.at ?? entry.wait?.until) : undefined,
  };
}

function tokenError({ error, at }: Failing): TokenError {
  return { kind: error.kind, message: error.message, code: error.code, ip: error.ip, requiredScopes: error.requiredScopes, said: error.said, at };
}
