/**
 * The soak: K MCP clients make N tool calls in all (get_access_token, token_status, dingtalk_api_request to the
 * emulator's echo endpoints) while the emulator cycles faults (500s, 429s, resets, slow answers, revoked
 * tokens). Loopback only, bounded in calls and in time. Used by `npm run soak` (bench/soak.mjs) and, in a
 * short form, by test/integration/soak.test.ts.
 *
 * What it judges: a call that fails while the server serving it held a valid token (unexpired, not revoked)
 * is a failure of ours, unless the failure is an API call hit by an injected API-side fault (then DingTalk
 * failed, and saying so is right). Calls that fail while DingTalk refuses to issue tokens and the old one
 * is gone are counted apart: failing is the right answer then.
 *
 * This module runs it; the parts live in bench/lib/soak/: phases.ts (the fault schedule), clients.ts (the
 * emulator, servers and clients), calls.ts (the calls and their outcomes), tally.ts (judging and counting),
 * leaks.ts (the log check), report.ts (the report and its bounds).
 */
import { callOnce, driveCalls, warmUp } from './soak/calls';
import { APPS, startRig } from './soak/clients';
import { LeakWatch } from './soak/leaks';
import { FaultSchedule, SOAK_PHASES } from './soak/phases';
import { assembleReport, heapAfterGc, type SoakReport } from './soak/report';
import { SoakTally } from './soak/tally';

export { SOAK_PHASES } from './soak/phases';
export type { SoakReport } from './soak/report';

export interface SoakOptions {
  /** Tool calls in all (not counting each client's warm-up call). */
  calls: number;
  /** Concurrent MCP clients. */
  clients: number;
  /** How many of them use the stdio CLI (each its own server process and token cache); the rest share the in-process HTTP server. */
  stdioClients?: number;
  /** The stdio server to spawn; out/src/mcp/cli/main.js when omitted. */
  cliPath?: string;
  /** A fault phase ends after this many completed calls... */
  callsPerPhase?: number;
  /** ...or after this long, whichever comes first. */
  maxPhaseMs?: number;
  /** Hard bound on the whole run; calls not started by then are not made, and the report says so. */
  timeLimitMs?: number;
  /** Allowed heapUsed growth (after GC) before the report calls it a leak. */
  heapGrowthBound?: number;
  progress?: (line: string) => void;
}

/** The options with their defaults filled in and their numbers bounded. */
function settle(options: SoakOptions) {
  const calls = options.calls;
  const clientCount = Math.max(1, options.clients);
  const stdioClients = Math.min(clientCount, Math.max(0, options.stdioClients ?? Math.floor(clientCount / 4)));
  return {
    calls,
    httpClients: clientCount - stdioClients,
    stdioClients,
    cliPath: options.cliPath,
    callsPerPhase: options.callsPerPhase ?? Math.min(250, Math.max(20, Math.floor(calls / (3 * SOAK_PHASES.length)))),
    maxPhaseMs: options.maxPhaseMs ?? 1500,
    timeLimitMs: options.timeLimitMs ?? Math.max(60_000, calls * 10),
    heapGrowthBound: options.heapGrowthBound ?? 16 * 1024 * 1024,
    progress: options.progress ?? (() => undefined),
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const settings = settle(options);
  const handedOut = new Set<string>();
  const leakWatch = new LeakWatch(
    APPS.map((app) => app.appSecret),
    handedOut,
  );
  const rig = await startRig(settings, leakWatch);
  try {
    await warmUp(rig.handles, handedOut);
    rig.emulator.resetStats();
    const heapBefore = heapAfterGc();

    const schedule = new FaultSchedule(
      rig.emulator,
      APPS.map((app) => app.appKey),
      handedOut,
      settings,
    );
    const tally = new SoakTally(schedule);
    schedule.start();
    const started = Date.now();
    await driveCalls(rig.handles, settings.calls, started + settings.timeLimitMs, async (handle, i) => {
      tally.record(await callOnce(handle, i, schedule.current(), handedOut));
      schedule.callCompleted();
      if (tally.completed % 1000 === 0) settings.progress(`${tally.completed}/${settings.calls} calls, phase "${schedule.current()}"`);
    });
    schedule.stop();
    const elapsedMs = Date.now() - started;
    tally.closeOutages(Date.now());
    const heapAfter = heapAfterGc();

    return assembleReport(
      {
        ...settings,
        serverKind: rig.serverKind,
        apps: APPS.length,
        elapsedMs,
        upstreamTokenRequests: rig.emulator.stats().tokenRequests,
        heapBefore,
        heapAfter,
        leaks: leakWatch.leaks,
      },
      tally.result(),
      schedule,
    );
  } finally {
    await rig.close();
  }
}
