/**
 * What went wrong with a robot send, named after the robot, with what to do. DingTalk's robot answers are kinds of
 * their own (a wrong signature is not an app's wrong secret), so they are not DingTalkErrors.
 */
export type RobotErrorKind =
  /** 310000 "sign not match": the SEC secret (or this machine's clock) is wrong. */
  | 'signMismatch'
  /** 310000 "keywords not in content": the robot only accepts messages holding one of its keywords. */
  | 'keywordMissing'
  /** 310000 "ip … not in whitelist": the robot only accepts this machine's IP if listed. */
  | 'ipNotAllowed'
  /** 300001: the webhook's access_token is unknown (the robot was removed, or the token mistyped). */
  | 'tokenInvalid'
  /** 400102: the robot is disabled in the group. */
  | 'robotDisabled'
  /** 410100: more than 20 messages in a minute; DingTalk blocks the robot for ten minutes. */
  | 'tooFast'
  /** Refused here: a 21st send within a minute would get the robot blocked. Nothing was sent. */
  | 'localLimit'
  /** Refused here: the counter store that keeps the robot's sends cannot be used (fail closed). Nothing was sent. */
  | 'counterStore'
  /** A 5xx, a reset or a timeout after the request left: DingTalk may have delivered it. Never repeated. */
  | 'mayHaveBeenDelivered'
  /** The connection never opened: nothing reached DingTalk. */
  | 'notSent'
  /** Any other answer DingTalk gave (an errcode we have no advice for). */
  | 'rejected'
  /** The webhook or secret is unusable (another host, not a robot webhook): refused before sending. */
  | 'badWebhook'
  /** The message does not have the body its msgtype needs. */
  | 'badMessage'
  | 'unknownRobot';

export class RobotError extends Error {
  override readonly name = 'RobotError';

  constructor(
    readonly kind: RobotErrorKind,
    /** The robot's name (never its token). */
    readonly robot: string,
    message: string,
    readonly details: { code?: string; said?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }

  get code(): string | undefined {
    return this.details.code;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}
