import { LineCounter, parseDocument } from 'yaml';
import type { LineOf } from './jsonLocations';

/**
 * Intercept's policy format: the same policy as our JSON, written in YAML. Required only when a policy
 * file ends in .yaml or .yml, so the parser never loads otherwise. Aliases are bounded (a "billion laughs"
 * file cannot blow up), keys must be unique, and only the core schema's plain types are produced.
 */

/** Fails with the parameters of an `invalidYaml` problem (policyProblems.ts). */
export function readYamlPolicy(
  text: string,
): { ok: true; value: unknown; lineOf: LineOf } | { ok: false; params: { detail: string; line?: number; column?: number } } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    const words = problem.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
    return { ok: false, params: { detail: words, line, column: col } };
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
