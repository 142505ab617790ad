import { casesFormatOf, engineDeciders, parseCases, policyFormatOf, runPolicyCases, type CaseResult, type PolicyCase } from '../core/policy';

/** A cases file run against a policy: every case's result, or why neither could be used. */
export type PolicyCasesOutcome = { ok: true; results: CaseResult[] } | { ok: false; where: 'policy' | 'cases'; problem: string; line?: number };

export interface PolicyCasesInput {
  /** The policy's text; undefined when there is no file (the built-in defaults are tested). */
  policyText: string | undefined;
  policySource: string;
  casesText: string;
  casesSource: string;
}

/** `dingtalk-token-mcp policy test` and VS Code's Testing view: each case against a fresh engine, offline. */
export async function runPolicyCasesText(input: PolicyCasesInput): Promise<PolicyCasesOutcome> {
  const parsed = parseCases(input.casesText, casesFormatOf(input.casesSource));
  if (!parsed.ok) return { ok: false, where: 'cases', problem: parsed.problem, ...(parsed.line !== undefined ? { line: parsed.line } : {}) };
  const deciders = engineDeciders(input.policyText, policyFormatOf(input.policySource), parsed.apps);
  if (!deciders.ok) return { ok: false, where: 'policy', problem: deciders.problem };
  return { ok: true, results: await runPolicyCases(parsed.cases, deciders.newDecider) };
}

/** The cases a file holds, with their lines, for the Testing view. */
export function listPolicyCasesText(text: string, source: string): { ok: true; cases: PolicyCase[] } | { ok: false; problem: string } {
  const parsed = parseCases(text, casesFormatOf(source));
  return parsed.ok ? { ok: true, cases: parsed.cases } : { ok: false, problem: parsed.problem };
}
