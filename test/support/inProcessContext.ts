import { AuditTrail } from '../../src/core/audit';
import { fetchAccessToken, type DingTalkEndpoints } from '../../src/core/dingtalk/client';
import { PolicyEngine } from '../../src/core/policy/engine';
import { Redactor } from '../../src/core/redact';
import { TokenManager } from '../../src/core/tokens/manager';
import type { ToolContext } from '../../src/mcp/tools/context';
import { loadText } from './policyKit';

export interface InProcessApp {
  appKey: string;
  appSecret: string;
  label?: string;
}

export interface InProcessOptions {
  endpoints: DingTalkEndpoints;
  /** The apps the server knows; the first is the active one. */
  apps: InProcessApp[];
  /** Policy text; the built-in defaults when absent. */
  policy?: string;
  /** What the person answers when a call needs approval (no by default). */
  approve?: boolean;
  autoRefresh?: boolean;
  log?: (line: string) => void;
}

/**
 * The tool context the extension hands its in-process MCP server, over DingTalk at `endpoints`: one
 * TokenManager shared by every session, a policy engine, an audit trail. Used by the integration tests and
 * the benchmarks alike, so both measure and check the same wiring. The caller disposes context.tokens.
 */
export function inProcessContext(options: InProcessOptions): ToolContext {
  const redactor = new Redactor();
  const tokens = new TokenManager({
    fetcher: async (appKey) => {
      const app = options.apps.find((candidate) => candidate.appKey === appKey);
      if (!app) throw new Error(`no app ${appKey} in this test`);
      return fetchAccessToken(options.endpoints, app);
    },
    autoRefresh: options.autoRefresh ?? false,
    redactor,
  });
  const policy = new PolicyEngine();
  const loaded = loadText(policy, options.policy);
  if (!loaded.ok) throw new Error(`the policy did not load: ${loaded.error}`);
  return {
    tokens,
    apps: { list: () => options.apps.map((app) => ({ appKey: app.appKey, label: app.label ?? app.appKey })), activeAppKey: () => options.apps[0]?.appKey },
    endpoints: () => options.endpoints,
    policy,
    approver: async () => options.approve ?? false,
    audit: new AuditTrail(),
    log: options.log ?? (() => undefined),
    redactor,
  };
}
