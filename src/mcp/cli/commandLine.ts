import { parseArgs } from 'node:util';

/**
 * What `dingtalk-token-mcp` was asked to do. Options before the first word are the command's own (--help,
 * --version); the first word names a subcommand, which parses the rest itself, so subcommands with options of
 * their own can join SUBCOMMANDS without touching the rest. Anything unknown is a usage error (exit 2).
 */

export const USAGE = `usage: dingtalk-token-mcp [--help | --version]
       dingtalk-token-mcp policy check POLICY
       dingtalk-token-mcp policy test POLICY CASES

Serves the DingTalk MCP tools over stdio, configured by environment variables:
  DINGTALK_APP_KEY + DINGTALK_APP_SECRET, or DINGTALK_APPS_FILE (a JSON list of {appKey, appSecret, label})
  DINGTALK_API_BASE_URL, DINGTALK_LEGACY_API_BASE_URL, DINGTALK_TOKEN_API (v1 | legacy)
  DINGTALK_POLICY_FILE, DINGTALK_SHADOW_POLICY_FILE, DINGTALK_AUDIT_FILE, DINGTALK_AUDIT_MAX_MEGABYTES
  DINGTALK_REFRESH_MARGIN_SECONDS, DINGTALK_REQUEST_TIMEOUT_MS
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY

options:
  -h, --help     print this help and exit
  -v, --version  print the version and exit`;

export type Command = { kind: 'serve' } | { kind: 'help' } | { kind: 'version' } | { kind: 'usageError'; message: string } | { kind: 'policy'; args: string[] };

/** Subcommands by name, each given the arguments after its name. */
const SUBCOMMANDS: Record<string, (args: string[]) => Command> = {
  // `policy` checks its own words and files, answering with its own usage.
  policy: (args) => ({ kind: 'policy', args }),
};

export function parseCommandLine(argv: readonly string[]): Command {
  const at = argv.findIndex((arg) => !arg.startsWith('-'));
  const own = at < 0 ? [...argv] : argv.slice(0, at);
  let values: { help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: own,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { kind: 'usageError', message: (error as Error).message };
  }
  const name = at < 0 ? undefined : argv[at];
  if ((values.help || values.version) && name !== undefined) return { kind: 'usageError', message: `Unexpected argument "${name}".` };
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (name === undefined) return { kind: 'serve' };
  const subcommand = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  return subcommand ? subcommand(argv.slice(at + 1)) : { kind: 'usageError', message: `Unknown command "${name}".` };
}
