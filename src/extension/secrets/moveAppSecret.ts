import * as l10n from '@vscode/l10n';
import { findAppKeyNear, findSecrets } from '../../core/secretScan';
import { checkCredentials, keepCheckedApp } from '../apps/credentialsFlow';
import { ACCESS_TOKEN_VARIABLE } from '../devenv/commandVariable';
import { TERMINAL_VARIABLES } from '../terminal/environment';
import type { Services } from '../services';
import type { SecretsApis } from '../apis/secrets.apis';

/** Where the quick fix was offered: the file and the secret's span, as the diagnostic had them. */
export interface SecretSpan {
  uri: string;
  line: number;
  start: number;
  end: number;
}

/**
 * "Move AppSecret to DingTalk SecretStorage": finds the AppKey beside the secret (or asks), checks the pair with
 * DingTalk as Set App Credentials does, stores the app, then empties the secret's value in the file as one
 * undoable edit (the key stays, so the program's configuration keeps its shape). When DingTalk refuses the
 * pair, nothing is stored and the file is left as it was.
 */
export async function moveAppSecret(services: Services, apis: SecretsApis, span: unknown): Promise<void> {
  // Any extension can run the command: only a span of the shape the quick fix passes is taken.
  if (!isSecretSpan(span)) return;
  const window = services.apis.window;
  const document = await apis.document(span.uri);
  const name = baseName(document.fileName);
  // The file may have changed since the warning was drawn: only a secret still standing there is moved.
  const hit = findSecrets(document.text, document.fileName).find(
    (candidate) => candidate.line === span.line && candidate.start === span.start && candidate.end === span.end && candidate.kind !== 'robotWebhook',
  );
  if (!hit || hit.kind === 'robotSecret')
    return void window.showWarningMessage(l10n.t('The AppSecret is no longer on line {0} of {1}; nothing was moved.', span.line + 1, name));
  // findSecrets found the hit in these very lines.
  const appSecret = document.text.split('\n')[hit.line]!.slice(hit.start, hit.end);
  services.redactor.remember(appSecret);
  const appKey = findAppKeyNear(document.text, hit.line) ?? (await askAppKey(services, name, hit.line));
  if (!appKey) return;
  const answer = await window.withProgress(l10n.t('Checking the AppSecret of {0} with DingTalk…', appKey), () => checkCredentials(services, appKey, appSecret));
  if ('refused' in answer) {
    return void window.showErrorMessage(
      l10n.t('DingTalk did not accept the AppSecret in {0} for {1}, so nothing was stored and the file is unchanged. {2}', name, appKey, answer.refused),
    );
  }
  const label = services.credentials.list().find((app) => app.appKey === appKey)?.label ?? appKey;
  await keepCheckedApp(services, { appKey, label }, answer);
  const edited = (await apis.empty(span.uri, [hit])) && (document.isDirty || (await apis.save(span.uri)));
  if (!edited) {
    return void window.showWarningMessage(
      l10n.t('{0} is stored in DingTalk SecretStorage, but {1} could not be changed: remove its AppSecret yourself.', label, name),
    );
  }
  services.log.info(l10n.t('Moved the AppSecret of {0} from {1} to SecretStorage', label, name));
  await offerTheToken(services, apis, label, name);
}

async function askAppKey(services: Services, fileName: string, line: number): Promise<string | undefined> {
  const answer = await services.apis.window.showInputBox({
    title: l10n.t('Move AppSecret to DingTalk SecretStorage'),
    prompt: l10n.t('AppKey (Client ID) of the app whose AppSecret is on line {0} of {1}', line + 1, fileName),
    placeHolder: 'dingxxxxxxxxxxxxxxxx',
    ignoreFocusOut: true,
    validateInput: (value) => (/^\S+$/.test(value.trim()) ? undefined : l10n.t('Enter the AppKey: one word, no spaces.')),
  });
  return answer?.trim() || undefined;
}

/** Says how the person's program gets a token now that the secret left its file. */
async function offerTheToken(services: Services, apis: SecretsApis, label: string, fileName: string): Promise<void> {
  const message = l10n.t(
    'The AppSecret of {0} is in DingTalk SecretStorage and its token is fetched; {1} keeps the key with an empty value. Your program can take the token from {2} in launch.json or tasks.json, or from {3} in new terminals.',
    label,
    fileName,
    ACCESS_TOKEN_VARIABLE,
    TERMINAL_VARIABLES.accessToken,
  );
  if (services.settings().terminalEnvironment) return void services.apis.window.showInformationMessage(message);
  const turnOn = l10n.t('Give New Terminals the Token');
  if ((await services.apis.window.showInformationMessage(message, turnOn)) === turnOn) await apis.updateSetting('terminal.environment', true, 'user');
}

export function isSecretSpan(value: unknown): value is SecretSpan {
  const span = value as Partial<SecretSpan> | null;
  return (
    typeof span === 'object' &&
    span !== null &&
    typeof span.uri === 'string' &&
    [span.line, span.start, span.end].every((number) => Number.isSafeInteger(number) && (number as number) >= 0)
  );
}

export function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName;
}
