import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { PolicyFileWatcher, type PolicyReport, type PolicyWatchOptions } from '../../core/policy';
import type { ExtensionServer } from '../../mcp/extensionServer';
import { wordFailure } from '../wording/policyWording';

/**
 * Follows dingtalkToken.mcp.shadowPolicyFile for the running server: the shadow is judged beside the policy in
 * force and only written to the audit. A missing or invalid file means no shadow, said once in the log.
 */
export interface ShadowHost {
  /** The setting as the person wrote it ('' for none). */
  setting(): string;
  log: { info(line: string): void; warn(line: string): void };
  watchOptions?: PolicyWatchOptions;
}

export class ShadowFollower {
  private server: ExtensionServer | undefined;
  private watcher: PolicyFileWatcher | undefined;
  private following: string | undefined;

  constructor(private readonly host: ShadowHost) {}

  /** The server started: the shadow file applies to it from now on. */
  async attach(server: ExtensionServer): Promise<void> {
    this.server = server;
    this.following = undefined;
    await this.changed();
  }

  /** The setting may have changed: follow the file it names now (or none). */
  async changed(): Promise<void> {
    const server = this.server;
    const setting = this.host.setting().trim();
    if (!server || setting === this.following) return;
    this.unwatch();
    this.following = setting;
    if (!setting) {
      server.loadShadow({ kind: 'missing' }, '');
      return;
    }
    if (!path.isAbsolute(setting)) {
      server.loadShadow({ kind: 'missing' }, setting);
      this.host.log.warn(l10n.t('dingtalkToken.mcp.shadowPolicyFile must be an absolute path, not "{0}"; there is no shadow policy.', setting));
      return;
    }
    const apply = (read: Parameters<ExtensionServer['loadShadow']>[0]) => {
      if (this.server === server && this.following === setting) this.report(server.loadShadow(read, setting), setting);
    };
    const watcher = await PolicyFileWatcher.open(setting, apply, this.host.watchOptions);
    if (this.server !== server || this.following !== setting) return watcher.close();
    this.watcher = watcher;
    apply(watcher.current);
  }

  /** The server stopped. */
  detach(): void {
    this.unwatch();
    this.server = undefined;
    this.following = undefined;
  }

  private report(report: PolicyReport, file: string): void {
    if (report.ok && report.outcome === 'loaded') {
      this.host.log.info(l10n.t('Shadow MCP policy {0} is judged beside the policy in force; it never decides.', file));
    } else if (report.ok) {
      this.host.log.warn(l10n.t('Shadow MCP policy {0} does not exist: there is no shadow policy until it does.', file));
    } else {
      this.host.log.warn(l10n.t('Shadow MCP policy {0} is not used until it is fixed: {1}', file, wordFailure(report.failure)));
    }
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
