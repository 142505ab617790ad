import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod/v4';
import { resolveApp } from '../../core/apps';
import { DingTalkError } from '../../core/dingtalk';
import type { Verdict } from '../../core/policy';
import type { AuditEvent } from '../../core/audit';
import { argumentsProblem, auditDigest } from './argsLimits';
import type { ToolContext } from './context';
import { INSTRUCTIONS, TOOL_NAMES, TOOLS, type ToolDefinition, type ToolName } from './definitions';
import { denialWithRetry, describeError, errorResult } from './errors';
import { ENGLISH_SERVER_LINES } from '../serverLines';
import { SERVER_VERSION } from '../version';

/**
 * The MCP server's tools put to work: registered unless the policy hides them, each call decided by the
 * policy, run, and audited. What the tools are is toolDefinitions.ts'; how failures read, toolErrors.ts'.
 */

export const SERVER_INFO = { name: 'dingtalk-token', version: SERVER_VERSION };

export interface DingTalkTools {
  /** Re-applies the policy's `hide` list (after a reload): hidden tools are unregistered, others registered. */
  sync(): void;
}

/** Registers the tools the policy does not hide; every call goes through the policy and leaves one audit event. */
export function registerDingTalkTools(server: McpServer, context: ToolContext, sessionId: string): DingTalkTools {
  const registered = new Map<ToolName, RegisteredTool>();
  const sync = () => {
    for (const name of TOOL_NAMES) {
      const hidden = context.policy.isHidden(name);
      const tool = registered.get(name);
      if (hidden && tool) {
        tool.remove();
        registered.delete(name);
      } else if (!hidden && !tool) {
        registered.set(name, register(server, context, sessionId, name));
      }
    }
  };
  sync();
  return { sync };
}

/** One McpServer with the tools, for one session (the CLI has one; the HTTP server one per session). */
export function createDingTalkMcpServer(context: ToolContext, sessionId: string): { server: McpServer; tools: DingTalkTools } {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  return { server, tools: registerDingTalkTools(server, context, sessionId) };
}

function register(server: McpServer, context: ToolContext, sessionId: string, name: ToolName): RegisteredTool {
  const definition = TOOLS[name] as ToolDefinition<z.ZodRawShape, z.ZodRawShape>;
  return server.registerTool(
    name,
    {
      title: definition.title,
      description: definition.description,
      inputSchema: definition.input,
      outputSchema: definition.output,
      annotations: definition.annotations,
    },
    (args: Record<string, unknown>) => invoke(context, sessionId, name, definition, args),
  );
}

/** Policy first, then the handler; `finish` tells the policy whether the call used its quota; one audit event either way. */
async function invoke(
  context: ToolContext,
  sessionId: string,
  name: ToolName,
  definition: ToolDefinition<z.ZodRawShape, z.ZodRawShape>,
  given: Record<string, unknown>,
): Promise<CallToolResult> {
  const now = () => context.clock?.now() ?? Date.now();
  const startedAt = now();
  // The call as it will be made (canonical once checked): what the policy, the person and the audit see.
  let args = given;
  let shadow: AuditEvent['shadow'];
  const audit = (decision: AuditEvent['decision'], rule: string, retryAfterSeconds?: number) =>
    record(context, {
      time: new Date(startedAt).toISOString(),
      tool: name,
      app: auditApp(context, name, args),
      decision,
      rule,
      durationMs: now() - startedAt,
      argsSha256: auditDigest(args),
      sessionId,
      retryAfterSeconds,
      shadow,
    });

  // Before anything else walks the arguments: too deep or too large is refused, and audited.
  const refusal = argumentsProblem(given);
  if (refusal) {
    audit('deny', 'arguments-limit');
    return errorResult(refusal);
  }
  // Rules decide on what is sent: the app by its appKey, the request's path and query in their one spelling.
  try {
    args = definition.canonical?.(given, context) ?? given;
  } catch (error) {
    audit('error', 'request-refused');
    return errorResult(describeError(error, context));
  }

  // Judged first, on the counts the policy in force is about to decide on; it reserves nothing and asks no one.
  shadow = await judgeShadow(context, { tool: name, args, sessionId });
  let verdict: Verdict;
  try {
    verdict = await context.policy.evaluate({ tool: name, args, sessionId }, context.approver);
  } catch (error) {
    // Fail closed: a policy that cannot decide allows nothing.
    verdict = { allowed: false, rule: 'policy-error', reason: `the policy could not be evaluated (${(error as Error).message})`, asked: false };
  }
  if (!verdict.allowed) {
    audit('deny', verdict.rule, verdict.retryAfterSeconds);
    return errorResult(denialWithRetry(verdict));
  }
  let succeeded = false;
  // A call that may have reached DingTalk (a message sent, the answer lost) counts against its limits like a served one.
  let usedQuota = false;
  try {
    const structured = await definition.run(args, context, now());
    succeeded = usedQuota = true;
    return { structuredContent: structured, content: [{ type: 'text', text: JSON.stringify(structured) }] };
  } catch (error) {
    usedQuota = error instanceof DingTalkError && error.mayHaveTakenEffect === true;
    return errorResult(describeError(error, context));
  } finally {
    verdict.finish(usedQuota);
    audit(succeeded ? (verdict.asked ? 'approve' : 'allow') : 'error', verdict.rule);
  }
}

/** What the shadow policy would decide, for the audit; a shadow that fails to judge is left out, never in the way. */
async function judgeShadow(context: ToolContext, call: { tool: string; args: Record<string, unknown>; sessionId: string }): Promise<AuditEvent['shadow']> {
  try {
    const judgement = await context.shadow?.judge(call);
    return judgement && { decision: judgement.decision, rule: judgement.rule };
  } catch {
    return undefined;
  }
}

function record(context: ToolContext, event: AuditEvent): void {
  try {
    context.audit.record(event);
    // The event holds a digest of the arguments, never their values; the log sink redacts anyway.
    context.log((context.lines ?? ENGLISH_SERVER_LINES).toolCall(event));
  } catch {
    // Auditing must never turn a served call into a failure.
  }
}

/** The appKey a call is about (as given when it names no configured app); none for list_apps. */
function auditApp(context: ToolContext, name: ToolName, args: Record<string, unknown>): string | undefined {
  if (name === 'list_apps' || name === 'list_robots' || name === 'send_robot_message') return undefined;
  const app = typeof args.app === 'string' ? args.app : undefined;
  try {
    return resolveApp(context.apps, app).appKey;
  } catch {
    return app;
  }
}
