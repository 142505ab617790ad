import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A forward proxy on 127.0.0.1 for tests: CONNECT tunnels and absolute-form HTTP requests. Host names in `hosts`
 * (e.g. `api.dingtalk.test` → the emulator's port) resolve only here, so a client reaches them only through it.
 */
export interface LoopbackProxy {
  url: string;
  /** What the proxy was asked for: `CONNECT host:port` or `GET http://host:port/path`. */
  seen: string[];
  close(): Promise<void>;
}

export async function startLoopbackProxy(hosts: Record<string, string>): Promise<LoopbackProxy> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const resolve = (host: string, port: number): { host: string; port: number } | undefined => {
    const mapped = hosts[`${host}:${port}`];
    if (!mapped) return undefined;
    const url = new URL(mapped);
    return { host: url.hostname, port: Number(url.port) };
  };
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return void res.writeHead(400).end('absolute-form requests only');
    }
    const to = resolve(target.hostname, Number(target.port || 80));
    if (!to) return void res.writeHead(502).end('unknown host');
    const upstream = http.request({ ...to, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const to = resolve(host ?? '', Number(port));
    if (!to) return void client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    const upstream = net.connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
