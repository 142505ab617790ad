import * as l10n from '@vscode/l10n';
import { findSecrets, type SecretHit, type SecretKind } from '../../core/secretScan';
import type { Disposable } from '../emitter';
import type { Services } from '../services';
import type { DiagnosticsView, SecretsApis, SpanDiagnostic, TextFile } from '../apis/secrets.apis';

/** The diagnostics' source, as the Problems panel shows it. */
export const DIAGNOSTIC_SOURCE = 'DingTalk';
/** Files and open documents larger than this are not scanned (a 1 MB file is one pass of a few milliseconds; see bench/). */
export const MAX_SCANNED_BYTES = 1024 * 1024;

/**
 * Warnings on DingTalk secrets in open documents (and in files the workspace scan read), kept while
 * `dingtalkToken.secretScan.enabled` is on, less the kinds `dingtalkToken.secretScan.ignore` names.
 */
export class SecretDiagnostics implements Disposable {
  private readonly view: DiagnosticsView;
  private readonly subscriptions: Disposable[];

  constructor(
    private readonly services: Services,
    private readonly apis: SecretsApis,
  ) {
    this.view = apis.createDiagnostics(DIAGNOSTIC_SOURCE);
    this.subscriptions = [apis.onDidOpenOrChange((file) => this.check(file))];
    this.refresh();
  }

  /** Re-checks every open document; call after the settings changed. */
  refresh(): void {
    if (!this.services.settings().secretScan.enabled) return this.view.clear();
    for (const file of this.apis.openDocuments()) this.check(file);
  }

  check(file: TextFile): void {
    if (file.text.length > MAX_SCANNED_BYTES) return this.view.delete(file.uri);
    this.show(file.uri, findSecrets(file.text, file.fileName));
  }

  /** Shows `hits` for a file (the scan's, or an open document's); returns how many were shown. */
  show(uri: string, hits: SecretHit[]): number {
    const { enabled, ignore } = this.services.settings().secretScan;
    const shown = enabled ? hits.filter((hit) => !ignore.includes(hit.kind)) : [];
    if (shown.length === 0) this.view.delete(uri);
    else this.view.set(uri, shown.map(diagnosticFor));
    return shown.length;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.view.dispose();
  }
}

function diagnosticFor(hit: SecretHit): SpanDiagnostic {
  return { line: hit.line, start: hit.start, end: hit.end, code: hit.kind, message: describeHit(hit.kind) };
}

function describeHit(kind: SecretKind): string {
  switch (kind) {
    case 'appSecret':
      return l10n.t('A DingTalk AppSecret is written in this file, where it can leak with the file. Move it to DingTalk SecretStorage (quick fix).');
    case 'legacyTokenUrl':
      return l10n.t('This gettoken URL carries a DingTalk AppSecret, which can leak with the file. Move it to DingTalk SecretStorage (quick fix).');
    case 'robotWebhook':
      return l10n.t("A DingTalk robot webhook with its access_token: anyone who reads this line can post to the robot's group.");
    case 'robotSecret':
      return l10n.t('A DingTalk robot signing secret (SEC…) is written in this file: with the webhook it lets anyone post as the robot.');
  }
}

/** How the ignore quick fix names each kind. */
export function kindName(kind: SecretKind): string {
  switch (kind) {
    case 'appSecret':
      return l10n.t('AppSecrets');
    case 'legacyTokenUrl':
      return l10n.t('gettoken URLs');
    case 'robotWebhook':
      return l10n.t('robot webhooks');
    case 'robotSecret':
      return l10n.t('robot signing secrets');
  }
}
