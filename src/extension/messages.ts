import * as vscode from 'vscode';
import { asDingTalkError, type DingTalkErrorKind } from '../core/errors';
import { AppNotFoundError } from '../core/apps';
import { redact } from '../core/redact';

interface Failure {
  kind: DingTalkErrorKind;
  message: string;
  code?: string;
  httpStatus?: number;
  retryAfterMs?: number;
}

/** A failure (a thrown error or a recorded one) in the person's language, with DingTalk's own code kept. */
export function describeError(error: unknown): string {
  if (error instanceof AppNotFoundError) return error.message;
  const failure: Failure = isFailure(error) ? error : asDingTalkError(error);
  const code = failure.code ?? (failure.httpStatus ? `HTTP ${failure.httpStatus}` : '');
  if (failure.code === 'MissingSecret') return vscode.l10n.t('No appSecret is stored for this app. Run "DingTalk: Set App Credentials" again.');
  const waitSeconds = failure.retryAfterMs ? Math.ceil(failure.retryAfterMs / 1000) : undefined;
  if (failure.code === 'MinimumInterval') {
    return vscode.l10n.t('DingTalk issued a token less than a minute ago that is no longer valid; asking again in {0} s. Run "DingTalk: Refresh Access Token" to ask now.', waitSeconds ?? 60);
  }
  switch (failure.kind) {
    case 'invalidCredentials':
      return vscode.l10n.t("DingTalk rejected the appKey/appSecret ({0}). Check the app's Client ID and Client Secret in the developer console.", code || 'invalidClientIdOrSecret');
    case 'throttled':
      return waitSeconds
        ? vscode.l10n.t('DingTalk is throttling requests for this app ({0}). Wait {1} s before trying again.', code, waitSeconds)
        : vscode.l10n.t('DingTalk is throttling requests for this app ({0}). Wait a moment before trying again.', code);
    case 'timeout':
      return vscode.l10n.t('DingTalk did not answer in time. Check the network, or raise dingtalkToken.requestTimeoutMs.');
    case 'network':
      return vscode.l10n.t('Could not reach DingTalk ({0}). Check the network, a proxy, or the DingTalk base URL settings.', code || 'network');
    case 'malformed':
      return vscode.l10n.t("DingTalk's answer could not be understood ({0}). Check that the DingTalk base URL settings point at DingTalk.", code || 'malformed');
    case 'server':
      return vscode.l10n.t('DingTalk answered with an error ({0}). Its service may be having trouble.', code || redact(failure.message));
  }
}

function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && typeof (value as Failure).kind === 'string' && typeof (value as Failure).message === 'string';
}

/** A duration for a sentence: "2 h", "1 h 54 min", "12 min", "40 s" (rounded to the minute from a minute up). */
export function describeDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return vscode.l10n.t('{0} s', seconds);
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return vscode.l10n.t('{0} min', minutes);
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? vscode.l10n.t('{0} h', hours) : vscode.l10n.t('{0} h {1} min', hours, minutes % 60);
}
