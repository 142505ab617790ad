import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, ListenOptions } from 'node:net';
import type { ServerLines } from '../serverLines';

/** Where the in-process MCP server listens: a private unix socket or named pipe, else 127.0.0.1. */

export interface Endpoint {
  kind: 'unix' | 'pipe' | 'tcp';
  socketPath?: string;
  socketDir?: string;
  port?: number;
}

/** A unix socket in a fresh 0700 directory, or a named pipe; 127.0.0.1 on a random port when asked or when those fail. */
export async function listen(
  server: http.Server,
  options: { socketDir?: string; preferTcp?: boolean },
  log: (line: string) => void,
  lines: ServerLines,
): Promise<Endpoint> {
  if (!options.preferTcp) {
    if (process.platform === 'win32') {
      const pipe = `\\\\.\\pipe\\dingtalk-token-mcp-${randomBytes(16).toString('hex')}`;
      try {
        await listenOn(server, { path: pipe });
        return { kind: 'pipe', socketPath: pipe };
      } catch (error) {
        log(lines.socketUnavailable('pipe', (error as Error).message));
      }
    } else {
      const socketDir = await fs.mkdtemp(path.join(options.socketDir ?? os.tmpdir(), 'dingtalk-mcp-'));
      try {
        await fs.chmod(socketDir, 0o700); // mkdtemp already does; made explicit because it is the access control
        const socketPath = path.join(socketDir, 'mcp.sock');
        await listenOn(server, { path: socketPath });
        return { kind: 'unix', socketPath, socketDir };
      } catch (error) {
        await fs.rm(socketDir, { recursive: true, force: true });
        log(lines.socketUnavailable('unix', (error as Error).message));
      }
    }
  }
  await listenOn(server, { port: 0, host: '127.0.0.1' });
  return { kind: 'tcp', port: (server.address() as AddressInfo).port };
}

function listenOn(server: http.Server, where: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
