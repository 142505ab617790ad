// Figure 7 (shadow, audit file): what the policy's work around each tool call costs when a ten-rule shadow policy
// is judged beside the one in force, and when every audit event is also appended to an audit file. "The call" is
// what the MCP tools do around a tool's run (tools/registry.ts): the shadow's judgement when there is one, the
// policy in force deciding (evaluate, then finish), and the audit event built and recorded.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromOut, pairedPerCall } from './lib/util.mjs';
import { TEN_RULES } from './policy.mjs';

const { PolicyEngine } = fromOut('src/core/policy/engine');
const { ShadowPolicy } = fromOut('src/core/policy/shadow');
const { applyPolicyRead } = fromOut('src/core/policy/apply');
const { MemoryCounterStore } = fromOut('src/core/policy/stores/index');
const { AuditTrail } = fromOut('src/core/audit');
const { AuditFile } = fromOut('src/core/auditFile');
const { auditDigest } = fromOut('src/mcp/tools/argsLimits');

const TOOL = 'dingtalk_api_request';
const ARGS = { method: 'GET', path: '/v1.0/contact/users/me', query: { size: 20 } };
const READ = { kind: 'text', text: JSON.stringify(TEN_RULES), resolvedPath: 'bench.json' };

/** The policy in force and the audit trail of one host; with a shadow (same rules, same counters) and an audit file when asked. */
function host({ shadow = false, auditFile } = {}) {
  const counterStore = new MemoryCounterStore();
  const policy = new PolicyEngine({ counterStore });
  const loaded = applyPolicyRead(policy, READ);
  if (!loaded.ok) throw new Error(loaded.error);
  let shadowPolicy;
  if (shadow) {
    shadowPolicy = new ShadowPolicy('bench shadow', { counterStore });
    const report = shadowPolicy.apply(READ);
    if (!report.ok || !shadowPolicy.isActive()) throw new Error(`the shadow did not load: ${report.error ?? report.outcome}`);
  }
  const audit = new AuditTrail();
  let failure;
  const writer = auditFile && new AuditFile(auditFile, { onWriteFailure: (reason) => (failure ??= reason) });
  if (writer) audit.onDidRecord((event) => writer.append(event));
  return { policy, shadow: shadowPolicy, audit, writer, failure: () => failure };
}

/** Mean ns per sequential call; with an audit file, until every line is on disk (the writes are queued, not awaited by the call). */
async function perCallNs({ policy, shadow, audit, writer, failure }, iterations) {
  const approver = async () => true;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const startedAt = Date.now();
    const call = { tool: TOOL, args: ARGS, sessionId: 's' };
    const judgement = shadow && (await shadow.judge(call));
    const verdict = await policy.evaluate(call, approver);
    if (!verdict.allowed) throw new Error(`denied: ${verdict.reason}`);
    if (judgement && judgement.decision !== 'allow') throw new Error(`the shadow would decide ${judgement.decision}`);
    verdict.finish(true);
    audit.record({
      time: new Date(startedAt).toISOString(),
      tool: TOOL,
      decision: verdict.asked ? 'approve' : 'allow',
      rule: verdict.rule,
      durationMs: Date.now() - startedAt,
      argsSha256: auditDigest(ARGS),
      sessionId: 's',
      shadow: judgement && { decision: judgement.decision, rule: judgement.rule },
    });
  }
  if (writer) await writer.flushed();
  if (failure()) throw new Error(`the audit file could not be written (${failure()})`);
  return Number(process.hrtime.bigint() - start) / iterations;
}

const BLOCK = 500;

/** The call with the shadow or the audit file against the same host without it, per call. */
const pairs = (runs, iterations, withIt, without) =>
  pairedPerCall({ runs, iterations, block: BLOCK, ours: (calls) => perCallNs(withIt, calls), floor: (calls) => perCallNs(without, calls) });

export async function shadowAuditFigure({ runs, iterations = 100_000, auditLines = 20_000 }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
  const file = path.join(dir, 'audit.jsonl');
  try {
    const shadow = await pairs(runs, iterations, host({ shadow: true }), host());
    const auditFile = await pairs(runs, auditLines, host({ auditFile: file }), host());
    const lineBytes = fs.readFileSync(file, 'utf8').split('\n')[0].length + 1;
    return { rules: 10, shadow, auditFile: { ...auditFile, lineBytes } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
