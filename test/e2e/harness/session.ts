// One end-to-end session: code-server with the .vsix installed, driven through Debian's chromium with
// playwright-core. Each session gets its own temp user-data, extensions and workspace folders and a free
// port, and `close()` ends every process it started. Tests talk to the workbench through the page objects
// (palette, quickInput, statusBar, notifications, editors, webviews).
//
// The tsconfig has no DOM lib, so everything that runs in the page goes through playwright locators
// or callbacks typed with `any`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { installExtensions, startCodeServer, prepareDirs, type SessionDirs, type StartOptions } from './codeServer';
import { Notifications } from './notifications';
import { Editors, Webviews } from './panels';
import { killTree, live, type LiveSession } from './processes';
import { Palette, QuickInput } from './quickInput';
import { StatusBar } from './statusBar';

/** Milliseconds from the start of startVSCode to each stage. */
export interface StartTimings {
  installed: number;
  serving: number;
  browser: number;
  workbench: number;
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

export class VSCodeSession {
  readonly quickInput: QuickInput;
  readonly palette: Palette;
  readonly statusBar: StatusBar;
  readonly notifications: Notifications;
  readonly editors: Editors;
  readonly webviews: Webviews;
  private serverOutput: string;
  private browserOutput = '';
  private closed = false;

  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly browserServer: BrowserServer,
    private readonly processes: LiveSession,
    readonly port: number,
    private readonly dirs: SessionDirs,
    /** How long start-up took, stage by stage. */
    readonly timings: StartTimings,
    serverOutput: string,
  ) {
    this.quickInput = new QuickInput(page);
    this.palette = new Palette(this.quickInput);
    this.statusBar = new StatusBar(page);
    this.notifications = new Notifications(page, this.palette);
    this.editors = new Editors(page);
    this.webviews = new Webviews(page);
    this.serverOutput = serverOutput;
    page.on('pageerror', (err) => (this.browserOutput += `pageerror: ${err.stack ?? err.message}\n`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') this.browserOutput += `console.${msg.type()}: ${msg.text()}\n`;
    });
  }

  get userDataDir(): string {
    return this.dirs.userDataDir;
  }

  get workspaceDir(): string {
    return this.dirs.workspaceDir;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.dirs.workspaceDir)}`;
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
    walk(path.join(this.dirs.userDataDir, 'logs'));
    return out.join('\n');
  }

  static async start(options: StartOptions = {}): Promise<VSCodeSession> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing. Run \`bash scripts/setup-vscode.sh\` (as root) first.`);
    const timeoutMs = options.timeoutMs ?? 120_000;
    const started = Date.now();
    const deadline = started + timeoutMs;
    const left = () => Math.max(1000, deadline - Date.now());
    const timings: StartTimings = { installed: 0, serving: 0, browser: 0, workbench: 0 };

    const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-e2e-'));
    const dirs: SessionDirs = {
      tempRoot,
      userDataDir: path.join(tempRoot, 'user-data'),
      extensionsDir: path.join(tempRoot, 'extensions'),
      workspaceDir: path.join(tempRoot, 'workspace'),
    };
    const processes: LiveSession = { tempRoot, keep: options.keepTempDir ?? false };
    live.add(processes);
    let browserServer: BrowserServer | undefined;
    let session: VSCodeSession | undefined;
    try {
      prepareDirs(dirs, options);
      await installExtensions(dirs, options, left);
      timings.installed = Date.now() - started;
      const server = await startCodeServer(dirs, options, left, (child) => (processes.serverPid = child.pid));
      timings.serving = Date.now() - started;

      // launchServer rather than launch: it hands us the chromium pid, so close() can end it by pid.
      browserServer = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      processes.browserPid = browserServer.process().pid;
      const browser = await chromium.connect(browserServer.wsEndpoint());
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1400, height: 900 },
        deviceScaleFactor: options.deviceScaleFactor ?? 1,
      });
      const page = await context.newPage();
      session = new VSCodeSession(page, browser, browserServer, processes, server.port, dirs, timings, server.output);
      const s = session;
      server.process.stdout!.on('data', (d: Buffer) => (s.serverOutput += d.toString()));
      server.process.stderr!.on('data', (d: Buffer) => (s.serverOutput += d.toString()));
      timings.browser = Date.now() - started;

      await page.goto(session.url, { timeout: left() });
      await page.locator('.monaco-workbench .statusbar').first().waitFor({ state: 'visible', timeout: left() });
      timings.workbench = Date.now() - started;
      return session;
    } catch (err) {
      if (session) await session.close();
      else await VSCodeSession.endProcesses(processes, browserServer);
      throw err;
    }
  }

  /** Ends chromium and code-server (with its extension host) by pid, and removes the temp dirs. */
  private static async endProcesses(processes: LiveSession, browserServer: BrowserServer | undefined): Promise<void> {
    if (browserServer) {
      await Promise.race([browserServer.close().catch(() => undefined), delay(5000)]);
      if (processes.browserPid) await killTree(processes.browserPid, 1000);
    }
    if (processes.serverPid) await killTree(processes.serverPid);
    live.delete(processes);
    if (!processes.keep && processes.tempRoot) fs.rmSync(processes.tempRoot, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.browser.close().catch(() => undefined);
    await VSCodeSession.endProcesses(this.processes, this.browserServer);
  }

  /** The whole window, or only the part of it `selector` shows (a view, a dialog), as a PNG at `file`. */
  async screenshot(file: string, selector?: string): Promise<void> {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    if (selector) await this.page.locator(selector).first().screenshot({ path: file });
    else await this.page.screenshot({ path: file });
  }
}

export function startVSCode(options: StartOptions = {}): Promise<VSCodeSession> {
  return VSCodeSession.start(options);
}
