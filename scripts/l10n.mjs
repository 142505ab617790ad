// `npm run l10n`: the English bundle l10n/bundle.l10n.json, every message src/extension passes to
// l10n.t (@vscode/l10n), extracted by @vscode/l10n-dev (VS Code's own tool). The Chinese bundle beside it is written by
// hand; test/unit/l10n.test.ts checks both against a fresh extraction.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { getL10nJson } from '@vscode/l10n-dev';

export const root = path.join(import.meta.dirname, '..');
/** The folder whose messages are localised (src/core and src/mcp never speak to a person in VS Code). */
export const SOURCE_DIR = 'src/extension';
export const ENGLISH_BUNDLE = 'l10n/bundle.l10n.json';

/** Repository-relative paths of the TypeScript sources under src/extension, sorted. */
export function sourceFiles() {
  return readdirSync(path.join(root, SOURCE_DIR), { recursive: true })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => path.posix.join(SOURCE_DIR, name.split(path.sep).join('/')))
    .sort();
}

/** Every message, as the bundle holds it (message → message), keys sorted so the file diffs well. */
export async function extractMessages() {
  const files = sourceFiles().map((file) => ({ extension: '.ts', contents: readFileSync(path.join(root, file), 'utf8') }));
  const bundle = await getL10nJson(files);
  return Object.fromEntries(Object.entries(bundle).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

if (import.meta.filename === process.argv[1]) {
  const messages = await extractMessages();
  writeFileSync(path.join(root, ENGLISH_BUNDLE), `${JSON.stringify(messages, null, 2)}\n`);
  console.log(`${ENGLISH_BUNDLE}: ${Object.keys(messages).length} messages from ${SOURCE_DIR}`);
}
