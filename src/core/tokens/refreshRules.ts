/**
 * The refresh policy: when a token must or should be refreshed, when an upstream request has to wait and why,
 * and how long after a failure. Pure functions of a token, an app's record and the time, for TokenManager.
 */
import { REFRESH_MARGIN_SECONDS } from '../bounds';
import { DingTalkError } from '../dingtalk/errors';
import { MAX_TOKEN_REQUESTS_PER_MINUTE } from './requestCap';
import type { AppEntry, Block, CachedToken, Failing, FetchTrigger, RefreshBlock, Replacement, Wait } from './model';

/** Below this much validity, callers wait for a new token rather than take one about to die. */
const WAIT_FLOOR_MS = 10_000;
/** No more than one automatic upstream request per app in this interval, whatever expireIn says. */
export const MIN_FETCH_INTERVAL_MS = 60_000;
const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_CAP_MS = 5 * 60_000;
/**
 * With no valid token, callers are failing: after a failure that may pass (5xx, reset, throttling without
 * Retry-After...) the next attempt waits 1–2 s, so a caller asking after DingTalk recovers gets a token within
 * about 2 s. The request cap, not a growing backoff, keeps such an outage from costing DingTalk much.
 */
const RETRY_WITHOUT_TOKEN_MS = 2_000;
export const RETRY_AFTER_CAP_MS = 60 * 60_000;
/** The longest a token is held: DingTalk's access tokens live 7200 s (open.dingtalk.com, "获取企业内部应用的accessToken"). */
export const MAX_TOKEN_LIFETIME_MS = 7200 * 1000;
export const DEFAULT_REFRESH_MARGIN_MS = REFRESH_MARGIN_SECONDS.fallback * 1000;

/** A token is valid while now < expiresAt. */
export function isValid(token: CachedToken | undefined, now: number): token is CachedToken {
  return token !== undefined && now < token.expiresAt;
}

/** Callers must wait for a new token: there is none, or it has less than WAIT_FLOOR_MS left. */
export function mustRefresh(token: CachedToken | undefined, now: number): boolean {
  return token === undefined || now >= token.expiresAt - WAIT_FLOOR_MS;
}

/** Time to refresh ahead of expiry: the token is inside the refresh margin (or there is none). */
export function shouldRefresh(token: CachedToken | undefined, now: number, refreshMarginMs: number): boolean {
  return token === undefined || now >= refreshDueAt(token, refreshMarginMs);
}

/** `offered` stays valid longer than `current` (or there is no current token). */
export function outlives(offered: CachedToken, current: CachedToken | undefined): boolean {
  return current === undefined || offered.expiresAt > current.expiresAt;
}

/** When the refresh margin begins. */
export function refreshDueAt(token: CachedToken, refreshMarginMs: number): number {
  return token.expiresAt - refreshMarginMs;
}

/**
 * `rejected` is the replacement for an earlier rejected token and is rejected again before any API accepted it (or
 * DingTalk reissued the very token it holds valid): another token will not help, and asking again would loop. A
 * replacement that worked and is then rejected was revoked anew, and is replaced like any other.
 */
export function wouldLoop(replacement: Replacement | undefined, rejected: string, now: number): boolean {
  return replacement?.token === rejected && now - replacement.at < MIN_FETCH_INTERVAL_MS && (replacement.sameAsRejected || !replacement.confirmed);
}

/**
 * Whether an upstream request for `trigger` must wait now, until when and why. Forcing (a person, an agent) and
 * replacing a rejected token skip the minimum interval after a success, and a forced refresh skips the wait after
 * a failure only a person can fix (the credentials may just have been fixed); nothing skips the backoff after
 * other failures, DingTalk's Retry-After, or the request cap.
 */
export function blockFor(entry: AppEntry, trigger: FetchTrigger, now: number): Block | undefined {
  const wait = entry.wait;
  let block: Block | undefined = wait && now < wait.until && honours(trigger, wait, entry.failing) ? { until: wait.until, by: wait.by } : undefined;
  const capFreeAt = entry.requestCap.freeAt(now);
  if (capFreeAt > now && capFreeAt > (block?.until ?? 0)) block = { until: capFreeAt, by: 'requestCap' };
  return block;
}

function honours(trigger: FetchTrigger, wait: Wait, failing: Failing | undefined): boolean {
  if (wait.by === 'minimumInterval') return trigger !== 'forced' && trigger !== 'rejected';
  return trigger !== 'forced' || failing?.error.retryable === true;
}

/** What a forced refresh reports as holding it back; blockFor never holds one back for the minimum interval. */
export function refreshBlock(block: Block): RefreshBlock {
  return block.by === 'minimumInterval' ? 'backoff' : block.by;
}

/**
 * How long a fetched token is held for: what DingTalk said, at most MAX_TOKEN_LIFETIME_MS (DingTalk documents
 * 7200 s; a longer claim is not believed, and a token refreshed early costs one request).
 */
export function tokenLifetimeMs(expiresInSeconds: number): number {
  const ms = expiresInSeconds * 1000;
  return Number.isNaN(ms) ? 0 : Math.min(Math.max(0, ms), MAX_TOKEN_LIFETIME_MS);
}

/**
 * Retries inside one fetch absorb a blip for a caller who is waiting; background refreshes have a valid token, and
 * during an outage (failures already) the next fetch 1–2 s later is the retry, so the cap is not spent thrice as fast.
 */
export function transientRetriesFor(trigger: FetchTrigger, entry: AppEntry, maxRetries: number): number {
  const waiting = trigger === 'cold' || trigger === 'forced' || trigger === 'rejected';
  return waiting && !entry.failing ? maxRetries : 0;
}

/** How long after this failure the next automatic attempt waits; `consecutive` counts this one. */
export function retryDelay(error: DingTalkError, consecutive: number, hasValidToken: boolean, random: () => number): number {
  if (error.retryAfterMs !== undefined) return Math.min(Math.max(error.retryAfterMs, 1000), RETRY_AFTER_CAP_MS);
  // Jitter in [50%, 100%] keeps windows and processes from retrying in lockstep.
  const jitter = 0.5 + random() / 2;
  if (!hasValidToken && error.retryable) return Math.round(RETRY_WITHOUT_TOKEN_MS * jitter);
  // Behind a valid token (or when only a person can fix it) there is no hurry: back off exponentially.
  return Math.round(Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (consecutive - 1)) * jitter);
}

/** The error a caller with no valid token gets when a request must wait: what blocks it, and for how long. */
export function blockedError(entry: AppEntry, block: Block, now: number): DingTalkError {
  const waitMs = block.until - now;
  const waitSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  if (block.by === 'requestCap') {
    return new DingTalkError(
      'throttled',
      `This app already made ${MAX_TOKEN_REQUESTS_PER_MINUTE} token requests to DingTalk in the last minute, the most allowed; next attempt in ${waitSeconds} s.`,
      { code: 'TokenRequestCap', retryAfterMs: waitMs },
    );
  }
  const last = entry.failing?.error;
  if (block.by !== 'minimumInterval' && last) {
    return new DingTalkError(last.kind, `${last.message} Next attempt in ${waitSeconds} s.`, {
      code: last.code,
      requestId: last.requestId,
      httpStatus: last.httpStatus,
      retryAfterMs: waitMs,
      ip: last.ip,
      requiredScopes: last.requiredScopes,
    });
  }
  return new DingTalkError(
    'throttled',
    `DingTalk issued a token for this app less than a minute ago that is no longer valid; not asking again for ${waitSeconds} s.`,
    { code: 'MinimumInterval', retryAfterMs: waitMs },
  );
}
