// Figure 7: what a policy with rules costs per tool call: the engine deciding (evaluate, then finish) under
// a ten-rule policy, against the same engine with no rules at all.
import { fromOut, median, pairedPerCall } from './lib/util.mjs';

const { PolicyEngine } = fromOut('src/core/policy/engine');
const { applyPolicyRead } = fromOut('src/core/policy/apply');
const { loadPolicyText } = fromOut('src/core/policy/loader');

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
  const paired = await pairedPerCall({
    runs,
    iterations,
    block: 10_000,
    ours: (calls) => perCall(ruled, calls),
    floor: (calls) => perCall(plain, calls),
  });
  return { rules: 10, ...paired };
}

const { MAX_MATCHED_LENGTH, MAX_STEPS, compileSafeRegex, matchCountingSteps } = fromOut('src/core/policy/regex/matcher');

/**
 * The costliest patterns we could build under the regex bound (each close to MAX_STEPS on the longest
 * argument): many live states at once, each a class test, on an argument that keeps all of them alive.
 */
export const WORST_REGEXES = [
  { pattern: '[^a]{80}c', fill: 'b' },
  { pattern: '(?:[^a]|b){35}c', fill: 'b' },
  { pattern: '(?:b?){80}c', fill: 'b' },
  { pattern: '(?i)(?:[^\u0100-\u0101\u0104-\u0105\u0108-\u0109\u010c-\u010d\u0110-\u0111\u0114-\u0115\u0118-\u0119]{20}){2}Z', fill: 'q' },
];

const decide = async (engine, args) => {
  const verdict = await engine.evaluate({ tool: 'dingtalk_api_request', args, sessionId: 's' }, async () => true);
  if (verdict.allowed) verdict.finish(true);
};

/** Time per decision of a rule whose regex is the worst under the bound, on a 65,536-character argument. */
export async function worstRegexFigure({ runs, decisions = 5 }) {
  const measured = WORST_REGEXES.map(({ pattern, fill }) => {
    const engine = new PolicyEngine();
    const policy = {
      version: '1',
      tools: { dingtalk_api_request: { rules: [{ name: 'worst', conditions: [{ path: 'args.text', op: 'regex', value: pattern }] }] } },
    };
    const loaded = applyPolicyRead(engine, { kind: 'text', text: JSON.stringify(policy), resolvedPath: 'bench.json' });
    if (!loaded.ok) throw new Error(loaded.error);
    const text = fill.repeat(MAX_MATCHED_LENGTH);
    return { pattern, engine, text, maxSteps: compileSafeRegex(pattern).maxSteps, steps: matchCountingSteps(pattern, text).steps };
  });
  const perPattern = [];
  for (const { pattern, engine, text, maxSteps, steps } of measured) {
    await decide(engine, { text });
    const times = [];
    const cpu = [];
    for (let run = 0; run < runs; run++) {
      const start = process.hrtime.bigint();
      const startCpu = process.cpuUsage();
      for (let i = 0; i < decisions; i++) await decide(engine, { text });
      times.push(Number(process.hrtime.bigint() - start) / 1e6 / decisions);
      // CPU time as well: on a shared, busy machine the wall clock also counts time spent waiting for a core.
      cpu.push(process.cpuUsage(startCpu).user / 1000 / decisions);
    }
    perPattern.push({ pattern, maxSteps, steps, ms: median(times), cpuMs: median(cpu), runs: times });
  }
  const worst = perPattern.reduce((a, b) => (b.ms > a.ms ? b : a));
  return { length: MAX_MATCHED_LENGTH, maxStepsAllowed: MAX_STEPS, worst, patterns: perPattern };
}

/** A policy of `bytes` (about) with one rule per tool, as YAML and as the same value in JSON. */
function bigPolicy(bytes) {
  const tools = {};
  let yaml = 'version: "1"\ntools:\n';
  for (let i = 0; yaml.length < bytes - 100; i++) {
    tools[`tool_${i}`] = { rules: [{ name: `limit ${i}`, rate_limit: '5/hour' }] };
    yaml += `  tool_${i}:\n    rules:\n      - name: "limit ${i}"\n        rate_limit: "5/hour"\n`;
  }
  return { yaml, json: JSON.stringify({ version: '1', tools }), tools: Object.keys(tools).length };
}

/** Parsing and compiling the policy text, as loading a policy file does. */
function loadMs(text, format) {
  const start = process.hrtime.bigint();
  const loaded = loadPolicyText(text, { format });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (loaded.kind !== 'loaded') throw new Error(loaded.error);
  return ms;
}

/** Loading a 1 MB YAML policy (the size cap) against the same policy as JSON, and against a quarter of it (linear: about 4×). */
export async function yamlLoadFigure({ runs }) {
  const full = bigPolicy(1024 * 1024 - 1);
  const quarter = bigPolicy(256 * 1024);
  loadMs(quarter.yaml, 'yaml');
  loadMs(quarter.json, 'json');
  const yamlMs = [];
  const jsonMs = [];
  const ratios = [];
  const scaling = [];
  for (let run = 0; run < runs; run++) {
    const y = loadMs(full.yaml, 'yaml');
    const j = loadMs(full.json, 'json');
    const q = loadMs(quarter.yaml, 'yaml');
    yamlMs.push(y);
    jsonMs.push(j);
    ratios.push(y / j);
    scaling.push(y / q);
  }
  return {
    yamlBytes: Buffer.byteLength(full.yaml),
    jsonBytes: Buffer.byteLength(full.json),
    tools: full.tools,
    yamlMs: median(yamlMs),
    jsonMs: median(jsonMs),
    ratio: median(ratios),
    quadrupleRatio: median(scaling),
    runs: { yamlMs, jsonMs, ratios, scaling },
  };
}
