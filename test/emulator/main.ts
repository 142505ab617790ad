/**
 * Runs the DingTalk emulator with the sandbox apps until SIGINT/SIGTERM:
 *   node out/test/emulator/main.js [--port N] [--ttl SECONDS] [--latency MS]
 * --port is the api port (the legacy host listens on port+1); random free ports when omitted or 0.
 * Each option may also come from the environment: DINGTALK_EMULATOR_PORT, _TTL, _LATENCY.
 * It prints the sandbox credentials on purpose: they unlock nothing but this emulator.
 */
import { parseArgs } from 'node:util';
import { DingTalkEmulator, SANDBOX_APPS, SANDBOX_ROBOT_TOKEN, SANDBOX_SIGNED_ROBOT } from './emulator';

const OPTIONS = { port: 'DINGTALK_EMULATOR_PORT', ttl: 'DINGTALK_EMULATOR_TTL', latency: 'DINGTALK_EMULATOR_LATENCY' } as const;
type OptionName = keyof typeof OPTIONS;
const USAGE = 'usage: node out/test/emulator/main.js [--port N] [--ttl SECONDS] [--latency MS]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** `--name N`, `--name=N`, or the environment variable; undefined when none is given. */
function parseOptions(args: string[]): Partial<Record<OptionName, number>> {
  let values: Partial<Record<OptionName | 'help', string | boolean>>;
  try {
    ({ values } = parseArgs({
      args,
      options: { port: { type: 'string' }, ttl: { type: 'string' }, latency: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const options: Partial<Record<OptionName, number>> = {};
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const text = (values[name] as string | undefined) ?? (process.env[OPTIONS[name]] || undefined);
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0) fail(`--${name} needs a non-negative number`);
    options[name] = value;
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const port = options.port ?? 0;
  const emulator = await DingTalkEmulator.start({
    apps: SANDBOX_APPS,
    port,
    legacyPort: port === 0 ? 0 : port + 1,
    ttlSeconds: options.ttl,
    latencyMs: options.latency,
  });

  const lines = [
    'DingTalk emulator running (Ctrl+C to stop)',
    `  apiBaseUrl:       ${emulator.apiBaseUrl}`,
    `  legacyApiBaseUrl: ${emulator.legacyApiBaseUrl}`,
    `  control API:      ${emulator.apiBaseUrl}/__emulator/{stats,fault,revoke,ttl,latency,reset-stats,apps,robots,robot-deliveries,robot-500-after-delivery}`,
    `  token TTL ${options.ttl ?? 7200} s, latency ${options.latency ?? 0} ms`,
    'Sandbox apps (emulator-only credentials):',
    ...SANDBOX_APPS.map((app) => `  ${(app.label ?? app.appKey).padEnd(12)} appKey=${app.appKey}  appSecret=${app.appSecret}`),
    'Sandbox robots (emulator-only webhooks):',
    `  unsigned     ${emulator.legacyApiBaseUrl}/robot/send?access_token=${SANDBOX_ROBOT_TOKEN}`,
    `  signed       ${emulator.legacyApiBaseUrl}/robot/send?access_token=${SANDBOX_SIGNED_ROBOT.token}  secret=${SANDBOX_SIGNED_ROBOT.secret}`,
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1); // a second signal: do not wait
    stopping = true;
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`emulator failed to start: ${(error as Error).message}`);
  process.exit(1);
});
