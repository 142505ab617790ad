import { z } from 'zod/v4';
import { counterReferenceProblems, must, ruleSchema, validateRules, type RuleFile } from './policyRuleSchema';

/**
 * The shape of a PolicyLayer/Intercept-compatible policy file (version "1"), as zod checks it. Messages
 * read "<json path> must be …"; policyParse.ts adds the path when it words the issues.
 */

const toolName = z.string({ error: must('a tool name') }).min(1, { error: must('a non-empty tool name') });

export const limitSchema = z.strictObject({
  counter: z.string({ error: must('a counter name') }).min(1, { error: must('a non-empty counter name') }),
  window: z.enum(['minute', 'hour', 'day'], { error: must('"minute", "hour" or "day"') }),
  max: z.number({ error: must('a whole number of at least 1') })
    .int({ error: must('a whole number of at least 1') })
    .min(1, { error: must('a whole number of at least 1') }),
  // Intercept's counters are global to the proxy; "grant" is the same thing, so it is the default.
  scope: z.enum(['grant', 'session'], { error: must('"grant" or "session"') }).optional(),
}, { error: must('an object like {"counter": "calls", "window": "minute", "max": 10, "scope": "grant"}') });

const limitsSchema = z.array(limitSchema, { error: must('a list of limits') }).superRefine((limits, ctx) => {
  // Two limits on one counter/window/scope would share (and double-count) one counter.
  const seen = new Map<string, number>();
  limits.forEach((limit, index) => {
    const key = JSON.stringify([limit.counter, limit.window, limit.scope ?? 'grant']);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else ctx.addIssue({ code: 'custom', path: [index], message: `repeats the counter "${limit.counter}" (${limit.window}, ${limit.scope ?? 'grant'}) of limits[${first}]; give it another counter name` });
  });
});

const toolSchema = z.strictObject({
  action: z.enum(['deny', 'approve'], { error: must('"deny" or "approve" (leave it out to allow)') }).optional(),
  reason: z.string({ error: must('a string') }).optional(),
  limits: limitsSchema.optional(),
  rules: z.array(ruleSchema, { error: must('a list of rules') }).optional(),
}, { error: must('an object ({} allows the tool)') }).superRefine((tool, ctx) => {
  if (tool.reason !== undefined && tool.action !== 'deny') ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is only used with "action": "deny"' });
  if (tool.limits !== undefined && tool.action === 'deny') ctx.addIssue({ code: 'custom', path: ['limits'], message: 'cannot be combined with "action": "deny"' });
  if (tool.rules !== undefined && tool.action === 'deny') ctx.addIssue({ code: 'custom', path: ['rules'], message: 'cannot be combined with "action": "deny"' });
  // Checked per tool, so one tool's mistakes are reported even while another part of the file has its own.
  for (const problem of validateRules(tool.rules ?? [])) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, params: RULE_PROBLEM });
});

/** Rule problems read as Intercept's: "tools.x.rules[0]: deny rules must not have conditions". */
const RULE_PROBLEM = { rule: true };

export const policySchema = z.strictObject({
  version: z.literal('1', { error: must('"1"') }),
  description: z.string({ error: must('a string') }).optional(),
  default: z.enum(['allow', 'deny'], { error: must('"allow" or "deny"') }).optional(),
  hide: z.union([z.literal('*'), z.array(toolName)], { error: must('a list of tool names or "*"') }).optional()
    .superRefine((hide, ctx) => {
      if (!Array.isArray(hide)) return;
      hide.forEach((name, index) => {
        if (hide.indexOf(name) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `repeats "${name}"` });
      });
    }),
  tools: z.record(toolName, toolSchema, { error: must('an object mapping tool names to rules') }).optional(),
  all_tools: z.strictObject({ limits: limitsSchema.optional() }, { error: must('an object like {"limits": [...]}') }).optional(),
}, { error: must('a JSON object') }).superRefine((file, ctx) => {
  const tools = file.tools ?? {};
  const rulesOf = (name: string): RuleFile[] | undefined => (Object.hasOwn(tools, name) ? tools[name]!.rules : undefined);
  for (const [name, tool] of Object.entries(tools)) {
    if (name === '*') {
      // "*" holds rules for every tool; a tool-wide deny, approve or limits there would be all_tools' job.
      for (const key of ['action', 'reason', 'limits'] as const) {
        if (tool[key] !== undefined) ctx.addIssue({ code: 'custom', path: ['tools', name, key], message: 'is not allowed under "*", which holds only rules (limits for every tool go in all_tools)' });
      }
    }
    for (const problem of counterReferenceProblems(name, tool.rules ?? [], rulesOf)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, params: RULE_PROBLEM });
  }
});

export type PolicyFile = z.infer<typeof policySchema>;
export type LimitFile = z.infer<typeof limitSchema>;
