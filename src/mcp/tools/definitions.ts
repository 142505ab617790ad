import * as z from 'zod/v4';
import { API_METHODS, dingtalkApiRequest, resolveTarget } from '../../core/dingtalk';
import { resolveApp } from '../../core/apps';
import { DEFAULT_REFRESHES_PER_MINUTE } from '../../core/policy';
import { MAX_TOKEN_REQUESTS_PER_MINUTE, type RefreshBlock } from '../../core/tokens';
import type { ToolContext } from './context';
import { ROBOT_TOOL_NAMES, ROBOT_TOOLS } from './robotTools';
import { define, type ToolDefinition } from './toolDefinition';

export type { ToolDefinition } from './toolDefinition';

/** The tools as agents see them (names, descriptions, schemas, annotations) and what each does; registry.ts registers them. */

export const TOOL_NAMES = ['get_access_token', 'refresh_access_token', 'token_status', 'list_apps', 'dingtalk_api_request', ...ROBOT_TOOL_NAMES] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export const INSTRUCTIONS = [
  'DingTalk (钉钉) open-API access for the apps configured in this server.',
  'To call a DingTalk API prefer dingtalk_api_request: it injects the token the right way (header for /v1.0 and /v2.0 paths, ?access_token= for legacy oapi paths), refreshes it once if DingTalk rejects it, and keeps it out of the conversation.',
  'Use get_access_token only when a token must be handed to something else. `app` is an appKey or label; the active app when omitted (see list_apps).',
  "To post to a DingTalk group through a custom robot use send_robot_message with the robot's name (see list_robots); never put a robot's webhook token in a call.",
  'Calls go through a policy: a result starting with [POLICY DENIED] is final for that call; when it gives retryAfterSeconds, wait that long before trying again.',
].join(' ');

const appArg = z.string().min(1).max(200).optional().describe('appKey or label of a configured app (see list_apps); the active app when omitted');
const isoTime = z.iso.datetime();
const tokenSource = z
  .enum(['network', 'cache', 'shared'])
  .describe("network: just fetched from DingTalk; cache: this server's cache; shared: fetched by another VS Code window");

const tokenOutput = {
  app: z.string().describe('appKey of the app the token belongs to'),
  label: z.string(),
  accessToken: z.string().describe('the access token; send it as header x-acs-dingtalk-access-token (new APIs) or ?access_token= (legacy oapi)'),
  expiresAt: isoTime.describe('when the token stops being valid (ISO 8601)'),
  expiresIn: z.number().int().min(0).describe('seconds of validity left'),
};

const REFRESH_BLOCK_REASONS: Record<RefreshBlock, string> = {
  retryAfter: 'DingTalk asked to wait (Retry-After) before the next token request',
  backoff: 'the last token requests failed, so the next one is backing off',
  requestCap: `this app already made ${MAX_TOKEN_REQUESTS_PER_MINUTE} token requests in the last minute, the most allowed`,
};

/** `app` as the appKey it resolves to, so a rule on `args.app` holds whether the agent named the app by appKey or label. */
const withAppKey = <A extends { app?: string }>(args: A, context: ToolContext): A => ({ ...args, app: resolveApp(context.apps, args.app).appKey });

export const TOOLS = {
  get_access_token: define({
    title: 'Get DingTalk access token',
    description:
      'Returns a valid access token for a DingTalk app, from the cache while it is valid (refreshed ahead of expiry), ' +
      'otherwise fetched from DingTalk. Only needed to hand the token to another program; to call an API use dingtalk_api_request, ' +
      'which never shows the token.',
    // Not read-only: it hands the agent a raw credential, so the client asks the person before it runs (VS Code
    // runs tools marked readOnlyHint without asking).
    annotations: { readOnlyHint: false, idempotentHint: true, destructiveHint: false, openWorldHint: true },
    input: { app: appArg },
    output: { ...tokenOutput, source: tokenSource },
    canonical: withAppKey,
    async run(args, context, now) {
      const app = resolveApp(context.apps, args.app);
      const token = await context.tokens.getToken(app.appKey);
      return { app: app.appKey, label: app.label, accessToken: token.accessToken, ...expiry(token.expiresAt, now), source: token.source };
    },
  }),
  refresh_access_token: define({
    title: 'Refresh DingTalk access token',
    description:
      "Asks DingTalk for the app's token now, bypassing the cache, and returns it. Use only when a token was rejected " +
      `or must be renewed; get_access_token already refreshes ahead of expiry. Rate-limited by the policy (${DEFAULT_REFRESHES_PER_MINUTE} per minute by default). ` +
      `It never overrides DingTalk's Retry-After, the backoff after failures, or the limit of ${MAX_TOKEN_REQUESTS_PER_MINUTE} token requests ` +
      'per app per minute: then it returns the still-valid token with refreshed: false and nextRefreshAt, or an error naming the wait.',
    // Not read-only either: it asks DingTalk for a new token and hands the agent the raw credential.
    annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false, openWorldHint: true },
    input: { app: appArg },
    output: {
      ...tokenOutput,
      refreshed: z.boolean().describe('false: DingTalk could not be asked yet, and the still-valid token was returned'),
      nextRefreshAt: isoTime.optional().describe('when refreshed is false: the earliest time a new token can be fetched'),
      notRefreshedBecause: z.string().optional().describe('when refreshed is false: why DingTalk was not asked'),
    },
    canonical: withAppKey,
    async run(args, context, now) {
      const app = resolveApp(context.apps, args.app);
      const token = await context.tokens.forceRefresh(app.appKey);
      return {
        app: app.appKey,
        label: app.label,
        accessToken: token.accessToken,
        ...expiry(token.expiresAt, now),
        refreshed: token.refreshed,
        nextRefreshAt: iso(token.nextRefreshAt),
        notRefreshedBecause: token.refreshed ? undefined : REFRESH_BLOCK_REASONS[token.blockedBy ?? 'backoff'],
      };
    },
  }),
  token_status: define({
    title: 'DingTalk token status',
    description:
      "Reports the state of an app's token (empty, fetching, valid, expired, failing), its expiry and the last error, " +
      'without the token itself and without contacting DingTalk. Use it to explain a failure or decide whether to refresh.',
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
      lastError: z
        .object({
          kind: z
            .string()
            .describe(
              'invalidCredentials | tokenRejected | throttled | quotaExceeded | ipNotWhitelisted | permissionDenied | server | network | timeout | malformed',
            ),
          code: z.string().optional().describe("DingTalk's own code, e.g. invalidClientIdOrSecret or an errcode"),
          message: z.string(),
          at: isoTime,
        })
        .optional(),
      nextAttemptAt: isoTime.optional().describe('automatic fetches are backing off until then'),
      policy: z
        .object({
          file: z.string().describe('the policy file this server follows'),
          resolvesTo: z.string().optional().describe('the file it resolved to, when it is a symlink'),
          inForce: z
            .enum(['file', 'defaults', 'none'])
            .describe('file: its rules decide; defaults: there is no such file, the built-in defaults decide; none: it cannot be used, every call is denied'),
          problem: z.string().optional().describe('why the file cannot be used now (the last good policy may still be in force)'),
        })
        .describe('which MCP policy decides tool calls'),
      counterStore: z
        .object({
          kind: z.enum(['memory', 'file', 'redis']).describe('memory: this process only; file: shared by this person; redis: shared by a team'),
          where: z.string().describe('the counters file, or the Redis host, port and database (never a password)'),
          reachable: z.boolean().describe('false: calls with limits are refused until the store can be used again'),
          problem: z.string().optional().describe('why the store cannot be used now'),
        })
        .describe("where the policy's counters live"),
    },
    canonical: withAppKey,
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
        lastError: error && { kind: error.kind, code: error.code, message: context.redactor.redact(error.message), at: iso(error.at)! },
        nextAttemptAt: iso(status.nextAttemptAt),
        policy: policyInForce(context),
        counterStore: context.policy.counterStore(),
      };
    },
  }),
  list_apps: define({
    title: 'List DingTalk apps',
    description:
      'Lists the configured DingTalk apps (label, appKey, whether it is the active one, token expiry). ' +
      'Never returns secrets or tokens. Pass a label or appKey as `app` to the other tools.',
    annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
    input: {},
    output: {
      apps: z.array(
        z.object({
          label: z.string(),
          appKey: z.string(),
          active: z.boolean().describe('used when `app` is omitted'),
          expiresAt: isoTime.optional().describe('expiry of the cached token, when there is a valid one'),
        }),
      ),
    },
    async run(_args, context) {
      const active = resolveApp(context.apps, undefined).appKey;
      return {
        apps: context.apps.list().map((app) => ({
          label: app.label,
          appKey: app.appKey,
          active: app.appKey === active,
          expiresAt: iso(context.tokens.peek(app.appKey)?.expiresAt),
        })),
      };
    },
  }),
  dingtalk_api_request: define({
    title: 'Call a DingTalk API',
    description:
      'Calls a DingTalk open API as the app, with its access token injected: paths starting /v1.0/ or /v2.0/ go to the new API ' +
      '(api.dingtalk.com, header x-acs-dingtalk-access-token), other paths such as /topapi/v2/user/get go to the legacy API ' +
      '(oapi.dingtalk.com, ?access_token=). Absolute URLs are accepted only under the configured bases. A request that already carries ' +
      'an access_token (a custom robot webhook, /robot/send?access_token=<robot token>) is sent with that token as given. ' +
      'If DingTalk says the app token is invalid it is replaced once and the call retried. A GET is retried up to twice after a 5xx, reset or timeout; ' +
      'other methods are never repeated once they may have reached DingTalk: the error then says the request may have taken effect (a message delivered), so check before sending it again. ' +
      "Returns DingTalk's HTTP status and body (JSON when possible, else text, at most 1 MB); legacy APIs report business errors as " +
      "status 200 with errcode ≠ 0. Throttling, a used-up quota, an IP outside the app's whitelist and a missing permission come back " +
      'as errors naming what to do. The app token never appears in the result. ' +
      'It can change data in DingTalk (send messages, edit users...), depending on the API called.',
    annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: true, openWorldHint: true },
    input: {
      method: z.enum(API_METHODS).describe('HTTP method'),
      path: z.string().min(1).max(2048).describe('e.g. "/v1.0/robot/oToMessages/batchSend" or "/topapi/v2/user/get"; a query string may be included'),
      query: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
        .optional()
        .describe("query parameters; the app token is added for you (an access_token given here, such as a robot webhook's, is sent instead)"),
      body: z.unknown().optional().describe('JSON body (not allowed with GET)'),
      app: appArg,
    },
    output: {
      status: z.number().int().describe('HTTP status DingTalk answered'),
      body: z.unknown().describe('the answer: parsed JSON, or text when it is not JSON'),
    },
    canonical(args, context) {
      const { path, query } = resolveTarget(context.endpoints(), { path: args.path, query: args.query });
      const { query: _given, ...rest } = withAppKey(args, context);
      return Object.keys(query).length === 0 ? { ...rest, path } : { ...rest, path, query };
    },
    async run(args, context) {
      const app = resolveApp(context.apps, args.app);
      return dingtalkApiRequest({ tokens: context.tokens, endpoints: context.endpoints(), redactor: context.redactor }, app.appKey, {
        method: args.method,
        path: args.path,
        query: args.query,
        body: args.body,
      });
    },
  }),
  ...ROBOT_TOOLS,
} satisfies Record<ToolName, ToolDefinition<z.ZodRawShape, z.ZodRawShape>>;

/** Which policy file decides, for token_status: what a person asks first when a call is unexpectedly denied or allowed. */
function policyInForce(context: ToolContext): { file: string; resolvesTo?: string; inForce: 'file' | 'defaults' | 'none'; problem?: string } {
  const status = context.policy.status();
  return {
    file: status.source,
    ...(status.resolvedPath !== undefined ? { resolvesTo: status.resolvedPath } : {}),
    inForce: status.inForce,
    ...(status.error !== undefined ? { problem: context.redactor.redact(status.error) } : {}),
  };
}

function expiry(expiresAt: number, now: number): { expiresAt: string; expiresIn: number } {
  return { expiresAt: new Date(expiresAt).toISOString(), expiresIn: Math.max(0, Math.floor((expiresAt - now) / 1000)) };
}

function iso(time: number | undefined): string | undefined {
  return time === undefined ? undefined : new Date(time).toISOString();
}
