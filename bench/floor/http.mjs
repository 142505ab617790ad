// Floor for figure 2: Streamable HTTP with the same SDK (one McpServer and transport per session, as ours),
// on 127.0.0.1 or a unix socket, with the constant tool. No secret header, no Host/Origin checks, no body cap.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { registerFloorTool } from './shape.mjs';

export async function startHttpFloor({ unix = false } = {}) {
  const sessions = new Map();
  const server = http.createServer(async (req, res) => {
    try {
      const id = req.headers['mcp-session-id'];
      let transport = id ? sessions.get(id) : undefined;
      if (req.method === 'POST' && !transport) {
        const chunks = [];
        for await (const chunk of req) chunks.push(chunk);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (!isInitializeRequest(body)) {
          res.writeHead(400).end();
          return;
        }
        const mcp = new McpServer({ name: 'floor', version: '1.0.0' });
        registerFloorTool(mcp);
        transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (sid) => sessions.set(sid, transport) });
        transport.onclose = () => sessions.delete(transport.sessionId);
        await mcp.connect(transport);
        await transport.handleRequest(req, res, body);
        return;
      }
      if (!transport) {
        res.writeHead(404).end();
        return;
      }
      await transport.handleRequest(req, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  });
  const socketDir = unix ? fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-floor-')) : undefined;
  const socketPath = socketDir && path.join(socketDir, 'mcp.sock');
  await new Promise((resolve) => (socketPath ? server.listen(socketPath, resolve) : server.listen(0, '127.0.0.1', resolve)));
  return {
    socketPath,
    url: socketPath ? 'http://localhost/mcp' : `http://127.0.0.1:${server.address().port}/mcp`,
    close: async () => {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (socketDir) fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
