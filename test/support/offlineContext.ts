import { AuditTrail } from '../../src/core/audit';
import { endpointsWithDefaults } from '../../src/core/dingtalk/client';
import { DingTalkError } from '../../src/core/dingtalk/errors';
import { applyPolicyRead } from '../../src/core/policy/apply';
import { PolicyEngine } from '../../src/core/policy/engine';
import { Redactor } from '../../src/core/redact';
import { TokenManager } from '../../src/core/tokens/manager';
import type { ToolContext } from '../../src/mcp/tools/context';

/**
 * A tool context that never reaches DingTalk (no apps, every token request fails as offline, the endpoints a
 * closed port), for tests about the MCP server itself: who may talk to it, how it keeps its sessions.
 * The caller disposes context.tokens.
 */
export function offlineContext(log: (line: string) => void = () => undefined): ToolContext {
  const policy = new PolicyEngine();
  applyPolicyRead(policy, { kind: 'missing' });
  const redactor = new Redactor();
  return {
    tokens: new TokenManager({
      fetcher: async () => {
        throw new DingTalkError('network', 'offline');
      },
      autoRefresh: false,
      redactor,
    }),
    apps: { list: () => [], activeAppKey: () => undefined },
    endpoints: () => endpointsWithDefaults({ apiBaseUrl: 'http://127.0.0.1:9', legacyApiBaseUrl: 'http://127.0.0.1:9' }),
    policy,
    approver: async () => false,
    audit: new AuditTrail(),
    log,
    redactor,
  };
}
