import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { LineOf } from './jsonLocations';

/**
 * Intercept's policy format: the same policy as our JSON, written in YAML. Required only when a policy
 * file ends in .yaml or .yml, so the parser never loads otherwise. Aliases are bounded (a "billion laughs"
 * file cannot blow up), keys must be unique, and only the core schema's plain types are produced.
 */

type YamlProblem = { detail: string; line?: number; column?: number };

/** Fails with the parameters of an `invalidYaml` problem (policyProblems.ts). */
export function readYamlPolicy(text: string): { ok: true; value: unknown; lineOf: LineOf } | { ok: false; params: YamlProblem } {
  const lineCounter = new LineCounter();
  // The parser's own uniqueKeys check compares each key with every key before it: 40,000 tools took 44 s.
  const doc = parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: false, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    const [firstLine = ''] = problem.message.split('\n');
    const words = firstLine.replace(/ at line \d+, column \d+.*$/, '');
    return { ok: false, params: { detail: words, line, column: col } };
  }
  const repeated = repeatedKeyAt(doc);
  if (repeated !== undefined) {
    const { line, col } = lineCounter.linePos(repeated);
    return { ok: false, params: { detail: 'Map keys must be unique', line, column: col } };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, params: { detail: (error as Error).message } };
  }
  // Intercept's loader reads `version: 1` as the string it expects; so do we.
  if (value && typeof value === 'object' && (value as Record<string, unknown>).version === 1) (value as Record<string, unknown>).version = '1';
  const lineOf: LineOf = (path) => {
    // The nearest part that exists: a missing key is reported where its object is.
    for (let length = path.length; length >= 0; length--) {
      const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length) as unknown[], true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  return { ok: true, value, lineOf };
}

/**
 * Where the first key that repeats one before it in the same map is, in one pass with a set per map.
 * Keys compare as the object's property names they become (`1` and `"1"` are the same), so no entry of a
 * policy can silently replace another.
 */
function repeatedKeyAt(doc: Document): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Map(_, map) {
      const names = new Set<string>();
      for (const { key } of map.items) {
        const name = isScalar(key) ? propertyName(key.value) : undefined;
        if (!isScalar(key) || name === undefined) continue;
        if (names.has(name)) {
          at = key.range?.[0] ?? 0;
          return visit.BREAK;
        }
        names.add(name);
      }
      return undefined;
    },
  });
  return at;
}

/** The property name a scalar key becomes in the object (the core schema's scalars are these). */
function propertyName(value: unknown): string | undefined {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
