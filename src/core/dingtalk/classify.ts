/**
 * What a DingTalk answer means, read the way DingTalk documents it: its own code first (the new API's `code`,
 * the legacy `errcode`, or topapi's `sub_code` under errcode 88), the HTTP status only when there is no code.
 * Facts only: the hosts word the advice (VS Code settings, or the standalone server's environment variables).
 */
import type { HttpAnswer } from './http';
import { DingTalkError } from './errors';

export type AnswerKind = 'invalidToken' | 'throttled' | 'quotaExceeded' | 'ipNotWhitelisted' | 'permissionDenied';

export interface AnswerFacts {
  kind: AnswerKind;
  /** DingTalk's most specific code: `InvalidAuthentication`, `90018`, or topapi's sub_code such as `60011`. */
  code: string;
  /** DingTalk's own words, cut short. */
  said?: string;
  httpStatus: number;
  requestId?: string;
  /** The caller IP DingTalk reports (IpNotInWhiteList / 60020). */
  ip?: string;
  /** The permissions DingTalk says the app lacks (AccessTokenPermissionDenied / 60011). */
  requiredScopes?: string[];
}

/** New-API (api.dingtalk.com) codes, from DingTalk's 服务端API错误码 and gateway documents. */
const V1_CODES: Record<string, AnswerKind> = {
  InvalidAuthentication: 'invalidToken',
  'AuthenticationFailed.MissingParameter': 'invalidToken',
  'Forbidden.AccessDenied.QpsLimitForApi': 'throttled',
  'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi': 'throttled',
  'Forbidden.AccessDenied.QpmLimitForAppkeyAndApi': 'throttled',
  'Forbidden.AccessDenied.QpsLimitForSuitekeyAndOrgAndApi': 'throttled',
  'Forbidden.AccessDenied.ApiCountLimitForOrg': 'quotaExceeded',
  'Forbidden.AccessDenied.IpNotInWhiteList': 'ipNotWhitelisted',
  'Forbidden.AccessDenied.AccessTokenPermissionDenied': 'permissionDenied',
};

/** Legacy (oapi / topapi) errcodes; topapi sends the same numbers as a string sub_code under errcode 88. */
const LEGACY_CODES: Record<number, AnswerKind> = {
  40014: 'invalidToken', // 不合法的access_token
  42001: 'invalidToken', // access_token超时
  40001: 'invalidToken', // invalid credential / access_token not the latest
  33001: 'invalidToken', // 无效的企业ID (a token of another organisation)
  60020: 'ipNotWhitelisted',
  60011: 'permissionDenied',
  90020: 'quotaExceeded',
};
/** 90001–90019: the gateway's legacy rate limits (per IP, per organisation, per app, per suite; 90018 = per-app concurrency). */
const LEGACY_THROTTLE = { from: 90001, to: 90019 };
const TOPAPI_SUB_CODE_ERRCODE = 88;
export const MAX_SAID = 200;
const MAX_SCOPES = 20;

/**
 * The facts of an answer that is one of the kinds above; undefined for a success or any other answer.
 * `clean` hides secrets in DingTalk's words before they are cut short: a secret cut in half is no longer found.
 */
export function classifyAnswer(answer: HttpAnswer, json: unknown, clean: (text: string) => string = (said) => said): AnswerFacts | undefined {
  const fields = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const requestId = text(fields.requestid) ?? text(fields.request_id) ?? header(answer, 'x-acs-request-id');
  const base = { httpStatus: answer.status, requestId };

  const code = text(fields.code);
  if (code && V1_CODES[code]) {
    const said = cleaned(text(fields.message), clean);
    const detail = fields.accessdenieddetail as Record<string, unknown> | undefined;
    return withDetails({ ...base, kind: V1_CODES[code], code, said }, said, detail?.requiredScopes);
  }

  const errcode = numeric(fields.errcode);
  if (errcode !== undefined && errcode !== 0) {
    const subCode = errcode === TOPAPI_SUB_CODE_ERRCODE ? numeric(fields.sub_code) : undefined;
    const effective = subCode ?? errcode;
    const kind = legacyKind(effective);
    if (kind) {
      const said = cleaned(text(fields.sub_msg) ?? text(fields.errmsg), clean);
      return withDetails({ ...base, kind, code: String(effective) }, said, undefined);
    }
  }

  // No code DingTalk documents for these: the status decides, and whatever code came along is kept as said.
  const fallback = { ...base, code: code ?? `HTTP ${answer.status}`, said: cleaned(text(fields.message) ?? text(fields.errmsg), clean)?.slice(0, MAX_SAID) };
  if (answer.status === 401) return { ...fallback, kind: 'invalidToken' };
  if (answer.status === 429) return { ...fallback, kind: 'throttled' };
  return undefined;
}

function cleaned(said: string | undefined, clean: (text: string) => string): string | undefined {
  return said === undefined ? undefined : clean(said);
}

function legacyKind(errcode: number): AnswerKind | undefined {
  if (LEGACY_CODES[errcode]) return LEGACY_CODES[errcode];
  return errcode >= LEGACY_THROTTLE.from && errcode <= LEGACY_THROTTLE.to ? 'throttled' : undefined;
}

function withDetails(facts: AnswerFacts, said: string | undefined, scopes: unknown): AnswerFacts {
  const result: AnswerFacts = { ...facts, said: said === undefined ? undefined : said.slice(0, MAX_SAID) };
  if (facts.kind === 'ipNotWhitelisted' && said) {
    // "访问ip不在白名单之中,request ip=203.0.113.7 appKey(…)"
    const ip = /ip\s*[=:：]\s*([0-9a-fA-F.:]{3,45})/i.exec(said)?.[1];
    if (ip) result.ip = ip;
  }
  if (facts.kind === 'permissionDenied') {
    const listed = Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string') : scopesIn(said);
    const clean = listed
      .map((scope) => scope.trim())
      .filter((scope) => /^[\w.:-]{1,100}$/.test(scope))
      .slice(0, MAX_SCOPES);
    if (clean.length) result.requiredScopes = clean;
  }
  return result;
}

/** topapi names missing scopes in its words: "…requiredScopes:[qyapi_get_member]" or "所需的权限：[…]". */
function scopesIn(said: string | undefined): string[] {
  const list = said && /(?:requiredScopes?|所需的?权限)\s*[:：=]?\s*\[([^\]]{1,2000})\]/i.exec(said)?.[1];
  return list ? list.split(/[,，\s"']+/).filter(Boolean) : [];
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,9}$/.test(value)) return Number(value);
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The error a classified refusal becomes: what DingTalk said, in facts; `retryAfterMs` from Retry-After when sent. */
export function answerError(facts: AnswerFacts, retryAfterMs?: number): DingTalkError {
  const said = `${facts.code}${facts.said ? `: ${facts.said}` : ''}`;
  const details = {
    code: facts.code,
    requestId: facts.requestId,
    httpStatus: facts.httpStatus,
    retryAfterMs,
    ip: facts.ip,
    requiredScopes: facts.requiredScopes,
    said: facts.said,
  };
  switch (facts.kind) {
    case 'invalidToken':
      return new DingTalkError('tokenRejected', `DingTalk rejected the access token (${said}).`, details);
    case 'throttled': {
      const wait = retryAfterMs !== undefined ? ` DingTalk asked to wait ${Math.ceil(retryAfterMs / 1000)} s.` : '';
      return new DingTalkError('throttled', `DingTalk is throttling this app's calls (HTTP ${facts.httpStatus}, ${said}).${wait}`, details);
    }
    case 'quotaExceeded':
      return new DingTalkError(
        'quotaExceeded',
        `The organisation's DingTalk API quota is used up (${said}); metered APIs answer nothing more until the quota month ends or the quota is raised. Not retried.`,
        details,
      );
    case 'ipNotWhitelisted':
      return new DingTalkError(
        'ipNotWhitelisted',
        `DingTalk refused the call: the IP ${facts.ip ?? '(not reported)'} is not in the app's IP whitelist (${facts.code}).`,
        details,
      );
    case 'permissionDenied':
      return new DingTalkError(
        'permissionDenied',
        `The app lacks the DingTalk permission${facts.requiredScopes?.length === 1 ? '' : 's'} ${facts.requiredScopes?.join(', ') ?? '(not named)'} needed for this API (${facts.code}).`,
        details,
      );
  }
}
