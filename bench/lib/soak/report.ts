/**
 * The soak's report: its shape (test-results/soak.json, rendered into docs/benchmarks.md by bench/lib/report.mjs),
 * the bound on upstream token requests it is judged against, the heap figure, and its assembly from the run.
 */
import type { FaultSchedule } from './phases';
import type { SoakFigures } from './tally';

export interface SoakReport extends SoakFigures {
  date: string;
  calls: number;
  clients: number;
  transports: string;
  elapsedMs: number;
  timedOut: boolean;
  upstreamTokenRequests: number;
  upstreamBound: number;
  revocations: number;
  phases: number;
  phaseKinds: string[];
  heapBefore?: number;
  heapAfter?: number;
  heapGrowthBound: number;
  /** Log lines (server log or stdio stderr) that contained a secret or a token. */
  leaks: number;
}

/** heapUsed after two full GCs; undefined when node runs without --expose-gc. */
export function heapAfterGc(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Token requests the run may make: per token cache and app, the first fetch, one per revocation, one per second
 * of failures (backoff is at least 1 s, Retry-After included), one per minute of success (the minimum interval).
 */
function upstreamBound(tokenCaches: number, apps: number, revocations: number, elapsedMs: number): number {
  return tokenCaches * apps * (2 + revocations + Math.ceil(elapsedMs / 1000) + Math.ceil(elapsedMs / 60_000));
}

export interface RunFacts {
  calls: number;
  httpClients: number;
  stdioClients: number;
  serverKind: string;
  apps: number;
  elapsedMs: number;
  upstreamTokenRequests: number;
  heapBefore: number | undefined;
  heapAfter: number | undefined;
  heapGrowthBound: number;
  leaks: number;
}

export function assembleReport(run: RunFacts, figures: SoakFigures, schedule: FaultSchedule): SoakReport {
  const tokenCaches = (run.httpClients > 0 ? 1 : 0) + run.stdioClients;
  const f = figures;
  return {
    date: new Date().toISOString(),
    calls: run.calls,
    completed: f.completed,
    clients: run.httpClients + run.stdioClients,
    transports: `${run.httpClients} over in-process Streamable HTTP (${run.serverKind}), ${run.stdioClients} over stdio`,
    elapsedMs: run.elapsedMs,
    timedOut: f.completed < run.calls,
    succeeded: f.succeeded,
    failedWithValidToken: f.failedWithValidToken,
    failedWithoutValidToken: f.failedWithoutValidToken,
    failedByApiFault: f.failedByApiFault,
    byTool: f.byTool,
    byPhase: f.byPhase,
    longestTokenOutageMs: f.longestTokenOutageMs,
    longestAnnouncedBackoffSeconds: f.longestAnnouncedBackoffSeconds,
    noTokenReasons: f.noTokenReasons,
    apiStatuses: f.apiStatuses,
    upstreamTokenRequests: run.upstreamTokenRequests,
    upstreamBound: upstreamBound(tokenCaches, run.apps, schedule.revocations, run.elapsedMs),
    revocations: schedule.revocations,
    phases: schedule.phases,
    phaseKinds: schedule.phaseKinds,
    heapBefore: run.heapBefore,
    heapAfter: run.heapAfter,
    heapGrowthBound: run.heapGrowthBound,
    leaks: run.leaks,
    examples: f.examples,
  };
}
