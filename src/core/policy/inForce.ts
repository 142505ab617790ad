import { compile, type CompiledPolicy } from './compile';
import { DEFAULT_POLICY } from './defaults';
import type { PolicyFailure } from './problems';

/** What decides calls: one of three, never a mix; the engine holds exactly one (engine.ts). */

/** Why a file cannot be used: it cannot be read, or what it says is invalid. */
export interface PolicyTrouble {
  outcome: 'unreadable' | 'invalid';
  error: string;
  /** The error as problems, for wording in the person's language. */
  failure: PolicyFailure;
}

export type PolicyInForce =
  /** No policy file: the built-in defaults (defaults.ts). */
  | { kind: 'defaults'; policy: CompiledPolicy }
  /** The rules of a policy file; `resolvedPath` when the file is a symlink to another. */
  | { kind: 'file'; policy: CompiledPolicy; resolvedPath?: string }
  /** Every call denied: a file that may have restricted calls could not be used, and no good one came before it. */
  | { kind: 'deny-all'; trouble: PolicyTrouble };

/** Everything the engine holds, replaced whole so a call never sees half of a change. */
export interface PolicyState {
  /** Names the policy file in messages. */
  source: string;
  inForce: PolicyInForce;
  /**
   * What is wrong with the file while something else stays in force (the last good policy, or deny-all):
   * it cannot be read, is invalid, or no longer exists.
   */
  problem?: { error: string; failure: PolicyFailure };
  /** How many policies have been put in force; approvals name it. */
  version: number;
}

export const defaultsInForce = (): PolicyInForce => ({ kind: 'defaults', policy: compile(DEFAULT_POLICY) });

export function initialState(source: string): PolicyState {
  return { source, inForce: defaultsInForce(), version: 0 };
}

export interface PolicyStatus {
  source: string;
  /** What decides calls now: the file's rules, the built-in defaults (no file), or nothing (every call denied). */
  inForce: 'file' | 'defaults' | 'none';
  /** The file the source resolved to when it was loaded, when that differs (a symlink). */
  resolvedPath?: string;
  usingDefault: boolean;
  valid: boolean;
  error?: string;
  /** The error as problems, for wording in the person's language. */
  failure?: PolicyFailure;
  policyVersion: number;
}

export function statusOf(state: PolicyState): PolicyStatus {
  const { inForce } = state;
  const problem = inForce.kind === 'deny-all' ? (state.problem ?? inForce.trouble) : state.problem;
  return {
    source: state.source,
    inForce: inForce.kind === 'deny-all' ? 'none' : inForce.kind,
    ...(inForce.kind === 'file' && inForce.resolvedPath !== undefined ? { resolvedPath: inForce.resolvedPath } : {}),
    usingDefault: inForce.kind === 'defaults',
    valid: problem === undefined,
    ...(problem !== undefined ? { error: problem.error, failure: problem.failure } : {}),
    policyVersion: state.version,
  };
}
