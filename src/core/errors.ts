/** What went wrong with a DingTalk call, in terms a person (and a retry loop) can act on. */
export type DingTalkErrorKind = 'invalidCredentials' | 'throttled' | 'server' | 'network' | 'timeout' | 'malformed';

export interface DingTalkErrorDetails {
  /** DingTalk's own code: `invalidClientIdOrSecret`, `Forbidden.AccessDenied.QpsLimitForApi`, errcode `90018`... */
  code?: string;
  requestId?: string;
  httpStatus?: number;
  /** How long DingTalk asked us to wait (Retry-After, ban page `wait`), in ms. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class DingTalkError extends Error {
  override readonly name = 'DingTalkError';
  readonly code?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;

  constructor(readonly kind: DingTalkErrorKind, message: string, details: DingTalkErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** Worth retrying later without a person changing anything. */
  get retryable(): boolean {
    return this.kind !== 'invalidCredentials';
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, message: this.message, code: this.code, requestId: this.requestId, httpStatus: this.httpStatus };
  }
}

export function asDingTalkError(error: unknown): DingTalkError {
  if (error instanceof DingTalkError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DingTalkError('network', `Could not complete the request to DingTalk: ${message}`, { cause: error });
}
