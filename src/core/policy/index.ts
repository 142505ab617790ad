export { approvalText, ENGLISH_APPROVAL_WORDS, MAX_APPROVAL_TEXT_CHARS } from './approvalText';
export { checkPolicyText, type LocatedProblem, type PolicyCheck, type TextRange } from './check';
export {
  CounterStoreUnavailable,
  counterFilePath,
  counterStoreFrom,
  defaultStateDir,
  FileCounterStore,
  MemoryCounterStore,
  RedisCounterStore,
  type CounterStore,
  type StoreCharge,
  type StoreState,
} from './stores';
export { DEFAULT_POLICY, DEFAULT_REFRESH_LIMIT, DEFAULT_REFRESHES_PER_MINUTE } from './defaults';
export { applyPolicyRead, type PolicyReport, useDefaults } from './apply';
export { type Approver, denialText, type Judgement, PolicyEngine, type Verdict } from './engine';
export { ShadowPolicy } from './shadow';
export { type PolicyStatus } from './inForce';
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
