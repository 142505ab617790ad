import { answerError, classifyAnswer, MAX_SAID } from './classify';
import { DingTalkError } from './errors';
import { REQUEST_TIMEOUT_MS } from '../bounds';
import { header, retryAfterMs, send, type HttpAnswer } from './http';
import { MASK, maskNamedValues } from '../redact';

export const DEFAULT_API_BASE_URL = 'https://api.dingtalk.com';
export const DEFAULT_LEGACY_API_BASE_URL = 'https://oapi.dingtalk.com';
export const DEFAULT_REQUEST_TIMEOUT_MS = REQUEST_TIMEOUT_MS.fallback;

export type TokenApi = 'v1' | 'legacy';

export interface DingTalkEndpoints {
  apiBaseUrl: string;
  legacyApiBaseUrl: string;
  tokenApi: TokenApi;
  requestTimeoutMs: number;
}

export interface AppCredentials {
  appKey: string;
  appSecret: string;
}

export interface FetchedToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** Legacy errcodes that mean the appkey/appsecret pair is wrong or not allowed. */
const LEGACY_CREDENTIAL_ERRCODES = new Set([40089, 40096, 40001, 40013, 40095, 40098]);

export function endpointsWithDefaults(partial: Partial<DingTalkEndpoints> = {}): DingTalkEndpoints {
  return {
    apiBaseUrl: trimSlash(partial.apiBaseUrl || DEFAULT_API_BASE_URL),
    legacyApiBaseUrl: trimSlash(partial.legacyApiBaseUrl || DEFAULT_LEGACY_API_BASE_URL),
    tokenApi: partial.tokenApi === 'legacy' ? 'legacy' : 'v1',
    requestTimeoutMs: partial.requestTimeoutMs && partial.requestTimeoutMs > 0 ? partial.requestTimeoutMs : DEFAULT_REQUEST_TIMEOUT_MS,
  };
}

/**
 * Why a configured base URL cannot be used, naming where it was set; undefined when it is a plain http(s) base.
 * DingTalk's paths are appended to it, so a "?" or "#" would swallow them (DingTalk's 404 would then read as
 * wrong credentials). The value is not quoted: it may carry credentials.
 */
export function baseUrlProblem(name: string, value: string): string | undefined {
  const example = 'such as https://api.dingtalk.com or https://oapi.dingtalk.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} is not a URL; give an http(s) base URL ${example}.`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${name} must be an http(s) URL ${example}.`;
  if (value.includes('?') || value.includes('#')) {
    return `${name} must not contain "?" or "#": DingTalk's paths are added after it, so a query or fragment would swallow them. Give the base alone, ${example}.`;
  }
  if (url.username || url.password) return `${name} must not carry a user name or password.`;
  return undefined;
}

/** Asks DingTalk for an app's access token through the configured endpoint. */
export async function fetchAccessToken(endpoints: DingTalkEndpoints, credentials: AppCredentials): Promise<FetchedToken> {
  return endpoints.tokenApi === 'legacy' ? fetchLegacyToken(endpoints, credentials) : fetchV1Token(endpoints, credentials);
}

async function fetchV1Token(endpoints: DingTalkEndpoints, credentials: AppCredentials): Promise<FetchedToken> {
  const answer = await send(endpoints, {
    url: `${endpoints.apiBaseUrl}/v1.0/oauth2/accessToken`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appKey: credentials.appKey, appSecret: credentials.appSecret }),
  });
  const json = parseAnswer(answer);
  if (answer.status === 200) {
    const accessToken = json.accessToken;
    const expireIn = json.expireIn;
    if (typeof accessToken === 'string' && accessToken && typeof expireIn === 'number' && Number.isFinite(expireIn)) {
      return { accessToken, expiresInSeconds: Math.max(0, expireIn) };
    }
    throw malformed(answer, 'the answer has no accessToken/expireIn');
  }
  throw classifyV1Failure(answer, json, hiding(credentials.appSecret));
}

async function fetchLegacyToken(endpoints: DingTalkEndpoints, credentials: AppCredentials): Promise<FetchedToken> {
  const query = new URLSearchParams({ appkey: credentials.appKey, appsecret: credentials.appSecret });
  const answer = await send(endpoints, { url: `${endpoints.legacyApiBaseUrl}/gettoken?${query.toString()}`, method: 'GET' });
  const json = parseAnswer(answer);
  const clean = hiding(credentials.appSecret);
  if (answer.status !== 200) throw classifyV1Failure(answer, json, clean);
  const errcode = json.errcode;
  if (errcode === 0) {
    const accessToken = json.access_token;
    const expiresIn = json.expires_in;
    if (typeof accessToken === 'string' && accessToken && typeof expiresIn === 'number' && Number.isFinite(expiresIn)) {
      return { accessToken, expiresInSeconds: Math.max(0, expiresIn) };
    }
    throw malformed(answer, 'the answer has no access_token/expires_in');
  }
  if (typeof errcode !== 'number') throw malformed(answer, 'the answer has no errcode');
  throw classifyLegacyErrcode(errcode, clean(stringOrUndefined(json.errmsg) ?? ''), answer, json, clean);
}

/**
 * DingTalk's words with the app's secret and any named token or secret masked, before anything cuts them short
 * (a secret cut in half is no longer recognised by the redaction downstream).
 */
function hiding(secret: string): (text: string) => string {
  return (text) => maskNamedValues(secret ? text.split(secret).join(MASK) : text);
}

/** Maps a legacy (oapi) /gettoken errcode to an error: wrong credentials, then the gateway's codes, else DingTalk's own error. */
function classifyLegacyErrcode(
  errcode: number,
  errmsg: string,
  answer: HttpAnswer,
  json: Record<string, unknown>,
  clean: (text: string) => string,
): DingTalkError {
  const details = {
    code: String(errcode),
    requestId: stringOrUndefined(json.request_id),
    httpStatus: answer.status,
    said: errmsg.slice(0, MAX_SAID) || undefined,
  };
  if (LEGACY_CREDENTIAL_ERRCODES.has(errcode)) {
    return new DingTalkError(
      'invalidCredentials',
      `DingTalk rejected the appKey/appSecret (errcode ${errcode}: ${errmsg}). Check the app's Client ID and Client Secret in the developer console.`,
      details,
    );
  }
  // The gateway's refusals; "invalid token" means nothing on the endpoint that issues tokens.
  const facts = classifyAnswer(answer, json, clean);
  if (facts && facts.kind !== 'invalidToken') return answerError(facts, retryAfterMs(answer));
  return new DingTalkError('server', `DingTalk answered errcode ${errcode}: ${errmsg}.`, details);
}

function classifyV1Failure(answer: HttpAnswer, json: Record<string, unknown>, clean: (text: string) => string): DingTalkError {
  const code = stringOrUndefined(json.code);
  const message = stringOrUndefined(json.message);
  const dingMessage = message === undefined ? undefined : clean(message);
  const details = {
    code,
    requestId: stringOrUndefined(json.requestid) ?? header(answer, 'x-acs-request-id'),
    httpStatus: answer.status,
    retryAfterMs: retryAfterMs(answer),
    said: dingMessage?.slice(0, MAX_SAID),
  };
  const said = code ? ` (${code}${dingMessage ? `: ${dingMessage}` : ''})` : '';
  if (code === 'invalidClientIdOrSecret') {
    return new DingTalkError(
      'invalidCredentials',
      "DingTalk rejected the appKey/appSecret (invalidClientIdOrSecret). Check the app's Client ID and Client Secret in the developer console.",
      details,
    );
  }
  // The gateway's refusals; "invalid token" means nothing on the endpoint that issues tokens.
  const facts = classifyAnswer(answer, json, clean);
  if (facts && facts.kind !== 'invalidToken') return answerError(facts, details.retryAfterMs);
  if (answer.status >= 500 || !code) {
    return new DingTalkError('server', `DingTalk answered HTTP ${answer.status}${said}. Its service may be having trouble; trying again later.`, details);
  }
  // Any other 4xx with a DingTalk code is a request DingTalk will keep refusing until something is changed.
  return new DingTalkError(
    'invalidCredentials',
    `DingTalk refused the token request (HTTP ${answer.status}${said}). Check the app's settings in the developer console.`,
    details,
  );
}

/** DingTalk's gateway answers a banned IP with `{"status":1111,"wait":5,"punish":"deny"}` or an HTML page. */
function classifyBanPage(answer: HttpAnswer, json: Record<string, unknown>): DingTalkError | undefined {
  if (json.punish !== undefined || json.status === 1111) {
    const waitSeconds = typeof json.wait === 'number' ? json.wait : 5;
    return new DingTalkError(
      'throttled',
      `DingTalk's gateway is refusing this IP for now (punish: ${stringOrUndefined(json.punish) ?? 'deny'}). Waiting ${waitSeconds} s before trying again.`,
      { code: 'IpBanned', httpStatus: answer.status, retryAfterMs: waitSeconds * 1000 },
    );
  }
  return undefined;
}

/**
 * Parses a JSON answer; an HTML page, a ban page (whatever its status: gateways send it with 200 too) or a
 * broken body becomes the right error at once.
 */
function parseAnswer(answer: HttpAnswer): Record<string, unknown> {
  const trimmed = answer.text.trimStart();
  if (trimmed.startsWith('<')) {
    const details = { httpStatus: answer.status, retryAfterMs: retryAfterMs(answer) };
    if (answer.status >= 500) {
      return throwing(
        new DingTalkError(
          'server',
          `DingTalk answered HTTP ${answer.status} with an error page. Its service may be having trouble; trying again later.`,
          details,
        ),
      );
    }
    // 403/429 from the gateway, 405 from the firewall's block page: a refusal that passes with time.
    // A 404 or 200 page means the address is not DingTalk's API at all.
    if (answer.status >= 400 && answer.status !== 404) {
      return throwing(
        new DingTalkError(
          'throttled',
          `DingTalk's gateway refused the request with an HTML page (HTTP ${answer.status}). Waiting before trying again.`,
          details,
        ),
      );
    }
    return throwing(malformed(answer, 'it is an HTML page, not JSON'));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    if (answer.status >= 500) {
      return throwing(
        new DingTalkError('server', `DingTalk answered HTTP ${answer.status}. Its service may be having trouble; trying again later.`, {
          httpStatus: answer.status,
        }),
      );
    }
    if (answer.status === 429) return {};
    return throwing(malformed(answer, 'it is not valid JSON'));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return throwing(malformed(answer, 'it is not a JSON object'));
  const json = parsed as Record<string, unknown>;
  const ban = classifyBanPage(answer, json);
  return ban ? throwing(ban) : json;
}

function malformed(answer: HttpAnswer, why: string): DingTalkError {
  return new DingTalkError(
    'malformed',
    `DingTalk's answer could not be understood (HTTP ${answer.status}: ${why}); the configured address may not be DingTalk's API.`,
    { httpStatus: answer.status },
  );
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function throwing(error: DingTalkError): never {
  throw error;
}
