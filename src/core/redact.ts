/**
 * Redaction, the one way text is cleaned before it reaches a log, an error shown to a person, or an MCP result.
 * A Redactor hides every value its owner told it to remember (the secrets and tokens it has seen) wherever they
 * appear; maskNamedValues masks token-shaped parameters even when their value was never remembered. Each
 * composition root (the extension, the CLI) makes one Redactor and hands it to whoever sees or shows secrets.
 */

export const MASK = '***';

const namedValuePatterns: RegExp[] = [
  /((?:access_token|accessToken|appsecret|appSecret|app_secret)["']?\s*[:=]\s*["']?)([^"'&\s,}]+)/gi,
  /(x-acs-dingtalk-access-token["']?\s*[:=]\s*["']?)([^"'\s,}]+)/gi,
];

export class Redactor {
  private readonly known = new Set<string>();
  /** The known values, longest first: a short secret inside a token must not mask only part of the token. */
  private longestFirst: string[] = [];

  /**
   * Remembers a secret or token so that every later redact() hides it. Short values too: masking a few
   * innocent matches is the price of never showing a short secret.
   */
  remember(value: string | undefined): void {
    if (!value || this.known.has(value)) return;
    this.known.add(value);
    this.longestFirst = [...this.known].sort((a, b) => b.length - a.length);
  }

  /** `text` with every remembered value and every token-shaped parameter masked. */
  redact(text: string): string {
    let result = text;
    for (const value of this.longestFirst) {
      if (result.includes(value)) result = result.split(value).join(MASK);
    }
    return maskNamedValues(result);
  }
}

/** `text` with the value of every token- or secret-named parameter (access_token=…, "appSecret": …) masked. */
export function maskNamedValues(text: string): string {
  let result = text;
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
