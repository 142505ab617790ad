import { PolicyEngine, type Approver, type CounterStore } from '../core/policy';
import { startHttpMcpServer } from './httpServer';
import type { AppDirectory } from '../core/apps';
import type { AuditTrail } from '../core/audit';
import type { DingTalkEndpoints } from '../core/dingtalk';
import type { DingTalkError } from '../core/errors';
import type { TokenManager } from '../core/tokens';

/**
 * The in-process server as the extension starts it (through dist/mcp.js, only when VS Code asks, so
 * activation never pays for the MCP SDK or zod). Plain Node; the vscode side passes callbacks in.
 */
export interface ExtensionServerOptions {
  tokens: TokenManager;
  apps: AppDirectory;
  endpoints(): DingTalkEndpoints;
  audit: AuditTrail;
  approver: Approver;
  counterStore: CounterStore;
  /** Where the policy comes from, for messages. */
  policySource: string;
  /** The policy file's text now (undefined: no file). */
  policyText: string | undefined;
  log(line: string): void;
  /** What to do about a DingTalk failure, in VS Code's terms and the person's language. */
  advice(error: DingTalkError): string | undefined;
}

export interface ExtensionServer {
  kind: 'unix' | 'pipe' | 'tcp';
  socketPath?: string;
  url: string;
  headers: Record<string, string>;
  /** Applies a changed policy file; an invalid one keeps the last good policy and returns the error. */
  loadPolicy(text: string | undefined): { ok: true } | { ok: false; error: string };
  close(): Promise<void>;
}

export async function startExtensionMcpServer(options: ExtensionServerOptions): Promise<ExtensionServer> {
  const policy = new PolicyEngine({ counterStore: options.counterStore, source: options.policySource });
  const initial = policy.load(options.policyText);
  if (!initial.ok) options.log(`MCP policy ${options.policySource} is invalid: ${initial.error}`);
  const server = await startHttpMcpServer({
    tokens: options.tokens,
    apps: options.apps,
    endpoints: options.endpoints,
    policy,
    approver: options.approver,
    audit: options.audit,
    log: options.log,
    advice: options.advice,
  });
  options.log(`MCP server listening (${server.kind})`);
  return {
    kind: server.kind,
    socketPath: server.socketPath,
    url: server.url,
    headers: server.headers,
    loadPolicy: (text) => {
      const result = policy.load(text);
      // A changed `hide` list must reach sessions that are already open.
      if (result.ok) server.syncTools();
      return result;
    },
    close: () => server.close(),
  };
}
