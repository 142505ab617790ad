/** Values shorter than this are not taken for a DingTalk secret (real AppSecrets are 64 characters). */
export const MIN_SECRET_LENGTH = 16;

/** Words people leave where the real value goes. */
const PLACEHOLDER_WORDS = new Set([
  'changeme',
  'change_me',
  'change-me',
  'placeholder',
  'undefined',
  'redacted',
  'replace_me',
  'replace-me',
  'your_app_secret',
]);

/**
 * True for what stands in for a secret rather than being one: empty or short, a variable (`${…}`, `{{…}}`,
 * `$NAME`, `%NAME%`), an angle-bracket hint (`<…>`), masks (`xxx`, `***`, `...`), "your…", a word such as
 * "changeme", one character repeated, or anything with a space in it.
 */
export function isPlaceholder(value: string): boolean {
  const text = value.trim();
  if (text.length < MIN_SECRET_LENGTH || /\s/.test(text)) return true;
  if (text.includes('${') || text.includes('{{') || /^\$[A-Za-z_(]/.test(text) || /^%[^%]+%$/.test(text) || text.startsWith('<')) return true;
  const lower = text.toLowerCase();
  if (lower.includes('xxx') || lower.includes('***') || lower.includes('...') || lower.includes('…') || lower.startsWith('your')) return true;
  return PLACEHOLDER_WORDS.has(lower) || /^(.)\1+$/.test(text);
}
