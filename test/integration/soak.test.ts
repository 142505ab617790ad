import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak, SOAK_PHASES } from '../../bench/lib/soakRun';

// The short form of `npm run soak`: the same clients, tools and fault cycle, fewer calls.
test('1,000 tool calls from 4 MCP clients through cycling DingTalk faults: none fails while a valid token exists', { timeout: 180_000 }, async () => {
  const report = await runSoak({ calls: 1000, clients: 4, stdioClients: 1, timeLimitMs: 120_000 });
  const summary = JSON.stringify({ ...report, examples: undefined });

  assert.equal(report.timedOut, false, `only ${report.completed} of ${report.calls} calls were made in time`);
  assert.equal(report.completed, 1000);
  assert.equal(report.failedWithValidToken, 0, `failures while a valid token existed:\n${report.examples.join('\n')}`);
  // token_status never contacts DingTalk, so nothing DingTalk does can fail it.
  assert.equal(report.byTool.token_status?.failed, 0, summary);
  assert.ok(report.upstreamTokenRequests <= report.upstreamBound, `${report.upstreamTokenRequests} upstream token requests, bound ${report.upstreamBound}`);
  assert.ok(report.upstreamTokenRequests < report.calls / 10, `${report.upstreamTokenRequests} upstream token requests for ${report.calls} calls`);
  assert.equal(report.leaks, 0, 'a secret or token reached a log line');
  // The run went through every kind of fault, revocations included, and calls succeeded again afterwards.
  assert.ok(report.phases >= SOAK_PHASES.length, `only ${report.phases} fault phases ran`);
  assert.ok(report.revocations >= 2, summary);
  assert.ok(report.succeeded > 0, summary);
});
