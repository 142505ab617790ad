import * as l10n from '@vscode/l10n';
import { asDingTalkError, type DingTalkError, type DingTalkErrorKind } from '../../core/dingtalk';
import { AppNotFoundError } from '../../core/apps';
import type { Redactor } from '../../core/redact';
import { MAX_TOKEN_REQUESTS_PER_MINUTE, type TokenSource } from '../../core/tokens';
import type { AuditEvent } from '../../core/audit';

/** What the wording below reads: a DingTalkError, or the plain record a token's last failure keeps. */
type Failure = Pick<DingTalkError, 'kind' | 'message' | 'code' | 'httpStatus' | 'retryAfterMs' | 'ip' | 'requiredScopes' | 'said'>;

/** A failure (a thrown error or a recorded one) in the person's language, with DingTalk's own code kept. */
export function describeError(error: unknown, redactor: Redactor): string {
  if (error instanceof AppNotFoundError) return error.message;
  const failure: Failure = isFailure(error) ? error : asDingTalkError(error);
  // DingTalk's own words (often Chinese) beside its code: the person may search for either.
  const bare = failure.code ?? (failure.httpStatus ? `HTTP ${failure.httpStatus}` : '');
  const code = bare && failure.said ? `${bare}: ${shownSaid(failure.said, redactor)}` : bare;
  if (failure.code === 'MissingSecret') return l10n.t('No appSecret is stored for this app. Run "DingTalk: Set App Credentials" again.');
  const waitSeconds = failure.retryAfterMs ? Math.ceil(failure.retryAfterMs / 1000) : undefined;
  if (failure.code === 'MinimumInterval') {
    return l10n.t(
      'DingTalk issued a token less than a minute ago that is no longer valid; asking again in {0} s. Run "DingTalk: Refresh Access Token" to ask now.',
      waitSeconds ?? 60,
    );
  }
  if (failure.code === 'TokenRequestCap') {
    return l10n.t(
      'This app already asked DingTalk for a token {0} times in the last minute, the most allowed. Try again in {1} s.',
      MAX_TOKEN_REQUESTS_PER_MINUTE,
      waitSeconds ?? 60,
    );
  }
  switch (failure.kind) {
    case 'invalidCredentials':
      return l10n.t(
        'DingTalk rejected the AppKey/AppSecret ({0}). Check them under Credentials and Basic Info in the developer console.',
        code || 'invalidClientIdOrSecret',
      );
    case 'tokenRejected':
      return l10n.t(
        "DingTalk rejected the app's access token again right after replacing it, so no new one was requested. Check the app's IP whitelist, its API permissions, and that the API belongs to this app.",
      );
    case 'throttled':
      return waitSeconds
        ? l10n.t('DingTalk is throttling requests for this app ({0}). Wait {1} s before trying again.', code, waitSeconds)
        : l10n.t('DingTalk is throttling requests for this app ({0}). Wait a moment before trying again.', code);
    case 'quotaExceeded':
    case 'ipNotWhitelisted':
    case 'permissionDenied':
      return adviceFor(failure)!;
    case 'timeout':
      return l10n.t('DingTalk did not answer in time. Check the network, or raise dingtalkToken.requestTimeoutMs.');
    case 'network':
      return l10n.t('Could not reach DingTalk ({0}). Check the network, a proxy, or the DingTalk base URL settings.', code || 'network');
    case 'malformed':
      return l10n.t("DingTalk's answer could not be understood ({0}). Check that the DingTalk base URL settings point at DingTalk.", code || 'malformed');
    case 'server':
      return l10n.t('DingTalk answered with an error ({0}). Its service may be having trouble.', code || redactor.redact(failure.message));
  }
}

/**
 * What the person can do about a failure, in VS Code's terms (settings, commands, the developer console), for the
 * MCP tools' error text, which already carries the core's account of what happened.
 */
export function adviceFor(failure: Failure): string | undefined {
  switch (failure.kind) {
    case 'invalidCredentials':
      return l10n.t('Run "DingTalk: Set App Credentials" with the app\'s Client ID and Client Secret from the developer console.');
    case 'tokenRejected':
      return l10n.t('Check the app\'s IP whitelist and API permissions in the DingTalk developer console, then run "DingTalk: Refresh Access Token".');
    case 'throttled':
      return failure.code === 'MinimumInterval' ? l10n.t('Run "DingTalk: Refresh Access Token" to ask now.') : undefined;
    case 'quotaExceeded':
      return l10n.t(
        "The organisation's DingTalk API quota is used up ({0}); metered APIs work again in the next quota month, or once the quota is raised in the developer console. Not retried until then.",
        failure.code ?? '90020',
      );
    case 'ipNotWhitelisted':
      return l10n.t(
        "DingTalk refused the call from IP {0}: add it to the app's server IP whitelist in the DingTalk developer console (the app's development settings).",
        failure.ip ?? l10n.t('(not reported)'),
      );
    case 'permissionDenied':
      return l10n.t(
        "The app lacks the DingTalk permission {0}: request it under the app's permission management in the developer console; the organisation must then authorise it.",
        failure.requiredScopes?.join(', ') ?? l10n.t('(not named)'),
      );
    case 'timeout':
      return l10n.t('Check the network, or raise dingtalkToken.requestTimeoutMs.');
    case 'network':
      return l10n.t("Check the network, VS Code's proxy settings (http.proxy), or dingtalkToken.apiBaseUrl and dingtalkToken.legacyApiBaseUrl.");
    case 'malformed':
      return l10n.t('Check that dingtalkToken.apiBaseUrl and dingtalkToken.legacyApiBaseUrl point at DingTalk.');
    case 'server':
      return undefined;
  }
}

/** DingTalk's words come off the network: one line, no control or bidi characters, nothing secret. */
function shownSaid(said: string, redactor: Redactor): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return redactor.redact(said.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim());
}

function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && typeof (value as Failure).kind === 'string' && typeof (value as Failure).message === 'string';
}

/** A duration for a sentence: "2 h", "1 h 54 min", "12 min", "40 s" (rounded to the minute from a minute up). */
export function describeDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return l10n.t('{0} s', seconds);
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return l10n.t('{0} min', minutes);
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? l10n.t('{0} h', hours) : l10n.t('{0} h {1} min', hours, minutes % 60);
}

/** The log line for a token a command got: where it came from, in a whole sentence per source (no fragments). */
export function servedLogLine(label: string, source: TokenSource, expiresAt: number): string {
  const until = localTimestamp(expiresAt);
  switch (source) {
    case 'network':
      return l10n.t('Token for {0} fetched from DingTalk, valid until {1}', label, until);
    case 'cache':
      return l10n.t("Token for {0} served from this window's cache, valid until {1}", label, until);
    case 'shared':
      return l10n.t('Token for {0} taken from another VS Code window, valid until {1}', label, until);
  }
}

/** An agent's tool call decision as a word (the DingTalk view, the log). */
export function decisionWord(decision: AuditEvent['decision']): string {
  switch (decision) {
    case 'allow':
      return l10n.t('allowed');
    case 'deny':
      return l10n.t('denied');
    case 'approve':
      return l10n.t('approved');
    case 'error':
      return l10n.t('error');
  }
}

/**
 * Whole sentences side by side, as one message: a space after an English sentence, none after a Chinese one
 * (Chinese puts no space after 。！？ or a closing full-width bracket or quote). Empty parts are left out.
 */
export function joinSentences(...sentences: (string | undefined)[]): string {
  return sentences
    .filter((sentence): sentence is string => Boolean(sentence))
    .reduce(
      (joined, sentence) => (!joined ? sentence : /[\u3002\uff01\uff1f\uff09\u201d\u300d\u300f]$/.test(joined) ? joined + sentence : `${joined} ${sentence}`),
      '',
    );
}

/** A moment for the log: local time (the log's own timestamps are local too), "2026-12-03 10:13:05", in any language. */
export function localTimestamp(ms: number): string {
  const at = new Date(ms);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/** Why a fetch failed, in a word or two: where the full sentence would not fit (a table cell, a quick-pick detail). */
export function errorKindWords(): Record<DingTalkErrorKind, string> {
  return {
    invalidCredentials: l10n.t('AppKey/AppSecret rejected'),
    tokenRejected: l10n.t('token rejected'),
    throttled: l10n.t('throttled'),
    quotaExceeded: l10n.t('API quota used up'),
    ipNotWhitelisted: l10n.t('IP not in the whitelist'),
    permissionDenied: l10n.t('permission missing'),
    server: l10n.t('DingTalk server error'),
    network: l10n.t('network unreachable'),
    timeout: l10n.t('timed out'),
    malformed: l10n.t('unreadable answer'),
  };
}
