// Localisation: package.json's %keys% have English and Simplified Chinese values, every string the extension
// passes to vscode.l10n.t has a Chinese translation with the same {n} placeholders, and the bundle holds
// nothing stale. Runs from out/test/unit, so the repository root is three levels up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../../..');
const readJson = (relative: string): unknown => JSON.parse(readFileSync(path.join(root, relative), 'utf8'));

/** The command titles of the product contract (a document outside this repository; tests read nothing outside it). */
const CONTRACT_TITLES: Record<string, string> = {
  'dingtalkToken.setCredentials': 'Set App Credentials',
  'dingtalkToken.getToken': 'Get Access Token',
  'dingtalkToken.refreshToken': 'Refresh Access Token',
  'dingtalkToken.inspectToken': 'Inspect Access Token',
  'dingtalkToken.copyToken': 'Copy Access Token',
  'dingtalkToken.switchApp': 'Switch App',
  'dingtalkToken.removeApp': 'Remove App',
  'dingtalkToken.showLog': 'Show Log',
  'dingtalkToken.openPolicy': 'Open MCP Policy',
};

function stringMap(relative: string): Record<string, string> {
  const value = readJson(relative);
  assert.ok(value && typeof value === 'object' && !Array.isArray(value), `${relative} is a JSON object`);
  for (const [key, text] of Object.entries(value)) {
    assert.equal(typeof text, 'string', `${relative}: "${key}" is a string`);
    assert.ok((text as string).trim(), `${relative}: "${key}" is not empty`);
  }
  return value as Record<string, string>;
}

/** Every "%key%" string anywhere in package.json. */
function packageKeys(): Set<string> {
  const keys = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const match = /^%([^%\s]+)%$/.exec(value);
      if (match) keys.add(match[1]);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(readJson('package.json'));
  return keys;
}

function placeholders(text: string): string[] {
  return [...new Set(text.match(/\{\d+\}/g) ?? [])].sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The value of a JavaScript string literal's body (without its quotes). */
function unescape(body: string): string {
  return body.replace(/\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(\r\n|[\s\S]))/g, (_, codePoint: string | undefined, unicode: string | undefined, hex: string | undefined, other: string) => {
    const digits = codePoint ?? unicode ?? hex;
    if (digits) return String.fromCodePoint(parseInt(digits, 16));
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', 0: '\0', '\n': '', '\r\n': '', '\r': '' };
    return simple[other] ?? other;
  });
}

interface Call {
  file: string;
  line: number;
  /** The message, or undefined when the first argument is not a plain string literal. */
  message?: string;
  text: string;
}

/**
 * Every call of vscode.l10n.t (or l10n.t, or a local alias such as `const t = vscode.l10n.t`) in the source,
 * with its first argument when that is a '…', "…" or `…` literal (no ${}) followed by `,` or `)`.
 * Calls may span lines.
 */
function l10nCalls(source: string, file: string): Call[] {
  const aliases = [...source.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:vscode\.)?l10n\.t\s*[;\n]/g)].map((m) => m[1]);
  for (const m of source.matchAll(/\{([^{}]*)\}\s*=\s*(?:vscode\.)?l10n\b/g)) {
    const binding = /(?:^|,)\s*t\s*(?::\s*([A-Za-z_$][\w$]*))?\s*(?:,|$)/.exec(m[1]);
    if (binding) aliases.push(binding[1] ?? 't');
  }
  const callee = new RegExp(`(?<![\\w$.])(?:(?:vscode\\.)?l10n\\.t${aliases.map((alias) => `|${alias.replace(/\$/g, '\\$')}`).join('')})\\s*\\(`, 'g');
  const literal = /\s*(?:'((?:[^'\\\n]|\\[\s\S])*)'|"((?:[^"\\\n]|\\[\s\S])*)"|`((?:[^`\\$]|\\[\s\S]|\$(?!\{))*)`)\s*(?=[,)])/y;
  const calls: Call[] = [];
  for (const match of source.matchAll(callee)) {
    const start = match.index + match[0].length;
    literal.lastIndex = start;
    const found = literal.exec(source);
    const line = source.slice(0, match.index).split('\n').length;
    const text = source.slice(match.index, start + 60).replace(/\s+/g, ' ');
    calls.push({ file, line, text, message: found ? unescape(found[1] ?? found[2] ?? found[3]) : undefined });
  }
  return calls;
}

function sourceMessages(): { messages: Map<string, string>; unreadable: string[] } {
  const messages = new Map<string, string>();
  const unreadable: string[] = [];
  for (const file of sourceFiles(path.join(root, 'src', 'extension'))) {
    const relative = path.relative(root, file);
    for (const call of l10nCalls(readFileSync(file, 'utf8'), relative)) {
      if (call.message === undefined) unreadable.push(`${call.file}:${call.line}: ${call.text}`);
      else if (!messages.has(call.message)) messages.set(call.message, `${call.file}:${call.line}`);
    }
  }
  return { messages, unreadable };
}

test('every %key% in package.json has an English and a Chinese value, and there are no extra keys', () => {
  const keys = [...packageKeys()].sort();
  assert.ok(keys.length > 0, 'package.json uses %keys%');
  for (const file of ['package.nls.json', 'package.nls.zh-cn.json']) {
    assert.deepEqual(Object.keys(stringMap(file)).sort(), keys, `${file} has exactly package.json's keys`);
  }
});

test('the English command titles are the contract\'s, and the category stays "DingTalk" in both languages', () => {
  const english = stringMap('package.nls.json');
  const chinese = stringMap('package.nls.zh-cn.json');
  const commands = (readJson('package.json') as { contributes: { commands: { command: string; title: string; category?: string }[] } }).contributes.commands;
  const resolve = (value: string, nls: Record<string, string>) => nls[/^%(.+)%$/.exec(value)?.[1] ?? ''] ?? value;
  for (const [id, title] of Object.entries(CONTRACT_TITLES)) {
    const command = commands.find((candidate) => candidate.command === id);
    assert.ok(command, `package.json contributes ${id}`);
    assert.equal(resolve(command.title, english), title, `English title of ${id}`);
    assert.equal(resolve(command.category ?? '', english), 'DingTalk', `English category of ${id}`);
    assert.equal(resolve(command.category ?? '', chinese), 'DingTalk', `Chinese category of ${id}`);
    assert.notEqual(resolve(command.title, chinese), title, `Chinese title of ${id} is translated`);
  }
});

test('every string passed to vscode.l10n.t in src/extension has a Chinese translation with the same placeholders', () => {
  const { messages, unreadable } = sourceMessages();
  assert.deepEqual(unreadable, [], 'every l10n.t call passes a string literal first (the bundle cannot be checked otherwise)');
  assert.ok(messages.size > 20, `found the l10n.t calls (${messages.size})`);
  const bundle = stringMap('l10n/bundle.l10n.zh-cn.json');
  const missing = [...messages].filter(([message]) => !(message in bundle)).map(([message, where]) => `${where}: ${JSON.stringify(message)}`);
  assert.deepEqual(missing, [], 'strings without a Chinese translation');
  for (const [message, where] of messages) {
    assert.deepEqual(placeholders(bundle[message]), placeholders(message), `${where}: placeholders of ${JSON.stringify(message)} → ${JSON.stringify(bundle[message])}`);
  }
});

test('the Chinese bundle has no stale keys', () => {
  const { messages } = sourceMessages();
  const stale = Object.keys(stringMap('l10n/bundle.l10n.zh-cn.json')).filter((key) => !messages.has(key));
  assert.deepEqual(stale, [], 'bundle keys no source passes to vscode.l10n.t');
});

test('the source scanner reads quotes, escapes, aliases and multi-line calls', () => {
  const source = [
    "const a = vscode.l10n.t('It\\'s {0}', x);",
    'const b = vscode.l10n.t(',
    '  "Say \\"hi\\"\\n{0} {1}",',
    '  x, y);',
    'const t = vscode.l10n.t;',
    'const c = t(`plain`);',
    "const d = vscode.l10n.t(`with ${'{'}x}`);",
    'const e = vscode.l10n.t(message);',
    "const f = vscode.l10n.t('a' + 'b');",
    "const g = format('not l10n');",
  ].join('\n');
  const calls = l10nCalls(source, 'sample.ts');
  assert.deepEqual(calls.map((call) => [call.line, call.message]), [
    [1, "It's {0}"],
    [2, 'Say "hi"\n{0} {1}'],
    [6, 'plain'],
    [7, undefined],
    [8, undefined],
    [9, undefined],
  ]);
});
