/**
 * The state TokenManager keeps for each app: the shapes of a token and its status, the per-app record, the three
 * ways that record changes (a token fetched, a token shared, a failure) and what is served and reported from it.
 */
import type { Clock } from '../clock';
import type { DingTalkError, DingTalkErrorKind } from '../dingtalk/errors';
import type { Redactor } from '../redact';
import type { FetchedToken } from '../dingtalk/client';
import { isValid, MIN_FETCH_INTERVAL_MS } from './refreshRules';
import { RequestCap } from './requestCap';
import type { TokenStore } from './sharing';

/** Asks DingTalk for a fresh token for one app (the credentials stay with the caller). */
export type TokenFetcher = (appKey: string) => Promise<FetchedToken>;

export interface CachedToken {
  accessToken: string;
  /** ms since the epoch; the token is valid while now < expiresAt. */
  expiresAt: number;
  obtainedAt: number;
}

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

/** Where a served token came from: this process's network fetch, its memory, or another window's store. */
export type TokenSource = 'network' | 'cache' | 'shared';

/** Where the token held in memory came from: fetched by this process, or taken from another window. */
type TokenOrigin = 'network' | 'shared';

export interface TokenResult extends CachedToken {
  appKey: string;
  source: TokenSource;
}

/** Why a forced refresh did not ask DingTalk: its Retry-After, our backoff after failures, or the per-app request cap. */
export type RefreshBlock = 'retryAfter' | 'backoff' | 'requestCap';

export interface RefreshResult extends TokenResult {
  /** False when DingTalk could not be asked yet and the still-valid token was served instead. */
  refreshed: boolean;
  /** When not refreshed: the earliest time a new token can be fetched (ms since the epoch). */
  nextRefreshAt?: number;
  blockedBy?: RefreshBlock;
}

export type TokenState = 'empty' | 'fetching' | 'valid' | 'expired' | 'failing';

export interface TokenError {
  kind: DingTalkErrorKind;
  message: string;
  code?: string;
  ip?: string;
  requiredScopes?: string[];
  said?: string;
  at: number;
}

export interface TokenStatus {
  appKey: string;
  state: TokenState;
  refreshing: boolean;
  expiresAt?: number;
  obtainedAt?: number;
  source?: TokenSource;
  lastRefreshAt?: number;
  lastError?: TokenError;
  nextAttemptAt?: number;
}

export type FetchTrigger = 'cold' | 'ahead' | 'timer' | 'forced' | 'rejected';

export interface FetchRecord {
  at: number;
  trigger: FetchTrigger;
  outcome: 'ok' | 'error' | 'shared';
  latencyMs: number;
  errorKind?: DingTalkErrorKind;
  expiresAt?: number;
}

export interface TokenChange {
  appKey: string;
  reason: 'token' | 'state' | 'error' | 'removed';
}

/** The failures since the last token, fetched or shared; the last one decides the backoff and what callers are told. */
interface Failing {
  error: DingTalkError;
  at: number;
  consecutive: number;
}

export interface Replacement {
  token: string;
  at: number;
  /** DingTalk handed back the very token that was rejected: it holds the token valid, so the API objects to something else. */
  sameAsRejected: boolean;
  /** An API has since accepted it (confirm()). */
  confirmed: boolean;
}

export interface AppEntry {
  appKey: string;
  token?: CachedToken;
  origin?: TokenOrigin;
  inflight?: Promise<CachedToken>;
  /** Automatic fetches wait until then: the minimum interval after a success, the backoff after a failure. */
  nextAttemptAt: number;
  /** Set while fetches fail; cleared by the next token, whether fetched or taken from another window. */
  failing?: Failing;
  lastRefreshAt?: number;
  timer?: unknown;
  /** The last token fetched to replace one an API rejected, and what became of it. */
  replacement?: Replacement;
  history: FetchRecord[];
  requestCap: RequestCap;
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
