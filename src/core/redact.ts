/**
 * The one place text is cleaned before it reaches a log, an error shown to a person, or an MCP result.
 * Known values (secrets and tokens this process has seen) are replaced wherever they appear; token-shaped
 * parameters are masked even when their value was never registered.
 */
const knownValues = new Set<string>();
/** knownValues, longest first: a short secret inside a token must not mask only part of the token. */
let longestFirst: string[] = [];

const MASK = '***';

const namedValuePatterns: RegExp[] = [
  /((?:access_token|accessToken|appsecret|appSecret|app_secret)["']?\s*[:=]\s*["']?)([^"'&\s,}]+)/gi,
  /(x-acs-dingtalk-access-token["']?\s*[:=]\s*["']?)([^"'\s,}]+)/gi,
];

/**
 * Remember a secret or token so that every later redact() hides it. Short values too: masking a few
 * innocent matches is the price of never showing a short secret.
 */
export function registerSensitive(value: string | undefined): void {
  if (!value || knownValues.has(value)) return;
  knownValues.add(value);
  longestFirst = [...knownValues].sort((a, b) => b.length - a.length);
}

export function redact(text: string): string {
  let result = text;
  for (const value of longestFirst) {
    if (result.includes(value)) result = result.split(value).join(MASK);
  }
  for (const pattern of namedValuePatterns) {
    result = result.replace(pattern, (_match, name: string) => `${name}${MASK}`);
  }
  return result;
}

/** A token shown to a person without giving it away: first and last four characters. */
export function maskToken(token: string): string {
  if (token.length <= 12) return '•'.repeat(token.length);
  return `${token.slice(0, 4)}${'•'.repeat(8)}${token.slice(-4)}`;
}
