import { DEFAULT_REFRESHES_PER_MINUTE } from './defaults';
import type { PolicyEngine } from './engine';
import type { PolicyFileRead } from './file/read';
import { defaultsInForce, type PolicyState } from './inForce';
import { loadPolicyFile, policyFormatOf, type PolicyLoad } from './loader';
import { failureOf, policyProblem, type PolicyFailure, type PolicyProblem } from './problems';

/**
 * What a change of the policy file does to the policy in force, and the report on it. The rules, all of
 * them failing closed:
 * - a good file goes into force;
 * - a file that cannot be read or is invalid keeps the last good file's policy, or denies every call when
 *   there was none (the defaults are no fallback: a broken file was surely meant to restrict);
 * - a file that disappears keeps whatever was in force (deleting a policy must not loosen it: an agent's
 *   own tools can reach a file in the workspace); only the person returns to the defaults (useDefaults),
 *   or a restart with no file. No file from the start, or at a newly configured path, means the defaults.
 */

/** What applying a policy file did: `level` error means every call is now denied; warn, a problem while a policy stays. */
export type PolicyReport =
  | {
      ok: true;
      level: 'info' | 'warn';
      /** No file (the defaults apply), or the file loaded. */
      outcome: 'missing' | 'loaded';
      /** The file the source resolved to, when that differs (a symlink). */
      resolvedPath?: string;
      message: string;
      /** Entries naming tools the server does not have. */ unknownTools: string[];
      problems: PolicyProblem[];
    }
  | {
      ok: false;
      level: 'warn' | 'error';
      /** `vanished`: the file is gone and what was in force stays (until the person chooses, or a restart). */
      outcome: 'unreadable' | 'invalid' | 'vanished';
      message: string;
      error: string;
      /** The error as problems, for wording in the person's language. */ failure: PolicyFailure;
      denyingAll: boolean;
      problems: PolicyProblem[];
    };

export interface ApplyOptions {
  /** Names the file, when it changed (another setting, another workspace folder). */
  source?: string;
  knownTools?: readonly string[];
}

/** Loads what reading the policy file gave, puts the outcome in force and says what is now in force, in one line for the log. */
export function applyPolicyRead(engine: PolicyEngine, read: PolicyFileRead, options: ApplyOptions = {}): PolicyReport {
  const current = engine.current();
  const source = options.source ?? current.source;
  const load = loadPolicyFile(read, { format: policyFormatOf(source), knownTools: options.knownTools });
  const { next, report } = afterLoad(current, load, source);
  engine.set(next);
  return report;
}

/** The person chose the built-in defaults (after the file disappeared): they go into force. */
export function useDefaults(engine: PolicyEngine): PolicyReport {
  const current = engine.current();
  engine.set({ source: current.source, inForce: defaultsInForce(), version: current.version + 1 });
  return defaultsReport(current.source);
}

function afterLoad(current: PolicyState, load: PolicyLoad, source: string): { next: PolicyState; report: PolicyReport } {
  const { inForce } = current;
  if (load.kind === 'loaded') {
    const resolvedPath = load.resolvedPath !== undefined && load.resolvedPath !== source ? load.resolvedPath : undefined;
    const next: PolicyState = { source, inForce: { kind: 'file', policy: load.policy, resolvedPath }, version: current.version + 1 };
    return { next, report: loadedReport(source, resolvedPath, load.unknownTools, load.problems) };
  }
  if (load.kind === 'missing') {
    if (inForce.kind === 'defaults' || source !== current.source) {
      return { next: { source, inForce: defaultsInForce(), version: current.version + 1 }, report: defaultsReport(source) };
    }
    const problem = policyProblem('vanished');
    const failure = failureOf(problem);
    const error = problem.message;
    const denyingAll = inForce.kind === 'deny-all';
    const then = denyingAll ? 'every tool call stays denied' : 'the policy it held stays in force';
    return {
      next: { ...current, problem: { error, failure } },
      report: {
        ok: false,
        level: 'warn',
        outcome: 'vanished',
        error,
        failure,
        denyingAll,
        problems: [],
        message: `MCP policy ${source} no longer exists; ${then} until the server restarts.`,
      },
    };
  }
  const problem = `MCP policy ${source} ${load.kind === 'unreadable' ? 'cannot be read' : 'is invalid'}: ${load.error}.`;
  const common = { ok: false as const, outcome: load.kind, error: load.error, failure: load.failure, problems: load.problems };
  if (inForce.kind === 'file') {
    return {
      next: { ...current, source, problem: { error: load.error, failure: load.failure } },
      report: { ...common, level: 'warn', denyingAll: false, message: `${problem} The last good policy stays in force.` },
    };
  }
  // Fail closed: with no good file to fall back on, no call may pass.
  const trouble = { outcome: load.kind, error: load.error, failure: load.failure };
  return {
    next: { source, inForce: { kind: 'deny-all', trouble }, problem: { error: load.error, failure: load.failure }, version: current.version },
    report: { ...common, level: 'error', denyingAll: true, message: `${problem} Every tool call is denied until it is fixed.` },
  };
}

function defaultsReport(source: string): PolicyReport {
  return {
    ok: true,
    level: 'info',
    outcome: 'missing',
    unknownTools: [],
    problems: [],
    message: `MCP policy ${source} does not exist; the built-in defaults apply (every tool allowed, refresh_access_token at most ${DEFAULT_REFRESHES_PER_MINUTE} times a minute).`,
  };
}

function loadedReport(source: string, resolvedPath: string | undefined, unknownTools: string[], problems: PolicyProblem[]): PolicyReport {
  const loaded = `MCP policy ${source}${resolvedPath ? ` (the file it resolves to: ${resolvedPath})` : ''} loaded and in force.`;
  if (unknownTools.length === 0) return { ok: true, level: 'info', outcome: 'loaded', resolvedPath, unknownTools, problems, message: loaded };
  return {
    ok: true,
    level: 'warn',
    outcome: 'loaded',
    resolvedPath,
    unknownTools,
    problems,
    message: `${loaded} These entries name no tool of this server and change nothing: ${unknownTools.join('; ')}.`,
  };
}
