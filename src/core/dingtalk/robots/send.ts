/**
 * Sends a message as a group robot: the robot resolved by name, its 20-a-minute budget taken, the URL signed when
 * it has a secret, one POST. A message send is not idempotent, so a POST that may have reached DingTalk (a 5xx, a
 * reset, a timeout) is never repeated; only a connection that never opened is tried once more.
 */
import type { Clock } from '../../clock';
import type { Redactor } from '../../redact';
import { DingTalkError } from '../errors';
import { send } from '../http';
import { robotAnswerError } from './answer';
import { RobotError } from './errors';
import { robotCounterKey, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS, type SendCounter, type Take } from './limiter';
import { resolveRobot, type RobotCredentials, type RobotDirectory, type RobotSummary } from './registry';
import { signUrl } from './sign';
import { checkRobot, robotSecretValues, robotSendUrl } from './webhook';

export const ROBOT_MESSAGE_TYPES = ['text', 'markdown', 'link', 'actionCard', 'feedCard'] as const;
export type RobotMessageType = (typeof ROBOT_MESSAGE_TYPES)[number];

/** DingTalk's message shape: `{msgtype, <msgtype>: {...}, at?}`. */
export interface RobotMessage {
  msgtype: RobotMessageType;
  [body: string]: unknown;
}

/** Network failures where the request cannot have left this machine: no connection was ever made. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const ROBOT_ANSWER_BYTES = 16 * 1024;

export interface RobotSenderDeps {
  directory: RobotDirectory;
  counter: SendCounter;
  /** Read on every send, so changed settings apply at once. */
  endpoints(): { legacyApiBaseUrl: string; requestTimeoutMs: number };
  /** Learns each robot's token and secret before anything could show them. */
  redactor: Redactor;
  clock?: Pick<Clock, 'now'>;
}

export class RobotSender {
  constructor(private readonly deps: RobotSenderDeps) {}

  list(): RobotSummary[] {
    return this.deps.directory.list();
  }

  /** Sends `message` as the named robot (the only one when no name is given); the outcome is recorded either way. */
  async send(name: string | undefined, message: RobotMessage): Promise<{ robot: string }> {
    const robot = resolveRobot(this.deps.directory, name).name;
    checkMessage(robot, message);
    const credentials = await this.deps.directory.credentials(robot);
    if (!credentials) throw new RobotError('unknownRobot', robot, `Robot "${robot}" has no stored webhook; add it again.`);
    for (const value of robotSecretValues(credentials)) this.deps.redactor.remember(value);
    try {
      await this.post(credentials, message);
      this.deps.directory.recordSend(robot, { at: this.now(), ok: true });
      return { robot };
    } catch (error) {
      this.deps.directory.recordSend(robot, { at: this.now(), ok: false, kind: error instanceof RobotError ? error.kind : 'notSent' });
      throw error;
    }
  }

  private now(): number {
    return this.deps.clock?.now() ?? Date.now();
  }

  private async post(robot: RobotCredentials, message: RobotMessage): Promise<void> {
    const endpoints = this.deps.endpoints();
    checkRobot(robot, endpoints.legacyApiBaseUrl);
    const url = robotSendUrl(robot, endpoints.legacyApiBaseUrl);
    const token = url.searchParams.get('access_token')!;
    const key = robotCounterKey(token);
    const takenAt = this.now();
    const take = await this.takeSend(robot.name, key, takenAt);
    if (!take.taken) {
      const seconds = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
      throw new RobotError(
        'localLimit',
        robot.name,
        `Robot "${robot.name}" may not send now: DingTalk takes ${ROBOT_SENDS_PER_MINUTE} messages a minute per robot and blocks it for ten minutes past that. ` +
          `Nothing was sent; try again in ${seconds} s.`,
        { retryAfterMs: take.retryAfterMs },
      );
    }
    const body = JSON.stringify(message);
    let answer;
    for (let attempt = 1; ; attempt++) {
      // Signed anew for each attempt: the timestamp is part of the signature.
      const target = robot.secret ? signUrl(url, robot.secret, this.now()) : url;
      try {
        answer = await send(endpoints, {
          url: target.toString(),
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          maxBytes: ROBOT_ANSWER_BYTES,
        });
        break;
      } catch (error) {
        const neverConnected = error instanceof DingTalkError && error.kind === 'network' && NEVER_CONNECTED.has(error.code ?? '');
        if (neverConnected && attempt === 1) continue;
        if (neverConnected) {
          // Best effort: a count the store cannot give back only makes the limit stricter.
          await this.deps.counter.giveBack(key, takenAt).catch(() => undefined);
          throw new RobotError(
            'notSent',
            robot.name,
            `Could not reach DingTalk to send as robot "${robot.name}" (${error.code}); nothing was sent. Check the network and dingtalkToken.legacyApiBaseUrl / DINGTALK_LEGACY_API_BASE_URL.`,
            { code: error.code },
          );
        }
        const what = error instanceof DingTalkError && error.kind === 'timeout' ? 'no answer came in time' : 'the connection failed';
        throw new RobotError(
          'mayHaveBeenDelivered',
          robot.name,
          `The message to robot "${robot.name}" was sent but ${what}, so it may have been delivered. It was not sent again; check the group before sending it again.`,
          { code: error instanceof DingTalkError ? (error.code ?? error.kind) : undefined },
        );
      }
    }
    const refused = robotAnswerError(robot.name, answer.status, answer.text);
    // DingTalk's own refusal is what the caller hears, even when the store cannot record the block.
    if (refused?.kind === 'tooFast') await this.deps.counter.block(key, this.now() + refused.retryAfterMs!).catch(() => undefined);
    if (refused) throw refused;
  }

  /** One of the robot's sends this minute; a counter store that cannot be used refuses the send, saying why. */
  private async takeSend(robot: string, key: string, at: number): Promise<Take> {
    try {
      return await this.deps.counter.take(key, ROBOT_SENDS_PER_MINUTE, ROBOT_WINDOW_MS, at);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new RobotError(
        'counterStore',
        robot,
        `Robot "${robot}" may not send now: its ${ROBOT_SENDS_PER_MINUTE} messages a minute are counted in the counter store, which cannot be used (${why}). ` +
          'Nothing was sent; sends are refused until the store can be used again.',
        { said: why },
      );
    }
  }
}

/** The message must carry the body its msgtype names. */
function checkMessage(robot: string, message: RobotMessage): void {
  if (!ROBOT_MESSAGE_TYPES.includes(message.msgtype)) {
    throw new RobotError('badMessage', robot, `msgtype must be one of ${ROBOT_MESSAGE_TYPES.join(', ')}. Nothing was sent.`);
  }
  const content = message[message.msgtype];
  if (!content || typeof content !== 'object') {
    throw new RobotError(
      'badMessage',
      robot,
      `A ${message.msgtype} message needs \`${message.msgtype}\` (DingTalk's message body for that type). Nothing was sent.`,
    );
  }
}
