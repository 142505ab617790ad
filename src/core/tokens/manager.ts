/**
 * TokenManager: one token cache per app, in the manner of Azure's tokenCycler. Every way to a token goes through
 * acquire(): join the fetch under way, or start one when nothing blocks it, and serve the still-valid token when a
 * new one cannot be had. The rules are in refreshRules.ts, every change to an app's record in state.ts, the
 * request cap in requestCap.ts, cross-window sharing in sharing.ts and the shapes in model.ts.
 */
import { systemClock, timerDelay, type Clock } from '../clock';
import { replacementRejectedError } from '../dingtalk/errors';
import type { FetchedToken } from '../dingtalk/client';
import { MAX_TRANSIENT_RETRIES } from '../dingtalk/retry';
import { blockedError, blockFor, DEFAULT_REFRESH_MARGIN_MS, isValid, mustRefresh, refreshBlock, refreshDueAt, shouldRefresh, wouldLoop } from './refreshRules';
import { fetchToken, storeFetched, takeShared, type FetchContext } from './fetch';
import { SharedTokens } from './sharing';
import {
  acquiredResult,
  armTimer,
  beginFetch,
  confirmReplacement,
  countRequest,
  disarmTimer,
  dropToken,
  endFetch,
  fallbackResult,
  fetchedResult,
  heldResult,
  holdReplacement,
  newEntry,
  statusOf,
  type TokenManagerOptions,
} from './state';
import type { Acquired, AppEntry, CachedToken, FetchRecord, FetchTrigger, RefreshResult, TokenChange, TokenResult, TokenStatus, Want } from './model';

/**
 * One token cache per app: single-flight fetches, refresh ahead of expiry, keep serving a valid token while
 * refreshes fail, back off (honouring Retry-After) and never loop, whatever DingTalk answers.
 */
export class TokenManager {
  private readonly apps = new Map<string, AppEntry>();
  private readonly listeners = new Set<(change: TokenChange) => void>();
  private readonly clock: Clock;
  private readonly sharing: SharedTokens;
  private readonly fetching: FetchContext;
  private refreshMarginMs: number;
  private autoRefresh: boolean;
  private disposed = false;

  constructor(options: TokenManagerOptions) {
    this.clock = options.clock ?? systemClock;
    this.sharing = new SharedTokens(options.store, this.clock);
    this.refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.autoRefresh = options.autoRefresh ?? true;
    this.fetching = {
      clock: this.clock,
      random: options.random ?? Math.random,
      transientRetries: Math.min(Math.max(0, options.transientRetries ?? MAX_TRANSIENT_RETRIES), MAX_TRANSIENT_RETRIES),
      sharing: this.sharing,
      fetcher: options.fetcher,
      redactor: options.redactor,
      refreshMarginMs: () => this.refreshMarginMs,
      emit: (appKey, reason) => this.emit(appKey, reason),
    };
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
    if (token === undefined || mustRefresh(token, now)) {
      return acquiredResult(entry, await this.acquire(entry, { trigger: 'cold', fallBackOnFailure: true }));
    }
    if (shouldRefresh(token, now, this.refreshMarginMs)) void this.inBackground(entry, 'ahead');
    return heldResult(entry, token);
  }

  /**
   * Asks DingTalk now, inside the minimum interval too; callers already waiting share the answer (a fetch already
   * under way is as fresh as a new one would be). It does not override DingTalk's Retry-After, the backoff after
   * failures or the request cap: then the still-valid token is served with `refreshed: false` and when a new one
   * can be fetched, or, with none left, an error naming the wait.
   */
  async forceRefresh(appKey: string): Promise<RefreshResult> {
    const entry = this.entry(appKey);
    const got = await this.acquire(entry, { trigger: 'forced', fallBackOnFailure: false });
    if (got.by !== 'blocked') return { ...acquiredResult(entry, got), refreshed: got.by !== 'failed' };
    return { ...fallbackResult(entry, got.token), refreshed: false, nextRefreshAt: got.block.until, blockedBy: refreshBlock(got.block) };
  }

  /**
   * An API said `rejected` is not a valid token (revoked, or expired early). Gets a new one once, even inside
   * the minimum interval; if someone already replaced it, hands out the replacement.
   */
  async replaceRejected(appKey: string, rejected: string): Promise<TokenResult> {
    const entry = this.entry(appKey);
    const valid = this.validToken(entry);
    if (valid && valid.accessToken !== rejected) return fallbackResult(entry, valid);
    const got = await this.acquire(entry, { trigger: 'rejected', fallBackOnFailure: false, rejected });
    if (got.by === 'started') holdReplacement(entry, got.token, rejected, this.clock.now());
    return acquiredResult(entry, got);
  }

  /** An API accepted `accessToken`: a replacement that works is no sign of a rejection loop. */
  confirm(appKey: string, accessToken: string): void {
    const entry = this.apps.get(appKey);
    if (entry) confirmReplacement(entry, accessToken);
  }

  /**
   * Caches a token this window fetched outside the manager ("Set App Credentials" checks new credentials before
   * storing them), as if fetched here: it counts towards the request cap, is offered to other windows, and
   * whatever failed before no longer counts.
   */
  acceptFetchedToken(appKey: string, fetched: FetchedToken, startedAt: number): TokenResult {
    const entry = this.entry(appKey);
    countRequest(entry, startedAt);
    const token = storeFetched(this.fetching, entry, fetched, startedAt, 'forced');
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
    takeShared(this.fetching, entry, shared);
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
    this.cancelTimer(entry);
    this.apps.delete(appKey);
    this.emit(appKey, 'removed');
  }

  onDidChange(listener: (change: TokenChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.apps.values()) this.cancelTimer(entry);
    this.apps.clear();
    this.listeners.clear();
  }

  /**
   * The one way to a token. Joins the fetch under way, if any; otherwise refuses a replacement that would loop, and
   * starts a fetch unless something blocks it (blockFor says what), serving the still-valid token while blocked.
   * When the fetch fails, `want.fallBackOnFailure` serves the still-valid token instead of the error.
   */
  private async acquire(entry: AppEntry, want: Want): Promise<Acquired> {
    const running = entry.inflight;
    if (running) return this.settle(entry, want, running, 'joined');
    const now = this.clock.now();
    if (want.rejected !== undefined && wouldLoop(entry.replacement, want.rejected, now)) throw replacementRejectedError();
    // Checked before a rejected token is dropped: dropped with no fetch allowed, it would leave cold callers
    // facing the minimum interval instead of the wait that really applies.
    const block = blockFor(entry, want.trigger, now);
    if (block) {
      const held = this.servable(entry, want);
      if (!held) throw blockedError(entry, block, now);
      return { token: held, by: 'blocked', block };
    }
    if (want.rejected !== undefined && dropToken(entry, want.rejected)) this.emit(entry.appKey, 'token');
    return this.settle(entry, want, this.startFetch(entry, want.trigger), 'started');
  }

  private async settle(entry: AppEntry, want: Want, fetch: Promise<CachedToken>, by: 'started' | 'joined'): Promise<Acquired> {
    try {
      return { token: await fetch, by };
    } catch (error) {
      const held = want.fallBackOnFailure ? this.servable(entry, want) : undefined;
      if (held) return { token: held, by: 'failed' };
      throw error;
    }
  }

  /** The still-valid token, unless it is the one an API rejected. */
  private servable(entry: AppEntry, want: Want): CachedToken | undefined {
    const valid = this.validToken(entry);
    return valid?.accessToken === want.rejected ? undefined : valid;
  }

  /** Fetches without a caller waiting; failures are recorded on the entry and retried by the timer. */
  private inBackground(entry: AppEntry, trigger: FetchTrigger): Promise<Acquired | undefined> {
    return this.acquire(entry, { trigger, fallBackOnFailure: true }).catch(() => undefined);
  }

  private startFetch(entry: AppEntry, trigger: FetchTrigger): Promise<CachedToken> {
    const fetch = fetchToken(this.fetching, entry, trigger).finally(() => {
      endFetch(entry, fetch);
      if (this.isCurrent(entry)) {
        this.scheduleRefresh(entry);
        this.emit(entry.appKey, 'state');
      }
    });
    beginFetch(entry, fetch);
    this.emit(entry.appKey, 'state');
    return fetch;
  }

  /** Sets the refresh timer for when the token is due and nothing blocks a request (none when no try would help). */
  private scheduleRefresh(entry: AppEntry): void {
    this.cancelTimer(entry);
    if (!this.autoRefresh || !this.isCurrent(entry) || entry.inflight || !entry.token) return;
    // Wrong credentials will not fix themselves; wait for a person.
    if (entry.failing && !entry.failing.error.retryable) return;
    const now = this.clock.now();
    const at = Math.max(refreshDueAt(entry.token, this.refreshMarginMs), entry.wait?.until ?? 0, entry.requestCap.freeAt(now));
    armTimer(
      entry,
      this.clock.setTimeout(() => this.onTimer(entry, at), timerDelay(at - now)),
      at,
    );
  }

  private onTimer(entry: AppEntry, at: number): void {
    disarmTimer(entry);
    if (!this.isCurrent(entry)) return;
    // A delay beyond the longest timer fires early: wait on.
    if (this.clock.now() < at) return this.scheduleRefresh(entry);
    // A fetch sets the next timer when it ends; when blocked (someone used the cap meanwhile), wait for the block.
    void this.inBackground(entry, 'timer').then((got) => {
      if (got?.by !== 'started' && got?.by !== 'joined') this.scheduleRefresh(entry);
    });
  }

  private cancelTimer(entry: AppEntry): void {
    const handle = disarmTimer(entry);
    if (handle !== undefined) this.clock.clearTimeout(handle);
  }

  private isCurrent(entry: AppEntry): boolean {
    return !this.disposed && this.apps.get(entry.appKey) === entry;
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
