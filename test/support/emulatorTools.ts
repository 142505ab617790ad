import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DingTalkEmulator, type EmulatorApp, type EmulatorOptions } from '../emulator/emulator';
import { AuditTrail } from '../../src/core/audit';
import { endpointsWithDefaults, fetchAccessToken, type DingTalkEndpoints } from '../../src/core/dingtalk/client';
import { PolicyEngine } from '../../src/core/policy/engine';
import { Redactor } from '../../src/core/redact';
import { TokenManager } from '../../src/core/tokens/manager';
import type { ToolApprover } from '../../src/mcp/tools/context';
import { createDingTalkMcpServer } from '../../src/mcp/tools/registry';
import { loadText } from './policyKit';

/** Starts an emulator for one test and always closes it. */
export async function withEmulator(options: EmulatorOptions, fn: (emulator: DingTalkEmulator) => Promise<void>): Promise<void> {
  const emulator = await DingTalkEmulator.start(options);
  try {
    await fn(emulator);
  } finally {
    await emulator.close();
  }
}

export interface ToolSession {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** What the approver was shown, one entry per approval asked. */
  approvals: Parameters<ToolApprover>[0][];
  logs: string[];
  close(): Promise<void>;
}

export interface ToolSessionOptions {
  apps: EmulatorApp[];
  /** Policy text (JSON); the built-in defaults when omitted. */
  policy?: string;
  /** The policy's clock, so its windows do not roll over mid-test. */
  policyClock?: { now(): number };
  /** The person's answer to approval prompts (no when omitted). */
  approve?: boolean;
  /** Overrides of the endpoints pointing at the emulator. */
  endpoints?: Partial<DingTalkEndpoints>;
}

/**
 * The tools as an MCP client sees them, served in this process (the same registry the CLI and the extension
 * use) against the emulator, through the SDK's in-memory transport.
 */
export async function connectTools(emulator: DingTalkEmulator, options: ToolSessionOptions): Promise<ToolSession> {
  const endpoints = endpointsWithDefaults({
    apiBaseUrl: emulator.apiBaseUrl,
    legacyApiBaseUrl: emulator.legacyApiBaseUrl,
    ...options.endpoints,
  });
  const redactor = new Redactor();
  for (const app of options.apps) redactor.remember(app.appSecret);
  const tokens = new TokenManager({
    fetcher: (appKey) =>
      fetchAccessToken(
        endpoints,
        options.apps.find((app) => app.appKey === appKey)!,
      ),
    autoRefresh: false,
    redactor,
  });
  const policy = new PolicyEngine(options.policyClock ? { clock: options.policyClock } : {});
  const loaded = loadText(policy, options.policy);
  if (!loaded.ok) throw new Error(loaded.error);
  const approvals: Parameters<ToolApprover>[0][] = [];
  const logs: string[] = [];
  const { server } = createDingTalkMcpServer(
    {
      tokens,
      apps: { list: () => options.apps.map((app) => ({ appKey: app.appKey, label: app.label ?? app.appKey })), activeAppKey: () => options.apps[0]?.appKey },
      endpoints: () => endpoints,
      policy,
      approver: async (request) => {
        approvals.push(request);
        return options.approve ?? false;
      },
      audit: new AuditTrail(),
      log: (line) => logs.push(redactor.redact(line)),
      redactor,
    },
    'emulator-tools-session',
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'emulator-tools-test', version: '1.0.0' });
  await client.connect(clientSide);
  // Listing first makes the client check every structuredContent against its output schema.
  await client.listTools();
  return {
    client,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    approvals,
    logs,
    close: async () => {
      await client.close();
      await server.close();
      tokens.dispose();
    },
  };
}

export const toolText = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
