import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod/v4';
import { API_METHODS, ApiRequestRefused, dingtalkApiRequest } from '../core/apiRequest';
import { AppNotFoundError, resolveApp, type AppDirectory } from '../core/apps';
import type { Clock } from '../core/clock';
import type { DingTalkEndpoints } from '../core/dingtalk';
import { DingTalkError } from '../core/errors';
import { denialText, type Approver, type PolicyEngine, type Verdict } from '../core/policy';
import type { AuditEvent, AuditTrail } from '../core/audit';
import { redact } from '../core/redact';
import { argumentsProblem, auditDigest } from './argsLimits';
import { DEFAULT_REFRESHES_PER_MINUTE } from '../core/defaultPolicy';
import { MAX_TOKEN_REQUESTS_PER_MINUTE, type RefreshBlock, type TokenManager } from '../core/tokens';
import { SERVER_VERSION } from './version';

/** Everything the tools need; the extension and the CLI each build one. */
export interface ToolContext {
  tokens: TokenManager;
  apps: AppDirectory;
  /** Read on every call, so changed settings apply at once. */
  endpoints(): DingTalkEndpoints;
  policy: PolicyEngine;
  /** Asks the person about a call the policy marks `approve`; gets the whole arguments to show them. */
  approver: ToolApprover;
  audit: AuditTrail;
  /** One line per tool call; the sink passes it through redact(). */
  log(line: string): void;
  clock?: Pick<Clock, 'now'>;
  /** Why no app is configured (a broken apps file...), added to "no app" errors. */
  setupProblem?(): string | undefined;
  /** What to do about a DingTalk failure in this host's terms (VS Code settings and commands, or environment variables). */
  advice?(error: DingTalkError): string | undefined;
}

/** The policy's approval request plus the call's arguments, so the person can see everything the call will do. */
export type ToolApprover = (request: Parameters<Approver>[0] & { args: Record<string, unknown> }) => Promise<boolean>;

export const SERVER_INFO = { name: 'dingtalk-token', version: SERVER_VERSION };

export const TOOL_NAMES = ['get_access_token', 'refresh_access_token', 'token_status', 'list_apps', 'dingtalk_api_request'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

const INSTRUCTIONS = [
  'DingTalk (钉钉) open-API access for the apps configured in this server.',
  'To call a DingTalk API prefer dingtalk_api_request: it injects the token the right way (header for /v1.0 and /v2.0 paths, ?access_token= for legacy oapi paths), refreshes it once if DingTalk rejects it, and keeps it out of the conversation.',
  'Use get_access_token only when a token must be handed to something else. `app` is an appKey or label; the active app when omitted (see list_apps).',
  'Calls go through a policy: a result starting with [POLICY DENIED] is final for that call; when it gives retryAfterSeconds, wait that long before trying again.',
].join(' ');

const appArg = z.string().min(1).max(200).optional()
  .describe('appKey or label of a configured app (see list_apps); the active app when omitted');
const isoTime = z.iso.datetime();
const tokenSource = z.enum(['network', 'cache', 'shared'])
  .describe('network: just fetched from DingTalk; cache: this server\'s cache; shared: fetched by another VS Code window');

const tokenOutput = {
  app: z.string().describe('appKey of the app the token belongs to'),
  label: z.string(),
  accessToken: z.string().describe('the access token; send it as header x-acs-dingtalk-access-token (new APIs) or ?access_token= (legacy oapi)'),
  expiresAt: isoTime.describe('when the token stops being valid (ISO 8601)'),
  expiresIn: z.number().int().min(0).describe('seconds of validity left'),
};

interface ToolDefinition<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  title: string;
  description: string;
  annotations: ToolAnnotations;
  input: I;
  output: O;
  run(args: z.infer<z.ZodObject<I>>, context: ToolContext, now: number): Promise<z.infer<z.ZodObject<O>>>;
}

const REFRESH_BLOCK_REASONS: Record<RefreshBlock, string> = {
  retryAfter: 'DingTalk asked to wait (Retry-After) before the next token request',
  backoff: 'the last token requests failed, so the next one is backing off',
  requestCap: `this app already made ${MAX_TOKEN_REQUESTS_PER_MINUTE} token requests in the last minute, the most allowed`,
};

const define = <I extends z.ZodRawShape, O extends z.ZodRawShape>(definition: ToolDefinition<I, O>) => definition;

const TOOLS = {
  get_access_token: define({
    title: 'Get DingTalk access token',
    description: 'Returns a valid access token for a DingTalk app, from the cache while it is valid (refreshed ahead of expiry), '
      + 'otherwise fetched from DingTalk. Only needed to hand the token to another program; to call an API use dingtalk_api_request.',
    annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: true },
    input: { app: appArg },
    output: { ...tokenOutput, source: tokenSource },
    async run(args, context, now) {
      const app = resolveApp(context.apps, args.app);
      const token = await context.tokens.getToken(app.appKey);
      return { app: app.appKey, label: app.label, accessToken: token.accessToken, ...expiry(token.expiresAt, now), source: token.source };
    },
  }),
  refresh_access_token: define({
    title: 'Refresh DingTalk access token',
    description: 'Asks DingTalk for the app\'s token now, bypassing the cache, and returns it. Use only when a token was rejected '
      + `or must be renewed; get_access_token already refreshes ahead of expiry. Rate-limited by the policy (${DEFAULT_REFRESHES_PER_MINUTE} per minute by default). `
      + `It never overrides DingTalk's Retry-After, the backoff after failures, or the limit of ${MAX_TOKEN_REQUESTS_PER_MINUTE} token requests `
      + 'per app per minute: then it returns the still-valid token with refreshed: false and nextRefreshAt, or an error naming the wait.',
    annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false, openWorldHint: true },
    input: { app: appArg },
    output: {
      ...tokenOutput,
      refreshed: z.boolean().describe('false: DingTalk could not be asked yet, and the still-valid token was returned'),
      nextRefreshAt: isoTime.optional().describe('when refreshed is false: the earliest time a new token can be fetched'),
      notRefreshedBecause: z.string().optional().describe('when refreshed is false: why DingTalk was not asked'),
    },
    async run(args, context, now) {
      const app = resolveApp(context.apps, args.app);
      const token = await context.tokens.forceRefresh(app.appKey);
      return {
        app: app.appKey, label: app.label, accessToken: token.accessToken, ...expiry(token.expiresAt, now), refreshed: token.refreshed,
        nextRefreshAt: iso(token.nextRefreshAt), notRefreshedBecause: token.refreshed ? undefined : REFRESH_BLOCK_REASONS[token.blockedBy ?? 'backoff'],
      };
    },
  }),
  token_status: define({
    title: 'DingTalk token status',
    description: 'Reports the state of an app\'s token (empty, fetching, valid, expired, failing), its expiry and the last error, '
      + 'without the token itself and without contacting DingTalk. Use it to explain a failure or decide whether to refresh.',
    annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
    input: { app: appArg },
    output: {
      app: z.string(),
      label: z.string(),
      state: z.enum(['empty', 'fetching', 'valid', 'expired', 'failing']),
      refreshing: z.boolean().describe('a refresh is under way while the current token is still valid'),
      expiresAt: isoTime.optional(),
      expiresIn: z.number().int().min(0).optional(),
      obtainedAt: isoTime.optional(),
      lastRefreshAt: isoTime.optional(),
      source: tokenSource.optional(),
      lastError: z.object({
        kind: z.string().describe('invalidCredentials | tokenRejected | throttled | quotaExceeded | ipNotWhitelisted | permissionDenied | server | network | timeout | malformed'),
        code: z.string().optional().describe('DingTalk\'s own code, e.g. invalidClientIdOrSecret or an errcode'),
        message: z.string(),
        at: isoTime,
      }).optional(),
      nextAttemptAt: isoTime.optional().describe('automatic fetches are backing off until then'),
      policy: z.object({
        file: z.string().describe('the policy file this server follows'),
        resolvesTo: z.string().optional().describe('the file it resolved to, when it is a symlink'),
        inForce: z.enum(['file', 'defaults', 'none'])
          .describe('file: its rules decide; defaults: there is no such file, the built-in defaults decide; none: it cannot be used, every call is denied'),
        problem: z.string().optional().describe('why the file cannot be used now (the last good policy may still be in force)'),
      }).describe('which MCP policy decides tool calls'),
    },
    async run(args, context, now) {
      const app = resolveApp(context.apps, args.app);
      const status = context.tokens.status(app.appKey);
      const error = status.lastError;
      return {
        app: app.appKey,
        label: app.label,
        state: status.state,
        refreshing: status.refreshing,
        ...(status.expiresAt !== undefined ? expiry(status.expiresAt, now) : {}),
        obtainedAt: iso(status.obtainedAt),
        lastRefreshAt: iso(status.lastRefreshAt),
        source: status.source,
        lastError: error && { kind: error.kind, code: error.code, message: redact(error.message), at: iso(error.at)! },
        nextAttemptAt: iso(status.nextAttemptAt),
        policy: policyInForce(context),
      };
    },
  }),
  list_apps: define({
    title: 'List DingTalk apps',
    description: 'Lists the configured DingTalk apps (label, appKey, whether it is the active one, token expiry). '
      + 'Never returns secrets or tokens. Pass a label or appKey as `app` to the other tools.',
    annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
    input: {},
    output: {
      apps: z.array(z.object({
        label: z.string(),
        appKey: z.string(),
        active: z.boolean().describe('used when `app` is omitted'),
        expiresAt: isoTime.optional().describe('expiry of the cached token, when there is a valid one'),
      })),
    },
    async run(_args, context) {
      const active = resolveApp(context.apps, undefined).appKey;
      return {
        apps: context.apps.list().map((app) => ({
          label: app.label, appKey: app.appKey, active: app.appKey === active, expiresAt: iso(context.tokens.peek(app.appKey)?.expiresAt),
        })),
      };
    },
  }),
  dingtalk_api_request: define({
    title: 'Call a DingTalk API',
    description: 'Calls a DingTalk open API as the app, with its access token injected: paths starting /v1.0/ or /v2.0/ go to the new API '
      + '(api.dingtalk.com, header x-acs-dingtalk-access-token), other paths such as /topapi/v2/user/get go to the legacy API '
      + '(oapi.dingtalk.com, ?access_token=). Absolute URLs are accepted only under the configured bases. A request that already carries '
      + 'an access_token (a custom robot webhook, /robot/send?access_token=<robot token>) is sent with that token as given. '
      + 'If DingTalk says the app token is invalid it is replaced once and the call retried; a 5xx, reset or timeout is retried up to twice. '
      + 'Returns DingTalk\'s HTTP status and body (JSON when possible, else text, at most 1 MB); legacy APIs report business errors as '
      + 'status 200 with errcode ≠ 0. Throttling, a used-up quota, an IP outside the app\'s whitelist and a missing permission come back '
      + 'as errors naming what to do. The app token never appears in the result. '
      + 'It can change data in DingTalk (send messages, edit users...), depending on the API called.',
    annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: true, openWorldHint: true },
    input: {
      method: z.enum(API_METHODS).describe('HTTP method'),
      path: z.string().min(1).max(2048).describe('e.g. "/v1.0/robot/oToMessages/batchSend" or "/topapi/v2/user/get"; a query string may be included'),
      query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional()
        .describe('query parameters; the app token is added for you (an access_token given here, such as a robot webhook\'s, is sent instead)'),
      body: z.unknown().optional().describe('JSON body (not allowed with GET)'),
      app: appArg,
    },
    output: {
      status: z.number().int().describe('HTTP status DingTalk answered'),
      body: z.unknown().describe('the answer: parsed JSON, or text when it is not JSON'),
    },
    async run(args, context) {
      const app = resolveApp(context.apps, args.app);
      return dingtalkApiRequest({ tokens: context.tokens, endpoints: context.endpoints() }, app.appKey,
        { method: args.method, path: args.path, query: args.query, body: args.body });
    },
  }),
} satisfies Record<ToolName, ToolDefinition<z.ZodRawShape, z.ZodRawShape>>;

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
  return server.registerTool(name, {
    title: definition.title,
    description: definition.description,
    inputSchema: definition.input,
    outputSchema: definition.output,
    annotations: definition.annotations,
  }, (args: Record<string, unknown>) => invoke(context, sessionId, name, definition, args));
}

/** Policy first, then the handler; `finish` tells the policy whether the call used its quota; one audit event either way. */
async function invoke(
  context: ToolContext, sessionId: string, name: ToolName, definition: ToolDefinition<z.ZodRawShape, z.ZodRawShape>, args: Record<string, unknown>,
): Promise<CallToolResult> {
  const now = () => context.clock?.now() ?? Date.now();
  const startedAt = now();
  let asked = false;
  const approver: Approver = (request) => {
    asked = true;
    return context.approver({ ...request, args });
  };
  const audit = (decision: AuditEvent['decision'], rule: string, retryAfterSeconds?: number) =>
    record(context, { time: new Date(startedAt).toISOString(), tool: name, app: auditApp(context, name, args), decision, rule,
      durationMs: now() - startedAt, argsSha256: auditDigest(args), sessionId, retryAfterSeconds });

  // Before anything else walks the arguments: too deep or too large is refused, and audited.
  const refusal = argumentsProblem(args);
  if (refusal) {
    audit('deny', 'arguments-limit');
    return errorResult(refusal);
  }

  let verdict: Verdict;
  try {
    verdict = await context.policy.evaluate({ tool: name, args, sessionId }, approver);
  } catch (error) {
    // Fail closed: a policy that cannot decide allows nothing.
    verdict = { allowed: false, rule: 'policy-error', reason: `the policy could not be evaluated (${(error as Error).message})` };
  }
  if (!verdict.allowed) {
    audit('deny', verdict.rule, verdict.retryAfterSeconds);
    return errorResult(denialWithRetry(verdict));
  }
  let succeeded = false;
  try {
    const structured = await definition.run(args, context, now());
    succeeded = true;
    return { structuredContent: structured, content: [{ type: 'text', text: JSON.stringify(structured) }] };
  } catch (error) {
    return errorResult(describeError(error, context));
  } finally {
    verdict.finish(succeeded);
    audit(succeeded ? (asked ? 'approve' : 'allow') : 'error', verdict.rule);
  }
}

function record(context: ToolContext, event: AuditEvent): void {
  try {
    context.audit.record(event);
    // The event holds a digest of the arguments, never their values; the log sink redacts anyway.
    context.log(`mcp tool call ${JSON.stringify(event)}`);
  } catch {
    // Auditing must never turn a served call into a failure.
  }
}

function denialWithRetry(verdict: Extract<Verdict, { allowed: false }>): string {
  const text = denialText(verdict);
  if (verdict.retryAfterSeconds === undefined || text.includes('retryAfterSeconds')) return text;
  return `${text} retryAfterSeconds: ${verdict.retryAfterSeconds}`;
}

/** The reason in words an agent can act on: kind and DingTalk's code for DingTalk failures. */
function describeError(error: unknown, context: ToolContext): string {
  if (error instanceof DingTalkError) {
    const code = error.code ? ` (${error.code})` : '';
    const wait = error.retryAfterMs !== undefined ? ` retryAfterSeconds: ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))}` : '';
    const advice = context.advice?.(error);
    return redact(`DingTalk error: ${error.kind}${code}. ${error.message}${advice ? ` ${advice}` : ''}${wait}`);
  }
  if (error instanceof AppNotFoundError) {
    const problem = context.setupProblem?.();
    return redact(problem ? `${error.message} ${problem}` : error.message);
  }
  if (error instanceof ApiRequestRefused) return redact(error.message);
  return redact(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/** The appKey a call is about (as given when it names no configured app); none for list_apps. */
function auditApp(context: ToolContext, name: ToolName, args: Record<string, unknown>): string | undefined {
  if (name === 'list_apps') return undefined;
  const app = typeof args.app === 'string' ? args.app : undefined;
  try {
    return resolveApp(context.apps, app).appKey;
  } catch {
    return app;
  }
}

/** Which policy file decides, for token_status: what a person asks first when a call is unexpectedly denied or allowed. */
function policyInForce(context: ToolContext): { file: string; resolvesTo?: string; inForce: 'file' | 'defaults' | 'none'; problem?: string } {
  const status = context.policy.status();
  return {
    file: status.source,
    ...(status.resolvedPath !== undefined ? { resolvesTo: status.resolvedPath } : {}),
    inForce: status.inForce,
    ...(status.error !== undefined ? { problem: redact(status.error) } : {}),
  };
}

function expiry(expiresAt: number, now: number): { expiresAt: string; expiresIn: number } {
  return { expiresAt: new Date(expiresAt).toISOString(), expiresIn: Math.max(0, Math.floor((expiresAt - now) / 1000)) };
}

function iso(time: number | undefined): string | undefined {
  return time === undefined ? undefined : new Date(time).toISOString();
}
