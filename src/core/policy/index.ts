export { approvalText, ENGLISH_APPROVAL_WORDS, MAX_APPROVAL_TEXT_CHARS } from './approvalText';
export { type CounterStore } from './counters';
export { DEFAULT_POLICY, DEFAULT_REFRESH_LIMIT, DEFAULT_REFRESHES_PER_MINUTE } from './defaults';
export { type Approver, denialText, PolicyEngine, type PolicyReport, type PolicyStatus, type Verdict } from './engine';
export { readPolicyFile, type PolicyFileRead } from './file/read';
export { PolicyFileWatcher, type PolicyWatchOptions } from './file/watch';
export {
  type MustBe,
  type PolicyFailure,
  policyProblem,
  type PolicyProblem,
  type PolicyProblemCode,
  type ProblemParams,
  type RegexProblemCode,
  SUMMARIZED_PROBLEMS,
} from './problems';
export { casesFormatOf, parseCases, type PolicyCase } from './cases/cases';
export { engineDeciders } from './cases/decider';
export { formatCaseResults, runPolicyCases, type CaseResult } from './cases/run';
export { policyFormatOf } from './file/parse';
