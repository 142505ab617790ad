import { z } from 'zod/v4';
import { checkRobot, MAX_ROBOT_NAME_LENGTH, RobotError, type RobotCredentials, type RobotDirectory, type RobotLastSend } from '../../core/dingtalk';
import { listedTwice, readSecretJsonFile, uniqueList } from './secretJsonFile';

/**
 * The standalone server's group robots: DINGTALK_ROBOTS_FILE, a JSON list of {name, webhook, secret?}. The file
 * holds webhook tokens and signing secrets, so no message quotes its content: each problem is worded here from
 * where it is, never from zod's or JSON.parse's text. A robot whose webhook is not on the legacy base is left out,
 * by name.
 */

const robotEntry = z.object({
  name: z.string().trim().min(1).max(MAX_ROBOT_NAME_LENGTH),
  webhook: z.string().min(1),
  secret: z.string().min(1).optional(),
});

const robotsFile = uniqueList(robotEntry, 'name');

/** The robots in DINGTALK_ROBOTS_FILE (none when it is not set); every problem is named, and a broken file gives no robots. */
export function readRobots(env: NodeJS.ProcessEnv, legacyApiBaseUrl: string): { robots: RobotCredentials[]; problems: string[] } {
  const file = env.DINGTALK_ROBOTS_FILE;
  if (!file) return { robots: [], problems: [] };
  const read = readSecretJsonFile('DINGTALK_ROBOTS_FILE', file, 'webhook tokens');
  if ('problem' in read) return { robots: [], problems: [read.problem] };
  const parsed = read.parsed;
  const result = robotsFile.safeParse(parsed);
  if (!result.success) return { robots: [], problems: [describeIssue(file, result.error.issues[0], parsed)] };
  const robots: RobotCredentials[] = [];
  const problems: string[] = [];
  for (const robot of result.data) {
    try {
      checkRobot(robot, legacyApiBaseUrl);
      robots.push(robot.secret === undefined ? { name: robot.name, webhook: robot.webhook } : robot);
    } catch (error) {
      if (!(error instanceof RobotError)) throw error;
      problems.push(`DINGTALK_ROBOTS_FILE ${file}: ${error.message.replace(/ Nothing was sent\.$/, '')} The robot is left out.`);
    }
  }
  return { robots, problems };
}

function describeIssue(file: string, issue: z.core.$ZodIssue | undefined, parsed: unknown): string {
  // Zod's failures carry at least one issue; without one, the file gets the general shape.
  const [index] = issue?.path ?? [];
  if (typeof index !== 'number') return `DINGTALK_ROBOTS_FILE ${file} must hold a JSON list of {name, webhook, secret?}.`;
  const repeated = listedTwice(issue);
  if (repeated !== undefined) return `DINGTALK_ROBOTS_FILE ${file}: the name "${repeated}" is listed twice.`;
  // Names are not secret; the webhook and secret are never quoted.
  const name = (parsed as { name?: unknown }[])[index]?.name;
  const which = typeof name === 'string' && name.trim() && name.length <= MAX_ROBOT_NAME_LENGTH ? `robot "${name.trim()}" (entry ${index})` : `entry ${index}`;
  return `DINGTALK_ROBOTS_FILE ${file}: ${which} needs a name (1-${MAX_ROBOT_NAME_LENGTH} characters), a webhook and, when it signs, a secret, all as text.`;
}

/** The file's robots as the tools see them; the last send of each is kept for this process's life. */
export function robotDirectory(robots: RobotCredentials[]): RobotDirectory {
  const lastSends = new Map<string, RobotLastSend>();
  return {
    list: () => robots.map((robot) => ({ name: robot.name, signed: robot.secret !== undefined, lastSend: lastSends.get(robot.name) })),
    credentials: async (name) => robots.find((robot) => robot.name === name),
    recordSend: (name, outcome) => void lastSends.set(name, outcome),
  };
}
