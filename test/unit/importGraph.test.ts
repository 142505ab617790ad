// The modules under src import each other without a cycle, type imports included: a cycle means neither module
// can be read (or changed) without the other, and a reader of the floors in DESIGN.md should never meet one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../../..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.{1,2}\/[^']+)'|\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

/** Each TypeScript module under `dir` (repository-relative) with the modules it imports, however it imports them. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
  for (const name of files) {
    const file = path.posix.join(dir, name.split(path.sep).join('/'));
    const source = readFileSync(path.join(root, file), 'utf8');
    const targets = [...source.matchAll(IMPORT)].map((match) => resolve(file, match[1] ?? match[2] ?? ''));
    graph.set(
      file,
      targets.filter((target): target is string => target !== undefined),
    );
  }
  return graph;
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.posix.join(path.posix.dirname(from), specifier);
  return [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => candidate.endsWith('.ts') && existsSync(path.join(root, candidate)));
}

/** The first cycle found, as the chain of modules that closes it; undefined when there is none. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const open = onPath.indexOf(node);
    if (open >= 0) return [...onPath.slice(open), node];
    if (done.has(node)) return undefined;
    onPath.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    onPath.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

test('no module under src imports itself back through others, type imports included', () => {
  assert.deepEqual(findCycle(importGraph('src')), undefined);
});

test('the cycle finder names a cycle made only of type imports', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', []],
  ]);
  assert.deepEqual(findCycle(graph), ['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  assert.ok(importGraph('src').get('src/core/tokens/state.ts')?.includes('src/core/clock.ts'), 'reads `import type` lines');
});
