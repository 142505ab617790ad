import type { LimitFile, PolicyFile } from './file/schema';

/**
 * The policy in force without a policy file: allow everything, but keep agents from hammering DingTalk's
 * token endpoint (PolicyLayer's advice). The one place this is decided: the engine applies it, "Open MCP
 * Policy" writes it out as a template, and messages, the tool description and tests take the number from here.
 */

/** How many refresh_access_token calls the defaults allow each minute (all sessions together). */
export const DEFAULT_REFRESHES_PER_MINUTE = 60;

/** Same counter name in the defaults and the templates, so creating the file keeps the count. */
export const DEFAULT_REFRESH_LIMIT: Required<LimitFile> = { counter: 'refreshes', window: 'minute', max: DEFAULT_REFRESHES_PER_MINUTE, scope: 'grant' };

export const DEFAULT_POLICY: PolicyFile = {
  version: '1',
  default: 'allow',
  tools: { refresh_access_token: { limits: [DEFAULT_REFRESH_LIMIT] } },
};
