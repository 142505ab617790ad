// Figure 7: what a policy with rules costs per tool call: the engine deciding (evaluate, then finish) under
// a ten-rule policy, against the same engine with no rules at all.
import { fromOut, median } from './lib/util.mjs';

const { PolicyEngine } = fromOut('src/core/policy/engine');
const { applyPolicyRead } = fromOut('src/core/policy/apply');

/** Ten rules of every kind a person would write for dingtalk_api_request: conditions, a regex, counters, "*". */
export const TEN_RULES = {
  version: '1',
  tools: {
    dingtalk_api_request: {
      rules: [
        { name: 'known methods', conditions: [{ path: 'args.method', op: 'in', value: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }] },
        { name: 'no deletes', conditions: [{ path: 'args.method', op: 'neq', value: 'DELETE' }] },
        { name: 'new API or oapi', conditions: [{ path: 'args.path', op: 'regex', value: '^/(v1\\.0|v2\\.0|topapi)/' }] },
        {
          name: 'contacts only',
          conditions: [
            { path: 'args.path', op: 'contains', value: '/contact/' },
            { path: 'args.path', op: 'exists', value: true },
          ],
        },
        { name: 'active app only', conditions: [{ path: 'args.app', op: 'exists', value: false }] },
        { name: 'small pages', conditions: [{ path: 'args.query.size', op: 'lte', value: 100 }] },
        { name: 'writes need a person', action: 'approve', conditions: [{ path: 'args.method', op: 'neq', value: 'GET' }] },
        { name: 'hourly', rate_limit: '100000000/hour' },
      ],
    },
    '*': {
      rules: [
        { name: 'global', rate_limit: '100000000/minute' },
        { name: 'daily units', conditions: [{ path: 'state._global.units', op: 'lte', value: 1e12 }], state: { counter: 'units', window: 'day' } },
      ],
    },
  },
};

const ARGS = { method: 'GET', path: '/v1.0/contact/users/me', query: { size: 20 } };

async function perCall(engine, iterations) {
  const approver = async () => true;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const verdict = await engine.evaluate({ tool: 'dingtalk_api_request', args: ARGS, sessionId: 's' }, approver);
    if (!verdict.allowed) throw new Error(`denied: ${verdict.reason}`);
    verdict.finish(true);
  }
  return Number(process.hrtime.bigint() - start) / iterations;
}

export async function policyFigure({ runs, iterations = 200_000 }) {
  const ruled = new PolicyEngine();
  const plain = new PolicyEngine();
  for (const [engine, policy] of [
    [ruled, TEN_RULES],
    [plain, { version: '1' }],
  ]) {
    const loaded = applyPolicyRead(engine, { kind: 'text', text: JSON.stringify(policy), resolvedPath: 'bench.json' });
    if (!loaded.ok) throw new Error(loaded.error);
  }
  await perCall(ruled, iterations / 10);
  await perCall(plain, iterations / 10);
  const ours = [];
  const floor = [];
  const ratios = [];
  for (let run = 0; run < runs; run++) {
    const a = await perCall(ruled, iterations);
    const b = await perCall(plain, iterations);
    ours.push(a);
    floor.push(b);
    ratios.push(a / b);
  }
  return { rules: 10, iterations, oursNs: median(ours), floorNs: median(floor), ratio: median(ratios), runs: { ours, floor, ratios } };
}
