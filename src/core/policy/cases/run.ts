import type { CaseDecisionName, PolicyCase } from './cases';

/** What the policy decided for one call: allowed, denied, or allowed once a person approved (`approve`). */
export interface CaseDecision {
  decision: CaseDecisionName;
  /** The deciding rule, by its name where it has one. */
  rule: string;
}

/** Decides one call against a fresh policy; every case gets its own (its own counters and clock). */
export type CaseDecider = (call: { tool: string; args: Record<string, unknown> }) => Promise<CaseDecision>;

export interface CaseResult {
  case: PolicyCase;
  passed: boolean;
  actual: CaseDecision;
}

/** Runs every case against a decider made for it; `calls` repeats the call, and `expect` judges the last one. */
export async function runPolicyCases(cases: readonly PolicyCase[], newDecider: () => CaseDecider): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const entry of cases) results.push(await runPolicyCase(entry, newDecider()));
  return results;
}

export async function runPolicyCase(entry: PolicyCase, decide: CaseDecider): Promise<CaseResult> {
  let actual: CaseDecision = { decision: 'deny', rule: 'no call' };
  for (let call = 0; call < entry.calls; call++) actual = await decide({ tool: entry.tool, args: entry.args });
  const passed = actual.decision === entry.expect && (entry.rule === undefined || actual.rule === entry.rule);
  return { case: entry, passed, actual };
}

/** One line per case (✓/✗, name, what the policy decided and by which rule), then the tally. */
export function formatCaseResults(results: readonly CaseResult[]): string {
  const lines = results.map(({ case: entry, passed, actual }) => {
    const wanted = passed ? '' : ` (expected ${entry.expect}${entry.rule ? ` by "${entry.rule}"` : ''})`;
    return `${passed ? '✓' : '✗'} ${entry.name}: ${actual.decision} by "${actual.rule}"${wanted}`;
  });
  const failed = results.filter((result) => !result.passed).length;
  lines.push(`${results.length - failed} passed, ${failed} failed, ${results.length} cases`);
  return lines.join('\n');
}
