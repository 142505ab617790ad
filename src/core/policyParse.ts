import type { z } from 'zod/v4';
import { jsonLineOf, type LineOf } from './jsonLines';
import { policySchema, type PolicyFile } from './policySchema';

/** Policy text (JSON or Intercept's YAML) to a checked PolicyFile, or its problems in words, each at its line. */

/** One problem in the policy file, at its line (1-based) when it has one: what the Problems panel shows. */
export interface PolicyProblem { message: string; line?: number; severity: 'error' | 'warning' }

export type PolicyFormat = 'json' | 'yaml';

/** Intercept's YAML for .yaml and .yml files, PolicyLayer's JSON for anything else. */
export function policyFormatOf(file: string): PolicyFormat {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}

/** Parses and validates policy text; errors name the path of each problem, and its line in YAML. */
export function parsePolicy(text: string, format: PolicyFormat = 'json'):
  { ok: true; policy: PolicyFile; /** Lines of the file's parts, worked out when asked. */ lineOf(): LineOf } | { ok: false; error: string; problems: PolicyProblem[] } {
  const source = text.replace(/^\uFEFF/, '');
  const failed = (error: string, line?: number) => ({ ok: false as const, error, problems: [{ message: error, line, severity: 'error' as const }] });
  if (source.trim() === '') return failed(`the file is empty; it needs at least ${format === 'yaml' ? 'version: "1"' : '{"version": "1"}'}`, 1);
  let value: unknown;
  let lineOf: () => LineOf;
  if (format === 'yaml') {
    // Required here, not imported: the YAML parser loads only when a YAML policy does.
    const { readYamlPolicy } = require('./policyYaml') as typeof import('./policyYaml');
    const read = readYamlPolicy(source);
    if (!read.ok) return failed(read.error, read.line);
    value = read.value;
    lineOf = () => read.lineOf;
  } else {
    try {
      value = JSON.parse(source);
    } catch (error) {
      const { text: words, line } = describeJsonError(error as Error, source);
      return failed(`not valid JSON: ${words}`, line);
    }
    lineOf = () => jsonLineOf(source);
  }
  const result = policySchema.safeParse(value);
  if (result.success) return { ok: true, policy: result.data, lineOf };
  const issues = result.error.issues;
  const lines = lineOf();
  // A one-line file (written by a program) gains nothing from "(line 1)" in its messages.
  const multiline = source.trim().includes('\n');
  const problems: PolicyProblem[] = issues.slice(0, 100).map((issue) => ({ message: describeIssue(issue), line: lines(issue.path), severity: 'error' }));
  const shown = problems.slice(0, 5).map(({ message, line }) => (multiline && line !== undefined ? `${message} (line ${line})` : message));
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more`);
  return { ok: false, error: shown.join('; '), problems };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || 'the policy';
  if (issue.code === 'custom' && issue.params?.rule === true) return `${where}: ${issue.message}`;
  if (issue.code === 'unrecognized_keys') {
    return `${where} has unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
  }
  return `${where} ${issue.message}`;
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
function describeJsonError(error: Error, text: string): { text: string; line?: number } {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return { text: error.message };
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return { text: `${error.message.replace(/\s*(?:in JSON )?at position \d+.*$/, '')} (line ${line}, column ${column})`, line };
}
