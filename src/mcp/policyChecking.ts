import { checkPolicyText, policyFormatOf, policyProblem, type PolicyCheck } from '../core/policy';
import { TOOL_NAMES } from './tools/definitions';

/** The engine refuses policy files over a mebibyte; an editor's text that large is not parsed on each keystroke either. */
const MAX_CHECKED_BYTES = 1024 * 1024;

/**
 * The policy as an editor holds it, checked the way this server would load it (its format from the file name,
 * tool names against the tools it has), for the editor to show while the person types.
 */
export function checkPolicyDocument(text: string, file: string): PolicyCheck {
  const size = Buffer.byteLength(text);
  if (size > MAX_CHECKED_BYTES) {
    const problem = policyProblem('tooLarge', { size, max: MAX_CHECKED_BYTES }, { line: 1 });
    return { takesEffect: false, problems: [{ ...problem, range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } } }] };
  }
  return checkPolicyText(text, policyFormatOf(file), TOOL_NAMES);
}
