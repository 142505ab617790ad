import * as l10n from '@vscode/l10n';
import { RobotError, type RobotErrorKind } from '../../core/dingtalk';
import type { Redactor } from '../../core/redact';

/** A failed robot send in the person's language: what happened to which robot, and what to do; DingTalk's code and words beside. */
export function describeRobotError(error: unknown, redactor: Redactor): string {
  if (!(error instanceof RobotError)) return redactor.redact(error instanceof Error ? error.message : String(error));
  const said = error.code ? ` (${error.code}${error.details.said ? `: ${error.details.said}` : ''})` : '';
  if (error.kind === 'counterStore') return redactor.redact(counterStoreWords(error.robot, error.details.said ?? ''));
  return redactor.redact(`${robotErrorWords(error.kind, error.robot, error.retryAfterMs)}${said}`);
}

/** Short words for a last send's outcome, in the Robots view. */
export function outcomeWord(kind: string | undefined): string {
  switch (kind as RobotErrorKind | undefined) {
    case 'signMismatch':
      return l10n.t('signature mismatch');
    case 'keywordMissing':
      return l10n.t('keyword missing');
    case 'ipNotAllowed':
      return l10n.t('IP not allowed');
    case 'tokenInvalid':
      return l10n.t('webhook unknown');
    case 'robotDisabled':
      return l10n.t('robot disabled');
    case 'tooFast':
    case 'localLimit':
      return l10n.t('too many messages');
    case 'mayHaveBeenDelivered':
      return l10n.t('may have been delivered');
    case 'badWebhook':
      return l10n.t('webhook refused');
    default:
      return l10n.t('not sent');
  }
}

/** The store's own words stay as they are (a file or Redis, and why): they are what to fix. */
function counterStoreWords(robot: string, why: string): string {
  return l10n.t(
    'Robot "{0}" did not send: its 20 messages a minute are counted in the counter store (dingtalkToken.mcp.counterStore), which cannot be used now, so nothing was sent. {1}',
    robot,
    why,
  );
}

function robotErrorWords(kind: Exclude<RobotErrorKind, 'counterStore'>, robot: string, retryAfterMs: number | undefined): string {
  const seconds = Math.max(1, Math.ceil((retryAfterMs ?? 0) / 1000));
  switch (kind) {
    case 'signMismatch':
      return l10n.t(
        'DingTalk refused the message to robot "{0}": the signature does not match. Check the SEC secret in the robot\'s security settings (加签), and this computer\'s clock.',
        robot,
      );
    case 'keywordMissing':
      return l10n.t('DingTalk refused the message to robot "{0}": it holds none of the robot\'s custom keywords. Put one of them in the text.', robot);
    case 'ipNotAllowed':
      return l10n.t('DingTalk refused the message to robot "{0}": this computer\'s public IP is not in the robot\'s IP address range.', robot);
    case 'tokenInvalid':
      return l10n.t(
        'DingTalk does not know the webhook of robot "{0}": it may have been removed from the group. Copy its Webhook again and add the robot again.',
        robot,
      );
    case 'robotDisabled':
      return l10n.t('Robot "{0}" is disabled in its group: enable it in the group\'s robot settings.', robot);
    case 'tooFast':
      return l10n.t('Robot "{0}" sent more than 20 messages in a minute, so DingTalk blocks it for 10 minutes.', robot);
    case 'localLimit':
      return l10n.t(
        'Robot "{0}" may not send now: DingTalk takes 20 messages a minute per robot and blocks it for ten minutes past that. Nothing was sent; try again in {1} s.',
        robot,
        seconds,
      );
    case 'mayHaveBeenDelivered':
      return l10n.t('The message to robot "{0}" may have been delivered, but DingTalk did not confirm it. It was not sent again; check the group.', robot);
    case 'notSent':
      return l10n.t('Could not reach DingTalk to send as robot "{0}"; nothing was sent. Check the network and dingtalkToken.legacyApiBaseUrl.', robot);
    case 'badWebhook':
      return l10n.t(
        'The webhook of robot "{0}" is not DingTalk\'s robot endpoint on dingtalkToken.legacyApiBaseUrl, so nothing was sent. Remove the robot and add it again.',
        robot,
      );
    case 'badMessage':
      return l10n.t('The message for robot "{0}" is not one DingTalk takes; nothing was sent.', robot);
    case 'unknownRobot':
      return l10n.t('There is no robot named "{0}".', robot);
    case 'rejected':
      return l10n.t('DingTalk refused the message to robot "{0}".', robot);
  }
}
