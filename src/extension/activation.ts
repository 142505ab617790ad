import { followAuditFile } from './audit/auditFile';
import type * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { fetchAccessToken, type AppCredentials, type FetchedToken, DingTalkError, RobotSender, robotSecretValues, StoreSendCounter } from '../core/dingtalk';
import { TokenManager } from '../core/tokens';
import { systemClock, type Clock } from '../core/clock';
import { AuditTrail } from '../core/audit';
import { Redactor } from '../core/redact';
import { CredentialStore } from './apps/credentials';
import { createLog, type Log } from './log';
import { readSettings, SECTION, type Settings } from './config';
import { StatusBar } from './statusBar/statusBar';
import { InspectPanel } from './inspect/panel';
import { registerCommands } from './commands';
import { loadBundledServer, registerMcpProvider, type LoadServer } from './mcp/provider';
import { counterStoreUrl } from './mcp/counterStoreSecret';
import { WindowCounterStore } from './counters/windowStore';
import { DingTalkView } from './apps/view';
import { RobotStore } from './robots/store';
import { RobotsView } from './robots/view';
import { trackContextKeys } from './contextKeys';
import type { Services } from './services';
import type { Apis } from './apis/apis';
import { describeError } from './wording/messages';
import { registerDevEnv, type DevEnvApis } from './devenv/register';

/** What activation needs of the extension context, so unit tests hand in a fake one. */
export type ActivationContext = Pick<
  vscode.ExtensionContext,
  'subscriptions' | 'secrets' | 'globalState' | 'workspaceState' | 'globalStorageUri' | 'extension'
>;

/** Test hooks: a fake clock, and the MCP bundle from src/mcp rather than dist/mcp.js. */
export interface StartHooks {
  clock?: Clock;
  loadServer?: LoadServer;
}

/**
 * Builds the one Redactor, TokenManager and counter store and hands them to the status bar, commands, inspect view,
 * robots and MCP provider; everything VS Code shows goes through `apis`.
 */
export async function start(context: ActivationContext, apis: Apis, devenvApis: DevEnvApis, hooks: StartHooks = {}): Promise<Services> {
  const started = performance.now();
  const redactor = new Redactor();
  const log = createLog(redactor, apis.window);
  context.subscriptions.push(log);
  let settings = readSettings(apis.workspace);
  reportSettingProblems(apis, log, settings);
  const credentials = await CredentialStore.open(context.secrets);
  const fetchToken = (app: AppCredentials) => fetchWithLog(log, redactor, app, settings);
  const clock = hooks.clock ?? systemClock;
  const loadServer = hooks.loadServer ?? loadBundledServer;
  // The policy's limits and robot sends count here: every window of this person (global storage) or the team (Redis) shares one count.
  const counters = new WindowCounterStore({
    setting: () => settings.counterStore,
    stateDir: context.globalStorageUri.fsPath,
    open: (setting, stateDir) => loadServer().counterStoreFrom(setting, stateDir),
    resolveUrl: (setting) =>
      counterStoreUrl(setting, {
        secrets: context.secrets,
        updateUserSetting: (value) => devenvApis.secrets.updateSetting('mcp.counterStore', value, 'user'),
        tell: (message) => void apis.window.showInformationMessage(message),
      }),
  });
  const robotStore = new RobotStore(context.globalState, context.secrets);
  const robotSender = new RobotSender({
    directory: robotStore,
    counter: new StoreSendCounter(counters),
    endpoints: () => settings.endpoints,
    redactor,
    clock,
  });
  await rememberRobotSecrets(robotStore, redactor);
  const tokens = new TokenManager({
    clock,
    fetcher: async (appKey) => fetchToken({ appKey, appSecret: await storedSecret(credentials, appKey) }),
    store: credentials.tokenStore,
    refreshMarginMs: settings.refreshMarginMs,
    autoRefresh: settings.autoRefresh,
    redactor,
  });
  const services: Services = {
    context,
    apis,
    clock,
    version: String((context.extension.packageJSON as { version: unknown }).version),
    log,
    redactor,
    credentials,
    tokens,
    audit: new AuditTrail(),
    robots: { store: robotStore, sender: robotSender },
    counters,
    settings: () => settings,
    fetchToken,
  };
  const statusBar = new StatusBar(services);
  const inspect = new InspectPanel(services);
  const mcp = registerMcpProvider(services, loadServer);
  const auditFile = followAuditFile(services);
  const devenv = registerDevEnv(services, context.workspaceState, devenvApis);
  context.subscriptions.push(
    credentials,
    statusBar,
    inspect,
    mcp,
    new DingTalkView(services, mcp),
    robotStore,
    new RobotsView(services),
    trackContextKeys(services, mcp),
    auditFile,
    { dispose: () => tokens.dispose() },
    counters,
    ...devenv.subscriptions,
    ...registerCommands(services, inspect, devenv.commands),
  );
  let knownApps = new Set(credentials.list().map((app) => app.appKey));

  context.subscriptions.push(
    apis.workspace.onDidChangeConfiguration(SECTION, () => {
      settings = readSettings(apis.workspace);
      reportSettingProblems(apis, log, settings);
      tokens.configure({ refreshMarginMs: settings.refreshMarginMs, autoRefresh: settings.autoRefresh });
      statusBar.render();
      mcp.configurationChanged();
      counters.settingsChanged();
      auditFile.settingsChanged();
      devenv.settingsChanged();
    }),
    // Another window refreshed a token: take it rather than fetch our own.
    credentials.onDidChangeStoredToken(async (appKey) => {
      if (await tokens.adoptSharedToken(appKey)) log.info(l10n.t('Took the token for {0} refreshed in another window', appKey));
    }),
    credentials.onDidChangeApps(() => {
      // An app removed in another window takes its cached token with it here too.
      const current = new Set(credentials.list().map((app) => app.appKey));
      for (const appKey of knownApps) if (!current.has(appKey)) tokens.forget(appKey);
      knownApps = current;
      warmActiveApp(services);
    }),
  );
  warmActiveApp(services);
  log.info(
    l10n.t(
      'Activated in {0} ms with {1} app(s); token API {2} at {3}',
      Math.round(performance.now() - started),
      credentials.list().length,
      settings.endpoints.tokenApi,
      settings.endpoints.tokenApi === 'v1' ? settings.endpoints.apiBaseUrl : settings.endpoints.legacyApiBaseUrl,
    ),
  );
  return services;
}

/**
 * Workspace values of personal-only settings are logged as ignored; out-of-range numbers were clamped and
 * values of the wrong type replaced by the default: each is logged, and the person is told once per change.
 */
function reportSettingProblems(apis: Apis, log: Log, settings: Settings): void {
  for (const key of settings.ignoredWorkspaceSettings) {
    log.warn(
      l10n.t('{0} is set by this workspace and ignored: only your user settings choose where secrets and tokens go and which policy governs agents.', key),
    );
  }
  if (settings.problems.length === 0) return;
  for (const problem of settings.problems) log.warn(problem);
  const show = l10n.t('Show Log');
  void apis.window
    .showWarningMessage(
      l10n.t('Some DingTalk settings are out of range or of the wrong type, so the nearest allowed value or the default is used. The log names each one.'),
      show,
    )
    .then((choice) => (choice === show ? log.show() : undefined));
}

/** Gets the active app's token in the background so the status bar can count down from the start. */
function warmActiveApp(services: Services): void {
  const app = services.credentials.activeApp();
  if (app && !services.tokens.peek(app.appKey)) void services.tokens.getToken(app.appKey).catch(() => undefined);
}

/** The redactor learns every robot's webhook token and secret before anything could show them. */
async function rememberRobotSecrets(store: RobotStore, redactor: Redactor): Promise<void> {
  for (const robot of store.list()) {
    const credentials = await store.credentials(robot.name);
    if (credentials) robotSecretValues(credentials).forEach((value) => redactor.remember(value));
  }
}

async function storedSecret(credentials: CredentialStore, appKey: string): Promise<string> {
  const appSecret = await credentials.secretFor(appKey);
  if (!appSecret) {
    throw new DingTalkError('invalidCredentials', `No appSecret is stored for ${appKey}. Run "DingTalk: Set App Credentials".`, { code: 'MissingSecret' });
  }
  return appSecret;
}

async function fetchWithLog(log: Log, redactor: Redactor, app: AppCredentials, settings: Settings): Promise<FetchedToken> {
  redactor.remember(app.appSecret);
  const started = Date.now();
  try {
    const token = await fetchAccessToken(settings.endpoints, app);
    log.info(l10n.t('Fetched a token for {0} in {1} ms (valid {2} s)', app.appKey, Date.now() - started, token.expiresInSeconds));
    return token;
  } catch (error) {
    log.warn(l10n.t('Token request for {0} failed after {1} ms: {2}', app.appKey, Date.now() - started, describeError(error, redactor)));
    throw error;
  }
}
