import { z } from 'zod/v4';
import { jsonLineOf, type LineOf } from '../file/jsonLocations';

/**
 * A policy's test cases (`policy test POLICY CASES`, and the Testing view in VS Code): known calls and the decision
 * each must get. YAML or JSON:
 *
 *   apps: [{ appKey: dingabc, label: prod }]      # optional: the apps the calls may name
 *   cases:
 *     - name: a contact read is allowed
 *       tool: dingtalk_api_request
 *       args: { method: GET, path: /v1.0/contact/users/me }
 *       expect: allow                             # allow | deny | approve (a person would be asked)
 *       calls: 4                                  # optional: called this many times; expect is for the last
 *       rule: three a minute                      # optional: the rule that must decide
 */

export type CaseDecisionName = 'allow' | 'deny' | 'approve';

export interface PolicyCase {
  name: string;
  tool: string;
  args: Record<string, unknown>;
  calls: number;
  expect: CaseDecisionName;
  rule?: string;
  /** 1-based line of the case in its file, where a failure is shown. */
  line?: number;
}

export interface CaseApp {
  appKey: string;
  label: string;
}

export type ParsedCases = { ok: true; cases: PolicyCase[]; apps: CaseApp[] } | { ok: false; problem: string; line?: number };

export const MAX_CASES = 1000;
export const MAX_CALLS_PER_CASE = 1000;

const caseSchema = z.strictObject({
  name: z.string().min(1).max(200),
  tool: z.string().min(1).max(100),
  args: z.record(z.string(), z.unknown()).default({}),
  calls: z.int().min(1).max(MAX_CALLS_PER_CASE).default(1),
  expect: z.enum(['allow', 'deny', 'approve']),
  rule: z.string().min(1).max(200).optional(),
});

const fileSchema = z.strictObject({
  apps: z
    .array(z.strictObject({ appKey: z.string().min(1).max(100), label: z.string().min(1).max(100) }))
    .max(100)
    .default([]),
  cases: z.array(caseSchema).min(1).max(MAX_CASES),
});

/** Reads a cases file's text; a problem names where it is (`cases[2].expect`, with its line when known). */
export function parseCases(text: string, format: 'json' | 'yaml'): ParsedCases {
  let value: unknown;
  let lineOf: LineOf;
  if (format === 'yaml') {
    // Loaded here only: the YAML parser is needed for YAML cases alone.
    const { readYamlPolicy } = require('../file/yaml') as typeof import('../file/yaml');
    const read = readYamlPolicy(text);
    if (!read.ok) return { ok: false, problem: `not valid YAML: ${read.params.detail}`, ...(read.params.line ? { line: read.params.line } : {}) };
    ({ value, lineOf } = read);
  } else {
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      return { ok: false, problem: `not valid JSON: ${(error as Error).message}` };
    }
    lineOf = jsonLineOf(text.replace(/^\uFEFF/, ''));
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('') : '';
    const line = issue ? lineOf(issue.path) : undefined;
    return { ok: false, problem: `${where || 'the file'}: ${issue?.message ?? 'not a cases file'}`, ...(line !== undefined ? { line } : {}) };
  }
  const cases = parsed.data.cases.map((entry, index): PolicyCase => {
    const line = lineOf(['cases', index]);
    return { ...entry, ...(line !== undefined ? { line } : {}) };
  });
  return { ok: true, cases, apps: parsed.data.apps };
}

export function casesFormatOf(file: string): 'json' | 'yaml' {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}
