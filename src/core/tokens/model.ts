/** The shapes TokenManager works with: a token, an app's record, what is served and reported. Types only. */
import type { DingTalkError, DingTalkErrorKind } from '../dingtalk/errors';
import type { FetchedToken } from '../dingtalk/client';
import type { RequestCap } from './requestCap';

/** Asks DingTalk for a fresh token for one app (the credentials stay with the caller). */
export type TokenFetcher = (appKey: string) => Promise<FetchedToken>;

export interface CachedToken {
  accessToken: string;
  /** ms since the epoch; the token is valid while now < expiresAt. */
  expiresAt: number;
  obtainedAt: number;
}

/** Where a served token came from: this process's network fetch, its memory, or another window's store. */
export type TokenSource = 'network' | 'cache' | 'shared';

/** Where the token held in memory came from: fetched by this process, or taken from another window. */
export type TokenOrigin = 'network' | 'shared';

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
export interface Failing {
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
