// The processes an end-to-end session starts (code-server with its extension host, chromium): free ports,
// one-shot commands, and ending a whole process tree by pid, also when the test process dies first.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const out = `${stdout}${stderr}`;
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${out}`));
      else resolve(out);
    });
  });
}

/** All descendants of pid, found through /proc (children before they can be re-parented on kill). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we were looking.
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    // A zombie has ended; it only waits for its parent (or init) to reap it.
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGTERM the process, its group and its descendants; SIGKILL whatever is left after graceMs. */
export async function killTree(pid: number, graceMs = 3000): Promise<void> {
  const pids = [pid, ...descendants(pid)];
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the group we created with detached: true
    } catch {
      // No such group (already gone).
    }
    for (const p of pids) {
      try {
        process.kill(p, sig);
      } catch {
        // Already gone.
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await delay(100);
  if (pids.some(alive)) signal('SIGKILL');
}

// Sessions not closed yet: if the test process dies without close(), still end what we started
// (synchronously, as an 'exit' handler must) and remove its temp dirs.
export interface LiveSession {
  serverPid?: number;
  browserPid?: number;
  tempRoot?: string;
  keep?: boolean;
}
export const live = new Set<LiveSession>();
function killLiveSync(): void {
  for (const l of live) {
    for (const root of [l.serverPid, l.browserPid]) {
      if (!root) continue;
      for (const pid of [-root, root, ...descendants(root)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    if (l.tempRoot && !l.keep) fs.rmSync(l.tempRoot, { recursive: true, force: true });
  }
  live.clear();
}
process.on('exit', killLiveSync);
for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(sig, () => {
    killLiveSync();
    process.exit(code);
  });
}
