/**
 * What DingTalk's answer to a robot send means (自定义机器人发送群消息,
 * https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages): HTTP 200 with errcode 0 is sent;
 * 310000 is a security setting refusing it (told apart by errmsg: sign, keywords, IP); 300001 an unknown token;
 * 400102 a disabled robot; 410100 too many messages. A 5xx may come after delivery, so it is never "not sent".
 */
import { RobotError } from './errors';
import { ROBOT_BLOCK_MS, ROBOT_SENDS_PER_MINUTE } from './limiter';

const MAX_SAID = 200;

/** undefined when DingTalk took the message; otherwise the error naming the robot and what to do. */
export function robotAnswerError(robot: string, status: number, text: string): RobotError | undefined {
  const json = parse(text);
  const errcode = typeof json?.errcode === 'number' ? json.errcode : typeof json?.errcode === 'string' ? Number(json.errcode) : undefined;
  const said = typeof json?.errmsg === 'string' ? json.errmsg.slice(0, MAX_SAID) : undefined;
  if (status >= 500) {
    return new RobotError(
      'mayHaveBeenDelivered',
      robot,
      `DingTalk answered HTTP ${status} after the message to robot "${robot}" was sent, so it may have been delivered. It was not sent again; check the group before sending it again.`,
      { code: `HTTP ${status}` },
    );
  }
  if (status === 200 && errcode === 0) return undefined;
  const details = { code: errcode === undefined ? `HTTP ${status}` : String(errcode), said };
  const quoted = said ? `: ${said}` : '';
  const refused = `DingTalk refused the message to robot "${robot}" (${details.code}${quoted}); it was not delivered.`;
  switch (errcode) {
    case 310000:
      if (/keyword|关键词/i.test(said ?? '')) {
        return new RobotError(
          'keywordMissing',
          robot,
          `${refused} The message holds none of the robot's custom keywords (自定义关键词): put one of them in the text, as set in the robot's security settings.`,
          details,
        );
      }
      if (/\bip\b|whitelist|白名单/i.test(said ?? '')) {
        return new RobotError(
          'ipNotAllowed',
          robot,
          `${refused} This machine's public IP is not in the robot's IP address range (IP地址（段）): add it in the robot's security settings.`,
          details,
        );
      }
      return new RobotError(
        'signMismatch',
        robot,
        `${refused} The signature does not match: check the SEC secret copied from the robot's security settings (加签), and this machine's clock (DingTalk refuses a timestamp more than an hour off).`,
        details,
      );
    case 300001:
      return new RobotError(
        'tokenInvalid',
        robot,
        `${refused} DingTalk does not know the webhook's access_token: the robot may have been removed from the group. Copy its Webhook again from the group's robot settings and add the robot again.`,
        details,
      );
    case 400102:
      return new RobotError(
        'robotDisabled',
        robot,
        `${refused} The robot is disabled (已停用) in its group: enable it in the group's robot settings.`,
        details,
      );
    case 410100:
      return new RobotError(
        'tooFast',
        robot,
        `${refused} More than ${ROBOT_SENDS_PER_MINUTE} messages reached it within a minute, so DingTalk blocks it for ${ROBOT_BLOCK_MS / 60_000} minutes; sends to it are refused here until then.`,
        { ...details, retryAfterMs: ROBOT_BLOCK_MS },
      );
    default:
      return new RobotError('rejected', robot, refused, details);
  }
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
