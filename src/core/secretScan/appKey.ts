import { isPlaceholder } from './placeholders';

/** An AppKey (Client ID) as a key and a literal value, or as the legacy URL's `appkey=` parameter. */
const APP_KEY =
  /(?<![0-9A-Za-z_-])(["']?)((?:dingtalk|ding)?[_.-]?(?:app[_.-]?key|client[_.-]?id))\1\s*(?:=>|=|:)\s*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"'`,;#}\]]*))/gi;
const URL_APP_KEY = /[?&]appkey=([^&\s"'`<>#]*)/gi;
/** DingTalk AppKeys are one word of letters, digits, `_` or `-` (e.g. `dingxxxxxxxxxxxxxxxx`). */
const PLAIN_WORD = /^[A-Za-z0-9_-]{6,64}$/;

/** The AppKey written nearest to `line` in `text` (the same line first), or undefined when none is there. */
export function findAppKeyNear(text: string, line: number): string | undefined {
  let best: { appKey: string; distance: number } | undefined;
  const lines = text.split('\n');
  for (const [index, content] of lines.entries()) {
    if (!/app_?key|client_?id/i.test(content)) continue;
    for (const pattern of [URL_APP_KEY, APP_KEY]) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(content); match; match = pattern.exec(content)) {
        const value = pattern === URL_APP_KEY ? (match[1] ?? '') : (match[3] ?? match[4] ?? match[5] ?? '');
        const distance = Math.abs(index - line);
        // A placeholder is no AppKey; their short length is fine here (isPlaceholder's length floor is for secrets).
        if (PLAIN_WORD.test(value) && !isPlaceholder(value.padEnd(16, '0')) && (!best || distance < best.distance)) best = { appKey: value, distance };
        if (match[0].length === 0) pattern.lastIndex++;
      }
    }
  }
  return best?.appKey;
}
