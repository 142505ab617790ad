// In VS Code the log is read in the person's language: the in-process MCP server hands each tool call's audit
// event to the extension to word (logToolCall) instead of writing its own English "mcp tool call" line, and
// leaves the "listening" line to the extension too. The standalone server keeps its line (test/integration/mcp.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuditTrail, type AuditEvent } from '../../src/core/audit';
import { endpointsWithDefaults } from '../../src/core/dingtalk';
import { TokenManager } from '../../src/core/tokens';
import { startExtensionMcpServer } from '../../src/mcp/extensionServer';

test('the in-process server lets the extension word the audit line and writes no English line of its own', async () => {
  const tokens = new TokenManager({ fetcher: () => Promise.reject(new Error('no DingTalk in this test')), autoRefresh: false });
  const lines: string[] = [];
  const worded: AuditEvent[] = [];
  const server = await startExtensionMcpServer({
    tokens,
    apps: { list: () => [{ appKey: 'dingauditline01', label: 'Audit' }], activeAppKey: () => 'dingauditline01' },
    endpoints: () => endpointsWithDefaults({}),
    audit: new AuditTrail(),
    approver: async () => false,
    counterStore: { load: () => undefined, save: () => undefined },
    policySource: 'built-in defaults',
    policyRead: { kind: 'missing' },
    log: (line) => lines.push(line),
    logToolCall: (event) => worded.push(event),
    advice: () => undefined,
    preferTcp: true,
  });
  const client = new Client({ name: 'audit-line-test', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } }));
    await client.callTool({ name: 'list_apps', arguments: {} });
    assert.deepEqual(worded.map((event) => [event.tool, event.decision]), [['list_apps', 'allow']]);
    assert.match(worded[0].argsSha256, /^[0-9a-f]{64}$/, 'the extension gets the digest, never the arguments');
    assert.deepEqual(lines.filter((line) => /mcp tool call|MCP server listening/.test(line)), [], 'no English line from the server');
  } finally {
    await client.close();
    await server.close();
    tokens.dispose();
  }
});
