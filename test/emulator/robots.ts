/**
 * Custom group robots (自定义机器人) as DingTalk serves them at `POST {oapi}/robot/send?access_token=<robot token>`,
 * shaped after 自定义机器人发送群消息 (https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages)
 * and 自定义机器人安全设置 (https://open.dingtalk.com/document/robots/customize-robot-security-settings):
 * - every answer is HTTP 200 JSON `{errcode, errmsg}`; errcode 0 "ok" when the message is delivered;
 * - an unknown token: 300001 "token is not exist"; a disabled robot: 400102;
 * - 加签 robots need `timestamp` (ms, within one hour of DingTalk's clock) and `sign` =
 *   base64(HmacSHA256(secret, timestamp + "\n" + secret)); otherwise 310000 "sign not match";
 * - a robot with custom keywords refuses text without one: 310000 "keywords not in content";
 * - past 20 messages a minute: 410100 "send too fast, exceed 20 times per minute", and the robot is blocked
 *   for ten minutes.
 * Deliveries are recorded, so tests can count exactly what reached the group.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface EmulatorRobot {
  token: string;
  /** 加签: the SEC… secret; unsigned when absent. */
  secret?: string;
  /** 自定义关键词: a message must hold one of them. */
  keywords?: string[];
  disabled?: boolean;
}

export interface RobotDelivery {
  token: string;
  message: Record<string, unknown>;
  at: number;
  signed: boolean;
}

/** The unsigned sandbox robot's webhook token (a group robot's, not an app's). */
export const SANDBOX_ROBOT_TOKEN = 'sandboxrobot0000000000000000000000000000000000000000000000000000';
/** A robot with 加签: its token and SEC secret, emulator-only. */
export const SANDBOX_SIGNED_ROBOT: Required<Pick<EmulatorRobot, 'token' | 'secret'>> = {
  token: 'sandboxsignedrobot000000000000000000000000000000000000000000000',
  secret: 'SECsandbox00000000000000000000000000000000000000000000000000000000',
};

const ONE_HOUR_MS = 3_600_000;
const PER_MINUTE = 20;
const MINUTE_MS = 60_000;
const BLOCK_MS = 10 * MINUTE_MS;
const ROBOT_TOKEN = /^[A-Za-z0-9_-]{16,256}$/;
const ROBOT_SECRET = /^SEC[A-Za-z0-9]{16,256}$/;

export type RobotAnswer = { status: number; body: Record<string, unknown> | string };

export class RobotDesk {
  private readonly robots = new Map<string, EmulatorRobot>();
  private readonly delivered: RobotDelivery[] = [];
  private readonly blockedUntil = new Map<string, number>();
  private failAfterDelivery = 0;

  constructor(private readonly now: () => number) {
    this.add({ token: SANDBOX_ROBOT_TOKEN });
    this.add({ ...SANDBOX_SIGNED_ROBOT });
  }

  add(robot: EmulatorRobot): void {
    if (!robot || typeof robot.token !== 'string' || !ROBOT_TOKEN.test(robot.token)) throw new TypeError('a robot needs a token of 16-256 letters or digits');
    if (robot.secret !== undefined && (typeof robot.secret !== 'string' || !ROBOT_SECRET.test(robot.secret))) {
      throw new TypeError('a robot secret starts with SEC, then letters or digits');
    }
    this.robots.set(robot.token, { ...robot, keywords: robot.keywords && [...robot.keywords] });
  }

  /** The next `times` deliveries are answered with HTTP 500 after the message reached the group (a gateway failing late). */
  answer500AfterDelivery(times: number): void {
    if (!Number.isInteger(times) || times < 0) throw new TypeError('times must be a non-negative integer');
    this.failAfterDelivery = times;
  }

  /** Messages that reached a group (of one robot when a token is given), oldest first. */
  deliveries(token?: string): RobotDelivery[] {
    return this.delivered.filter((delivery) => token === undefined || delivery.token === token).map((delivery) => ({ ...delivery }));
  }

  resetDeliveries(): void {
    this.delivered.length = 0;
    this.blockedUntil.clear();
  }

  answer(url: URL, message: unknown): RobotAnswer {
    const ok = (body: Record<string, unknown>): RobotAnswer => ({ status: 200, body });
    const token = url.searchParams.get('access_token');
    const robot = token ? this.robots.get(token) : undefined;
    if (!robot) return ok({ errcode: 300001, errmsg: 'token is not exist' });
    if (robot.disabled) return ok({ errcode: 400102, errmsg: '机器人已停用' });
    const signed = robot.secret !== undefined;
    if (robot.secret !== undefined && !this.signatureHolds(robot.secret, url)) {
      return ok({ errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' });
    }
    const fields = message && typeof message === 'object' ? (message as Record<string, unknown>) : undefined;
    if (!fields || typeof fields.msgtype !== 'string') return ok({ errcode: 40035, errmsg: '缺少参数 json' });
    if (robot.keywords?.length && !robot.keywords.some((keyword) => JSON.stringify(fields[fields.msgtype as string] ?? '').includes(keyword))) {
      return ok({ errcode: 310000, errmsg: 'keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' });
    }
    const now = this.now();
    if ((this.blockedUntil.get(robot.token) ?? 0) > now) return ok({ errcode: 410100, errmsg: 'send too fast, exceed 20 times per minute' });
    const lastMinute = this.delivered.filter((delivery) => delivery.token === robot.token && delivery.at > now - MINUTE_MS).length;
    if (lastMinute >= PER_MINUTE) {
      this.blockedUntil.set(robot.token, now + BLOCK_MS);
      return ok({ errcode: 410100, errmsg: 'send too fast, exceed 20 times per minute' });
    }
    this.delivered.push({ token: robot.token, message: fields, at: now, signed });
    if (this.failAfterDelivery > 0) {
      this.failAfterDelivery--;
      return { status: 500, body: '<html><body><h1>500 Internal Server Error</h1></body></html>' };
    }
    return ok({ errcode: 0, errmsg: 'ok' });
  }

  private signatureHolds(secret: string, url: URL): boolean {
    const timestamp = url.searchParams.get('timestamp') ?? '';
    const sign = url.searchParams.get('sign') ?? '';
    if (!/^\d{1,16}$/.test(timestamp) || Math.abs(this.now() - Number(timestamp)) > ONE_HOUR_MS) return false;
    const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64'));
    const given = Buffer.from(sign);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
