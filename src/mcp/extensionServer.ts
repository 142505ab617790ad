import {
  applyPolicyRead,
  PolicyEngine,
  ShadowPolicy,
  useDefaults,
  type CounterStore,
  type PolicyFileRead,
  type PolicyReport,
  type PolicyStatus,
  type StoreState,
} from '../core/policy';
import type { ToolApprover } from './tools/context';
import type { ServerLines } from './serverLines';
import { startHttpMcpServer } from './http/server';
import { TOOL_NAMES } from './tools/definitions';
import type { AppDirectory } from '../core/apps';
import type { AuditTrail } from '../core/audit';
import type { DingTalkEndpoints, DingTalkError, RobotSender } from '../core/dingtalk';
import type { TokenManager } from '../core/tokens';
import type { Redactor } from '../core/redact';

/**
 * The in-process server as the extension starts it (through dist/mcp.js, only when VS Code asks, so
 * activation never pays for the MCP SDK or zod). Plain Node; the vscode side passes callbacks in.
 */
export interface ExtensionServerOptions {
  tokens: TokenManager;
  apps: AppDirectory;
  /** The group robots agents may send as. */
  robots?: RobotSender;
  endpoints: () => DingTalkEndpoints;
  audit: AuditTrail;
  approver: ToolApprover;
  /** Where the policy's counters live: the window's store, which the caller owns (robot sends count there too) and closes. */
  counters: CounterStore;
  /** Where the policy comes from, for messages. */
  policySource: string;
  /** What reading the policy file gave just now. */
  policyRead: PolicyFileRead;
  log: (line: string) => void;
  /** The extension's redactor: it knows the secrets and tokens the extension has seen. */
  redactor: Redactor;
  /** The server's log lines in the person's language (the audit line's JSON field names stay English). */
  lines?: ServerLines;
  /** Test hook: listen on 127.0.0.1 rather than a private socket. */
  preferTcp?: boolean;
  /** What to do about a DingTalk failure, in VS Code's terms and the person's language. */
  advice: (error: DingTalkError) => string | undefined;
}

export interface ExtensionServer {
  kind: 'unix' | 'pipe' | 'tcp';
  socketPath?: string;
  url: string;
  headers: Record<string, string>;
  /** What applying the policy file at start gave (an unreadable or invalid one denies every call). */
  initialPolicy: PolicyReport;
  /** Applies a changed policy file (or another one: `source`); an invalid one keeps the last good policy, a vanished one what was in force. */
  loadPolicy(read: PolicyFileRead, source?: string): PolicyReport;
  /** Puts what reading the shadow policy file gave beside the policy in force (`missing`: no shadow); it never decides. */
  loadShadow(read: PolicyFileRead, source: string): PolicyReport;
  /** The person's choice once the file is gone: the built-in defaults go into force. */
  useDefaults(): PolicyReport;
  /** The policy in force now: which file, whether it is valid. */
  policyStatus(): PolicyStatus;
  /** Where the policy's counters live, and whether they can be used now. */
  counterStore(): StoreState;
  close(): Promise<void>;
}

export async function startExtensionMcpServer(options: ExtensionServerOptions): Promise<ExtensionServer> {
  const counterStore = options.counters;
  const policy = new PolicyEngine({ counterStore, source: options.policySource });
  // Reported by the caller, which knows how to tell the person.
  const initialPolicy = applyPolicyRead(policy, options.policyRead, { knownTools: TOOL_NAMES });
  // Its limits read the counts the policy in force keeps; none until a shadow file is loaded.
  const shadow = new ShadowPolicy('the shadow MCP policy', { counterStore });
  const server = await startHttpMcpServer(
    {
      tokens: options.tokens,
      apps: options.apps,
      robots: options.robots,
      endpoints: options.endpoints,
      policy,
      shadow,
      approver: options.approver,
      audit: options.audit,
      log: options.log,
      redactor: options.redactor,
      lines: options.lines,
      advice: options.advice,
    },
    { preferTcp: options.preferTcp },
  );
  return {
    kind: server.kind,
    socketPath: server.socketPath,
    url: server.url,
    headers: server.headers,
    initialPolicy,
    loadPolicy: (read, source) => {
      const report = applyPolicyRead(policy, read, { source, knownTools: TOOL_NAMES });
      // A changed `hide` list must reach sessions that are already open.
      server.syncTools();
      return report;
    },
    loadShadow: (read, source) => shadow.apply(read, { source, knownTools: TOOL_NAMES }),
    useDefaults: () => {
      const report = useDefaults(policy);
      server.syncTools();
      return report;
    },
    policyStatus: () => policy.status(),
    counterStore: () => policy.counterStore(),
    close: () => server.close(),
  };
}
