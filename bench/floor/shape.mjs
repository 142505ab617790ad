// The floor's one tool: the same name, input and output shape as our get_access_token, answering a constant.
// Registered with the same SDK (McpServer.registerTool + zod/v4 schemas), so the floor pays exactly what the
// SDK and the transport cost for such a tool, and nothing of ours (policy, audit, token cache, logging).
import * as z from 'zod/v4';

const ISSUED_AT = Date.UTC(2026, 0, 1);

/** What our get_access_token returns from a warm cache, with fixed values. */
export function constantToken() {
  return {
    app: 'dingsandbox0001',
    label: 'Sandbox',
    accessToken: '0123456789abcdef0123456789abcdef',
    expiresAt: new Date(ISSUED_AT + 7200_000).toISOString(),
    expiresIn: 7000,
    source: 'cache',
  };
}

export function registerFloorTool(server) {
  server.registerTool(
    'get_access_token',
    {
      title: 'Get access token (floor)',
      description: "Returns a constant of the same shape as dingtalk-token's get_access_token.",
      inputSchema: { app: z.string().min(1).max(200).optional() },
      outputSchema: {
        app: z.string(),
        label: z.string(),
        accessToken: z.string(),
        expiresAt: z.iso.datetime(),
        expiresIn: z.number().int().min(0),
        source: z.enum(['network', 'cache', 'shared']),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: true },
    },
    async () => {
      const structured = constantToken();
      return { structuredContent: structured, content: [{ type: 'text', text: JSON.stringify(structured) }] };
    },
  );
}
