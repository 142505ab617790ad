import { PolicyEngine, type PolicyReport, type PolicyStatus, type CounterStore, type PolicyFileRead } from '../core/policy';
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
  counterStore: CounterStore;
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
  /** Applies a changed policy file (or another one: `source`); an invalid one keeps the last good policy. */
  loadPolicy(read: PolicyFileRead, source?: string): PolicyReport;
  /** The policy in force now: which file, whether it is valid. */
  policyStatus(): PolicyStatus;
  close(): Promise<void>;
}

export async function startExtensionMcpServer(options: ExtensionServerOptions): Promise<ExtensionServer> {
  const policy = new PolicyEngine({ counterStore: options.counterStore, source: options.policySource, knownTools: TOOL_NAMES });
  // Reported by the caller, which knows how to tell the person.
  const initialPolicy = policy.apply(options.policyRead);
  const server = await startHttpMcpServer(
    {
      tokens: options.tokens,
      apps: options.apps,
      robots: options.robots,
      endpoints: options.endpoints,
      policy,
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
      const report = policy.apply(read, source);
      // A changed `hide` list must reach sessions that are already open.
      server.syncTools();
      return report;
    },
    policyStatus: () => policy.status(),
    close: () => server.close(),
  };
}
