import { systemClock, type Clock } from './clock';
import { DingTalkError, asDingTalkError, replacementRejectedError, type DingTalkErrorKind } from './errors';
import type { FetchedToken } from './dingtalk';
import { registerSensitive } from './redact';
import { isTransient, MAX_TRANSIENT_RETRIES, withTransientRetries } from './retry';

/** Asks DingTalk for a fresh token for one app (the credentials stay with the caller). */
export type TokenFetcher = (appKey: string) => Promise<FetchedToken>;

export interface CachedToken {
  accessToken: string;
  /** ms since the epoch; the token is valid while now < expiresAt. */
  expiresAt: number;
  obtainedAt: number;
}

/** Optional persistence, so windows of one editor share tokens instead of each fetching its own. */
export interface TokenStore {
  load(appKey: string): Promise<CachedToken | undefined>;
  save(appKey: string, token: CachedToken): Promise<void>;
}

/** Where a served token came from: this process's network fetch, its memory, or another window's store. */
export type TokenSource = 'network' | 'cache' | 'shared';

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

export interface TokenManagerOptions {
  fetcher: TokenFetcher;
  clock?: Clock;
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

/** Below this much validity, callers wait for a new token rather than take one about to die. */
export const WAIT_FLOOR_MS = 10_000;
/** No more than one automatic upstream request per app in this interval, whatever expireIn says. */
export const MIN_FETCH_INTERVAL_MS = 60_000;
export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_CAP_MS = 5 * 60_000;
/**
 * With no valid token, callers are failing: after a failure that may pass (5xx, reset, throttling without
 * Retry-After...) the next attempt waits 1–2 s, so a caller asking after DingTalk recovers gets a token within
 * about 2 s. The request cap, not a growing backoff, keeps such an outage from costing DingTalk much.
 */
export const RETRY_WITHOUT_TOKEN_MS = 2_000;
/**
 * The hard ceiling: no app makes more token requests than this to DingTalk in any rolling minute, whatever
 * agents, people or timers ask (retries and forced refreshes included).
 */
export const MAX_TOKEN_REQUESTS_PER_MINUTE = 30;
const REQUEST_CAP_WINDOW_MS = 60_000;
export const RETRY_AFTER_CAP_MS = 60 * 60_000;
export const DEFAULT_REFRESH_MARGIN_MS = 300_000;
const HISTORY_LENGTH = 20;

interface Replacement {
  token: string;
  at: number;
  /** DingTalk handed back the very token that was rejected: it holds the token valid, so the API objects to something else. */
  sameAsRejected: boolean;
  /** An API has since accepted it (confirm()). */
  confirmed: boolean;
}

interface AppEntry {
  appKey: string;
  token?: CachedToken;
  source?: TokenSource;
  inflight?: Promise<CachedToken>;
  /** Automatic fetches wait until then: the minimum interval after a success, the backoff after a failure. */
  nextAttemptAt: number;
  failures: number;
  lastError?: TokenError;
  lastErrorObject?: DingTalkError;
  lastRefreshAt?: number;
  timer?: unknown;
  /** The last token fetched to replace one an API rejected, and what became of it. */
  replacement?: Replacement;
  history: FetchRecord[];
  /** When each upstream token request of the last minute was made, oldest first (the request cap). */
  requestTimes: number[];
}

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
  private refreshMarginMs: number;
  private autoRefresh: boolean;
  private disposed = false;

  constructor(private readonly options: TokenManagerOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.transientRetries = Math.min(Math.max(0, options.transientRetries ?? MAX_TRANSIENT_RETRIES), MAX_TRANSIENT_RETRIES);
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
    if (token && now < token.expiresAt - WAIT_FLOOR_MS) {
      if (now >= token.expiresAt - this.refreshMarginMs) this.refreshInBackground(entry, 'ahead');
      return this.result(entry, token, entry.source === 'network' ? 'cache' : entry.source ?? 'cache');
    }
    return this.waitForToken(entry, 'cold');
  }

  /**
   * Asks DingTalk now, inside the minimum interval too; callers already waiting share the answer. It does not
   * override DingTalk's Retry-After, the backoff after failures or the request cap: then the still-valid token
   * is served with `refreshed: false` and when a new one can be fetched, or, with none left, an error naming the wait.
   */
  async forceRefresh(appKey: string): Promise<RefreshResult> {
    const entry = this.entry(appKey);
    // A fetch already under way is as fresh as a new one would be.
    if (entry.inflight) return { ...this.result(entry, await entry.inflight, 'network'), refreshed: true };
    const block = this.blockFor(entry, 'forced');
    if (block) {
      const valid = this.validToken(entry);
      if (!valid) throw this.blockedError(entry, block);
      return { ...this.result(entry, valid, 'cache'), refreshed: false, nextRefreshAt: block.until, blockedBy: block.by };
    }
    return { ...this.result(entry, await this.startFetch(entry, 'forced'), 'network'), refreshed: true };
  }

  /**
   * An API said `rejected` is not a valid token (revoked, or expired early). Gets a new one once, even inside
   * the minimum interval; if someone already replaced it, hands out the replacement.
   */
  async replaceRejected(appKey: string, rejected: string): Promise<TokenResult> {
    const entry = this.entry(appKey);
    const now = this.clock.now();
    if (entry.token && entry.token.accessToken !== rejected && now < entry.token.expiresAt) {
      return this.result(entry, entry.token, 'cache');
    }
    if (entry.inflight) return this.result(entry, await entry.inflight, 'network');
    const replacement = entry.replacement;
    if (replacement?.token === rejected && now - replacement.at < MIN_FETCH_INTERVAL_MS && (replacement.sameAsRejected || !replacement.confirmed)) {
      // The replacement is rejected again before any API accepted it (or DingTalk reissued the very token it holds
      // valid): another token will not help, and asking again would loop. A replacement that worked and is then
      // rejected was revoked anew, and is replaced like any other.
      throw replacementRejectedError();
    }
    // Checked before the rejected token is dropped: dropped with no fetch allowed, it would leave cold callers
    // facing the minimum interval instead of the wait that really applies.
    const block = this.blockFor(entry, 'rejected');
    if (block) throw this.blockedError(entry, block);
    if (entry.token?.accessToken === rejected) {
      entry.token = undefined;
      this.emit(appKey, 'token');
    }
    const token = await this.startFetch(entry, 'rejected');
    entry.replacement = { token: token.accessToken, at: this.clock.now(), sameAsRejected: token.accessToken === rejected, confirmed: false };
    return this.result(entry, token, 'network');
  }

  /** An API accepted `accessToken`: a replacement that works is no sign of a rejection loop. */
  confirm(appKey: string, accessToken: string): void {
    const replacement = this.apps.get(appKey)?.replacement;
    if (replacement?.token === accessToken) replacement.confirmed = true;
  }

  /**
   * Caches a token fetched outside the manager ("Set App Credentials" checks new credentials before storing
   * them), as if fetched here: whatever failed before no longer counts.
   */
  accept(appKey: string, fetched: FetchedToken, startedAt: number): TokenResult {
    const entry = this.entry(appKey);
    // It was a token request all the same: it counts towards the cap.
    entry.requestTimes.push(startedAt);
    entry.requestTimes.sort((a, b) => a - b);
    const token = this.storeFetched(entry, fetched, startedAt, 'forced');
    this.scheduleRefresh(entry);
    return this.result(entry, token, 'network');
  }

  /** Accepts a token another window fetched, when it lives longer than ours. Idempotent. */
  adopt(appKey: string, token: CachedToken): boolean {
    const entry = this.entry(appKey);
    if (token.expiresAt <= this.clock.now()) return false;
    if (entry.token && (entry.token.accessToken === token.accessToken || entry.token.expiresAt >= token.expiresAt)) return false;
    registerSensitive(token.accessToken);
    entry.token = token;
    entry.source = 'shared';
    entry.lastError = undefined;
    entry.lastErrorObject = undefined;
    entry.failures = 0;
    this.scheduleRefresh(entry);
    this.emit(appKey, 'token');
    return true;
  }

  /** A token that is valid right now, without fetching. */
  peek(appKey: string): CachedToken | undefined {
    const token = this.apps.get(appKey)?.token;
    return token && this.clock.now() < token.expiresAt ? token : undefined;
  }

  status(appKey: string): TokenStatus {
    const entry = this.apps.get(appKey);
    if (!entry) return { appKey, state: 'empty', refreshing: false };
    const now = this.clock.now();
    const valid = entry.token !== undefined && now < entry.token.expiresAt;
    let state: TokenState;
    if (valid) state = 'valid';
    else if (entry.inflight) state = 'fetching';
    else if (entry.lastError) state = 'failing';
    else state = entry.token ? 'expired' : 'empty';
    return {
      appKey,
      state,
      refreshing: valid && entry.inflight !== undefined,
      expiresAt: entry.token?.expiresAt,
      obtainedAt: entry.token?.obtainedAt,
      source: entry.source,
      lastRefreshAt: entry.lastRefreshAt,
      lastError: entry.lastError,
      nextAttemptAt: entry.failures > 0 ? entry.nextAttemptAt : undefined,
    };
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
    if (entry.inflight) return this.result(entry, await entry.inflight, 'network');
    const block = this.blockFor(entry, trigger);
    if (block) {
      const stillValid = this.validToken(entry);
      if (stillValid) return this.result(entry, stillValid, 'cache');
      throw this.blockedError(entry, block);
    }
    try {
      return this.result(entry, await this.startFetch(entry, trigger), 'network');
    } catch (error) {
      // The refresh failed, but the token we had is still good for a few seconds: use it.
      const current = entry.token && this.clock.now() < entry.token.expiresAt ? entry.token : undefined;
      if (current) return this.result(entry, current, 'cache');
      throw error;
    }
  }

  private refreshInBackground(entry: AppEntry, trigger: FetchTrigger): void {
    if (entry.inflight || this.blockFor(entry, trigger)) return;
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
      const shared = await this.loadShared(entry, trigger);
      if (shared) {
        this.record(entry, { at: startedAt, trigger, outcome: 'shared', latencyMs: this.clock.now() - startedAt, expiresAt: shared.expiresAt });
        return shared;
      }
    }
    // Retries inside the fetch absorb a blip for a caller who is waiting; background refreshes have a valid token,
    // and during an outage (failures already) the next fetch 1–2 s later is the retry, so the cap is not spent thrice as fast.
    const waiting = trigger === 'cold' || trigger === 'forced' || trigger === 'rejected';
    const retries = waiting && entry.failures === 0 ? this.transientRetries : 0;
    try {
      const fetched = await withTransientRetries(() => {
        entry.requestTimes.push(this.clock.now());
        return this.options.fetcher(entry.appKey);
      }, (outcome) => 'error' in outcome && isTransient(asDingTalkError(outcome.error)), {
        clock: this.clock,
        random: this.random,
        maxRetries: retries,
        mayRetry: () => this.capFreeAt(entry) <= this.clock.now(),
      });
      return this.storeFetched(entry, fetched, startedAt, trigger);
    } catch (caught) {
      const error = asDingTalkError(caught);
      entry.failures += 1;
      entry.lastErrorObject = error;
      entry.lastError = { kind: error.kind, message: error.message, code: error.code, ip: error.ip, requiredScopes: error.requiredScopes, said: error.said, at: this.clock.now() };
      entry.nextAttemptAt = this.clock.now() + this.retryDelay(entry, error);
      this.record(entry, { at: startedAt, trigger, outcome: 'error', latencyMs: this.clock.now() - startedAt, errorKind: error.kind });
      this.emit(entry.appKey, 'error');
      throw error;
    }
  }

  private storeFetched(entry: AppEntry, fetched: FetchedToken, startedAt: number, trigger: FetchTrigger): CachedToken {
    registerSensitive(fetched.accessToken);
    // Counting validity from when we asked errs on the safe side of DingTalk's clock.
    const token: CachedToken = { accessToken: fetched.accessToken, obtainedAt: startedAt, expiresAt: startedAt + fetched.expiresInSeconds * 1000 };
    const changed = entry.token?.accessToken !== token.accessToken || entry.token.expiresAt !== token.expiresAt;
    entry.token = token;
    entry.source = 'network';
    entry.failures = 0;
    entry.lastError = undefined;
    entry.lastErrorObject = undefined;
    entry.lastRefreshAt = this.clock.now();
    entry.nextAttemptAt = startedAt + MIN_FETCH_INTERVAL_MS;
    this.record(entry, { at: startedAt, trigger, outcome: 'ok', latencyMs: this.clock.now() - startedAt, expiresAt: token.expiresAt });
    if (changed) this.emit(entry.appKey, 'token');
    this.options.store?.save(entry.appKey, token).catch(() => undefined);
    return token;
  }

  /** Another window may already hold a fresh token; take it instead of asking DingTalk. */
  private async loadShared(entry: AppEntry, trigger: FetchTrigger): Promise<CachedToken | undefined> {
    if (!this.options.store) return undefined;
    let stored: CachedToken | undefined;
    try {
      stored = await this.options.store.load(entry.appKey);
    } catch {
      return undefined;
    }
    if (!stored || (entry.token && stored.expiresAt <= entry.token.expiresAt)) return undefined;
    const lifeNeeded = trigger === 'cold' ? WAIT_FLOOR_MS : this.refreshMarginMs;
    if (this.clock.now() >= stored.expiresAt - lifeNeeded) return undefined;
    registerSensitive(stored.accessToken);
    entry.token = stored;
    entry.source = 'shared';
    entry.failures = 0;
    entry.lastError = undefined;
    entry.lastErrorObject = undefined;
    this.emit(entry.appKey, 'token');
    return stored;
  }

  private retryDelay(entry: AppEntry, error: DingTalkError): number {
    if (error.retryAfterMs !== undefined) return Math.min(Math.max(error.retryAfterMs, 1000), RETRY_AFTER_CAP_MS);
    // Jitter in [50%, 100%] keeps windows and processes from retrying in lockstep.
    const jitter = 0.5 + this.random() / 2;
    if (!this.validToken(entry) && error.retryable) return Math.round(RETRY_WITHOUT_TOKEN_MS * jitter);
    // Behind a valid token (or when only a person can fix it) there is no hurry: back off exponentially.
    return Math.round(Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (entry.failures - 1)) * jitter);
  }

  private scheduleRefresh(entry: AppEntry): void {
    if (entry.timer !== undefined) {
      this.clock.clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    if (!this.autoRefresh || this.disposed || entry.inflight || !entry.token) return;
    // Wrong credentials will not fix themselves; wait for a person.
    if (entry.lastErrorObject && !entry.lastErrorObject.retryable) return;
    const now = this.clock.now();
    const dueAt = Math.max(entry.token.expiresAt - this.refreshMarginMs, entry.nextAttemptAt, this.capFreeAt(entry));
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      if (this.apps.get(entry.appKey) !== entry || entry.inflight) return;
      // Someone else used the cap meanwhile: wait for it rather than exceed it.
      if (this.blockFor(entry, 'timer')) return this.scheduleRefresh(entry);
      this.startFetch(entry, 'timer').catch(() => undefined);
    }, Math.max(0, dueAt - now));
  }

  /**
   * Whether an upstream request for `trigger` must wait now, until when and why. Forcing (a person, an agent) and
   * replacing a rejected token skip the minimum interval after a success, and a forced refresh skips the backoff
   * after wrong credentials (they may just have been fixed); nothing skips DingTalk's Retry-After, the backoff
   * after other failures, or the request cap.
   */
  private blockFor(entry: AppEntry, trigger: FetchTrigger): { until: number; by: RefreshBlock } | undefined {
    const now = this.clock.now();
    const last = entry.lastErrorObject;
    const honoursInterval = trigger === 'forced' ? entry.failures > 0 && last?.retryable !== false
      : trigger === 'rejected' ? entry.failures > 0
        : true;
    let block: { until: number; by: RefreshBlock } | undefined;
    if (honoursInterval && now < entry.nextAttemptAt) {
      block = { until: entry.nextAttemptAt, by: last?.retryAfterMs !== undefined ? 'retryAfter' : 'backoff' };
    }
    const capFreeAt = this.capFreeAt(entry);
    if (capFreeAt > now && capFreeAt > (block?.until ?? 0)) block = { until: capFreeAt, by: 'requestCap' };
    return block;
  }

  /**
   * When the request cap next lets this app ask DingTalk; 0 when it already does (not "now": the clock may have
   * moved on by the time a caller compares it with its own now).
   */
  private capFreeAt(entry: AppEntry): number {
    const times = entry.requestTimes;
    const windowStart = this.clock.now() - REQUEST_CAP_WINDOW_MS;
    while (times.length > 0 && times[0] <= windowStart) times.shift();
    return times.length < MAX_TOKEN_REQUESTS_PER_MINUTE ? 0 : times[times.length - MAX_TOKEN_REQUESTS_PER_MINUTE] + REQUEST_CAP_WINDOW_MS;
  }

  private validToken(entry: AppEntry): CachedToken | undefined {
    return entry.token && this.clock.now() < entry.token.expiresAt ? entry.token : undefined;
  }

  private blockedError(entry: AppEntry, block: { until: number; by: RefreshBlock }): DingTalkError {
    const waitMs = block.until - this.clock.now();
    const waitSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    if (block.by === 'requestCap') {
      return new DingTalkError('throttled',
        `This app already made ${MAX_TOKEN_REQUESTS_PER_MINUTE} token requests to DingTalk in the last minute, the most allowed; next attempt in ${waitSeconds} s.`,
        { code: 'TokenRequestCap', retryAfterMs: waitMs });
    }
    const last = entry.lastErrorObject;
    if (last) {
      return new DingTalkError(last.kind, `${last.message} Next attempt in ${waitSeconds} s.`, {
        code: last.code, requestId: last.requestId, httpStatus: last.httpStatus, retryAfterMs: waitMs, ip: last.ip, requiredScopes: last.requiredScopes,
      });
    }
    return new DingTalkError('throttled',
      `DingTalk issued a token for this app less than a minute ago that is no longer valid; not asking again for ${waitSeconds} s.`,
      { code: 'MinimumInterval', retryAfterMs: waitMs });
  }

  private record(entry: AppEntry, record: FetchRecord): void {
    entry.history.unshift(record);
    if (entry.history.length > HISTORY_LENGTH) entry.history.length = HISTORY_LENGTH;
  }

  private result(entry: AppEntry, token: CachedToken, source: TokenSource): TokenResult {
    return { appKey: entry.appKey, accessToken: token.accessToken, expiresAt: token.expiresAt, obtainedAt: token.obtainedAt, source: source === 'network' ? entry.source ?? 'network' : source };
  }

  private entry(appKey: string): AppEntry {
    let entry = this.apps.get(appKey);
    if (!entry) {
      entry = { appKey, nextAttemptAt: 0, failures: 0, history: [], requestTimes: [] };
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

