import * as l10n from '@vscode/l10n';
import { wordReport } from '../wording/policyWording';
import {
  type PolicyFileRead,
  PolicyFileWatcher,
  type PolicyWatchOptions,
  type PolicyReport,
  type PolicyStatus,
  type PolicyFailure,
  type PolicyProblem,
  type StoreState,
} from '../../core/policy';
import type { ExtensionServer } from '../../mcp/extensionServer';
import type { Disposable } from '../emitter';
import { ShadowFollower } from './shadowFollower';

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
  problem?: PolicyProblem;
}

/** Something the person has to know about the policy in force. */
export type PolicyNotice =
  | { kind: 'denyingAll'; source: string; error: string; failure: PolicyFailure }
  | { kind: 'keptLastGood'; source: string; error: string; failure: PolicyFailure }
  | { kind: 'unknownTools'; source: string; /** Warnings (unknownTool, moreUnknownTools). */ entries: PolicyProblem[] }
  /** The file is gone and what it put in force stays (or every call stays denied); the person chooses. */
  | { kind: 'policyGone'; source: string; denyingAll: boolean };

/** The person's answer to a policyGone notice: keep what is in force (or no answer), or return to the built-in defaults. */
export type PolicyGoneChoice = 'keep' | 'useDefaults' | undefined;

/** What the DingTalk view shows of the server: whether it is offered and running, and the policy in force. */
export interface McpState {
  enabled: boolean;
  running: boolean;
  /** The policy file as the settings name it (known before the server starts). */
  source: string;
  /** Once the server runs: what decides calls now. */
  policy?: PolicyStatus;
  /** Once the server runs: where the policy's counters live, and whether they can be used. */
  counters?: StoreState;
}

export interface McpHost {
  enabled(): boolean;
  policyLocation(): PolicyLocation;
  startServer(policy: { source: string; read: PolicyFileRead }): Promise<ExtensionServer>;
  log: { info(line: string): void; warn(line: string): void; error(line: string): void };
  /** The log line when the setting stops the server, in the person's language. */
  stoppedLine: string;
  /** Tells the person (a notification with a way to open the policy); for policyGone, with their choice. */
  notify(notice: PolicyNotice): void | Promise<PolicyGoneChoice>;
  /** Shows the policy file's problems at their lines (Problems panel); an empty list or no file clears them. */
  showProblems?(file: string | undefined, problems: PolicyProblem[]): void;
  /** Test hook: timers and folder watching for the policy file watcher. */
  watchOptions?: PolicyWatchOptions;
  /** dingtalkToken.mcp.shadowPolicyFile as the person set it ('' or absent: no shadow). */
  shadowSetting?(): string;
}

export class McpController implements Disposable {
  private server: Promise<ExtensionServer> | undefined;
  private watcher: PolicyFileWatcher | undefined;
  private location: PolicyLocation | undefined;
  /** Serialises policy updates so an older one never lands after a newer one. */
  private applying: Promise<void> = Promise.resolve();
  private disposed = false;
  private running: ExtensionServer | undefined;
  private readonly stateListeners = new Set<() => void>();
  private readonly shadow: ShadowFollower;

  constructor(private readonly host: McpHost) {
    this.shadow = new ShadowFollower({ setting: () => host.shadowSetting?.() ?? '', log: host.log, watchOptions: host.watchOptions });
  }

  state(): McpState {
    return {
      enabled: this.offered(),
      running: this.running !== undefined,
      source: (this.location ?? this.host.policyLocation()).source,
      ...(this.running ? { policy: this.running.policyStatus(), counters: this.running.counterStore() } : {}),
    };
  }

  /** Fires when the server starts or stops, or the policy in force changes. */
  onDidChangeState(listener: () => void): Disposable {
    this.stateListeners.add(listener);
    return { dispose: () => void this.stateListeners.delete(listener) };
  }

  private stateChanged(): void {
    for (const listener of [...this.stateListeners]) listener();
  }

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
    const read = await this.follow(location);
    const server = await this.host.startServer({ source: location.source, read });
    this.running = server;
    this.report(server.initialPolicy, location);
    await this.followShadow(this.shadow.attach(server));
    return server;
  }

  /** Starts following the policy file at `location` (dropping the one before) and returns what it holds now. */
  private async follow(location: PolicyLocation): Promise<PolicyFileRead> {
    this.unwatch();
    this.location = location;
    if (location.problem) return { kind: 'unreadable', problem: location.problem };
    if (!location.path) return { kind: 'missing' };
    const watcher = await PolicyFileWatcher.open(
      location.path,
      (read) =>
        void this.update(location, read).catch((error: unknown) =>
          this.host.log.error(l10n.t('Applying the policy file failed: {0}', error instanceof Error ? error.message : String(error))),
        ),
      this.host.watchOptions,
    );
    if (this.location !== location || this.disposed) {
      watcher.close();
    } else {
      this.watcher = watcher;
    }
    return watcher.current;
  }

  /** Applies what the policy file holds now to the running server (once it runs). */
  private update(location: PolicyLocation, read: PolicyFileRead): Promise<void> {
    const applied = this.applying.then(async () => {
      const server = await this.server?.catch(() => undefined);
      if (!server || this.location !== location) return;
      this.report(server.loadPolicy(read, location.source), location);
    });
    // One failed update (a listener threw) must not stop the ones after it.
    this.applying = applied.catch(() => undefined);
    return applied;
  }

  /** Whether VS Code should be offered the server at all. */
  offered(): boolean {
    return !this.disposed && this.host.enabled();
  }

  /**
   * Settings or workspace folders changed: off stops the server (its sessions end); another policy
   * file is followed at once, in place of the old one. A server not yet started reads them when it starts.
   */
  async configurationChanged(): Promise<void> {
    // Whether it is offered, or which file it would read, may have changed even with no server running.
    this.stateChanged();
    if (!this.offered()) {
      if (this.server) {
        this.stop();
        this.host.log.info(this.host.stoppedLine);
      }
      return;
    }
    if (!this.server) return;
    await this.followShadow(this.shadow.changed());
    const location = this.host.policyLocation();
    const current = this.location;
    if (current && location.source === current.source && location.path === current.path && location.problem?.message === current.problem?.message) return;
    const read = await this.follow(location);
    if (this.location === location) await this.update(location, read);
  }

  /** Re-reads the policy file now; settles once any change is applied (tests, and a poll-free nudge). */
  async reload(): Promise<void> {
    await this.watcher?.check();
    await this.applying;
  }

  private report(report: PolicyReport, location: PolicyLocation): void {
    this.stateChanged();
    this.host.showProblems?.(location.path, report.problems);
    const line = wordReport(report, location.source);
    if (report.ok) {
      if (report.unknownTools.length === 0) return this.host.log.info(line);
      this.host.log.warn(line);
      void this.host.notify({ kind: 'unknownTools', source: location.source, entries: report.problems });
      return;
    }
    if (report.outcome === 'vanished') {
      this.host.log.warn(line);
      const choice = this.host.notify({ kind: 'policyGone', source: location.source, denyingAll: report.denyingAll });
      // Not awaited: the person may take their time, and later changes of the file must still apply.
      void Promise.resolve(choice).then((answer) => (answer === 'useDefaults' ? this.useDefaults(location) : undefined));
      return;
    }
    if (report.denyingAll) {
      this.host.log.error(line);
      void this.host.notify({ kind: 'denyingAll', source: location.source, error: report.error, failure: report.failure });
    } else {
      this.host.log.warn(line);
      void this.host.notify({ kind: 'keptLastGood', source: location.source, error: report.error, failure: report.failure });
    }
  }

  /**
   * The person chose the built-in defaults after the file disappeared. Applied in turn with file changes;
   * a file back in the meantime (or another file configured) decides instead.
   */
  private useDefaults(location: PolicyLocation): Promise<void> {
    const applied = this.applying.then(async () => {
      const server = await this.server?.catch(() => undefined);
      if (!server || this.location !== location || this.watcher?.current.kind !== 'missing') return;
      this.report(server.useDefaults(), location);
    });
    this.applying = applied.catch((error: unknown) =>
      this.host.log.error(l10n.t('Applying the policy file failed: {0}', error instanceof Error ? error.message : String(error))),
    );
    return applied;
  }

  /** A shadow that cannot be followed is no shadow: logged, never in the way of the server. */
  private async followShadow(following: Promise<void>): Promise<void> {
    await following.catch((error: unknown) =>
      this.host.log.warn(l10n.t('Could not follow the shadow MCP policy: {0}', error instanceof Error ? error.message : String(error))),
    );
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private stop(): void {
    this.unwatch();
    this.shadow.detach();
    this.location = undefined;
    this.host.showProblems?.(undefined, []);
    const server = this.server;
    this.server = undefined;
    this.running = undefined;
    this.stateChanged();
    void server?.then((running) => running.close()).catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }
}
