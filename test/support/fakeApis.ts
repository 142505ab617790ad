// Fakes of src/extension/apis/*.apis.ts and the services activate() builds, so the commands, the credential
// flow, the MCP provider and the inspect view run under node:test: what VS Code would show is recorded, and a
// test answers for the person.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { Emitter } from '../../src/extension/emitter';
import { CredentialStore } from '../../src/extension/apps/credentials';
import { Redactor } from '../../src/core/redact';
import { TokenManager } from '../../src/core/tokens/manager';
import { AuditTrail } from '../../src/core/audit';
import { endpointsWithDefaults, type AppCredentials, type FetchedToken } from '../../src/core/dingtalk/client';
import type { Apis } from '../../src/extension/apis/apis';
import type { InputBoxView, WindowApis } from '../../src/extension/apis/window.apis';
import type { PickEntry, PickOptions, Picked } from '../../src/extension/apis/pick';
import type { McpServerSource, Problem } from '../../src/extension/apis/lm.apis';
import type { Settings } from '../../src/extension/settings';
import type { OpenText } from '../../src/extension/apis/workspace.apis';
import type { Services } from '../../src/extension/services';
import { FakeClock, settle } from './fakeClock';
import { FakeFiles, fakeTestingApis, fakeUri, type FakeTestController } from './fakeTesting';
import {
  FakeLogChannel,
  FakePanel,
  FakeSecrets,
  FakeStatusBarItem,
  fakeConfiguration,
  fakeIcon,
  fakeMarkdown,
  fakeThemeColor,
  fakeTreeApis,
  type FakeTreeView,
} from './fakeUi';
export { FakePanel, FakeSecrets } from './fakeUi';
import { RobotStore } from '../../src/extension/robots/store';
import { RobotSender, StoreSendCounter } from '../../src/core/dingtalk';
import { counterStoreFrom, MemoryCounterStore } from '../../src/core/policy';
import { WindowCounterStore } from '../../src/extension/counters/windowStore';
import { COMMAND } from '../../src/extension/commandIds';
import type { FeatureCommands } from '../../src/extension/commands';

/** A message VS Code would have shown, and the action the test chose for it. */
export interface Shown {
  kind: 'info' | 'warning' | 'modal' | 'error';
  message: string;
  detail?: string;
  actions: string[];
}

/** A quick pick VS Code would have shown. */
export interface ShownPick {
  entries: PickEntry<unknown>[];
  options: PickOptions;
}

export class FakeWindow implements WindowApis {
  readonly shown: Shown[] = [];
  readonly progress: string[] = [];
  readonly picks: ShownPick[] = [];
  readonly inputBoxes: FakeInputBox[] = [];
  /** The person's answer to a message; none by default (dismissed). */
  answer: (shown: Shown) => string | undefined = () => undefined;
  /** The person's choice in a quick pick; none by default (Escape). */
  choose: (pick: ShownPick) => Picked<unknown> | undefined = () => undefined;
  /** The person's answers to showInputBox, in order. */
  readonly typed: (string | undefined)[] = [];
  /** What each showInputBox was asked with, in order. */
  readonly inputBoxOptions: vscode.InputBoxOptions[] = [];
  readonly backButton = { iconPath: { id: 'back' } } as vscode.QuickInputButton;
  private readonly boxOpened = new Emitter<FakeInputBox>();

  showInformationMessage(message: string, ...actions: string[]) {
    return this.show({ kind: 'info', message, actions });
  }
  showWarningMessage(message: string, ...actions: string[]) {
    return this.show({ kind: 'warning', message, actions });
  }
  showModalWarning(message: string, detail: string | undefined, ...actions: string[]) {
    return this.show({ kind: 'modal', message, detail, actions });
  }
  showErrorMessage(message: string, ...actions: string[]) {
    return this.show({ kind: 'error', message, actions });
  }
  async withProgress<T>(title: string, task: () => Promise<T>): Promise<T> {
    this.progress.push(title);
    return task();
  }
  /** Where the person saves in a save dialog; none by default (dismissed). */
  savePath: string | undefined;
  readonly saveDialogs: string[] = [];
  async showSaveDialog(title: string): Promise<string | undefined> {
    this.saveDialogs.push(title);
    return this.savePath;
  }
  async showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    this.inputBoxOptions.push(options);
    return this.typed.shift();
  }
  async pick<T>(entries: PickEntry<T>[], options: PickOptions): Promise<Picked<T> | undefined> {
    const shown = { entries, options };
    this.picks.push(shown);
    return this.choose(shown) as Picked<T> | undefined;
  }
  createInputBox(): InputBoxView {
    const box = new FakeInputBox();
    this.inputBoxes.push(box);
    box.onShow = () => this.boxOpened.fire(box);
    return box;
  }
  button(icon: string, tooltip: string): vscode.QuickInputButton {
    return { iconPath: { id: icon }, tooltip };
  }
  errorMessage(message: string): vscode.InputBoxValidationMessage {
    return { message, severity: 3 };
  }
  readonly statusBarItems: FakeStatusBarItem[] = [];
  readonly logChannels: FakeLogChannel[] = [];
  createStatusBarItem(id: string): FakeStatusBarItem {
    const item = new FakeStatusBarItem(id);
    this.statusBarItems.push(item);
    return item;
  }
  createLogChannel(name: string): FakeLogChannel {
    const channel = new FakeLogChannel(name);
    this.logChannels.push(channel);
    return channel;
  }
  readonly themeColor = fakeThemeColor;
  readonly icon = fakeIcon;
  readonly markdown = fakeMarkdown;

  /** The next input box to be shown (or the one shown now, if it is still open). */
  nextInputBox(): Promise<FakeInputBox> {
    const open = this.inputBoxes.find((box) => box.visible);
    if (open) return Promise.resolve(open);
    return new Promise((resolve) => {
      const subscription = this.boxOpened.event((box) => {
        subscription.dispose();
        resolve(box);
      });
    });
  }

  /** Every message's text, for "never shown" assertions. */
  allText(): string {
    return JSON.stringify({ shown: this.shown, progress: this.progress, picks: this.picks, boxes: this.inputBoxes.map((box) => box.seen) });
  }

  private async show(shown: Shown): Promise<string | undefined> {
    this.shown.push(shown);
    return this.answer(shown);
  }
}

/** An input box a test types into and presses Enter or a button on. */
export class FakeInputBox implements InputBoxView {
  title: string | undefined;
  step: number | undefined;
  totalSteps: number | undefined;
  prompt: string | undefined;
  placeholder: string | undefined;
  value = '';
  password = false;
  ignoreFocusOut = false;
  busy = false;
  enabled = true;
  validationMessage: string | vscode.InputBoxValidationMessage | undefined;
  buttons: readonly vscode.QuickInputButton[] = [];
  visible = false;
  disposed = false;
  /** What the box showed over its life (prompts and messages), for "never shown" assertions. */
  readonly seen: unknown[] = [];
  onShow: () => void = () => undefined;
  private readonly valueChanged = new Emitter<string>();
  private readonly buttonPressed = new Emitter<vscode.QuickInputButton>();
  private readonly accepted = new Emitter<void>();
  private readonly hidden = new Emitter<void>();
  readonly onDidChangeValue = this.valueChanged.event;
  readonly onDidTriggerButton = this.buttonPressed.event;
  readonly onDidAccept = this.accepted.event;
  readonly onDidHide = this.hidden.event;

  show(): void {
    this.visible = true;
    this.seen.push({ title: this.title, prompt: this.prompt, value: this.value });
    this.onShow();
  }
  dispose(): void {
    this.visible = false;
    this.disposed = true;
  }

  /** Types `text` over the value, as a person would. */
  type(text: string): void {
    this.value = text;
    this.valueChanged.fire(text);
  }
  /** Presses Enter and lets whatever it started (a check with DingTalk) finish. */
  async accept(): Promise<void> {
    this.accepted.fire();
    await settle();
    this.seen.push({ validationMessage: this.validationMessage });
  }
  async press(button: vscode.QuickInputButton): Promise<void> {
    this.buttonPressed.fire(button);
    await settle();
  }
  async escape(): Promise<void> {
    this.visible = false;
    this.hidden.fire();
    await settle();
  }
  /** The validation message's text, whichever form it was set in. */
  get message(): string | undefined {
    const message = this.validationMessage;
    return typeof message === 'object' ? message.message : message;
  }
}

export interface FakeApis extends Apis {
  window: FakeWindow;
  clipboard: string[];
  opened: string[];
  executed: { id: string; args: unknown[] }[];
  commandHandlers: Map<string, (...args: unknown[]) => unknown>;
  panels: FakePanel[];
  mcpServers: Map<string, McpServerSource>;
  problems: Map<string, Problem[]>;
  folderChanged: Emitter<void>;
  /** The settings a test sets, by full key (e.g. "dingtalkToken.autoRefresh"), and the event that says they changed. */
  configuration: Map<string, unknown>;
  configurationChanged: Emitter<void>;
  treeViews: Map<string, FakeTreeView>;
  /** Text documents open in editors, by path, with what the person does to them. */
  editors: FakeEditors;
  /** The files in the workspace (read by path), and the Testing view's controllers by id. */
  files: FakeFiles;
  testControllers: Map<string, FakeTestController>;
}

/** Editors the person opens, types into and closes; their text as typed. */
export class FakeEditors {
  readonly texts = new Map<string, string>();
  readonly opened = new Emitter<OpenText>();
  readonly changed = new Emitter<OpenText>();
  readonly closed = new Emitter<string>();
  open(path: string, text: string): void {
    this.texts.set(path, text);
    this.opened.fire(this.document(path));
  }
  type(path: string, text: string): void {
    this.texts.set(path, text);
    this.changed.fire(this.document(path));
  }
  close(path: string): void {
    this.texts.delete(path);
    this.closed.fire(path);
  }
  document(path: string): OpenText {
    return { path, text: () => this.texts.get(path) ?? '' };
  }
}

export function fakeApis(): FakeApis {
  const clipboard: string[] = [];
  const opened: string[] = [];
  const executed: { id: string; args: unknown[] }[] = [];
  const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();
  const panels: FakePanel[] = [];
  const mcpServers = new Map<string, McpServerSource>();
  const problems = new Map<string, Problem[]>();
  const folderChanged = new Emitter<void>();
  const configuration = new Map<string, unknown>();
  const configurationChanged = new Emitter<void>();
  const treeViews = new Map<string, FakeTreeView>();
  const editors = new FakeEditors();
  const files = new FakeFiles();
  const testControllers = new Map<string, FakeTestController>();
  return {
    editors,
    files,
    testControllers,
    testing: fakeTestingApis(testControllers),
    window: new FakeWindow(),
    clipboard,
    opened,
    executed,
    commandHandlers,
    panels,
    mcpServers,
    problems,
    folderChanged,
    configuration,
    configurationChanged,
    treeViews,
    tree: fakeTreeApis(treeViews),
    env: {
      writeClipboard: async (text) => void clipboard.push(text),
      openExternal: async (url) => (opened.push(url), true),
      language: 'en',
    },
    commands: {
      register: (id, handler) => {
        commandHandlers.set(id, handler);
        return { dispose: () => void commandHandlers.delete(id) };
      },
      execute: async (id, ...args) => {
        executed.push({ id, args });
        return commandHandlers.get(id)?.(...args);
      },
    },
    workspace: {
      configuration: (section) => fakeConfiguration(configuration, section),
      onDidChangeConfiguration: (_section, listener) => configurationChanged.event(listener),
      policyFile: (settings) => fakeUri(`/workspace/${settings.policyFile}`),
      exists: async () => false,
      writeText: async () => undefined,
      showTextDocument: async () => undefined,
      onDidChangeFolders: (listener) => folderChanged.event(listener),
      openTexts: () => [...editors.texts.keys()].map((path) => editors.document(path)),
      onDidOpenText: (listener) => editors.opened.event(listener),
      onDidChangeText: (listener) => editors.changed.event(listener),
      onDidCloseText: (listener) => editors.closed.event(listener),
      readText: (uri) => files.read(uri),
      relativePath: (uri) => uri.path.replace(/^\/workspace\//, ''),
      watchFiles: (folder, pattern, listener) => files.watch(folder, pattern, listener),
    },
    lm: {
      registerMcpServer: (id, source) => {
        mcpServers.set(id, source);
        return { dispose: () => void mcpServers.delete(id) };
      },
      createProblems: () => ({
        set: (file, list) => void problems.set(file, list),
        clear: () => problems.clear(),
        dispose: () => problems.clear(),
      }),
    },
    webview: {
      createPanel: (_viewType, title) => {
        const panel = new FakePanel(title);
        panels.push(panel);
        return panel;
      },
    },
  };
}

/** How the fake DingTalk answers a token request. */
export type FakeFetch = (credentials: AppCredentials) => Promise<FetchedToken>;

export interface Harness {
  services: Services;
  apis: FakeApis;
  clock: FakeClock;
  secrets: FakeSecrets;
  log: string[];
  /** Shown the log panel this often. */
  logShown: () => number;
  /** Replace to change how DingTalk answers. */
  fetch: FakeFetch;
  settings: Settings;
  /** Token requests made, by appKey. */
  requests: AppCredentials[];
}

export const DEFAULT_SETTINGS: Settings = {
  endpoints: endpointsWithDefaults(),
  refreshMarginMs: 300_000,
  autoRefresh: true,
  statusBarEnabled: true,
  warningMs: 300_000,
  mcpEnabled: true,
  policyFile: '.vscode/dingtalk-mcp-policy.json',
  counterStore: '',
  shadowPolicyFile: '',
  auditFile: '',
  auditFileMaxBytes: 10 * 1024 * 1024,
  terminalEnvironment: false,
  secretScan: { enabled: true, ignore: [] },
  problems: [],
  ignoredWorkspaceSettings: [],
};

/** The services activate() builds, over fakes: a fake clock, SecretStorage and DingTalk; the real TokenManager and store. */
export async function harness(): Promise<Harness> {
  const clock = new FakeClock();
  const redactor = new Redactor();
  const secrets = new FakeSecrets();
  const apis = fakeApis();
  const credentials = await CredentialStore.open(secrets);
  const log: string[] = [];
  let logShown = 0;
  const state: Harness = {
    services: undefined as unknown as Services,
    apis,
    clock,
    secrets,
    log,
    logShown: () => logShown,
    fetch: async () => ({ accessToken: `token-${clock.now()}`, expiresInSeconds: 7200 }),
    settings: { ...DEFAULT_SETTINGS },
    requests: [],
  };
  const fetchToken = (app: AppCredentials) => {
    state.requests.push(app);
    return state.fetch(app);
  };
  const tokens = new TokenManager({
    clock,
    fetcher: async (appKey) => fetchToken({ appKey, appSecret: (await credentials.secretFor(appKey)) ?? '' }),
    store: credentials.tokenStore,
    refreshMarginMs: state.settings.refreshMarginMs,
    autoRefresh: state.settings.autoRefresh,
    transientRetries: 0,
    redactor,
  });
  const globalState = new Map<string, unknown>();
  const memento = {
    get: (key: string) => globalState.get(key),
    update: async (key: string, value: unknown) => void globalState.set(key, value),
    keys: () => [...globalState.keys()],
  } as unknown as vscode.ExtensionContext['globalState'];
  const robotStore = new RobotStore(memento, secrets);
  // Where the policy's counters file goes: a folder of this test's own.
  const globalStorage = mkdtempSync(path.join(os.tmpdir(), 'fake-global-storage-'));
  state.services = {
    context: { globalState: memento, globalStorageUri: { fsPath: globalStorage } as vscode.Uri },
    apis,
    clock,
    version: '0.1.0',
    log: {
      info: (line) => void log.push(`info ${line}`),
      warn: (line) => void log.push(`warn ${line}`),
      error: (line) => void log.push(`error ${line}`),
      show: () => void logShown++,
    },
    redactor,
    credentials,
    tokens,
    audit: new AuditTrail(),
    robots: {
      store: robotStore,
      sender: new RobotSender({
        directory: robotStore,
        counter: new StoreSendCounter(new MemoryCounterStore(() => clock.now())),
        endpoints: () => state.settings.endpoints,
        redactor,
        clock,
      }),
    },
    counters: new WindowCounterStore({ setting: () => state.settings.counterStore, stateDir: globalStorage, open: counterStoreFrom }),
    settings: () => state.settings,
    fetchToken,
  };
  return state;
}

/** Stores an app as Set App Credentials would once DingTalk accepted it (secret, app list, active app). */
export async function addApp(services: Services, appKey: string, label: string, appSecret = `secret-of-${appKey}`): Promise<void> {
  await services.credentials.add({ appKey, label }, appSecret);
}

/** The commands whose handlers live with their features (devenv/register.ts), as no-ops for tests of the others. */
export const NO_FEATURE_COMMANDS = Object.fromEntries(
  [COMMAND.accessToken, COMMAND.revokeTokenAccess, COMMAND.scanWorkspace, COMMAND.moveAppSecret, COMMAND.moveRobot, COMMAND.ignoreSecretKind].map((id) => [
    id,
    () => undefined,
  ]),
) as FeatureCommands;
