// In VS Code the log is read in the person's language: the in-process MCP server writes its lines (each tool
// call's audit line among them) in the words the extension passes (`lines`), and leaves the "listening" line to
// the extension. The standalone server keeps its English lines (test/integration/mcp.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuditTrail } from '../../src/core/audit';
import { endpointsWithDefaults } from '../../src/core/dingtalk/client';
import { Redactor } from '../../src/core/redact';
import { TokenManager } from '../../src/core/tokens/manager';
import { startExtensionMcpServer } from '../../src/mcp/extensionServer';
import { MemoryCounterStore } from '../../src/core/policy';

test('the in-process server words its audit line as the extension asks, and writes no English line of its own', async () => {
  const redactor = new Redactor();
  const tokens = new TokenManager({ fetcher: () => Promise.reject(new Error('no DingTalk in this test')), autoRefresh: false, redactor });
  const lines: string[] = [];
  const server = await startExtensionMcpServer({
    tokens,
    apps: { list: () => [{ appKey: 'dingauditline01', label: 'Audit' }], activeAppKey: () => 'dingauditline01' },
    endpoints: () => endpointsWithDefaults({}),
    audit: new AuditTrail(),
    approver: async () => false,
    counters: new MemoryCounterStore(),
    policySource: 'built-in defaults',
    policyRead: { kind: 'missing' },
    log: (line) => lines.push(line),
    redactor,
    lines: {
      toolCall: (event) => `工具调用 ${event.tool} ${event.decision} ${event.argsSha256}`,
      sessionClosed: (id) => `会话 ${id} 已关闭`,
      requestFailed: (message) => `请求失败：${message}`,
      socketUnavailable: (kind) => `${kind} 不可用`,
    },
    advice: () => undefined,
    preferTcp: true,
  });
  const client = new Client({ name: 'audit-line-test', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } }));
    await client.callTool({ name: 'list_apps', arguments: {} });
    assert.deepEqual(
      lines.filter((line) => line.startsWith('工具调用')).map((line) => line.replace(/[0-9a-f]{64}$/, '<digest>')),
      ['工具调用 list_apps allow <digest>'],
    );
    assert.deepEqual(
      lines.filter((line) => /mcp tool call|MCP server listening/.test(line)),
      [],
      'no English line from the server',
    );
  } finally {
    await client.close();
    await server.close();
    tokens.dispose();
  }
});
