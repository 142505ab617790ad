/**
 * The robots as every consumer sees them: a name, whether sends are signed, the last send. The webhook's token
 * and the SEC secret are only handed out by `credentials`, to the one function that sends.
 */
import { RobotError } from './errors';

/** How the last send ended, for the view and list_robots: sent, or the kind of failure. */
export interface RobotLastSend {
  at: number;
  ok: boolean;
  /** The failure's kind when `ok` is false. */
  kind?: string;
}

export interface RobotSummary {
  name: string;
  signed: boolean;
  lastSend?: RobotLastSend;
}

/** A robot as it is kept: `webhook` is the whole URL or only its access_token; `secret` the SEC… signing secret. */
export interface RobotCredentials {
  name: string;
  webhook: string;
  secret?: string;
}

export interface RobotDirectory {
  list(): RobotSummary[];
  /** The robot's webhook and secret; undefined when no robot has this name (or its secrets are gone). */
  credentials(name: string): Promise<RobotCredentials | undefined>;
  /** Remembers how a send ended (never what was sent). */
  recordSend(name: string, outcome: RobotLastSend): void;
}

export const MAX_ROBOT_NAME_LENGTH = 100;

/** The robot a call means: the named one, or the only one when no name is given; otherwise an error listing the known names. */
export function resolveRobot(directory: Pick<RobotDirectory, 'list'>, name?: string): RobotSummary {
  const robots = directory.list();
  const [first] = robots;
  if (first === undefined) {
    throw new RobotError(
      'unknownRobot',
      name ?? '',
      'No DingTalk robot is configured. Run "DingTalk: Add Robot" in VS Code (or list robots in DINGTALK_ROBOTS_FILE for the standalone server).',
    );
  }
  const known = robots.map((robot) => `"${robot.name}"`).join(', ');
  if (name === undefined || name === '') {
    if (robots.length === 1) return first;
    throw new RobotError('unknownRobot', '', `Several robots are configured; name one as \`robot\`: ${known}.`);
  }
  const found = robots.find((robot) => robot.name === name);
  if (found) return found;
  throw new RobotError('unknownRobot', name, `No robot is named "${name}". Configured robots: ${known}.`);
}
