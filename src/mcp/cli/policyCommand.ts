import { promises as fs } from 'node:fs';
import { applyPolicyRead, formatCaseResults, PolicyEngine, readPolicyFile } from '../../core/policy';
import { TOOL_NAMES } from '../tools/definitions';
import { runPolicyCasesText } from '../policyTesting';

export const POLICY_USAGE = `Usage:
  dingtalk-token-mcp policy check POLICY         check a policy file (JSON or YAML)
  dingtalk-token-mcp policy test POLICY CASES    run its test cases (YAML or JSON): exit 0 all pass, 1 a case fails, 2 invalid input`;

interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** `policy check|test …`: the exit code, 0 when all is well, 1 when a case fails, 2 when the input cannot be used. */
export async function runPolicyCommand(args: readonly string[], output: Output): Promise<number> {
  const [verb, policyFile, casesFile, ...extra] = args;
  if (verb === 'check' && policyFile && casesFile === undefined) return check(policyFile, output);
  if (verb === 'test' && policyFile && casesFile && extra.length === 0) return test(policyFile, casesFile, output);
  output.err(POLICY_USAGE);
  return 2;
}

async function check(policyFile: string, output: Output): Promise<number> {
  const read = await readPolicyFile(policyFile);
  if (read.kind === 'missing') {
    output.err(`${policyFile} does not exist.`);
    return 2;
  }
  const report = applyPolicyRead(new PolicyEngine({ source: policyFile }), read, { source: policyFile, knownTools: TOOL_NAMES });
  if (report.ok) output.out(report.message);
  else output.err(report.message);
  return report.ok ? 0 : 2;
}

async function test(policyFile: string, casesFile: string, output: Output): Promise<number> {
  const read = await readPolicyFile(policyFile);
  if (read.kind !== 'text') {
    output.err(read.kind === 'missing' ? `${policyFile} does not exist.` : `${policyFile} cannot be read: ${read.problem.message}`);
    return 2;
  }
  let casesText: string;
  try {
    casesText = await fs.readFile(casesFile, 'utf8');
  } catch (error) {
    output.err(`${casesFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
    return 2;
  }
  const outcome = await runPolicyCasesText({ policyText: read.text, policySource: policyFile, casesText, casesSource: casesFile });
  if (!outcome.ok) {
    const file = outcome.where === 'policy' ? policyFile : casesFile;
    output.err(`${file}${outcome.line !== undefined ? `:${outcome.line}` : ''} is not valid: ${outcome.problem}`);
    return 2;
  }
  output.out(formatCaseResults(outcome.results));
  return outcome.results.every((result) => result.passed) ? 0 : 1;
}
