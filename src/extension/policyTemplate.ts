/** What "Open MCP Policy" writes when there is no policy file yet: the built-in default, spelled out. */
export const DEFAULT_POLICY_TEMPLATE = `${JSON.stringify({
  version: '1',
  default: 'allow',
  tools: {
    refresh_access_token: { limits: [{ counter: 'refreshes', window: 'minute', max: 60, scope: 'grant' }] },
  },
}, null, 2)}\n`;
