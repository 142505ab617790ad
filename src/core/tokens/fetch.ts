/**
 * One fetch for an app: the token another window stored when it is good enough, else DingTalk's (retried inside
 * the fetch for a caller who waits); what came of it, token or failure, is held on the app's record.
 */
import type { Clock } from '../clock';
import { asDingTalkError } from '../dingtalk/errors';
import type { FetchedToken } from '../dingtalk/client';
import { isTransient, withTransientRetries } from '../dingtalk/retry';
import type { Redactor } from '../redact';
import { isValid, mustRefresh, retryDelay, shouldRefresh, tokenLifetimeMs, transientRetriesFor } from './refreshRules';
import type { SharedTokens } from './sharing';
import { countRequest, holdFailure, holdFetched, holdShared, recordFetch } from './state';
import type { AppEntry, CachedToken, FetchTrigger, TokenChange, TokenFetcher } from './model';

/** What a fetch needs from the manager running it. */
export interface FetchContext {
  clock: Clock;
  random: () => number;
  /** Retries inside one fetch after a transient failure, at most. */
  transientRetries: number;
  sharing: SharedTokens;
  fetcher: TokenFetcher;
  redactor: Pick<Redactor, 'remember'>;
  refreshMarginMs(): number;
  emit(appKey: string, reason: TokenChange['reason']): void;
}

export async function fetchToken(context: FetchContext, entry: AppEntry, trigger: FetchTrigger): Promise<CachedToken> {
  const { clock } = context;
  const startedAt = clock.now();
  if (trigger !== 'forced' && trigger !== 'rejected') {
    // Another window may already hold a fresh token: take it instead of asking DingTalk, if it would not itself
    // need the refresh this fetch is for.
    const shared = await context.sharing.findBetter(entry, (stored, now) =>
      trigger === 'cold' ? !mustRefresh(stored, now) : !shouldRefresh(stored, now, context.refreshMarginMs()),
    );
    if (shared) {
      takeShared(context, entry, shared);
      context.emit(entry.appKey, 'token');
      recordFetch(entry, { at: startedAt, trigger, outcome: 'shared', latencyMs: clock.now() - startedAt, expiresAt: shared.expiresAt });
      return shared;
    }
  }
  try {
    const fetched = await withTransientRetries(
      () => {
        countRequest(entry, clock.now());
        return context.fetcher(entry.appKey);
      },
      (outcome) => 'error' in outcome && isTransient(asDingTalkError(outcome.error)),
      {
        clock,
        random: context.random,
        maxRetries: transientRetriesFor(trigger, entry, context.transientRetries),
        mayRetry: () => entry.requestCap.freeAt(clock.now()) <= clock.now(),
      },
    );
    return storeFetched(context, entry, fetched, startedAt, trigger);
  } catch (caught) {
    const error = asDingTalkError(caught);
    const now = clock.now();
    holdFailure(entry, error, now, (consecutive) => retryDelay(error, consecutive, isValid(entry.token, now), context.random));
    recordFetch(entry, { at: startedAt, trigger, outcome: 'error', latencyMs: clock.now() - startedAt, errorKind: error.kind });
    context.emit(entry.appKey, 'error');
    throw error;
  }
}

/** Holds a token fetched from DingTalk (here, or by this window outside the manager) and offers it to other windows. */
export function storeFetched(context: FetchContext, entry: AppEntry, fetched: FetchedToken, startedAt: number, trigger: FetchTrigger): CachedToken {
  context.redactor.remember(fetched.accessToken);
  // Counting validity from when we asked errs on the safe side of DingTalk's clock.
  const token: CachedToken = { accessToken: fetched.accessToken, obtainedAt: startedAt, expiresAt: startedAt + tokenLifetimeMs(fetched.expiresInSeconds) };
  const changed = holdFetched(entry, token, context.clock.now());
  recordFetch(entry, { at: startedAt, trigger, outcome: 'ok', latencyMs: context.clock.now() - startedAt, expiresAt: token.expiresAt });
  if (changed) context.emit(entry.appKey, 'token');
  context.sharing.publish(entry.appKey, token);
  return token;
}

export function takeShared(context: FetchContext, entry: AppEntry, token: CachedToken): void {
  context.redactor.remember(token.accessToken);
  holdShared(entry, token);
}
