import { readPolicyFile, samePolicyRead, type PolicyFileRead } from '../core/policyFile';
import type { PolicyReport } from '../core/policy';
import type { ExtensionServer } from '../mcp/extensionServer';

/**
 * The in-process MCP server's life, apart from the vscode API so it can be tested with real files and a
 * real server: started when VS Code resolves the definition, fed the policy file whatever happens to it,
 * and told where the policy lives or whether to run at all when settings change. mcpProvider.ts is the
 * thin vscode side.
 */

/** Where the policy file is, as the settings say now. */
export interface PolicyLocation {
  /** Names the policy in messages: the path, or what stands in for it. */
  source: string;
  /** The local file to read and watch; absent when there can be none (no folder open → the built-in defaults). */
  path?: string;
  /** Why the policy cannot be read at all (not on this machine's disk); every call is then denied. */
  problem?: string;
}

/** Something the person has to know about the policy in force. */
export type PolicyNotice =
  | { kind: 'denyingAll'; source: string; error: string }
  | { kind: 'keptLastGood'; source: string; error: string }
  | { kind: 'unknownTools'; source: string; entries: string[] };

export interface Disposable { dispose(): void }

export interface McpHost {
  enabled(): boolean;
  policyLocation(): PolicyLocation;
  startServer(policy: { source: string; read: PolicyFileRead }): Promise<ExtensionServer>;
  /** Calls `onEvent` when the file at `path` may have changed. */
  watch(path: string, onEvent: () => void): Disposable;
  log: { info(line: string): void; warn(line: string): void; error(line: string): void };
  /** Tells the person (a notification with a way to open the policy). */
  notify(notice: PolicyNotice): void;
}

export class McpController implements Disposable {
  private server: Promise<ExtensionServer> | undefined;
  private watcher: Disposable | undefined;
  private location: PolicyLocation | undefined;
  private lastRead: PolicyFileRead | undefined;
  /** Serialises reloads so an older read never lands after a newer one. */
  private reloading: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(private readonly host: McpHost) {}

  /** The running server, started on first use; undefined while MCP is turned off. */
  async resolve(): Promise<ExtensionServer | undefined> {
    if (this.disposed || !this.host.enabled()) return undefined;
    this.server ??= this.start().catch((error: unknown) => {
      this.server = undefined;
      this.unwatch();
      throw error;
    });
    return this.server;
  }

  private async start(): Promise<ExtensionServer> {
    const location = this.host.policyLocation();
    this.watchLocation(location);
    const read = await readLocation(location);
    this.lastRead = read;
    const server = await this.host.startServer({ source: location.source, read });
    this.report(server.initialPolicy, location);
    return server;
  }

  private watchLocation(location: PolicyLocation): void {
    this.unwatch();
    this.location = location;
    // Watching starts before the first read, so a change in between is not lost.
    if (location.path) this.watcher = this.host.watch(location.path, () => void this.reload());
  }

  /** Re-reads the policy file and applies it when it changed; the promise settles once applied. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      const server = await this.server?.catch(() => undefined);
      const location = this.location;
      if (!server || !location) return;
      const read = await readLocation(location);
      if (this.location !== location || (this.lastRead && samePolicyRead(read, this.lastRead))) return;
      this.lastRead = read;
      this.report(server.loadPolicy(read, location.source), location);
    });
    return this.reloading;
  }

  private report(report: PolicyReport, location: PolicyLocation): void {
    if (report.ok) {
      if (report.unknownTools.length === 0) return this.host.log.info(report.message);
      this.host.log.warn(report.message);
      return this.host.notify({ kind: 'unknownTools', source: location.source, entries: report.unknownTools });
    }
    if (report.denyingAll) {
      this.host.log.error(report.message);
      this.host.notify({ kind: 'denyingAll', source: location.source, error: report.error });
    } else {
      this.host.log.warn(report.message);
      this.host.notify({ kind: 'keptLastGood', source: location.source, error: report.error });
    }
  }

  private unwatch(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.unwatch();
    const server = this.server;
    this.server = undefined;
    void server?.then((running) => running.close()).catch(() => undefined);
  }
}

async function readLocation(location: PolicyLocation): Promise<PolicyFileRead> {
  if (location.problem) return { kind: 'unreadable', error: location.problem };
  return location.path ? readPolicyFile(location.path) : { kind: 'missing' };
}
