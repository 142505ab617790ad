import { answerError, classifyAnswer, MAX_SAID } from './classify';
import { systemClock, type Clock } from '../clock';
import type { DingTalkEndpoints } from './client';
import { header, retryAfterMs, send, type HttpAnswer } from './http';
import { asDingTalkError, DingTalkError, replacementRejectedError } from './errors';
import { MASK, type Redactor } from '../redact';
import { connectionNeverOpened, isTransient, withTransientRetries } from './retry';
import { ApiRequestRefused, resolveTarget, type QueryValue, type Style } from './target';

export { ApiRequestRefused, canonicalPath, resolveTarget, type QueryValue, type Target } from './target';

export const API_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type ApiMethod = (typeof API_METHODS)[number];

export interface ApiRequest {
  method: ApiMethod;
  /** `/v1.0/...` or `/v2.0/...` (new API), any other `/path` (legacy oapi), or an absolute URL on one of the two bases. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON when the answer is JSON, else its text; the token never appears in it. */
  body: unknown;
}

/** What a request needs of the token cache (TokenManager provides it): the token, a replacement, a confirmation. */
export interface InjectedTokens {
  getToken(appKey: string): Promise<{ accessToken: string }>;
  /** A new token in place of one DingTalk just rejected. */
  replaceRejected(appKey: string, rejected: string): Promise<{ accessToken: string }>;
  /** DingTalk accepted this token. */
  confirm(appKey: string, token: string): void;
}

export interface ApiRequestDeps {
  tokens: InjectedTokens;
  endpoints: DingTalkEndpoints;
  /** Cleans every string of the answer of the secrets and tokens its owner has seen. */
  redactor: Redactor;
  maxResponseBytes?: number;
  /** Times the jittered retries after transient failures; the system clock and Math.random when omitted. */
  clock?: Pick<Clock, 'now' | 'setTimeout'>;
  random?: () => number;
}

export const MAX_API_RESPONSE_BYTES = 1024 * 1024;
/** Legacy "系统繁忙" (busy): DingTalk documents it as worth another try. */
const LEGACY_BUSY_ERRCODE = -1;
const SENSITIVE_KEY = /^(access_?token|app_?secret|x-acs-dingtalk-access-token)$/i;

/**
 * Calls a DingTalk API with the app's token injected the way that API expects. A GET is retried inside the call
 * after a transient failure (5xx, "busy", reset, timeout); any other method only when no connection opened; an invalid-token answer replaces the token once and retries once;
 * DingTalk's refusals (throttling, quota, IP whitelist, permission, a replacement rejected too) become errors of
 * their own kind. A request that brings its own access_token (a custom robot's webhook) is sent as given, without
 * the app's token. Tokens are scrubbed from everything returned.
 */
export async function dingtalkApiRequest(deps: ApiRequestDeps, appKey: string, request: ApiRequest): Promise<ApiResponse> {
  const { url, style } = resolveTarget(deps.endpoints, request);
  if (request.body !== undefined && request.method === 'GET') {
    throw new ApiRequestRefused('A GET request cannot carry a body; put its parameters in `query`.');
  }
  const ownToken = url.searchParams.get('access_token');
  if (ownToken) {
    const clean = (text: string) => scrubText(text, [ownToken], deps.redactor);
    const answer = await exchange(deps, request, clean, () => call(deps, url, request));
    return { status: answer.status, body: scrub(parseBody(answer), [ownToken], deps.redactor) };
  }
  const used: string[] = [];
  const clean = (text: string) => scrubText(text, used, deps.redactor);
  let token = (await deps.tokens.getToken(appKey)).accessToken;
  used.push(token);
  let answer = await exchange(deps, request, clean, () => call(deps, url, request, style, token));
  let facts = classifyAnswer(answer, tryJson(answer.text), clean);
  if (facts?.kind === 'invalidToken') {
    token = (await deps.tokens.replaceRejected(appKey, token)).accessToken;
    used.push(token);
    answer = await exchange(deps, request, clean, () => call(deps, url, request, style, token));
    facts = classifyAnswer(answer, tryJson(answer.text), clean);
    if (facts?.kind === 'invalidToken') throw replacementRejectedError(facts.code, facts.requestId);
  }
  if (facts) throw answerError(facts, retryAfterMs(answer));
  deps.tokens.confirm(appKey, token);
  return { status: answer.status, body: scrub(parseBody(answer), used, deps.redactor) };
}

/** `token` and `style` given: the app's token goes in the header (new APIs) or ?access_token= (legacy); else the URL is sent as it is. */
function call(deps: ApiRequestDeps, target: URL, request: ApiRequest, style?: Style, token?: string): Promise<HttpAnswer> {
  const url = new URL(target);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined && style === 'new') headers['x-acs-dingtalk-access-token'] = token;
  else if (token !== undefined) url.searchParams.set('access_token', token);
  let body: string | undefined;
  if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] = 'application/json';
  }
  return send(deps.endpoints, { url: url.toString(), method: request.method, headers, body, maxBytes: deps.maxResponseBytes ?? MAX_API_RESPONSE_BYTES });
}

/**
 * One request, retried only when that cannot make it act twice. A GET is retried after a transient failure.
 * Anything else (a message send) is retried only when the connection never opened: once it may have reached
 * DingTalk, a 5xx, "busy", reset or timeout becomes an error saying it may have taken effect.
 */
async function exchange(deps: ApiRequestDeps, request: ApiRequest, clean: (text: string) => string, attempt: () => Promise<HttpAnswer>): Promise<HttpAnswer> {
  const options = { clock: deps.clock ?? systemClock, random: deps.random ?? Math.random };
  if (request.method === 'GET') {
    return withTransientRetries(
      attempt,
      (outcome) => ('error' in outcome ? isTransient(asDingTalkError(outcome.error)) : isTransientAnswer(outcome.value)),
      options,
    );
  }
  let answer: HttpAnswer;
  try {
    answer = await withTransientRetries(attempt, (outcome) => 'error' in outcome && connectionNeverOpened(asDingTalkError(outcome.error)), options);
  } catch (error) {
    const failure = asDingTalkError(error);
    if (connectionNeverOpened(failure)) throw failure;
    throw new DingTalkError(failure.kind, `${failure.message} ${MAY_HAVE_TAKEN_EFFECT}`, {
      code: failure.code,
      httpStatus: failure.httpStatus,
      mayHaveTakenEffect: true,
      cause: failure,
    });
  }
  if (isTransientAnswer(answer)) throw unsureAnswerError(answer, clean);
  return answer;
}

const MAY_HAVE_TAKEN_EFFECT =
  'The request may still have reached DingTalk and taken effect (a message may already be delivered), so it was not sent again; check before repeating it.';

/** A 5xx or "busy" answer to a request that must not be repeated: DingTalk's words, cleaned before they are cut short. */
function unsureAnswerError(answer: HttpAnswer, clean: (text: string) => string): DingTalkError {
  const json = tryJson(answer.text);
  const fields = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const code = typeof fields.code === 'string' && fields.code ? fields.code : fields.errcode === LEGACY_BUSY_ERRCODE ? String(LEGACY_BUSY_ERRCODE) : undefined;
  const words = typeof fields.message === 'string' ? fields.message : typeof fields.errmsg === 'string' ? fields.errmsg : undefined;
  const said = words ? clean(words).slice(0, MAX_SAID) : undefined;
  const shown = code ? ` (${code}${said ? `: ${said}` : ''})` : '';
  return new DingTalkError('server', `DingTalk answered HTTP ${answer.status}${shown}. ${MAY_HAVE_TAKEN_EFFECT}`, {
    code,
    httpStatus: answer.status,
    requestId: header(answer, 'x-acs-request-id'),
    said,
    mayHaveTakenEffect: true,
  });
}

/** DingTalk's 5xx (unless it carries one of the gateway's codes) or legacy errcode -1. */
function isTransientAnswer(answer: HttpAnswer): boolean {
  const json = tryJson(answer.text);
  if (classifyAnswer(answer, json)) return false;
  if (answer.status >= 500) return true;
  return typeof json === 'object' && json !== null && (json as Record<string, unknown>).errcode === LEGACY_BUSY_ERRCODE;
}

function parseBody(answer: HttpAnswer): unknown {
  const json = tryJson(answer.text);
  return json === undefined ? answer.text : json;
}

function tryJson(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function scrubText(value: string, tokens: readonly string[], redactor: Redactor): string {
  let text = value;
  for (const token of tokens) text = text.split(token).join(MASK);
  return redactor.redact(text);
}

/** Every string cleaned: the tokens used, every known secret or token, and any value under a token-like key. */
function scrub(value: unknown, tokens: readonly string[], redactor: Redactor): unknown {
  if (typeof value === 'string') return scrubText(value, tokens, redactor);
  if (Array.isArray(value)) return value.map((item) => scrub(item, tokens, redactor));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        scrub(key, tokens, redactor) as string,
        SENSITIVE_KEY.test(key) && item !== null && item !== '' ? MASK : scrub(item, tokens, redactor),
      ]),
    );
  }
  return value;
}
