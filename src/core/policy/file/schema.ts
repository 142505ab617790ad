import { z } from 'zod/v4';
import { counterReferenceProblems, issueMessage, must, ruleSchema, validateRules, type RuleFile } from '../ruleSchema';

/**
 * The shape of a PolicyLayer/Intercept-compatible policy file (version "1"), as zod checks it. Each issue's
 * message carries a problem code and its parameters (policyProblems.ts); policyParse.ts adds the path and words it.
 */

const toolName = z.string({ error: must('toolName') }).min(1, { error: must('nonEmptyToolName') });

const limitSchema = z.strictObject(
  {
    counter: z.string({ error: must('counterName') }).min(1, { error: must('nonEmptyCounterName') }),
    window: z.enum(['minute', 'hour', 'day'], { error: must('window') }),
    max: z
      .number({ error: must('wholeNumber') })
      .int({ error: must('wholeNumber') })
      .min(1, { error: must('wholeNumber') }),
    // Intercept's counters are global to the proxy; "grant" is the same thing, so it is the default.
    scope: z.enum(['grant', 'session'], { error: must('scope') }).optional(),
  },
  { error: must('limit') },
);

const limitsSchema = z.array(limitSchema, { error: must('limitList') }).superRefine((limits, ctx) => {
  // Two limits on one counter/window/scope would share (and double-count) one counter.
  const seen = new Map<string, number>();
  limits.forEach((limit, index) => {
    const key = JSON.stringify([limit.counter, limit.window, limit.scope ?? 'grant']);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: issueMessage('repeatedLimit', { counter: limit.counter, window: limit.window, scope: limit.scope ?? 'grant', first }),
      });
  });
});

const toolSchema = z
  .strictObject(
    {
      action: z.enum(['deny', 'approve'], { error: must('toolAction') }).optional(),
      reason: z.string({ error: must('string') }).optional(),
      limits: limitsSchema.optional(),
      rules: z.array(ruleSchema, { error: must('ruleList') }).optional(),
    },
    { error: must('tool') },
  )
  .superRefine((tool, ctx) => {
    if (tool.reason !== undefined && tool.action !== 'deny') ctx.addIssue({ code: 'custom', path: ['reason'], message: issueMessage('reasonWithoutDeny') });
    if (tool.limits !== undefined && tool.action === 'deny') ctx.addIssue({ code: 'custom', path: ['limits'], message: issueMessage('withDeny') });
    if (tool.rules !== undefined && tool.action === 'deny') ctx.addIssue({ code: 'custom', path: ['rules'], message: issueMessage('withDeny') });
    // Checked per tool, so one tool's mistakes are reported even while another part of the file has its own.
    for (const problem of validateRules(tool.rules ?? []))
      ctx.addIssue({ code: 'custom', path: problem.path, message: issueMessage(problem.code, problem.params) });
  });

export const policySchema = z
  .strictObject(
    {
      version: z.literal('1', { error: must('version') }),
      description: z.string({ error: must('string') }).optional(),
      default: z.enum(['allow', 'deny'], { error: must('defaultAction') }).optional(),
      hide: z
        .union([z.literal('*'), z.array(toolName)], { error: must('hide') })
        .optional()
        .superRefine((hide, ctx) => {
          if (!Array.isArray(hide)) return;
          hide.forEach((name, index) => {
            if (hide.indexOf(name) !== index) ctx.addIssue({ code: 'custom', path: [index], message: issueMessage('repeatedHide', { name }) });
          });
        }),
      tools: z.record(toolName, toolSchema, { error: must('tools') }).optional(),
      all_tools: z.strictObject({ limits: limitsSchema.optional() }, { error: must('allTools') }).optional(),
    },
    { error: must('policy') },
  )
  .superRefine((file, ctx) => {
    const tools = file.tools ?? {};
    const rulesOf = (name: string): RuleFile[] | undefined => (Object.hasOwn(tools, name) ? tools[name]?.rules : undefined);
    for (const [name, tool] of Object.entries(tools)) {
      if (name === '*') {
        // "*" holds rules for every tool; a tool-wide deny, approve or limits there would be all_tools' job.
        for (const key of ['action', 'reason', 'limits'] as const) {
          if (tool[key] !== undefined) ctx.addIssue({ code: 'custom', path: ['tools', name, key], message: issueMessage('notUnderStar') });
        }
      }
      for (const problem of counterReferenceProblems(name, tool.rules ?? [], rulesOf))
        ctx.addIssue({ code: 'custom', path: problem.path, message: issueMessage(problem.code, problem.params) });
    }
  });

export type PolicyFile = z.infer<typeof policySchema>;
export type LimitFile = z.infer<typeof limitSchema>;
