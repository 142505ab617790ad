/**
 * Runs the DingTalk emulator with the sandbox apps until SIGINT/SIGTERM:
 *   node out/test/emulator/main.js [--port N] [--ttl SECONDS] [--latency MS]
 * --port is the api port (the legacy host listens on port+1); random free ports when omitted or 0.
 * Each option may also come from the environment: DINGTALK_EMULATOR_PORT, _TTL, _LATENCY.
 * It prints the sandbox credentials on purpose: they unlock nothing but this emulator.
 */
import { DingTalkEmulator, SANDBOX_APPS } from './emulator';

const OPTIONS = { port: 'DINGTALK_EMULATOR_PORT', ttl: 'DINGTALK_EMULATOR_TTL', latency: 'DINGTALK_EMULATOR_LATENCY' } as const;
type OptionName = keyof typeof OPTIONS;
const USAGE = 'usage: node out/test/emulator/main.js [--port N] [--ttl SECONDS] [--latency MS]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** `--name N`, `--name=N`, or the environment variable; undefined when none is given. */
function parseOptions(args: string[]): Partial<Record<OptionName, number>> {
  const raw: Partial<Record<OptionName, string>> = {};
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const fromEnv = process.env[OPTIONS[name]];
    if (fromEnv) raw[name] = fromEnv;
  }
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--help' || args[i] === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--(port|ttl|latency)(?:=(.*))?$/.exec(args[i]);
    if (!match) fail(`unknown argument: ${args[i]}`);
    raw[match[1] as OptionName] = match[2] ?? args[++i];
  }
  const options: Partial<Record<OptionName, number>> = {};
  for (const [name, text] of Object.entries(raw) as [OptionName, string | undefined][]) {
    const value = Number(text);
    if (text === undefined || text === '' || !Number.isFinite(value) || value < 0) fail(`--${name} needs a non-negative number`);
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
    `  control API:      ${emulator.apiBaseUrl}/__emulator/{stats,fault,revoke,ttl,latency,reset-stats,apps}`,
    `  token TTL ${options.ttl ?? 7200} s, latency ${options.latency ?? 0} ms`,
    'Sandbox apps (emulator-only credentials):',
    ...SANDBOX_APPS.map((app) => `  ${(app.label ?? app.appKey).padEnd(12)} appKey=${app.appKey}  appSecret=${app.appSecret}`),
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
