/** What went wrong with a DingTalk call, in terms a person (and a retry loop) can act on. */
export type DingTalkErrorKind =
  | 'invalidCredentials'
  | 'tokenRejected'
  | 'throttled'
  | 'quotaExceeded'
  | 'ipNotWhitelisted'
  | 'permissionDenied'
  | 'server'
  | 'network'
  | 'timeout'
  | 'malformed';

/** Kinds only a person can fix (in the developer console, or by waiting for a new quota month): never retried on a timer. */
const NEEDS_A_PERSON: ReadonlySet<DingTalkErrorKind> = new Set(['invalidCredentials', 'quotaExceeded', 'ipNotWhitelisted', 'permissionDenied']);

export interface DingTalkErrorDetails {
  /** DingTalk's own code: `invalidClientIdOrSecret`, `Forbidden.AccessDenied.QpsLimitForApi`, errcode `90018`... */
  code?: string;
  requestId?: string;
  httpStatus?: number;
  /** How long DingTalk asked us to wait (Retry-After, ban page `wait`), in ms. */
  retryAfterMs?: number;
  /** The caller IP DingTalk reports when it is not in the app's whitelist. */
  ip?: string;
  /** The permissions DingTalk says the app lacks. */
  requiredScopes?: string[];
  /** DingTalk's own words (errmsg, sub_msg or message; often Chinese), cut short: shown beside the code. */
  said?: string;
  /** The request may have reached DingTalk and taken effect (a message sent) although the call failed: it is not repeated. */
  mayHaveTakenEffect?: boolean;
  cause?: unknown;
}

export class DingTalkError extends Error {
  override readonly name = 'DingTalkError';
  readonly code?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  readonly ip?: string;
  readonly requiredScopes?: string[];
  readonly said?: string;
  readonly mayHaveTakenEffect?: boolean;

  constructor(
    readonly kind: DingTalkErrorKind,
    message: string,
    details: DingTalkErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
    this.ip = details.ip;
    this.requiredScopes = details.requiredScopes;
    this.said = details.said;
    if (details.mayHaveTakenEffect) this.mayHaveTakenEffect = true;
  }

  /** Worth retrying later without a person changing anything. */
  get retryable(): boolean {
    return !NEEDS_A_PERSON.has(this.kind);
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      message: this.message,
      code: this.code,
      requestId: this.requestId,
      httpStatus: this.httpStatus,
      ip: this.ip,
      requiredScopes: this.requiredScopes,
      said: this.said,
      mayHaveTakenEffect: this.mayHaveTakenEffect,
    };
  }
}

export function asDingTalkError(error: unknown): DingTalkError {
  if (error instanceof DingTalkError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DingTalkError('network', `Could not complete the request to DingTalk: ${message}`, { cause: error });
}

/**
 * DingTalk rejected a token it had just issued: something other than the token is wrong, so another one would not
 * help (and asking for one would loop). `code` is what DingTalk said, when known.
 */
export function replacementRejectedError(code?: string, requestId?: string): DingTalkError {
  return new DingTalkError(
    'tokenRejected',
    `DingTalk rejected this app's access token again right after it was replaced${code ? ` (${code})` : ''}; another token will not help, so none was requested. ` +
      "Likely causes: this machine's IP is not in the app's IP whitelist, the app lacks permission for this API, or the API belongs to another app.",
    { code: code ?? 'TokenRejectedAgain', requestId },
  );
}
