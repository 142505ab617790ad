import { startHttpMcpServer, type HttpMcpServer, type HttpMcpServerOptions } from '../../src/mcp/http/server';
import { offlineContext } from './offlineContext';

export interface RunningServer {
  server: HttpMcpServer;
  /** What the server logged, line by line. */
  logs: string[];
  /** Its TCP port (NaN when it listens on a Unix socket or pipe). */
  port: number;
}

/** Runs `fn` against an HTTP MCP server over an offline tool context, then closes both whatever `fn` did. */
export async function withOfflineServer(options: HttpMcpServerOptions, fn: (running: RunningServer) => Promise<void>): Promise<void> {
  const logs: string[] = [];
  const context = offlineContext((line) => logs.push(line));
  const server = await startHttpMcpServer(context, options);
  try {
    await fn({ server, logs, port: Number(new URL(server.url).port) });
  } finally {
    await server.close();
    context.tokens.dispose();
  }
}
