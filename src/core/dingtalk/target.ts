import type { DingTalkEndpoints } from './client';

/**
 * Where an API request goes, in one canonical spelling: the path decoded and normalised, the query merged, the
 * base chosen. The policy decides on this form and this form is what is sent, so a rule written for
 * `/v1.0/robot/oToMessages/batchSend` also sees `/v1.0/%72obot/oTo%4Dessages/batchSend`. Anything that has no
 * single meaning on the way to DingTalk (dot segments, `;` parameters, encoded slashes, double encoding,
 * control characters) is refused before any request.
 */

export type QueryValue = string | number | boolean;
export type Style = 'new' | 'legacy';

/** A request we refuse to make: it would leave the configured DingTalk hosts or is not a clean path. */
export class ApiRequestRefused extends Error {
  override readonly name = 'ApiRequestRefused';
}

export interface Target {
  url: URL;
  /** How the app's token travels: header (new) or ?access_token= (legacy). */
  style: Style;
  /** The canonical path below the base, without the query: what policy rules read as `args.path`. */
  path: string;
  /** The path's query parameters merged with `query` (which wins), as sent; what rules read as `args.query`. */
  query: Record<string, QueryValue>;
}

const MAX_PATH_LENGTH = 2048;
/** Characters a path segment may carry as they are (RFC 3986 unreserved, sub-delims but `;`, ':' and '@'); the rest is %-encoded. */
const LITERAL = /[A-Za-z0-9\-._~!$&'()*+,=:@]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Where the request goes, canonically; refuses anything that is not on a configured base or has no single meaning. */
export function resolveTarget(endpoints: DingTalkEndpoints, request: { path: string; query?: Record<string, QueryValue> }): Target {
  const given = request.path;
  if (typeof given !== 'string' || given.length === 0 || given.length > MAX_PATH_LENGTH) {
    throw new ApiRequestRefused(`The path must be 1 to ${MAX_PATH_LENGTH} characters, such as "/v1.0/robot/oToMessages/batchSend" or "/topapi/v2/user/get".`);
  }
  const api = new URL(endpoints.apiBaseUrl);
  const legacy = new URL(endpoints.legacyApiBaseUrl);
  let relative = given;
  let onBase: URL | undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(given)) {
    const absolute = parseUrl(given);
    if (absolute.username || absolute.password) throw new ApiRequestRefused('Refused: a URL with credentials in it. No request was made.');
    // Under a base means its origin and its whole path prefix: a gateway serving DingTalk at /dingtalk-api
    // may serve anything else beside it, which must never receive the token.
    const onApi = isUnder(absolute, api);
    const onLegacy = isUnder(absolute, legacy);
    if (!onApi && !onLegacy) {
      throw new ApiRequestRefused(
        `Refused: ${absolute.origin}${absolute.pathname} is not under a configured DingTalk base ` +
          `(${endpoints.apiBaseUrl} or ${endpoints.legacyApiBaseUrl}). No request was made.`,
      );
    }
    // Both bases on one origin and prefix (a proxy) leaves the path to decide.
    const afterApi = absolute.pathname.slice(prefixOf(api).length);
    onBase = onApi && (!onLegacy || isNewApiPath(afterApi)) ? api : legacy;
    relative = `${absolute.pathname.slice(prefixOf(onBase).length)}${absolute.search}`;
  }
  const queryAt = relative.indexOf('?');
  const path = canonicalPath(queryAt < 0 ? relative : relative.slice(0, queryAt));
  const style: Style = isNewApiPath(path) ? 'new' : 'legacy';
  const base = style === 'new' ? api : legacy;
  const oneBase = api.origin === legacy.origin && prefixOf(api) === prefixOf(legacy);
  if (onBase && !oneBase && onBase !== base) {
    const wants = style === 'new' ? 'the new API (/v1.0/, /v2.0/)' : 'the legacy API';
    throw new ApiRequestRefused(
      `Refused: ${path} is a path of ${wants}, which is not served at ${onBase.origin}${prefixOf(onBase)}. Give the path alone. No request was made.`,
    );
  }
  const query = canonicalQuery(queryAt < 0 ? '' : relative.slice(queryAt + 1), request.query);
  const basePath = prefixOf(base);
  const url = new URL(`${base.origin}${basePath}${path}`);
  // Belt and braces: whatever the parser made of the path, it must still be under the base, unchanged.
  if (url.origin !== base.origin || url.pathname !== `${basePath}${path}`) {
    throw new ApiRequestRefused('Refused: the path does not stay on the configured DingTalk host. No request was made.');
  }
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
  return { url, style, path, query };
}

/**
 * The one spelling of a path: every %XX decoded, then only what a path may not carry as it is encoded again
 * (uppercase hex), so the spelling is unique and a rule matching letters sees letters.
 */
export function canonicalPath(raw: string): string {
  const refuse = (why: string): never => {
    throw new ApiRequestRefused(`Refused path: ${why}. Give a path such as "/v1.0/robot/oToMessages/batchSend" or "/topapi/v2/user/get". No request was made.`);
  };
  if (!raw.startsWith('/')) refuse('it must start with "/"');
  if (raw.startsWith('//')) refuse('it must not start with "//"');
  if (/[\\\s#]/.test(raw) || CONTROL.test(raw)) refuse('it contains a backslash, whitespace, a control character or "#"');
  const segments = raw.slice(1).split('/');
  return segments
    .map((segment, index) => {
      let decoded = '';
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        refuse('it has a broken percent-encoding');
      }
      if (decoded === '' && index < segments.length - 1) refuse('it contains an empty segment ("//")');
      if (decoded === '.' || decoded === '..') refuse('it contains "." or ".." segments');
      if (decoded.includes('/') || decoded.includes('\\')) refuse('it contains an encoded slash or backslash');
      if (decoded.includes('%')) refuse('it is encoded twice ("%25")');
      if (decoded.includes(';')) refuse('it contains ";", which servers read as a parameter of the segment');
      if (CONTROL.test(decoded)) refuse('it contains an encoded control character (such as %00)');
      if (/[?#]/.test(decoded)) refuse('it contains an encoded "?" or "#"');
      try {
        return `/${encodeSegment(decoded)}`;
      } catch {
        return refuse('it contains a broken character (a lone surrogate)');
      }
    })
    .join('');
}

function encodeSegment(decoded: string): string {
  let out = '';
  for (const char of decoded) out += LITERAL.test(char) ? char : encodeURIComponent(char);
  return out;
}

/** The path's parameters, each named once, then `query` over them: the query string that is sent. */
function canonicalQuery(search: string, query: Record<string, QueryValue> | undefined): Record<string, QueryValue> {
  const merged: Record<string, QueryValue> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    if (Object.hasOwn(merged, name)) {
      throw new ApiRequestRefused(`Refused: the query parameter "${name}" is given twice, and servers differ on which one counts. No request was made.`);
    }
    merged[name] = value;
  }
  for (const [name, value] of Object.entries(query ?? {})) merged[name] = value;
  return merged;
}

/** A base's path prefix without its trailing slash: '' for https://api.dingtalk.com, '/dingtalk-api' for a gateway. */
function prefixOf(base: URL): string {
  return base.pathname.replace(/\/+$/, '');
}

/** On the base's origin, and at or below its path prefix (a whole segment: /dingtalk-apis is not under /dingtalk-api). */
function isUnder(url: URL, base: URL): boolean {
  const prefix = prefixOf(base);
  return url.origin === base.origin && (prefix === '' || url.pathname.startsWith(`${prefix}/`));
}

function isNewApiPath(path: string): boolean {
  return /^\/v[12]\.0\//.test(path);
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new ApiRequestRefused('Refused: the URL could not be parsed. No request was made.');
  }
}
