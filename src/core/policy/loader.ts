import { compile, unknownToolEntries, type CompiledPolicy } from './compile';
import type { PolicyFileRead } from './file/read';
import { parsePolicy, policyFormatOf } from './file/parse';
import { failureOf, type PolicyFailure, type PolicyProblem } from './problems';

/**
 * A policy file turned into a compiled policy, or into problems located in it. Nothing here decides a call
 * or keeps state: the engine (engine.ts) holds what is in force, apply.ts decides what a load changes.
 */

export interface LoadOptions {
  /** How to parse the text (JSON, or Intercept's YAML for .yaml/.yml). */
  format: 'json' | 'yaml';
  /** Tool names the server has, to point out typos in `hide` and `tools`; no check without them. */
  knownTools?: readonly string[];
}

export type PolicyLoad = { kind: 'missing' } | PolicyLoaded | PolicyUnusable;

export interface PolicyLoaded {
  kind: 'loaded';
  policy: CompiledPolicy;
  /** The file the path resolved to (differs for symlinks); absent for text given directly. */
  resolvedPath?: string;
  /** Entries naming tools the server does not have, in English. */
  unknownTools: string[];
  /** The same entries as warnings at their lines. */
  problems: PolicyProblem[];
}

export interface PolicyUnusable {
  kind: 'unreadable' | 'invalid';
  error: string;
  failure: PolicyFailure;
  problems: PolicyProblem[];
}

export function loadPolicyFile(read: PolicyFileRead, options: LoadOptions): PolicyLoad {
  if (read.kind === 'missing') return read;
  if (read.kind === 'unreadable') return { kind: 'unreadable', error: read.problem.message, failure: failureOf(read.problem), problems: [] };
  const loaded = loadPolicyText(read.text, options);
  return loaded.kind === 'loaded' ? { ...loaded, resolvedPath: read.resolvedPath } : loaded;
}

export function loadPolicyText(text: string, options: LoadOptions): PolicyLoaded | PolicyUnusable {
  const parsed = parsePolicy(text, options.format);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error, failure: parsed.failure, problems: parsed.failure.problems };
  const unknown = options.knownTools ? unknownToolEntries(parsed.policy, options.knownTools) : [];
  const lines = unknown.length > 0 ? parsed.lineOf() : undefined;
  return {
    kind: 'loaded',
    policy: compile(parsed.policy),
    unknownTools: unknown.map((entry) => entry.text),
    problems: unknown.map((entry) => {
      const line = lines?.(entry.path);
      return line !== undefined ? { ...entry.problem, line } : entry.problem;
    }),
  };
}

export { policyFormatOf };
