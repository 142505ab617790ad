import * as l10n from '@vscode/l10n';
import { SECRET_KINDS, type SecretKind } from '../../core/secretScan';
import { COMMAND } from '../commandIds';
import type { Services } from '../services';
import type { QuickFix, SecretsApis, SpanDiagnostic } from '../apis/secrets.apis';
import { kindName } from './diagnostics';
import type { SecretSpan } from './moveAppSecret';

/**
 * The quick fixes on a DingTalk secret warning: move an AppSecret (in a key or a gettoken URL) to SecretStorage,
 * or a robot webhook (with its SEC secret) to the robots, or stop warning about that kind of secret here.
 */
export function quickFixesFor(uri: string, diagnostics: SpanDiagnostic[]): QuickFix[] {
  return diagnostics.flatMap((diagnostic, index): QuickFix[] => {
    const kind = SECRET_KINDS.find((known) => known === diagnostic.code);
    if (!kind) return [];
    const span: SecretSpan = { uri, line: diagnostic.line, start: diagnostic.start, end: diagnostic.end };
    const ignore: QuickFix = {
      title: l10n.t('Do Not Warn About DingTalk {0} Here', kindName(kind)),
      command: COMMAND.ignoreSecretKind,
      args: [kind],
      fixes: index,
    };
    if (kind === 'robotWebhook')
      return [{ title: l10n.t('Move Robot to DingTalk SecretStorage'), command: COMMAND.moveRobot, args: [span], fixes: index, preferred: true }, ignore];
    if (kind !== 'appSecret' && kind !== 'legacyTokenUrl') return [ignore];
    return [{ title: l10n.t('Move AppSecret to DingTalk SecretStorage'), command: COMMAND.moveAppSecret, args: [span], fixes: index, preferred: true }, ignore];
  });
}

/** Adds `kind` to dingtalkToken.secretScan.ignore: this workspace's setting when a folder is open, else the user's. */
export async function ignoreSecretKind(services: Services, apis: SecretsApis, kind: unknown): Promise<void> {
  const known = SECRET_KINDS.find((candidate): candidate is SecretKind => candidate === kind);
  if (!known) return;
  const ignore = services.settings().secretScan.ignore;
  if (ignore.includes(known)) return;
  await apis.updateSetting('secretScan.ignore', [...ignore, known], apis.hasWorkspaceFolder() ? 'workspace' : 'user');
}
