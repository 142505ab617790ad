import { MASK, type Redactor } from '../redact';

/**
 * What a person reads before allowing a tool call the policy marks `approve`: everything the call will do,
 * nothing cut short, one field per line and bodies as indented JSON. Characters that could hide or reorder
 * text (controls, bidi overrides, zero-width marks) are shown as \uXXXX escapes, so what is read is what is sent.
 */

/** Labels, already localised by the caller (keeps this module free of `vscode`). */
export interface ApprovalWords {
  method: string;
  path: string;
  query: string;
  body: string;
  app: string;
  /** Heading for arguments this layout has no line for. */
  otherArguments: string;
  noArguments: string;
}

export const ENGLISH_APPROVAL_WORDS: ApprovalWords = {
  method: 'Method',
  path: 'Path',
  query: 'Query',
  body: 'Body',
  app: 'App',
  otherArguments: 'Arguments',
  noArguments: '(no arguments)',
};

/** Longer than this and the text is not put in front of a person to approve (a modal cannot show it whole). */
export const MAX_APPROVAL_TEXT_CHARS = 20_000;

/**
 * Everything that draws nothing or moves text: controls (except tab/newline/CR, handled per field), format
 * characters (bidi marks, overrides and isolates, zero-width marks, the invisible tag characters U+E0000–E007F
 * that can spell out instructions), unassigned and private-use code points, separators other than the plain
 * space, and letters and marks that render blank (Hangul fillers, variation selectors, the braille blank).
 * The `u` flag makes astral characters one match each.
 */
const HIDDEN_CHARACTERS =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- controls and lone invisible marks are what it finds
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]|(?! )\p{Zs}/gu;
const LINE_BREAKS = /[\t\n\r]/g;
/** A token given in the query (a robot webhook's) shows only its end, enough to tell robots apart; shorter ones not at all. */
const TOKEN_KEY = /^access_?token$/i;
const TOKEN_TAIL = 6;
const MIN_TOKEN_FOR_TAIL = 24;

const escape = (char: string) => {
  const code = char.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
};

/** `*** …a1b2c3`: the space keeps the redaction of `access_token = …` from taking the tail too. */
function tokenHint(token: string): string {
  return token.length >= MIN_TOKEN_FOR_TAIL ? `${MASK} …${visibleLine(token.slice(-TOKEN_TAIL))}` : MASK;
}

/** Text on one line with every hidden character visible. */
export function visibleLine(text: string): string {
  return text.replace(HIDDEN_CHARACTERS, escape).replace(LINE_BREAKS, escape);
}

/** Indented JSON with hidden characters visible (JSON already escapes line breaks inside strings). */
export function visibleJson(value: unknown): string {
  return (JSON.stringify(value, undefined, 2) ?? 'undefined').replace(HIDDEN_CHARACTERS, escape);
}

/** A string on one line; anything else as the JSON it is, never "[object Object]". */
function visibleValue(value: unknown): string {
  return typeof value === 'string' ? visibleLine(value) : visibleJson(value);
}

/** The whole call, for the approval prompt; redacted like every text shown. */
export function approvalText(tool: string, args: Record<string, unknown>, words: ApprovalWords, redactor: Redactor): string {
  const lines: string[] = [];
  const rest: Record<string, unknown> = { ...args };
  const take = (key: string) => {
    const value = rest[key];
    delete rest[key];
    return value;
  };
  if (tool === 'dingtalk_api_request') {
    const method = take('method');
    const path = take('path');
    const query = take('query');
    const body = take('body');
    if (method !== undefined) lines.push(`${words.method}: ${visibleValue(method)}`);
    if (path !== undefined) lines.push(`${words.path}: ${visibleValue(path)}`);
    if (query && typeof query === 'object') {
      lines.push(`${words.query}:`);
      for (const [key, value] of Object.entries(query)) {
        lines.push(`  ${visibleLine(key)} = ${TOKEN_KEY.test(key) ? tokenHint(String(value)) : visibleLine(String(value))}`);
      }
    } else if (query !== undefined) {
      lines.push(`${words.query}: ${visibleJson(query)}`);
    }
    if (body !== undefined) lines.push(`${words.body}:`, visibleJson(body));
  }
  const app = take('app');
  if (app !== undefined) lines.push(`${words.app}: ${visibleValue(app)}`);
  const others = Object.entries(rest).filter(([, value]) => value !== undefined);
  if (others.length > 0) lines.push(`${words.otherArguments}:`, visibleJson(Object.fromEntries(others)));
  return redactor.redact(lines.length > 0 ? lines.join('\n') : words.noArguments);
}
