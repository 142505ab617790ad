import { exportAudit } from './audit/auditFile';
import * as l10n from '@vscode/l10n';
import { describeDuration, describeError, joinSentences, localTimestamp, servedLogLine } from './wording/messages';
import { asDingTalkError } from '../core/dingtalk';
import { POLICY_TEMPLATES, type PolicyTemplateId } from './mcp/policyTemplate';
import type { AppInfo } from '../core/apps';
import { DEFAULT_REFRESHES_PER_MINUTE } from '../core/policy';
import { MAX_TOKEN_REQUESTS_PER_MINUTE, type RefreshBlock, type TokenResult } from '../core/tokens';
import type { Services } from './services';
import type { InspectPanel } from './inspect/panel';
import { appKeyFromNode } from './apps/appNode';
import { openDeveloperConsole, setCredentials } from './apps/credentialsFlow';
import { COMMAND, type CommandId } from './commandIds';
import type { Disposable } from './emitter';
import type { PickEntry, PickItem } from './apis/pick';
import { appItems, pickApp, separator, tokenState } from './apps/picks';
import { addRobot, removeRobot, sendRobotMessage } from './robots/commands';
import { robotNameFromNode } from './robots/node';

type Handler = (...args: unknown[]) => unknown;

/** The part of the inspect view the commands open. */
type Inspect = Pick<InspectPanel, 'show'>;

/** Commands whose handlers live with their feature (the command variable, the secret scan). */
export type FeatureCommands = Record<
  | typeof COMMAND.accessToken
  | typeof COMMAND.revokeTokenAccess
  | typeof COMMAND.scanWorkspace
  | typeof COMMAND.moveAppSecret
  | typeof COMMAND.moveRobot
  | typeof COMMAND.ignoreSecretKind,
  Handler
>;

/** Registers the palette commands; each is a small function over the shared services. */
export function registerCommands(services: Services, inspect: Inspect, features: FeatureCommands): Disposable[] {
  // Typed by CommandId, so a command declared in commandIds.ts without a handler does not compile.
  const commands: Record<CommandId, Handler> = {
    [COMMAND.setCredentials]: () => setCredentials(services),
    [COMMAND.getToken]: () => getToken(services, inspect),
    // From the DingTalk view these get the app row they were run on; from the palette, nothing (the active app).
    [COMMAND.refreshToken]: (node) => refreshToken(services, appKeyFromNode(node)),
    [COMMAND.inspectToken]: (node) => inspect.show(appKeyFromNode(node)),
    [COMMAND.copyToken]: (node) => copyToken(services, appKeyFromNode(node)),
    [COMMAND.switchApp]: () => switchApp(services, inspect),
    [COMMAND.removeApp]: (node) => removeApp(services, appKeyFromNode(node)),
    [COMMAND.renameApp]: (node) => renameApp(services, appKeyFromNode(node)),
    [COMMAND.makeActive]: (node) => makeActive(services, inspect, appKeyFromNode(node)),
    [COMMAND.openDeveloperConsole]: () => openDeveloperConsole(services),
    [COMMAND.showLog]: () => services.log.show(),
    [COMMAND.openPolicy]: () => openPolicy(services),
    [COMMAND.exportAudit]: () => exportAudit(services),
    [COMMAND.statusBarActions]: () => statusBarActions(services),
    [COMMAND.addRobot]: () => addRobot(services),
    [COMMAND.removeRobot]: (node) => removeRobot(services, robotNameFromNode(node)),
    [COMMAND.sendRobotMessage]: (node) => sendRobotMessage(services, robotNameFromNode(node)),
    ...features,
  };
  return Object.entries(commands).map(([id, handler]) => services.apis.commands.register(id, handler));
}

async function getToken(services: Services, inspect: Inspect): Promise<void> {
  const result = await tokenForApp(services, undefined, (appKey) => services.tokens.getToken(appKey));
  if (!result) return;
  const copy = l10n.t('Copy');
  const show = l10n.t('Inspect');
  const choice = await services.apis.window.showInformationMessage(validityMessage(services, result), copy, show);
  if (choice === copy) await copyToken(services, result.appKey);
  if (choice === show) inspect.show();
}

async function refreshToken(services: Services, appKey: string | undefined): Promise<void> {
  const result = await tokenForApp(services, appKey, (key) => services.tokens.forceRefresh(key), true);
  if (!result) return;
  if (result.refreshed) return void services.apis.window.showInformationMessage(l10n.t('Refreshed. {0}', validityMessage(services, result)));
  const waitSeconds = Math.max(1, Math.ceil(((result.nextRefreshAt ?? services.clock.now()) - services.clock.now()) / 1000));
  void services.apis.window.showInformationMessage(
    l10n.t('Not refreshed: {0} A new token can be fetched in {1} s. {2}', notRefreshedReason(result.blockedBy), waitSeconds, validityMessage(services, result)),
  );
}

function notRefreshedReason(block: RefreshBlock | undefined): string {
  switch (block) {
    case 'retryAfter':
      return l10n.t('DingTalk asked to wait before the next token request.');
    case 'requestCap':
      return l10n.t('This app already made {0} token requests in the last minute, the most allowed.', MAX_TOKEN_REQUESTS_PER_MINUTE);
    default:
      return l10n.t('The last token requests failed, so the next one waits.');
  }
}

async function copyToken(services: Services, appKey?: string): Promise<void> {
  const result = await tokenForApp(services, appKey, (key) => services.tokens.getToken(key));
  if (!result) return;
  await services.apis.env.writeClipboard(result.accessToken);
  const label = labelOf(services, result.appKey);
  services.log.info(l10n.t('Access token for {0} copied to the clipboard', label));
  void services.apis.window.showInformationMessage(
    l10n.t('Access token for {0} copied (valid for {1}).', label, describeDuration(result.expiresAt - services.clock.now())),
  );
}

/** What a row of Switch App leads to: an app (chosen, or one of its buttons), or adding one. */
type SwitchChoice = { app: AppInfo } | 'add';

async function switchApp(services: Services, inspect: Inspect): Promise<void> {
  // Each app row carries its own actions, so a person can copy, inspect or remove without leaving the list.
  const buttons = [
    { id: 'copy', icon: 'copy', tooltip: l10n.t('Copy Access Token') },
    { id: 'inspect', icon: 'eye', tooltip: l10n.t('Inspect Access Token') },
    { id: 'remove', icon: 'trash', tooltip: l10n.t('Remove App') },
  ];
  const entries: PickEntry<SwitchChoice>[] = [
    separator(l10n.t('Apps')),
    ...appItems(services).map((item) => ({ ...item, value: { app: item.value }, buttons })),
    separator(''),
    { label: l10n.t('Add an app…'), icon: 'add', value: 'add' },
  ];
  const picked = await services.apis.window.pick(entries, {
    title: l10n.t('Switch App'),
    placeholder: l10n.t('The app whose token the status bar and agents use'),
  });
  if (!picked) return;
  if (picked.value === 'add') return setCredentials(services);
  const appKey = picked.value.app.appKey;
  switch (picked.button) {
    case 'copy':
      return copyToken(services, appKey);
    case 'inspect':
      return inspect.show(appKey);
    case 'remove':
      return removeApp(services, appKey);
    default:
      return makeActive(services, inspect, appKey);
  }
}

async function makeActive(services: Services, inspect: Inspect, appKey: string | undefined): Promise<void> {
  if (!appKey) return switchApp(services, inspect);
  await services.credentials.setActive(appKey);
  services.log.info(l10n.t('Active app is now {0}', labelOf(services, appKey)));
  void services.tokens.getToken(appKey).catch(() => undefined);
}

async function renameApp(services: Services, appKey: string | undefined): Promise<void> {
  const app = await pickApp(services, appKey, l10n.t('Rename App'));
  if (!app) return;
  const label = (
    await services.apis.window.showInputBox({
      title: l10n.t('Rename {0}', app.label),
      prompt: l10n.t('A new label for {0} (its appSecret stays as it is)', app.appKey),
      value: app.label,
      validateInput: (value) => (value.trim() ? undefined : l10n.t('Enter a label.')),
      // A label half typed is not lost when focus moves elsewhere (as the credentials form keeps its answers).
      ignoreFocusOut: true,
    })
  )?.trim();
  if (!label || label === app.label) return;
  await services.credentials.rename(app.appKey, label);
  services.log.info(l10n.t('Renamed app {0} to {1}', app.appKey, label));
}

async function removeApp(services: Services, appKey: string | undefined): Promise<void> {
  const picked = await pickApp(services, appKey, l10n.t('Remove App'));
  if (!picked) return;
  const remove = l10n.t('Remove');
  const confirmed = await services.apis.window.showModalWarning(
    l10n.t('Remove {0}? Its appSecret and cached token are deleted from this machine.', picked.label),
    undefined,
    remove,
  );
  if (confirmed !== remove) return;
  await services.credentials.remove(picked.appKey);
  services.tokens.forget(picked.appKey);
  services.log.info(l10n.t('Removed app {0} ({1})', picked.label, picked.appKey));
}

async function openPolicy(services: Services): Promise<void> {
  const workspace = services.apis.workspace;
  const uri = workspace.policyFile(services.settings());
  if (!uri) return void services.apis.window.showWarningMessage(l10n.t('Open a folder first: the MCP policy file lives in the workspace.'));
  if (!(await workspace.exists(uri))) {
    const create = l10n.t('Create');
    const choice = await services.apis.window.showInformationMessage(
      l10n.t(
        'There is no MCP policy file yet, so agents may call every tool (refresh_access_token at most {0} times a minute). Create one?',
        DEFAULT_REFRESHES_PER_MINUTE,
      ),
      create,
    );
    if (choice !== create) return;
    const templates: PickItem<PolicyTemplateId>[] = [
      { value: 'readOnly', label: l10n.t('Read-only agent'), detail: l10n.t('API calls only with GET; the raw token tools are hidden.') },
      {
        value: 'messagesNeedApproval',
        label: l10n.t('Messages need approval'),
        detail: l10n.t('You approve each call that sends a message; everything else runs.'),
      },
      {
        value: 'refreshRateLimit',
        label: l10n.t('Refresh rate limit'),
        detail: l10n.t('Every tool allowed; refresh_access_token at most {0} times a minute.', DEFAULT_REFRESHES_PER_MINUTE),
      },
    ];
    const template = await services.apis.window.pick(templates, { title: l10n.t('Start the MCP policy from') });
    if (!template) return;
    await workspace.writeText(uri, POLICY_TEMPLATES[template.value]);
  }
  await workspace.showTextDocument(uri);
}

async function statusBarActions(services: Services): Promise<void> {
  const app = services.credentials.activeApp();
  const action = (icon: string, label: string, command: CommandId, detail?: string): PickItem<CommandId> => ({ label, icon, value: command, detail });
  const actions: PickEntry<CommandId>[] = [
    ...(app
      ? [
          separator(app.label),
          action('key', l10n.t('Get Access Token'), COMMAND.getToken, tokenState(services, app.appKey)),
          action('refresh', l10n.t('Refresh Access Token'), COMMAND.refreshToken),
          action('copy', l10n.t('Copy Access Token'), COMMAND.copyToken),
          action('eye', l10n.t('Inspect Access Token'), COMMAND.inspectToken),
        ]
      : []),
    separator(l10n.t('Apps')),
    ...(app ? [action('arrow-swap', l10n.t('Switch App'), COMMAND.switchApp)] : []),
    action('add', l10n.t('Set App Credentials'), COMMAND.setCredentials),
    separator(l10n.t('Agents')),
    action('shield', l10n.t('Open MCP Policy'), COMMAND.openPolicy),
    action('output', l10n.t('Show Log'), COMMAND.showLog),
  ];
  const picked = await services.apis.window.pick(actions, { title: l10n.t('DingTalk Access Token') });
  if (picked) await services.apis.commands.execute(picked.value);
}

/** Runs a token operation for an app (the active one by default) with progress; reports failures and returns undefined. */
async function tokenForApp<T extends TokenResult>(
  services: Services,
  appKey: string | undefined,
  operation: (appKey: string) => Promise<T>,
  alwaysShowProgress = false,
): Promise<T | undefined> {
  const app = appKey ? services.credentials.list().find((candidate) => candidate.appKey === appKey) : services.credentials.activeApp();
  if (!app) {
    const setUp = l10n.t('Set App Credentials');
    const choice = await services.apis.window.showInformationMessage(l10n.t('No DingTalk app is set up yet.'), setUp);
    if (choice === setUp) await setCredentials(services);
    return undefined;
  }
  try {
    const cached = !alwaysShowProgress && services.tokens.peek(app.appKey);
    const result = cached
      ? await operation(app.appKey)
      : await services.apis.window.withProgress(l10n.t('Fetching the access token of {0}…', app.label), () => operation(app.appKey));
    services.log.info(servedLogLine(app.label, result.source, result.expiresAt));
    return result;
  } catch (error) {
    const showLog = l10n.t('Show Log');
    const still = services.tokens.peek(app.appKey);
    if (still) {
      // The refresh failed but nothing is lost yet: say how long the current token lasts and when the next try is.
      services.log.warn(
        l10n.t(
          'Refresh for {0} failed; the current token stays valid until {1}: {2}',
          app.label,
          localTimestamp(still.expiresAt),
          describeError(error, services.redactor),
        ),
      );
      const next = services.tokens.status(app.appKey).nextAttemptAt;
      // A manual retry of a failure DingTalk makes us wait out (throttling, an outage) would only be refused
      // until then: offer it when it can reach DingTalk; the message says when the next try is.
      const waitingUntil = asDingTalkError(error).retryable && next !== undefined && next > services.clock.now() ? next : undefined;
      const retry = l10n.t('Retry');
      const actions = [...(waitingUntil ? [] : [retry]), ...consoleAction(error), showLog];
      const choice = await services.apis.window.showWarningMessage(
        joinSentences(
          l10n.t('Refreshing the token of {0} failed: {1}', app.label, describeError(error, services.redactor)),
          l10n.t('The current token is valid for {0}.', describeDuration(still.expiresAt - services.clock.now())),
          next ? l10n.t('Next automatic try at {0}.', clockTime(services, next)) : undefined,
        ),
        ...actions,
      );
      if (choice === retry) return tokenForApp(services, app.appKey, operation, alwaysShowProgress);
      await runFailureAction(services, choice, showLog);
      return undefined;
    }
    services.log.error(l10n.t('Could not get a token for {0}: {1}', app.label, describeError(error, services.redactor)));
    const choice = await services.apis.window.showErrorMessage(
      l10n.t('Could not get a token for {0}. {1}', app.label, describeError(error, services.redactor)),
      ...consoleAction(error),
      showLog,
    );
    await runFailureAction(services, choice, showLog);
    return undefined;
  }
}

/** Failures only the app's settings in DingTalk's developer console can fix (whitelist, permissions, quota, secret). */
const FIXED_IN_CONSOLE = new Set(['invalidCredentials', 'ipNotWhitelisted', 'permissionDenied', 'quotaExceeded']);

/** "Open Developer Console" beside a failure whose advice sends the person there. */
function consoleAction(error: unknown): string[] {
  return FIXED_IN_CONSOLE.has(asDingTalkError(error).kind) ? [l10n.t('Open Developer Console')] : [];
}

async function runFailureAction(services: Services, choice: string | undefined, showLog: string): Promise<void> {
  if (choice === showLog) services.log.show();
  else if (choice === l10n.t('Open Developer Console')) await openDeveloperConsole(services);
}

/** "16:20" in VS Code's display language. */
function clockTime(services: Services, ms: number): string {
  return new Date(ms).toLocaleTimeString(services.apis.env.language, { hour: '2-digit', minute: '2-digit' });
}

function validityMessage(services: Services, result: TokenResult): string {
  return l10n.t(
    'The token of {0} is valid until {1} ({2} left).',
    labelOf(services, result.appKey),
    clockTime(services, result.expiresAt),
    describeDuration(result.expiresAt - services.clock.now()),
  );
}

function labelOf(services: Services, appKey: string): string {
  return services.credentials.list().find((app) => app.appKey === appKey)?.label ?? appKey;
}
