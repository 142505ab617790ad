// The ids in src/extension/commandIds.ts are the ones package.json declares: a command renamed in one place
// only would leave a palette entry that does nothing, or a button that runs "command not found".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND, CONTEXT_KEY, VIEW } from '../../src/extension/commandIds';

const root = path.join(__dirname, '../../..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof import('../../package.json');
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

test('the command constants are exactly the commands package.json contributes', () => {
  const contributed = (packageJson.contributes.commands as { command: string }[]).map((entry) => entry.command);
  assert.deepEqual(sorted(Object.values(COMMAND)), sorted(contributed));
});

test('every menu entry names a known command', () => {
  const menus = packageJson.contributes.menus as Record<string, { command: string }[]>;
  const known = new Set<string>(Object.values(COMMAND));
  const unknown = Object.values(menus)
    .flat()
    .map((entry) => entry.command)
    .filter((id) => !known.has(id));
  assert.deepEqual(unknown, []);
});

test('the view constants are the views package.json contributes, and the context keys the walkthrough waits for', () => {
  const views = Object.values(packageJson.contributes.views as Record<string, { id: string }[]>)
    .flat()
    .map((view) => view.id);
  assert.deepEqual(sorted(Object.values(VIEW)), sorted(views));
  const events = (packageJson.contributes.walkthroughs as { steps: { completionEvents?: string[] }[] }[]).flatMap((walkthrough) =>
    walkthrough.steps.flatMap((step) => step.completionEvents ?? []),
  );
  const contextKeys = events.filter((event) => event.startsWith('onContext:')).map((event) => event.slice('onContext:'.length));
  assert.deepEqual(sorted(Object.values(CONTEXT_KEY)), sorted(contextKeys));
});

test('no other module in src/extension spells a command id', () => {
  const exempt = new Set(['commandIds.ts']);
  const dir = path.join(root, 'src', 'extension');
  const found = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !exempt.has(name))
    .flatMap((name) => {
      const source = readFileSync(path.join(dir, name), 'utf8');
      return Object.values(COMMAND)
        .filter((id) => source.includes(id))
        .map((id) => `${name}: ${id}`);
    });
  assert.deepEqual(found, []);
});
