import * as l10n from '@vscode/l10n';
import type { AppInfo } from '../../core/apps';
import { COMMAND } from '../commandIds';
import type { Services } from '../services';
import type { TrustApis } from '../apis/terminal.apis';
import { describeError } from '../wording/messages';
import type { TokenAccessConsent } from './consent';

/** An app name longer than this in a task's argument is not one of ours. */
const MAX_APP_NAME = 200;

/** How launch.json and tasks.json name the variable. */
export const ACCESS_TOKEN_VARIABLE = '${command:' + COMMAND.accessToken + '}';

/**
 * The handler of the command variable (ACCESS_TOKEN_VARIABLE): the token of the app the argument names (an appKey or
 * label, as a string or `{ "app": … }` from an `inputs` entry), else of the active app. Any task, launch
 * configuration or extension can run a command, so the person is asked first (Allow once, Allow for This
 * Workspace, Deny). Resolves with undefined when they decline, which makes VS Code cancel the run; throws a
 * message VS Code shows when there is no such app or no token.
 */
export async function accessTokenForTask(services: Services, consent: TokenAccessConsent, trust: TrustApis, argument: unknown): Promise<string | undefined> {
  if (!trust.isTrusted) throw new Error(l10n.t('Tasks and launch configurations get no DingTalk access token in Restricted Mode. Trust this workspace first.'));
  const app = appFor(services, requestedApp(argument));
  if (!consent.isAllowed(app.appKey) && !(await ask(services, consent, trust, app))) {
    services.log.info(l10n.t('Refused the access token of {0} to a task or launch configuration of {1}', app.label, workspaceName(trust)));
    return undefined;
  }
  try {
    const token = await services.tokens.getToken(app.appKey);
    services.log.info(
      l10n.t(
        'Gave the access token of {0} to a task or launch configuration of {1} (valid until {2})',
        app.label,
        workspaceName(trust),
        new Date(token.expiresAt).toISOString(),
      ),
    );
    return token.accessToken;
  } catch (error) {
    const reason = describeError(error, services.redactor);
    services.log.warn(l10n.t('{0} could not get the access token of {1}: {2}', ACCESS_TOKEN_VARIABLE, app.label, reason));
    throw new Error(l10n.t('{0} could not get the access token of {1}: {2}', ACCESS_TOKEN_VARIABLE, app.label, reason), { cause: error });
  }
}

/** Forgets every "Allow for This Workspace" given here. */
export async function revokeTokenAccess(services: Services, consent: TokenAccessConsent, trust: TrustApis): Promise<void> {
  const count = await consent.revokeAll();
  const message =
    count === 0
      ? l10n.t('No app was allowed to give its token to tasks and launch configurations of {0}.', workspaceName(trust))
      : l10n.t('Tasks and launch configurations of {0} will ask you again before they get a DingTalk access token.', workspaceName(trust));
  services.log.info(message);
  void services.apis.window.showInformationMessage(message);
}

/**
 * The app a task's argument names. For `${command:…}` VS Code passes the whole launch configuration or task,
 * which names no app (an object with more than an `app` key), so that means the active app.
 */
export function requestedApp(argument: unknown): string | undefined {
  let named: unknown = argument;
  if (argument !== null && typeof argument === 'object' && !Array.isArray(argument)) {
    const keys = Object.keys(argument);
    named = keys.length === 1 && keys[0] === 'app' ? (argument as { app: unknown }).app : undefined;
  }
  return typeof named === 'string' && named.trim() ? named.trim().slice(0, MAX_APP_NAME) : undefined;
}

function appFor(services: Services, name: string | undefined): AppInfo {
  const apps = services.credentials.list();
  if (name === undefined) {
    const active = services.credentials.activeApp();
    if (active) return active;
    throw new Error(l10n.t('{0} needs a DingTalk app: run "DingTalk: Set App Credentials" first.', ACCESS_TOKEN_VARIABLE));
  }
  const app = apps.find((candidate) => candidate.appKey === name) ?? apps.find((candidate) => candidate.label === name);
  if (app) return app;
  throw new Error(l10n.t('{0}: no DingTalk app has the AppKey or label "{1}". Run "DingTalk: Set App Credentials" to add it.', ACCESS_TOKEN_VARIABLE, name));
}

async function ask(services: Services, consent: TokenAccessConsent, trust: TrustApis, app: AppInfo): Promise<boolean> {
  const once = l10n.t('Allow');
  const always = l10n.t('Allow for This Workspace');
  const deny = l10n.t('Deny');
  const choice = await services.apis.window.showModalWarning(
    l10n.t('Give the DingTalk access token of {0} ({1}) to {2}?', app.label, app.appKey, workspaceName(trust)),
    l10n.t(
      'A task, launch configuration or extension in this workspace asked for it through {0}. Whoever gets the token can call DingTalk as this app until it expires. "Allow for This Workspace" stops asking here; "DingTalk: Revoke Token Access for This Workspace" asks again.',
      ACCESS_TOKEN_VARIABLE,
    ),
    once,
    always,
    deny,
  );
  if (choice === always) await consent.allow(app.appKey);
  return choice === once || choice === always;
}

function workspaceName(trust: TrustApis): string {
  return trust.workspaceName ? l10n.t('the workspace "{0}"', trust.workspaceName) : l10n.t('this window (no folder open)');
}
