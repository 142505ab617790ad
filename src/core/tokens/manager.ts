/**
 * TokenManager: one token cache per app, in the manner of Azure's tokenCycler. The decisions live in
 * refreshRules.ts, the request cap in requestCap.ts, cross-window sharing in sharing.ts and the shapes in
 * model.ts and state.ts; this class sequences them, so the order of a fetch (wait, cap, fetch, hold, publish,
 * schedule) reads top to bottom in one place.
 */
import { systemClock, type Clock } from '../clock';
import { asDingTalkError, replacementRejectedError } from '../dingtalk/errors';
import type { FetchedToken } from '../dingtalk/client';
import { isTransient, MAX_TRANSIENT_RETRIES, withTransientRetries } from '../dingtalk/retry';
import {
  blockedError,
  blockFor,
  DEFAULT_REFRESH_MARGIN_MS,
  isValid,
  mustRefresh,
  refreshDueAt,
  retryDelay,
  shouldRefresh,
  transientRetriesFor,
  wouldLoop,
} from './refreshRules';
import { SharedTokens } from './sharing';
import {
  fallbackResult,
  fetchedResult,
  heldResult,
  holdFailure,
  holdFetched,
  holdShared,
  newEntry,
  recordFetch,
  statusOf,
  type TokenManagerOptions,
} from './state';
import type { AppEntry, CachedToken, FetchRecord, FetchTrigger, RefreshResult, TokenChange, TokenResult, TokenStatus } from './model';

// What callers of TokenManager need.
export type { TokenManagerOptions } from './state';
export type {
  CachedToken,
  FetchRecord,
  RefreshBlock,
  RefreshResult,
  TokenChange,
  TokenError,
  TokenFetcher,
  TokenResult,
  TokenSource,
  TokenState,
  TokenStatus,
} from './model';
export type { TokenStore } from './sharing';
export { BACKOFF_CAP_MS, MIN_FETCH_INTERVAL_MS, RETRY_AFTER_CAP_MS } from './refreshRules';
export { MAX_TOKEN_REQUESTS_PER_MINUTE } from './requestCap';

/**
 * One token cache per app: single-flight fetches, refresh ahead of expiry, keep serving a valid token while
 * refreshes fail, back off (honouring Retry-After) and never loop, whatever DingTalk answers.
 */
export class TokenManager {
  private readonly apps = new Map<string, AppEntry>();
  private readonly listeners = new Set<(change: TokenChange) => void>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly transientRetries: number;
  private readonly sharing: SharedTokens;
  private refreshMarginMs: number;
  private autoRefresh: boolean;
  private disposed = false;

  constructor(private readonly options: TokenManagerOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.transientRetries = Math.min(Math.max(0, options.transientRetries ?? MAX_TRANSIENT_RETRIES), MAX_TRANSIENT_RETRIES);
    this.sharing = new SharedTokens(options.store, this.clock);
    this.refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.autoRefresh = options.autoRefresh ?? true;
  }

  configure(settings: { refreshMarginMs?: number; autoRefresh?: boolean }): void {
    if (settings.refreshMarginMs !== undefined) this.refreshMarginMs = settings.refreshMarginMs;
    if (settings.autoRefresh !== undefined) this.autoRefresh = settings.autoRefresh;
    for (const entry of this.apps.values()) this.scheduleRefresh(entry);
  }

  /** A valid token: from memory when it has life left, else after one shared fetch. */
  async getToken(appKey: string): Promise<TokenResult> {
    const entry = this.entry(appKey);
    const token = entry.token;
    const now = this.clock.now();
    if (token === undefined || mustRefresh(token, now)) return this.waitForToken(entry, 'cold');
    if (shouldRefresh(token, now, this.refreshMarginMs)) this.refreshInBackground(entry, 'ahead');
    return heldResult(entry, token);
  }

  /**
   * Asks DingTalk now, inside the minimum interval too; callers already waiting share the answer. It does not
   * override DingTalk's Retry-After, the backoff after failures or the request cap: then the still-valid token
   * is served with `refreshed: false` and when a new one can be fetched, or, with none left, an error naming the wait.
   */
  async forceRefresh(appKey: string): Promise<RefreshResult> {
    const entry = this.entry(appKey);
    // A fetch already under way is as fresh as a new one would be.
    if (entry.inflight) return { ...fetchedResult(entry, await entry.inflight), refreshed: true };
    const block = blockFor(entry, 'forced', this.clock.now());
    if (block) {
      const valid = this.validToken(entry);
      if (!valid) throw blockedError(entry, block, this.clock.now());
      return { ...fallbackResult(entry, valid), refreshed: false, nextRefreshAt: block.until, blockedBy: block.by };
    }
    return { ...fetchedResult(entry, await this.startFetch(entry, 'forced')), refreshed: true };
  }

  /**
   * An API said `rejected` is not a valid token (revoked, or expired early). Gets a new one once, even inside
   * the minimum interval; if someone already replaced it, hands out the replacement.
   */
  async replaceRejected(appKey: string, rejected: string): Promise<TokenResult> {
    const entry = this.entry(appKey);
    const now = this.clock.now();
    const valid = this.validToken(entry);
    if (valid && valid.accessToken !== rejected) return fallbackResult(entry, valid);
    if (entry.inflight) return fetchedResult(entry, await entry.inflight);
    if (wouldLoop(entry.replacement, rejected, now)) throw replacementRejectedError();
    // Checked before the rejected token is dropped: dropped with no fetch allowed, it would leave cold callers
    // facing the minimum interval instead of the wait that really applies.
    const block = blockFor(entry, 'rejected', this.clock.now());
    if (block) throw blockedError(entry, block, this.clock.now());
    if (entry.token?.accessToken === rejected) {
      entry.token = undefined;
      this.emit(appKey, 'token');
    }
    const token = await this.startFetch(entry, 'rejected');
    entry.replacement = { token: token.accessToken, at: this.clock.now(), sameAsRejected: token.accessToken === rejected, confirmed: false };
    return fetchedResult(entry, token);
  }

  /** An API accepted `accessToken`: a replacement that works is no sign of a rejection loop. */
  confirm(appKey: string, accessToken: string): void {
    const replacement = this.apps.get(appKey)?.replacement;
    if (replacement?.token === accessToken) replacement.confirmed = true;
  }

  /**
   * Caches a token this window fetched outside the manager ("Set App Credentials" checks new credentials before
   * storing them), as if fetched here: it counts towards the request cap, is offered to other windows, and
   * whatever failed before no longer counts.
   */
  acceptFetchedToken(appKey: string, fetched: FetchedToken, startedAt: number): TokenResult {
    const entry = this.entry(appKey);
    entry.requestCap.record(startedAt);
    const token = this.storeFetched(entry, fetched, startedAt, 'forced');
    this.scheduleRefresh(entry);
    return fetchedResult(entry, token);
  }

  /**
   * Another window stored a new token for `appKey`: takes it when it lives longer than ours. Nothing is fetched
   * or counted. Idempotent; true when the token was taken.
   */
  async adoptSharedToken(appKey: string): Promise<boolean> {
    const shared = await this.sharing.findAnnounced(appKey, () => this.apps.get(appKey)?.token);
    if (!shared) return false;
    const entry = this.entry(appKey);
    this.takeShared(entry, shared);
    this.scheduleRefresh(entry);
    this.emit(appKey, 'token');
    return true;
  }

  /** A token that is valid right now, without fetching. */
  peek(appKey: string): CachedToken | undefined {
    const entry = this.apps.get(appKey);
    return entry && this.validToken(entry);
  }

  status(appKey: string): TokenStatus {
    const entry = this.apps.get(appKey);
    if (!entry) return { appKey, state: 'empty', refreshing: false };
    return statusOf(entry, this.clock.now());
  }

  history(appKey: string): readonly FetchRecord[] {
    return this.apps.get(appKey)?.history ?? [];
  }

  /** Drops everything known about an app (it was removed); a fetch under way is left to finish unseen. */
  forget(appKey: string): void {
    const entry = this.apps.get(appKey);
    if (!entry) return;
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    this.apps.delete(appKey);
    this.emit(appKey, 'removed');
  }

  onDidChange(listener: (change: TokenChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.apps.values()) {
      if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    }
    this.apps.clear();
    this.listeners.clear();
  }

  private async waitForToken(entry: AppEntry, trigger: FetchTrigger): Promise<TokenResult> {
    if (entry.inflight) return fetchedResult(entry, await entry.inflight);
    const block = blockFor(entry, trigger, this.clock.now());
    if (block) {
      const stillValid = this.validToken(entry);
      if (stillValid) return fallbackResult(entry, stillValid);
      throw blockedError(entry, block, this.clock.now());
    }
    try {
      return fetchedResult(entry, await this.startFetch(entry, trigger));
    } catch (error) {
      // The refresh failed, but the token we had is still good for a few seconds: use it.
      const current = this.validToken(entry);
      if (current) return fallbackResult(entry, current);
      throw error;
    }
  }

  private refreshInBackground(entry: AppEntry, trigger: FetchTrigger): void {
    if (entry.inflight || blockFor(entry, trigger, this.clock.now())) return;
    // Failures are recorded on the entry and retried by the timer; callers keep the valid token.
    this.startFetch(entry, trigger).catch(() => undefined);
  }

  private startFetch(entry: AppEntry, trigger: FetchTrigger): Promise<CachedToken> {
    const fetch = this.fetch(entry, trigger).finally(() => {
      if (entry.inflight === fetch) {
        entry.inflight = undefined;
      }
      if (!this.disposed && this.apps.get(entry.appKey) === entry) {
        this.scheduleRefresh(entry);
        this.emit(entry.appKey, 'state');
      }
    });
    entry.inflight = fetch;
    this.emit(entry.appKey, 'state');
    return fetch;
  }

  private async fetch(entry: AppEntry, trigger: FetchTrigger): Promise<CachedToken> {
    const startedAt = this.clock.now();
    if (trigger !== 'forced' && trigger !== 'rejected') {
      // Another window may already hold a fresh token: take it instead of asking DingTalk, if it would not itself
      // need the refresh this fetch is for.
      const shared = await this.sharing.findBetter(entry, (stored, now) =>
        trigger === 'cold' ? !mustRefresh(stored, now) : !shouldRefresh(stored, now, this.refreshMarginMs),
      );
      if (shared) {
        this.takeShared(entry, shared);
        this.emit(entry.appKey, 'token');
        recordFetch(entry, { at: startedAt, trigger, outcome: 'shared', latencyMs: this.clock.now() - startedAt, expiresAt: shared.expiresAt });
        return shared;
      }
    }
    try {
      const fetched = await withTransientRetries(
        () => {
          entry.requestCap.record(this.clock.now());
          return this.options.fetcher(entry.appKey);
        },
        (outcome) => 'error' in outcome && isTransient(asDingTalkError(outcome.error)),
        {
          clock: this.clock,
          random: this.random,
          maxRetries: transientRetriesFor(trigger, entry, this.transientRetries),
          mayRetry: () => entry.requestCap.freeAt(this.clock.now()) <= this.clock.now(),
        },
      );
      return this.storeFetched(entry, fetched, startedAt, trigger);
    } catch (caught) {
      const error = asDingTalkError(caught);
      const now = this.clock.now();
      holdFailure(entry, error, now, (consecutive) => retryDelay(error, consecutive, isValid(entry.token, now), this.random));
      recordFetch(entry, { at: startedAt, trigger, outcome: 'error', latencyMs: this.clock.now() - startedAt, errorKind: error.kind });
      this.emit(entry.appKey, 'error');
      throw error;
    }
  }

  private storeFetched(entry: AppEntry, fetched: FetchedToken, startedAt: number, trigger: FetchTrigger): CachedToken {
    this.options.redactor.remember(fetched.accessToken);
    // Counting validity from when we asked errs on the safe side of DingTalk's clock.
    const token: CachedToken = { accessToken: fetched.accessToken, obtainedAt: startedAt, expiresAt: startedAt + fetched.expiresInSeconds * 1000 };
    const changed = holdFetched(entry, token, this.clock.now());
    recordFetch(entry, { at: startedAt, trigger, outcome: 'ok', latencyMs: this.clock.now() - startedAt, expiresAt: token.expiresAt });
    if (changed) this.emit(entry.appKey, 'token');
    this.sharing.publish(entry.appKey, token);
    return token;
  }

  private takeShared(entry: AppEntry, token: CachedToken): void {
    this.options.redactor.remember(token.accessToken);
    holdShared(entry, token);
  }

  private scheduleRefresh(entry: AppEntry): void {
    if (entry.timer !== undefined) {
      this.clock.clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    if (!this.autoRefresh || this.disposed || entry.inflight || !entry.token) return;
    // Wrong credentials will not fix themselves; wait for a person.
    if (entry.failing && !entry.failing.error.retryable) return;
    const now = this.clock.now();
    const dueAt = Math.max(refreshDueAt(entry.token, this.refreshMarginMs), entry.nextAttemptAt, entry.requestCap.freeAt(now));
    entry.timer = this.clock.setTimeout(
      () => {
        entry.timer = undefined;
        if (this.apps.get(entry.appKey) !== entry || entry.inflight) return;
        // Someone else used the cap meanwhile: wait for it rather than exceed it.
        if (blockFor(entry, 'timer', this.clock.now())) return this.scheduleRefresh(entry);
        this.startFetch(entry, 'timer').catch(() => undefined);
      },
      Math.max(0, dueAt - now),
    );
  }

  private validToken(entry: AppEntry): CachedToken | undefined {
    return isValid(entry.token, this.clock.now()) ? entry.token : undefined;
  }

  private entry(appKey: string): AppEntry {
    let entry = this.apps.get(appKey);
    if (!entry) {
      entry = newEntry(appKey);
      this.apps.set(appKey, entry);
    }
    return entry;
  }

  private emit(appKey: string, reason: TokenChange['reason']): void {
    for (const listener of [...this.listeners]) {
      try {
        listener({ appKey, reason });
      } catch {
        // A broken listener must not break token delivery.
      }
    }
  }
}
