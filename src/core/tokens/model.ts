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

/**
 * Why token requests wait after the last one: the minimum interval after a token was fetched, the backoff after a
 * failure, or DingTalk's Retry-After.
 */
export type WaitReason = 'minimumInterval' | 'backoff' | 'retryAfter';

/** Until when token requests wait, and why; each fetch, fetched or failed, sets a new one. */
export interface Wait {
  until: number;
  by: WaitReason;
}

/** What keeps a request from going upstream now: the app's wait, or the per-app request cap. */
export interface Block {
  until: number;
  by: WaitReason | 'requestCap';
}

/**
 * Why a forced refresh did not ask DingTalk: its Retry-After, our backoff after failures, or the per-app request cap
 * (the minimum interval never holds one back).
 */
export type RefreshBlock = Exclude<Block['by'], 'minimumInterval'>;

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
  /**
   * After a failure: when the next token request goes by itself, the refresh timer's time; with no timer set
   * (auto-refresh off, no token to keep fresh) the earliest a caller's request may go. None when only a person
   * can fix the failure (wrong credentials, say).
   */
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
  /** Set by the last fetch: token requests wait until then (forced ones and replacements skip some waits). */
  wait?: Wait;
  /** Set while fetches fail; cleared by the next token, whether fetched or taken from another window. */
  failing?: Failing;
  lastRefreshAt?: number;
  /** The refresh timer: its handle and when it fires. */
  timer?: { handle: unknown; at: number };
  /** The last token fetched to replace one an API rejected, and what became of it. */
  replacement?: Replacement;
  history: FetchRecord[];
  requestCap: RequestCap;
}

/** What a caller of TokenManager.acquire() asks for. */
export interface Want {
  trigger: FetchTrigger;
  /** When the fetch fails, serve the still-valid token (callers who just need one); otherwise the failure is the answer. */
  fallBackOnFailure: boolean;
  /** The token an API rejected: never served, and dropped before its replacement is fetched. */
  rejected?: string;
}

/** How acquire() answered: with a fetch it started or joined, or with the still-valid token because a fetch was blocked or failed. */
export type Acquired = { token: CachedToken; by: 'started' | 'joined' | 'failed' } | { token: CachedToken; by: 'blocked'; block: Block };
