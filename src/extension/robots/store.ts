import type * as vscode from 'vscode';
import { Emitter, type Disposable } from '../emitter';
import { MAX_ROBOT_NAME_LENGTH, type RobotCredentials, type RobotDirectory, type RobotLastSend, type RobotSummary } from '../../core/dingtalk';
import type { Secrets } from '../apps/credentials';

const ROBOTS_KEY = 'dingtalkToken.robots';
const WEBHOOK_PREFIX = 'dingtalkToken.robot.webhook.';
const SECRET_PREFIX = 'dingtalkToken.robot.secret.';

/**
 * The group robots of this editor: names, whether they sign and their last send in globalState (nothing secret);
 * each webhook and SEC secret in SecretStorage under the robot's name.
 */
export class RobotStore implements RobotDirectory, Disposable {
  private readonly changed = new Emitter<void>();
  /** Fires when a robot is added or removed, or a send ended. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: Pick<vscode.Memento, 'get' | 'update'>,
    private readonly secrets: Pick<Secrets, 'get' | 'store' | 'delete'>,
  ) {}

  list(): RobotSummary[] {
    const stored = this.state.get<unknown>(ROBOTS_KEY);
    if (!Array.isArray(stored)) return [];
    return stored.filter(isSummary).map((robot) => ({
      name: robot.name,
      signed: robot.signed,
      ...(isLastSend(robot.lastSend) ? { lastSend: { at: robot.lastSend.at, ok: robot.lastSend.ok, kind: robot.lastSend.kind } } : {}),
    }));
  }

  async credentials(name: string): Promise<RobotCredentials | undefined> {
    if (!this.list().some((robot) => robot.name === name)) return undefined;
    const webhook = await this.secrets.get(WEBHOOK_PREFIX + encodeURIComponent(name));
    if (!webhook) return undefined;
    const secret = await this.secrets.get(SECRET_PREFIX + encodeURIComponent(name));
    return secret ? { name, webhook, secret } : { name, webhook };
  }

  recordSend(name: string, outcome: RobotLastSend): void {
    // Only the view's last-send line depends on it; a failed write must not fail the send it describes.
    this.save(this.list().map((robot) => (robot.name === name ? { ...robot, lastSend: outcome } : robot))).catch(() => undefined);
  }

  /** Stores a robot (already checked), replacing one of the same name. */
  async add(robot: RobotCredentials): Promise<void> {
    const key = encodeURIComponent(robot.name);
    await this.secrets.store(WEBHOOK_PREFIX + key, robot.webhook.trim());
    if (robot.secret) await this.secrets.store(SECRET_PREFIX + key, robot.secret);
    else await this.secrets.delete(SECRET_PREFIX + key);
    await this.save([...this.list().filter((known) => known.name !== robot.name), { name: robot.name, signed: Boolean(robot.secret) }]);
  }

  async remove(name: string): Promise<void> {
    await this.save(this.list().filter((robot) => robot.name !== name));
    await this.secrets.delete(WEBHOOK_PREFIX + encodeURIComponent(name));
    await this.secrets.delete(SECRET_PREFIX + encodeURIComponent(name));
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async save(robots: RobotSummary[]): Promise<void> {
    await this.state.update(ROBOTS_KEY, robots);
    this.changed.fire();
  }
}

function isSummary(value: unknown): value is RobotSummary {
  const robot = value as Partial<RobotSummary> | null;
  return typeof robot?.name === 'string' && robot.name.length > 0 && robot.name.length <= MAX_ROBOT_NAME_LENGTH && typeof robot.signed === 'boolean';
}

function isLastSend(value: unknown): value is RobotLastSend {
  const send = value as Partial<RobotLastSend> | null | undefined;
  return typeof send?.at === 'number' && Number.isFinite(send.at) && typeof send.ok === 'boolean' && (send.kind === undefined || typeof send.kind === 'string');
}
