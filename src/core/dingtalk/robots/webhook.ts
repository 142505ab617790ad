/**
 * A robot's webhook, checked before anything is sent: the whole URL (`{legacy base}/robot/send?access_token=…`) or
 * only its access_token, on the configured legacy base and nowhere else. No message here quotes the webhook or the
 * secret: they are the robot's credentials.
 */
import { RobotError } from './errors';
import type { RobotCredentials } from './registry';

/** DingTalk's robot tokens are 64 hex characters; this accepts any plain token of a sane length. */
const ROBOT_TOKEN = /^[A-Za-z0-9_-]{16,256}$/;
/** 加签 secrets are "SEC" and 64 hex characters. */
const ROBOT_SECRET = /^SEC[A-Za-z0-9]{16,256}$/;
const MAX_WEBHOOK_LENGTH = 2048;
export const ROBOT_SEND_PATH = '/robot/send';

/** The URL a send goes to (access_token only, no other parameters), or a badWebhook error naming the robot. */
export function robotSendUrl(robot: RobotCredentials, legacyApiBaseUrl: string): URL {
  const base = new URL(legacyApiBaseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const token = robotToken(robot, base, prefix);
  const url = new URL(`${base.origin}${prefix}${ROBOT_SEND_PATH}`);
  url.searchParams.set('access_token', token);
  return url;
}

/** Throws a badWebhook error when the robot could not be sent to with these settings (checked when it is added or loaded). */
export function checkRobot(robot: RobotCredentials, legacyApiBaseUrl: string): void {
  robotSendUrl(robot, legacyApiBaseUrl);
  if (robot.secret !== undefined && !ROBOT_SECRET.test(robot.secret)) {
    throw new RobotError(
      'badWebhook',
      robot.name,
      `Robot "${robot.name}": its signing secret is not one DingTalk issues (it starts with SEC, then letters and digits). Copy it again from the robot's security settings (加签).`,
    );
  }
}

/** The webhook's access_token: the whole webhook when it is a bare token, else the URL's, if that URL is DingTalk's robot endpoint. */
export function robotToken(robot: RobotCredentials, base: URL, prefix: string): string {
  const refuse = (why: string) => {
    throw new RobotError('badWebhook', robot.name, `Robot "${robot.name}": ${why} Nothing was sent.`);
  };
  const webhook = typeof robot.webhook === 'string' ? robot.webhook.trim() : '';
  if (ROBOT_TOKEN.test(webhook)) return webhook;
  if (webhook.length === 0 || webhook.length > MAX_WEBHOOK_LENGTH || !/^https?:\/\//i.test(webhook)) {
    return refuse("its webhook is neither a URL nor an access_token. Copy the Webhook from the robot's settings in the group.");
  }
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    return refuse("its webhook is not a valid URL. Copy the Webhook from the robot's settings in the group.");
  }
  if (url.username || url.password) return refuse('its webhook has credentials in it; DingTalk webhooks have none.');
  const onBase = url.origin === base.origin && url.pathname.replace(/\/+$/, '') === `${prefix}${ROBOT_SEND_PATH}`;
  if (!onBase) {
    return refuse(
      `its webhook is not DingTalk's robot endpoint on the configured legacy base (${base.origin}${prefix}${ROBOT_SEND_PATH}), so it is refused: ` +
        `it points at ${url.host}.`,
    );
  }
  const token = url.searchParams.get('access_token') ?? '';
  if (!ROBOT_TOKEN.test(token)) return refuse('its webhook has no usable access_token parameter.');
  return token;
}

/** Every value of a robot a redactor must hide: the webhook as given, its access_token, and the secret. */
export function robotSecretValues(robot: Pick<RobotCredentials, 'webhook' | 'secret'>): string[] {
  const webhook = typeof robot.webhook === 'string' ? robot.webhook.trim() : '';
  const values = [webhook, robot.secret ?? ''];
  try {
    values.push(new URL(webhook).searchParams.get('access_token') ?? '');
  } catch {
    // A bare token is the webhook itself.
  }
  return values.filter((value) => value.length > 0);
}
