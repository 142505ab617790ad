import * as vscode from 'vscode';
import { describeDuration, describeError } from './messages';
import { policyFileUri } from './config';
import { POLICY_TEMPLATES, type PolicyTemplateId } from './policyTemplate';
import type { AppInfo } from '../core/apps';
import { DEFAULT_REFRESHES_PER_MINUTE } from '../core/defaultPolicy';
import { MAX_TOKEN_REQUESTS_PER_MINUTE, type RefreshBlock, type TokenResult } from '../core/tokens';
import type { Services } from './services';
import type { InspectPanel } from './inspect';
import { appKeyFromNode } from './appsView';
import { openDeveloperConsole, setCredentials } from './credentialsFlow';
import { COMMAND, type CommandId } from './commandIds';

type Handler = (...args: unknown[]) => unknown;

/** Registers the palette commands; each is a small function over the shared services. */
export function registerCommands(services: Services, inspect: InspectPanel): vscode.Disposable[] {
  // Typed by CommandId, so a command declared in commandIds.ts without a handler does not compile.
  const commands: Record<CommandId, Handler> = {
    [COMMAND.setCredentials]: () => setCredentials(services),
    [COMMAND.getToken]: () => getToken(services, inspect),
    // From the DingTalk view these get the app row they were run on; from the palette, nothing (the active app).
    [COMMAND.refreshToken]: (node) => refreshToken(services, appKeyFromNode(node)),
    [COMMAND.inspectToken]: (node) => inspect.show(appKeyFromNode(node)),
    [COMMAND.copyToken]: (node) => copyToken(services, appKeyFromNode(node)),
    [COMMAND.switchApp]: () => switchApp(services),
    [COMMAND.removeApp]: (node) => removeApp(services, appKeyFromNode(node)),
    [COMMAND.renameApp]: (node) => renameApp(services, appKeyFromNode(node)),
    [COMMAND.makeActive]: (node) => makeActive(services, appKeyFromNode(node)),
    [COMMAND.openDeveloperConsole]: () => openDeveloperConsole(),
    [COMMAND.showLog]: () => services.log.show(),
    [COMMAND.openPolicy]: () => openPolicy(services),
    [COMMAND.statusBarActions]: () => statusBarActions(services),
  };
  return Object.entries(commands).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}

async function getToken(services: Services, inspect: InspectPanel): Promise<void> {
  const result = await tokenForApp(services, undefined, (appKey) => services.tokens.getToken(appKey));
  if (!result) return;
  const copy = vscode.l10n.t('Copy');
  const show = vscode.l10n.t('Inspect');
  const choice = await vscode.window.showInformationMessage(validityMessage(services, result), copy, show);
  if (choice === copy) await copyToken(services, result.appKey);
  if (choice === show) inspect.show();
}

async function refreshToken(services: Services, appKey: string | undefined): Promise<void> {
  const result = await tokenForApp(services, appKey, (key) => services.tokens.forceRefresh(key), true);
  if (!result) return;
  if (result.refreshed) return void vscode.window.showInformationMessage(vscode.l10n.t('Refreshed. {0}', validityMessage(services, result)));
  const waitSeconds = Math.max(1, Math.ceil(((result.nextRefreshAt ?? Date.now()) - Date.now()) / 1000));
  void vscode.window.showInformationMessage(vscode.l10n.t('Not refreshed: {0} A new token can be fetched in {1} s. {2}',
    notRefreshedReason(result.blockedBy), waitSeconds, validityMessage(services, result)));
}

function notRefreshedReason(block: RefreshBlock | undefined): string {
  switch (block) {
    case 'retryAfter':
      return vscode.l10n.t('DingTalk asked to wait before the next token request.');
    case 'requestCap':
      return vscode.l10n.t('This app already made {0} token requests in the last minute, the most allowed.', MAX_TOKEN_REQUESTS_PER_MINUTE);
    default:
      return vscode.l10n.t('The last token requests failed, so the next one waits.');
  }
}

async function copyToken(services: Services, appKey?: string): Promise<void> {
  const result = await tokenForApp(services, appKey, (key) => services.tokens.getToken(key));
  if (!result) return;
  await vscode.env.clipboard.writeText(result.accessToken);
  const label = labelOf(services, result.appKey);
  services.log.info(`Access token for ${label} copied to the clipboard`);
  void vscode.window.showInformationMessage(vscode.l10n.t('Access token for {0} copied (valid for {1}).', label, describeDuration(result.expiresAt - Date.now())));
}

async function switchApp(services: Services): Promise<void> {
  const add = { label: vscode.l10n.t('Add an app…'), iconPath: new vscode.ThemeIcon('add'), app: undefined };
  const items = [
    separator(vscode.l10n.t('Apps')),
    ...appItems(services),
    separator(''),
    add,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Switch App'), placeHolder: vscode.l10n.t('The app whose token the status bar and agents use') });
  if (!picked) return;
  if (!picked.app) return setCredentials(services);
  await makeActive(services, picked.app.appKey);
}

async function makeActive(services: Services, appKey: string | undefined): Promise<void> {
  if (!appKey) return switchApp(services);
  await services.credentials.setActive(appKey);
  services.log.info(`Active app is now ${labelOf(services, appKey)}`);
  void services.tokens.getToken(appKey).catch(() => undefined);
}

/** The app a command was run on, or one the person picks; undefined when there is none or they cancel. */
async function pickApp(services: Services, appKey: string | undefined, title: string): Promise<AppInfo | undefined> {
  const apps = services.credentials.list();
  if (appKey) return apps.find((app) => app.appKey === appKey);
  if (apps.length === 0) return void vscode.window.showInformationMessage(vscode.l10n.t('No DingTalk app is set up yet.'));
  const picked = await vscode.window.showQuickPick(appItems(services), { title });
  return picked?.app;
}

/**
 * One row per app: the active one marked by its icon (a check; the others a key), so labels stay aligned;
 * the appKey beside the label and the token's state below it.
 */
function appItems(services: Services): (vscode.QuickPickItem & { app: AppInfo })[] {
  const active = services.credentials.activeAppKey();
  return services.credentials.list().map((app) => ({
    label: app.label,
    description: app.appKey === active ? `${app.appKey} · ${vscode.l10n.t('active')}` : app.appKey,
    detail: tokenState(services, app.appKey),
    iconPath: new vscode.ThemeIcon(app.appKey === active ? 'check' : 'key'),
    app,
  }));
}

/** The token's state as a short sentence, e.g. "valid for 1 h 54 min", "expired", "failed: …". */
function tokenState(services: Services, appKey: string): string {
  const status = services.tokens.status(appKey);
  switch (status.state) {
    case 'valid':
      return vscode.l10n.t('valid for {0}', describeDuration((status.expiresAt ?? Date.now()) - Date.now()));
    case 'fetching':
      return vscode.l10n.t('fetching…');
    case 'expired':
      return vscode.l10n.t('expired');
    case 'failing':
      return status.lastError ? vscode.l10n.t('failed: {0}', describeError(status.lastError)) : vscode.l10n.t('failed');
    default:
      return vscode.l10n.t('no token yet');
  }
}

function separator(label: string): vscode.QuickPickItem & { app: undefined; command: undefined } {
  return { label, kind: vscode.QuickPickItemKind.Separator, app: undefined, command: undefined };
}

async function renameApp(services: Services, appKey: string | undefined): Promise<void> {
  const app = await pickApp(services, appKey, vscode.l10n.t('Rename App'));
  if (!app) return;
  const label = (await vscode.window.showInputBox({
    title: vscode.l10n.t('Rename {0}', app.label),
    prompt: vscode.l10n.t('A new label for {0} (its appSecret stays as it is)', app.appKey),
    value: app.label,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Enter a label.')),
  }))?.trim();
  if (!label || label === app.label) return;
  await services.credentials.rename(app.appKey, label);
  services.log.info(`Renamed app ${app.appKey} to ${label}`);
}

async function removeApp(services: Services, appKey: string | undefined): Promise<void> {
  const picked = await pickApp(services, appKey, vscode.l10n.t('Remove App'));
  if (!picked) return;
  const remove = vscode.l10n.t('Remove');
  const confirmed = await vscode.window.showWarningMessage(
    vscode.l10n.t('Remove {0}? Its appSecret and cached token are deleted from this machine.', picked.label), { modal: true }, remove);
  if (confirmed !== remove) return;
  await services.credentials.remove(picked.appKey);
  services.tokens.forget(picked.appKey);
  services.log.info(`Removed app ${picked.label} (${picked.appKey})`);
}

async function openPolicy(services: Services): Promise<void> {
  const uri = policyFileUri(services.settings());
  if (!uri) return void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder first: the MCP policy file lives in the workspace.'));
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    const create = vscode.l10n.t('Create');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('There is no MCP policy file yet, so agents may call every tool (refresh_access_token at most {0} times a minute). Create one?', DEFAULT_REFRESHES_PER_MINUTE), create);
    if (choice !== create) return;
    const templates: (vscode.QuickPickItem & { id: PolicyTemplateId })[] = [
      { id: 'readOnly', label: vscode.l10n.t('Read-only agent'), detail: vscode.l10n.t('API calls only with GET; the raw token tools are hidden.') },
      { id: 'messagesNeedApproval', label: vscode.l10n.t('Messages need approval'), detail: vscode.l10n.t('You approve each call that sends a message; everything else runs.') },
      { id: 'refreshRateLimit', label: vscode.l10n.t('Refresh rate limit'), detail: vscode.l10n.t('Every tool allowed; refresh_access_token at most {0} times a minute.', DEFAULT_REFRESHES_PER_MINUTE) },
    ];
    const template = await vscode.window.showQuickPick(templates, { title: vscode.l10n.t('Start the MCP policy from') });
    if (!template) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(POLICY_TEMPLATES[template.id]));
  }
  await vscode.window.showTextDocument(uri);
}

async function statusBarActions(services: Services): Promise<void> {
  const app = services.credentials.activeApp();
  const action = (icon: string, label: string, command: CommandId, detail?: string) => ({ label, iconPath: new vscode.ThemeIcon(icon), command, detail });
  const actions = [
    ...(app ? [
      separator(app.label),
      action('key', vscode.l10n.t('Get Access Token'), COMMAND.getToken, tokenState(services, app.appKey)),
      action('refresh', vscode.l10n.t('Refresh Access Token'), COMMAND.refreshToken),
      action('copy', vscode.l10n.t('Copy Access Token'), COMMAND.copyToken),
      action('eye', vscode.l10n.t('Inspect Access Token'), COMMAND.inspectToken),
    ] : []),
    separator(vscode.l10n.t('Apps')),
    ...(app ? [action('arrow-swap', vscode.l10n.t('Switch App'), COMMAND.switchApp)] : []),
    action('add', vscode.l10n.t('Set App Credentials'), COMMAND.setCredentials),
    separator(vscode.l10n.t('Agents')),
    action('shield', vscode.l10n.t('Open MCP Policy'), COMMAND.openPolicy),
    action('output', vscode.l10n.t('Show Log'), COMMAND.showLog),
  ];
  const picked = await vscode.window.showQuickPick(actions, { title: vscode.l10n.t('DingTalk Access Token') });
  if (picked?.command) await vscode.commands.executeCommand(picked.command);
}

/** Runs a token operation for an app (the active one by default) with progress; reports failures and returns undefined. */
async function tokenForApp<T extends TokenResult>(services: Services, appKey: string | undefined, operation: (appKey: string) => Promise<T>, alwaysShowProgress = false): Promise<T | undefined> {
  const app = appKey ? services.credentials.list().find((candidate) => candidate.appKey === appKey) : services.credentials.activeApp();
  if (!app) {
    const setUp = vscode.l10n.t('Set App Credentials');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('No DingTalk app is set up yet.'), setUp);
    if (choice === setUp) await setCredentials(services);
    return undefined;
  }
  try {
    const cached = !alwaysShowProgress && services.tokens.peek(app.appKey);
    const result = cached ? await operation(app.appKey) : await withProgress(vscode.l10n.t('Fetching the access token of {0}…', app.label), () => operation(app.appKey));
    services.log.info(`Token for ${app.label} served from ${result.source}, valid until ${new Date(result.expiresAt).toISOString()}`);
    return result;
  } catch (error) {
    const showLog = vscode.l10n.t('Show Log');
    const still = services.tokens.peek(app.appKey);
    if (still) {
      // The refresh failed but nothing is lost yet: say how long the current token lasts and when the next try is.
      services.log.warn(`Refresh for ${app.label} failed; the current token stays valid until ${new Date(still.expiresAt).toISOString()}: ${describeError(error)}`);
      const retry = vscode.l10n.t('Retry');
      const next = services.tokens.status(app.appKey).nextAttemptAt;
      const choice = await vscode.window.showWarningMessage([
        vscode.l10n.t('Refreshing the token of {0} failed: {1}', app.label, describeError(error)),
        vscode.l10n.t('The current token is valid for {0}.', describeDuration(still.expiresAt - Date.now())),
        next ? vscode.l10n.t('Next automatic try at {0}.', clockTime(next)) : '',
      ].filter(Boolean).join(' '), retry, showLog);
      if (choice === retry) return tokenForApp(services, app.appKey, operation, alwaysShowProgress);
      if (choice === showLog) services.log.show();
      return undefined;
    }
    services.log.error(`Could not get a token for ${app.label}: ${describeError(error)}`);
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Could not get a token for {0}. {1}', app.label, describeError(error)), showLog);
    if (choice === showLog) services.log.show();
    return undefined;
  }
}

/** "16:20" in VS Code's display language. */
function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(vscode.env.language, { hour: '2-digit', minute: '2-digit' });
}

function withProgress<T>(title: string, task: () => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, task));
}

function validityMessage(services: Services, result: TokenResult): string {
  return vscode.l10n.t('The token of {0} is valid until {1} ({2} left).', labelOf(services, result.appKey), clockTime(result.expiresAt), describeDuration(result.expiresAt - Date.now()));
}

function labelOf(services: Services, appKey: string): string {
  return services.credentials.list().find((app) => app.appKey === appKey)?.label ?? appKey;
}
