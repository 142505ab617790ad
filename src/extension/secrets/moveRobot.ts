import * as l10n from '@vscode/l10n';
import { findSecrets, type SecretHit } from '../../core/secretScan';
import type { RobotCredentials } from '../../core/dingtalk';
import { askRobotName, storeRobot } from '../robots/commands';
import type { Services } from '../services';
import type { SecretsApis } from '../apis/secrets.apis';
import { baseName, isSecretSpan } from './moveAppSecret';

/** How many lines from the webhook a SEC secret may be written and still count as that robot's. */
const SECRET_DISTANCE = 5;

/**
 * "Move Robot to DingTalk SecretStorage": takes the webhook's access_token and the SEC secret written nearest it,
 * asks a name as Add Robot does (Escape, or a name taken, stores nothing and leaves the file as it was), stores
 * the robot, then empties both values in the file as one undoable edit.
 */
export async function moveRobot(services: Services, apis: SecretsApis, span: unknown): Promise<void> {
  // Any extension can run the command: only a span of the shape the quick fix passes is taken.
  if (!isSecretSpan(span)) return;
  const window = services.apis.window;
  const document = await apis.document(span.uri);
  const fileName = baseName(document.fileName);
  const hits = findSecrets(document.text, document.fileName);
  // The file may have changed since the warning was drawn: only a webhook still standing there is moved.
  const webhook = hits.find((hit) => hit.kind === 'robotWebhook' && hit.line === span.line && hit.start === span.start && hit.end === span.end);
  if (!webhook) return void window.showWarningMessage(l10n.t('The robot webhook is no longer on line {0} of {1}; nothing was moved.', span.line + 1, fileName));
  const secret = nearestSecret(hits, webhook.line);
  const lines = document.text.split('\n');
  // findSecrets found the hits in these very lines.
  const valueOf = (hit: SecretHit) => lines[hit.line]!.slice(hit.start, hit.end);
  for (const hit of [webhook, secret]) if (hit) services.redactor.remember(valueOf(hit));

  const name = await askRobotName(services, l10n.t('Move Robot to DingTalk SecretStorage'));
  if (!name) return;
  // The detector takes only a 64-hex access_token and SEC with 64 hex: values Add Robot's check accepts.
  const robot: RobotCredentials = secret ? { name, webhook: valueOf(webhook), secret: valueOf(secret) } : { name, webhook: valueOf(webhook) };
  await storeRobot(services, robot);
  const spans = secret ? [webhook, secret] : [webhook];
  const edited = (await apis.empty(span.uri, spans)) && (document.isDirty || (await apis.save(span.uri)));
  if (!edited) {
    return void window.showWarningMessage(
      l10n.t('Robot "{0}" is stored in DingTalk SecretStorage, but {1} could not be changed: remove its access_token and SEC secret yourself.', name, fileName),
    );
  }
  services.log.info(l10n.t('Moved robot {0} from {1} to SecretStorage', name, fileName));
  void window.showInformationMessage(
    l10n.t(
      'Robot "{0}" is in DingTalk SecretStorage; {1} keeps the webhook without its access_token. Send as it from the DingTalk view or with send_robot_message.',
      name,
      fileName,
    ),
  );
}

/** The SEC secret written nearest the webhook (the same line first), within SECRET_DISTANCE lines. */
function nearestSecret(hits: SecretHit[], line: number): SecretHit | undefined {
  const distance = (hit: SecretHit) => Math.abs(hit.line - line);
  return hits
    .filter((hit) => hit.kind === 'robotSecret' && distance(hit) <= SECRET_DISTANCE)
    .reduce<SecretHit | undefined>((best, hit) => (!best || distance(hit) < distance(best) ? hit : best), undefined);
}
