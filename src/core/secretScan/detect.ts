import { allowsBareValues, fileKindOf } from './fileKinds';
import { isPlaceholder } from './placeholders';

/** The kinds of DingTalk secret the scan knows; also the names the ignore setting takes. */
export const SECRET_KINDS = ['appSecret', 'legacyTokenUrl', 'robotWebhook', 'robotSecret'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** One secret in a text: where its value stands (0-based line, columns [start, end) of the value alone). */
export interface SecretHit {
  kind: SecretKind;
  line: number;
  start: number;
  end: number;
}

/** A file with more hits than this is reported up to here (a generated file full of secrets needs no 10,000 lines). */
export const MAX_HITS_PER_FILE = 200;

// Every pattern is linear: no nested quantifiers; each line is matched on its own.

/** The legacy token URL with the secret in its query: `gettoken?appkey=…&appsecret=…`. */
const LEGACY_URL = /gettoken\?[^\s"'`<>#]*?\bappsecret=([^&\s"'`<>#]*)/dgi;
/** A custom robot's webhook with its access_token (64 hex digits). */
const ROBOT_WEBHOOK = /\/robot\/send\?(?:[^\s"'`<>#]*?&)?access_token=([0-9a-fA-F]{64})(?![0-9A-Za-z])/dg;
/** A robot's 加签 secret: SEC and 64 hex digits. */
const ROBOT_SECRET = /(?<![0-9A-Za-z])(SEC[0-9a-fA-F]{64})(?![0-9A-Za-z])/dg;
/**
 * An AppSecret as a key and a literal value: `DINGTALK_APP_SECRET=…`, `"appSecret": "…"`, `app_secret = '…'`,
 * `clientSecret: …`. A key with another product's prefix (`FEISHU_APP_SECRET`) is not DingTalk's.
 */
const APP_SECRET =
  /(?<![0-9A-Za-z_-])(["']?)((?:dingtalk|ding)?[_.-]?(?:app|client)[_.-]?secret)\1\s*(?:=>|=|:)\s*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|`([^`\r\n]*)`|([^\s"'`,;#}\]]*))/dgi;

/** Every DingTalk secret in `text`, a file named `fileName` (its extension decides how values are read). */
export function findSecrets(text: string, fileName: string): SecretHit[] {
  const bareValues = allowsBareValues(fileKindOf(fileName));
  const keyValues = fileKindOf(fileName) !== 'other';
  const hits: SecretHit[] = [];
  const lines = text.split('\n');
  for (const [line, content] of lines.entries()) {
    if (hits.length >= MAX_HITS_PER_FILE) break;
    const found: SecretHit[] = [];
    const lower = content.toLowerCase();
    if (lower.includes('secret')) {
      for (const [start, end] of valueSpans(LEGACY_URL, content, [1])) found.push({ kind: 'legacyTokenUrl', line, start, end });
      if (keyValues) {
        for (const [start, end, group] of valueSpans(APP_SECRET, content, [3, 4, 5, 6])) {
          if (group === 6 && !bareValues) continue;
          if (!found.some((hit) => hit.start < end && start < hit.end)) found.push({ kind: 'appSecret', line, start, end });
        }
      }
    }
    if (content.includes('/robot/send'))
      for (const [start, end] of valueSpans(ROBOT_WEBHOOK, content, [1])) found.push({ kind: 'robotWebhook', line, start, end });
    if (content.includes('SEC')) for (const [start, end] of valueSpans(ROBOT_SECRET, content, [1])) found.push({ kind: 'robotSecret', line, start, end });
    hits.push(...found.sort((a, b) => a.start - b.start));
  }
  return hits.slice(0, MAX_HITS_PER_FILE);
}

/** [start, end, group] of the first of `groups` that matched, for each match whose value is no placeholder. */
function* valueSpans(pattern: RegExp, line: string, groups: number[]): Generator<[number, number, number]> {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    const group = groups.find((index) => match[index] !== undefined);
    const span = group !== undefined ? match.indices?.[group] : undefined;
    if (group !== undefined && span && !isPlaceholder(match[group]!)) yield [span[0], span[1], group];
    if (match[0].length === 0) pattern.lastIndex++;
  }
}
