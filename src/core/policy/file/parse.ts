import type { z } from 'zod/v4';
import { jsonLineOf, type LineOf } from './jsonLocations';
import { POLICY_PROBLEMS, policyProblem, summarizeFailure, type PolicyFailure, type PolicyProblemCode, type ProblemParams } from '../problems';
import { policySchema, type PolicyFile } from './schema';

/** Policy text (JSON or Intercept's YAML) to a checked PolicyFile, or its problems (codes, parameters, English words), each at its line. */

type PolicyFormat = 'json' | 'yaml';

/** Intercept's YAML for .yaml and .yml files, PolicyLayer's JSON for anything else. */
export function policyFormatOf(file: string): PolicyFormat {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}

/** Parses and validates policy text; errors name the path of each problem, and its line in YAML. */
export function parsePolicy(
  text: string,
  format: PolicyFormat = 'json',
):
  | { ok: true; policy: PolicyFile; /** Lines of the file's parts, worked out when asked. */ lineOf(): LineOf }
  | {
      ok: false;
      error: string;
      failure: PolicyFailure;
      /** Where each of failure.problems is in the file: its path, and for unknown keys their names (none for syntax errors). */
      where: { path: PropertyKey[]; keys?: string[] }[];
    } {
  const source = text.replace(/^\uFEFF/, '');
  const failed = (code: PolicyProblemCode, params: ProblemParams, line?: number) =>
    fail({ problems: [policyProblem(code, params, { line })], total: 1, showLines: false }, []);
  if (source.trim() === '') return failed('emptyFile', { needs: format === 'yaml' ? 'version: "1"' : '{"version": "1"}' }, 1);
  let value: unknown;
  let lineOf: () => LineOf;
  if (format === 'yaml') {
    // Required here, not imported: the YAML parser loads only when a YAML policy does.
    const { readYamlPolicy } = require('./yaml') as typeof import('./yaml');
    const read = readYamlPolicy(source);
    if (!read.ok) return failed('invalidYaml', read.params, read.params.line);
    value = read.value;
    lineOf = () => read.lineOf;
  } else {
    try {
      value = JSON.parse(source);
    } catch (error) {
      const params = describeJsonError(error as Error, source);
      return failed('invalidJson', params, params.line as number | undefined);
    }
    lineOf = () => jsonLineOf(source);
  }
  const result = policySchema.safeParse(value);
  if (result.success) return { ok: true, policy: result.data, lineOf };
  const issues = result.error.issues;
  const lines = lineOf();
  const shown = issues.slice(0, 100);
  return fail(
    {
      problems: shown.map((issue) => {
        const { code, params } = problemOf(issue);
        return policyProblem(code, params, { line: lines(issue.path) });
      }),
      total: issues.length,
      // A one-line file (written by a program) gains nothing from "(line 1)" in its messages.
      showLines: source.trim().includes('\n'),
    },
    shown.map((issue) => ({ path: issue.path, ...(issue.code === 'unrecognized_keys' ? { keys: issue.keys } : {}) })),
  );
}

function fail(failure: PolicyFailure, where: { path: PropertyKey[]; keys?: string[] }[]) {
  return { ok: false as const, error: summarizeFailure(failure), failure, where };
}

/** The code and parameters an issue carries (policySchema.ts puts them in its message), with the issue's path as `at`. */
function problemOf(issue: z.core.$ZodIssue): { code: PolicyProblemCode; params: ProblemParams } {
  const at = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return { code: 'unknownKeys', params: { at, count: issue.keys.length, keys: issue.keys.map((key) => JSON.stringify(key)).join(', ') } };
  }
  try {
    const { code, ...params } = JSON.parse(issue.message) as ProblemParams;
    if (typeof code === 'string' && Object.hasOwn(POLICY_PROBLEMS, code)) return { code: code as PolicyProblemCode, params: { ...params, at } };
  } catch {
    // Not one of ours: zod's own words.
  }
  return { code: 'other', params: { at, text: issue.message } };
}

/** ['tools', 'x', 'limits', 0, 'window'] → tools.x.limits[0].window */
function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    const name = String(part);
    if (/^[A-Za-z_$][\w$-]*$/.test(name)) return text ? `${text}.${name}` : name;
    return `${text}[${JSON.stringify(name)}]`;
  }, '');
}

/** Node reports JSON errors by character position; people look for a line and column. */
function describeJsonError(error: Error, text: string): ProblemParams {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return { detail: error.message };
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return { detail: error.message.replace(/\s*(?:in JSON )?at position \d+.*$/, ''), line, column };
}
