import * as l10n from '@vscode/l10n';
import { findSecrets } from '../../core/secretScan';
import type { Services } from '../services';
import type { SecretsApis } from '../apis/secrets.apis';
import { MAX_SCANNED_BYTES, type SecretDiagnostics } from './diagnostics';

/** Folders never scanned: dependencies and Git's own store. */
const EXCLUDED = '**/{node_modules,.git}/**';
/** A workspace with more files than this is scanned up to here, and the person told so. */
export const MAX_SCANNED_FILES = 20_000;
/** Bytes looked at for a NUL, the sign of a binary file (as Git does). */
const BINARY_SNIFF_BYTES = 8000;

export interface ScanOutcome {
  listed: number;
  scanned: number;
  skipped: number;
  filesWithSecrets: number;
  secrets: number;
  cancelled: boolean;
}

/**
 * "Scan Workspace for Secrets": every workspace file but node_modules, .git, binaries and files over 1 MB,
 * with a progress notification that can be cancelled; each hit goes to the Problems panel.
 */
export async function scanWorkspace(services: Services, apis: SecretsApis, diagnostics: SecretDiagnostics): Promise<ScanOutcome> {
  const outcome: ScanOutcome = { listed: 0, scanned: 0, skipped: 0, filesWithSecrets: 0, secrets: 0, cancelled: false };
  await apis.withCancellableProgress(l10n.t('Scanning the workspace for DingTalk secrets'), async (progress) => {
    const files = await apis.findFiles(EXCLUDED, MAX_SCANNED_FILES);
    outcome.listed = files.length;
    const open = new Map(apis.openDocuments().map((file) => [file.uri, file]));
    for (const uri of files) {
      if (progress.cancelled) {
        outcome.cancelled = true;
        break;
      }
      const text = open.get(uri)?.text ?? decodeText(await apis.readFile(uri, MAX_SCANNED_BYTES));
      if (text === undefined || text.length > MAX_SCANNED_BYTES) {
        outcome.skipped++;
      } else {
        const shown = diagnostics.show(uri, findSecrets(text, uri));
        outcome.scanned++;
        outcome.secrets += shown;
        if (shown > 0) outcome.filesWithSecrets++;
      }
      progress.report(l10n.t('{0} of {1} files', outcome.scanned + outcome.skipped, files.length), 100 / Math.max(1, files.length));
    }
  });
  void services.apis.window.showInformationMessage(summary(outcome));
  services.log.info(summary(outcome));
  return outcome;
}

/** The file as text, or undefined when it was too large, unreadable or binary. */
function decodeText(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes || bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return undefined;
  return new TextDecoder().decode(bytes);
}

function summary(outcome: ScanOutcome): string {
  const found =
    outcome.secrets === 0
      ? l10n.t('No DingTalk secrets found in {0} files.', outcome.scanned)
      : l10n.t(
          'Found {0} DingTalk secret(s) in {1} of {2} files; they are listed in the Problems panel.',
          outcome.secrets,
          outcome.filesWithSecrets,
          outcome.scanned,
        );
  return [
    outcome.cancelled ? l10n.t('Scan cancelled.') : '',
    found,
    outcome.skipped > 0 ? l10n.t('{0} files skipped (binary, unreadable or over 1 MB).', outcome.skipped) : '',
    outcome.listed >= MAX_SCANNED_FILES ? l10n.t('Only the first {0} files were scanned.', MAX_SCANNED_FILES) : '',
  ]
    .filter(Boolean)
    .join(' ');
}
