// Localisation: package.json's %keys% have English and Simplified Chinese values; the English bundle is what
// @vscode/l10n-dev extracts from src/extension today (`npm run l10n`), every message in it has a Chinese
// translation with the same {n} placeholders, and the Chinese bundle holds nothing stale.
// Runs from out/test/unit, so the repository root is three levels up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

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
      const [, key] = /^%([^%\s]+)%$/.exec(value) ?? [];
      if (key) keys.add(key);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(readJson('package.json'));
  return keys;
}

function placeholders(text: string | undefined): string[] {
  return [...new Set(text?.match(/\{\d+\}/g) ?? [])].sort();
}

interface L10nScript {
  sourceFiles: () => string[];
  extractMessages: () => Promise<Record<string, unknown>>;
  ENGLISH_BUNDLE: string;
}
const l10nScript = (): Promise<L10nScript> => import(pathToFileURL(path.join(root, 'scripts/l10n.mjs')).href);

/**
 * Uses of l10n.t the extractor cannot read, as "file:line: text". @vscode/l10n-dev skips them silently, so a
 * message passed through a variable, an alias (`const t = vscode.l10n.t`) or a template with ${} would reach
 * a zh-cn person in English with no test noticing. Every `vscode.l10n` / `l10n.t` must be a direct call with
 * a plain string literal first.
 */
function unreadableUses(file: string, source: string): string[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node) => {
    const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
    found.push(`${file}:${line}: ${node.getText(sourceFile).replace(/\s+/g, ' ').slice(0, 80)}`);
  };
  const isL10n = (node: ts.Node) => (ts.isPropertyAccessExpression(node) && node.name.text === 'l10n') || (ts.isIdentifier(node) && node.text === 'l10n');
  const visit = (node: ts.Node): void => {
    // vscode.l10n.bundle is read once, to hand VS Code's bundle to @vscode/l10n.
    if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === 'l10n' &&
      !(ts.isPropertyAccessExpression(node.parent) && ['t', 'bundle'].includes(node.parent.name.text))
    ) {
      report(node.parent);
    } else if (ts.isPropertyAccessExpression(node) && node.name.text === 't' && isL10n(node.expression)) {
      const call = node.parent;
      const first = ts.isCallExpression(call) && call.expression === node ? call.arguments[0] : undefined;
      if (!first || !(ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) report(call);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  // The extractor reads a file only when it imports from 'vscode' or '@vscode/l10n'; a wrapper would hide it.
  const imported = sourceFile.statements.some(
    (statement) =>
      ts.isImportDeclaration(statement) &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      ['vscode', '@vscode/l10n'].includes(statement.moduleSpecifier.text) &&
      !statement.importClause?.isTypeOnly,
  );
  if (found.length === 0 && !imported && /\bl10n\.t\(/.test(source)) found.push(`${file}: calls l10n.t without importing @vscode/l10n`);
  return found;
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

/**
 * Log calls (`log.info(…)`, `services.log.warn(…)`, `this.host.log.error(…)`) whose text is written in place: a
 * string or template literal, or one joined with `+`. The log is read in the person's language, so its lines
 * come from l10n.t (directly or through a function that calls it), as "file:line: text".
 */
function literalLogLines(file: string, source: string): string[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const written = (node: ts.Node): boolean =>
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isTemplateExpression(node) ||
    (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken && (written(node.left) || written(node.right))) ||
    (ts.isParenthesizedExpression(node) && written(node.expression));
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['info', 'warn', 'error'].includes(node.expression.name.text)) {
      const target = node.expression.expression;
      const isLog = (ts.isIdentifier(target) && target.text === 'log') || (ts.isPropertyAccessExpression(target) && target.name.text === 'log');
      if (isLog && node.arguments[0] && written(node.arguments[0])) {
        const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
        found.push(`${file}:${line}: ${node.getText(sourceFile).replace(/\s+/g, ' ').slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

test('the log lines src/extension writes are worded through l10n.t, not English written in place', async () => {
  const { sourceFiles } = await l10nScript();
  const literal = sourceFiles().flatMap((file) => literalLogLines(file, readFileSync(path.join(root, file), 'utf8')));
  assert.deepEqual(literal, []);
  // The check sees the shapes such lines take.
  const sample = [
    'services.log.info(`Removed ${x}`);',
    "this.host.log.warn('stopped');",
    "log.error('failed: ' + why);",
    "log.info(vscode.l10n.t('Removed {0}', x));",
    'log.warn(problem);',
    "console.info('not our log');",
  ].join('\n');
  assert.deepEqual(
    literalLogLines('sample.ts', sample).map((line) => line.split(': ')[0]),
    ['sample.ts:1', 'sample.ts:2', 'sample.ts:3'],
  );
});

test('every l10n.t call in src/extension passes a string literal first, in a module the extractor reads', async () => {
  const { sourceFiles } = await l10nScript();
  const files = sourceFiles();
  assert.ok(files.includes('src/extension/commands.ts'), 'found the sources');
  const unreadable = files.flatMap((file) => unreadableUses(file, readFileSync(path.join(root, file), 'utf8')));
  assert.deepEqual(unreadable, []);
});

test('the check for unreadable l10n.t uses catches aliases, variables and substitutions', () => {
  const source = [
    "const a = vscode.l10n.t('It\\'s {0}', x);",
    'const b = vscode.l10n.t(`plain`);',
    "const c = l10n.t('imported');",
    'const t = vscode.l10n.t;',
    'const d = vscode.l10n.t(message);',
    'const e = vscode.l10n.t(`with ${x}`);',
    'const { t: tr } = vscode.l10n;',
    "const f = vscode.l10n.t('a' + 'b');",
  ].join('\n');
  assert.deepEqual(
    unreadableUses('sample.ts', source).map((use) => use.split(': ')[0]),
    ['sample.ts:4', 'sample.ts:5', 'sample.ts:6', 'sample.ts:7', 'sample.ts:8'],
  );
  // A module whose l10n.t comes from a wrapper of ours: the extractor skips the whole file.
  assert.deepEqual(unreadableUses('wrapped.ts', "import { l10n } from './apis/l10n';\nl10n.t('hidden');"), [
    'wrapped.ts: calls l10n.t without importing @vscode/l10n',
  ]);
  assert.deepEqual(unreadableUses('direct.ts', "import * as l10n from '@vscode/l10n';\nl10n.t('seen');"), []);
});

test('l10n/bundle.l10n.json is what `npm run l10n` extracts from src/extension now', async () => {
  const { extractMessages, ENGLISH_BUNDLE } = await l10nScript();
  const fresh = await extractMessages();
  assert.ok(Object.keys(fresh).length > 20, `extracted the messages (${Object.keys(fresh).length})`);
  assert.deepEqual(stringMap(ENGLISH_BUNDLE), fresh, 'run `npm run l10n` and commit l10n/bundle.l10n.json');
});

test('every English message has a Chinese translation with the same placeholders, and no Chinese key is stale', async () => {
  const english = Object.keys(stringMap((await l10nScript()).ENGLISH_BUNDLE));
  const chinese = stringMap('l10n/bundle.l10n.zh-cn.json');
  assert.deepEqual(
    english.filter((message) => !(message in chinese)),
    [],
    'messages without a Chinese translation',
  );
  assert.deepEqual(
    Object.keys(chinese).filter((message) => !english.includes(message)),
    [],
    'Chinese keys no source passes to l10n.t',
  );
  for (const message of english) {
    assert.deepEqual(placeholders(chinese[message]), placeholders(message), `placeholders of ${JSON.stringify(message)} → ${JSON.stringify(chinese[message])}`);
  }
});
