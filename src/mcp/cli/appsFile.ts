import { z } from 'zod/v4';
import type { AppInfo } from '../../core/apps';
import type { AppCredentials } from '../../core/dingtalk';
import { listedTwice, readSecretJsonFile, uniqueList } from './secretJsonFile';

/**
 * The standalone server's apps: DINGTALK_APPS_FILE (a JSON list, checked by the schema below) or
 * DINGTALK_APP_KEY + DINGTALK_APP_SECRET. The file holds secrets, so no message quotes its content: each
 * problem is worded here from where it is, never from zod's or JSON.parse's text.
 */

export type App = AppInfo & AppCredentials;

const appEntry = z.object({
  appKey: z.string().min(1),
  appSecret: z.string().min(1),
  // A missing, empty or non-text label shows the appKey instead.
  label: z.string().optional().catch(undefined),
});

const appsFile = uniqueList(appEntry, 'appKey');

/** DINGTALK_APPS_FILE when set, else DINGTALK_APP_KEY + DINGTALK_APP_SECRET; a problem leaves no apps and says why. */
export function readApps(env: NodeJS.ProcessEnv): { apps: App[]; problem?: string } {
  const file = env.DINGTALK_APPS_FILE;
  if (file) return readAppsFile(file);
  const appKey = env.DINGTALK_APP_KEY;
  const appSecret = env.DINGTALK_APP_SECRET;
  if (appKey && appSecret) return { apps: [{ appKey, appSecret, label: appKey }] };
  if (appKey || appSecret) return { apps: [], problem: `${appKey ? 'DINGTALK_APP_SECRET' : 'DINGTALK_APP_KEY'} is not set; both are needed.` };
  return { apps: [], problem: "No credentials: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET, or DINGTALK_APPS_FILE, in the MCP server's environment." };
}

function readAppsFile(file: string): { apps: App[]; problem?: string } {
  const read = readSecretJsonFile('DINGTALK_APPS_FILE', file, 'secrets');
  if ('problem' in read) return { apps: [], problem: read.problem };
  const parsed = read.parsed;
  const result = appsFile.safeParse(parsed);
  if (!result.success) return { apps: [], problem: describeIssue(file, result.error.issues[0]) };
  return { apps: result.data.map(({ appKey, appSecret, label }) => ({ appKey, appSecret, label: label || appKey })) };
}

function describeIssue(file: string, issue: z.core.$ZodIssue | undefined): string {
  // Zod's failures carry at least one issue; without one, the file gets the general shape.
  const [index] = issue?.path ?? [];
  if (typeof index !== 'number') return `DINGTALK_APPS_FILE ${file} must hold a JSON list of {appKey, appSecret, label}.`;
  const repeated = listedTwice(issue);
  if (repeated !== undefined) return `DINGTALK_APPS_FILE ${file}: appKey ${repeated} is listed twice.`;
  return `DINGTALK_APPS_FILE ${file}: entry ${index} needs a non-empty appKey and appSecret.`;
}
