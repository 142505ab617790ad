import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { fetchAccessToken, type AppCredentials, type FetchedToken, DingTalkError } from '../core/dingtalk';
import { TokenManager } from '../core/tokens';
import { systemClock } from '../core/clock';
import { AuditTrail } from '../core/audit';
import { Redactor } from '../core/redact';
import { CredentialStore } from './apps/credentials';
import { createLog, type Log } from './log';
import { readSettings, SECTION, type Settings } from './config';
import { StatusBar } from './statusBar/statusBar';
import { InspectPanel } from './inspect/panel';
import { registerCommands } from './commands';
import { registerMcpProvider } from './mcp/provider';
import { DingTalkView } from './apps/view';
import { trackContextKeys } from './contextKeys';
import type { Services } from './services';
import { createApis } from './apis/apis';
import { describeError } from './wording/messages';
import { createTerminalEnvironment, createTrustApis } from './apis/terminal.apis';
import { TerminalEnvironment } from './terminal/environment';
import { TokenAccessConsent } from './devenv/consent';
import { accessTokenForTask, revokeTokenAccess } from './devenv/commandVariable';
import { COMMAND } from './commandIds';
import { createSecretsApis } from './apis/secrets.apis';
import { DIAGNOSTIC_SOURCE, SecretDiagnostics } from './secrets/diagnostics';
import { ignoreSecretKind, quickFixesFor } from './secrets/quickFixes';
import { moveAppSecret } from './secrets/moveAppSecret';
import { scanWorkspace } from './secrets/workspaceScan';

/** Builds the one Redactor and TokenManager and hands them to the status bar, commands, inspect view and MCP provider. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = performance.now();
  // Messages are worded through @vscode/l10n, so modules also load under node:test; here it gets VS Code's
  // bundle for the display language (none for English).
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const redactor = new Redactor();
  const log = createLog(redactor);
  context.subscriptions.push(log);
  let settings = readSettings();
  reportSettingProblems(log, settings);
  const credentials = await CredentialStore.open(context.secrets);
  const fetchToken = (app: AppCredentials) => fetchWithLog(log, redactor, app, settings);
  const clock = systemClock;
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
    apis: createApis(context.extensionUri),
    clock,
    version: String((context.extension.packageJSON as { version: unknown }).version),
    log,
    redactor,
    credentials,
    tokens,
    audit: new AuditTrail(),
    settings: () => settings,
    fetchToken,
  };
  const statusBar = new StatusBar(services);
  const inspect = new InspectPanel(services);
  const mcp = registerMcpProvider(services);
  const trust = createTrustApis();
  const terminal = new TerminalEnvironment(services, createTerminalEnvironment(context.environmentVariableCollection), trust);
  const consent = new TokenAccessConsent(context.workspaceState);
  const secretsApis = createSecretsApis();
  const secretDiagnostics = new SecretDiagnostics(services, secretsApis);
  context.subscriptions.push(
    credentials,
    statusBar,
    inspect,
    mcp,
    new DingTalkView(services, mcp),
    trackContextKeys(services, mcp),
    { dispose: () => tokens.dispose() },
    terminal,
    secretDiagnostics,
    secretsApis.registerQuickFixes(DIAGNOSTIC_SOURCE, quickFixesFor),
    ...registerCommands(services, inspect, {
      [COMMAND.accessToken]: (argument) => accessTokenForTask(services, consent, trust, argument),
      [COMMAND.revokeTokenAccess]: () => revokeTokenAccess(services, consent, trust),
      [COMMAND.scanWorkspace]: () => scanWorkspace(services, secretsApis, secretDiagnostics),
      [COMMAND.moveAppSecret]: (span) => moveAppSecret(services, secretsApis, span),
      [COMMAND.ignoreSecretKind]: (kind) => ignoreSecretKind(services, secretsApis, kind),
    }),
  );
  let knownApps = new Set(credentials.list().map((app) => app.appKey));

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      settings = readSettings();
      reportSettingProblems(log, settings);
      tokens.configure({ refreshMarginMs: settings.refreshMarginMs, autoRefresh: settings.autoRefresh });
      statusBar.render();
      mcp.configurationChanged();
      terminal.update();
      secretDiagnostics.refresh();
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
}

/**
 * Workspace values of personal-only settings are logged as ignored; out-of-range numbers were clamped and
 * values of the wrong type replaced by the default: each is logged, and the person is told once per change.
 */
function reportSettingProblems(log: Log, settings: Settings): void {
  for (const key of settings.ignoredWorkspaceSettings) {
    log.warn(
      l10n.t('{0} is set by this workspace and ignored: only your user settings choose where secrets and tokens go and which policy governs agents.', key),
    );
  }
  if (settings.problems.length === 0) return;
  for (const problem of settings.problems) log.warn(problem);
  const show = l10n.t('Show Log');
  void vscode.window
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
