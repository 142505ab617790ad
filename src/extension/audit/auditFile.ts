import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { AuditFile } from '../../core/auditFile';
import type { Services } from '../services';
import type { Disposable } from '../emitter';

/**
 * dingtalkToken.mcp.auditFile: every audit event appended to the person's file as a JSON line (core/auditFile.ts),
 * following the settings as they change. A write failure is logged once; calls go on regardless.
 */
export function followAuditFile(services: Services): { settingsChanged(): void } & Disposable {
  let writer: AuditFile | undefined;
  let configured = '';
  let warned = '';
  const configure = () => {
    const { auditFile, auditFileMaxBytes } = services.settings();
    const file = auditFile.trim();
    if (configured === `${auditFileMaxBytes} ${file}`) return;
    configured = `${auditFileMaxBytes} ${file}`;
    writer = undefined;
    if (!file) return;
    if (!path.isAbsolute(file)) {
      if (warned !== file) services.log.warn(l10n.t('dingtalkToken.mcp.auditFile must be an absolute path, not "{0}"; no audit file is written.', file));
      warned = file;
      return;
    }
    writer = new AuditFile(file, {
      maxBytes: auditFileMaxBytes,
      onWriteFailure: (reason) =>
        services.log.warn(l10n.t('The audit file {0} cannot be written ({1}); tool calls go on, unaudited in the file.', file, reason)),
    });
  };
  configure();
  const listening = services.audit.onDidRecord((event) => writer?.append(event));
  return { settingsChanged: configure, dispose: () => listening.dispose() };
}

/** DingTalk: Export Audit: the recent events in memory, oldest first, as JSON lines in a file only the person can read. */
export async function exportAudit(services: Services): Promise<void> {
  const events = services.audit.recent().reverse();
  const file = await services.apis.window.showSaveDialog(l10n.t('Export Audit'), 'dingtalk-audit.jsonl');
  if (!file) return;
  try {
    await fs.writeFile(file, events.map((event) => `${JSON.stringify(event)}\n`).join(''), { mode: 0o600 });
    // A file that existed keeps its mode through writeFile.
    await fs.chmod(file, 0o600);
  } catch (error) {
    void services.apis.window.showErrorMessage(l10n.t('Could not export the audit to {0}: {1}', file, (error as NodeJS.ErrnoException).code ?? String(error)));
    return;
  }
  void services.apis.window.showInformationMessage(l10n.t('Exported {0} recent tool calls to {1}.', events.length, file));
}
