/**
 * The one place text is cleaned before it reaches a log, an error shown to a person, or an MCP result.
 * Known values (secrets and tokens this process has seen) are replaced wherever they appear; token-shaped
 * parameters are masked even when their value was never registered.
 */
const knownValues = new Set<string>();

const MASK = '***';
const MIN_REGISTERED_LENGTH = 6;

const namedValuePatterns: RegExp[] = [
  /((?:access_token|accessToken|appsecret|appSecret|app_secret)["']?\s*[:=]\s*["']?)([^"'&\s,}]+)/gi,
  /(x-acs-dingtalk-access-token["']?\s*[:=]\s*["']?)([^"'\s,}]+)/gi,
];

/** Remember a secret or token so that every later redact() hides it. */
export function registerSensitive(value: string | undefined): void {
  if (value && value.length >= MIN_REGISTERED_LENGTH) knownValues.add(value);
}

export function redact(text: string): string {
  let result = text;
  for (const value of knownValues) {
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
