// The app lists of the commands' quick picks: one row per app with its state, the active one marked by its icon.
import * as l10n from '@vscode/l10n';
import type { AppInfo } from '../../core/apps';
import { describeDuration, errorKindWords } from '../wording/messages';
import type { TokenStatus } from '../../core/tokens';
import type { PickItem, PickSeparator } from '../apis/pick';
import type { Services } from '../services';

/** The app a command was run on, or one the person picks; undefined when there is none or they cancel. */
export async function pickApp(services: Services, appKey: string | undefined, title: string): Promise<AppInfo | undefined> {
  const apps = services.credentials.list();
  if (appKey) return apps.find((app) => app.appKey === appKey);
  if (apps.length === 0) return void services.apis.window.showInformationMessage(l10n.t('No DingTalk app is set up yet.'));
  const picked = await services.apis.window.pick(appItems(services), { title });
  return picked?.value;
}

/**
 * One row per app: the active one marked by its icon (a check; the others a key), so labels stay aligned;
 * the appKey beside the label and the token's state below it.
 */
export function appItems(services: Services): PickItem<AppInfo>[] {
  const active = services.credentials.activeAppKey();
  return services.credentials.list().map((app) => ({
    label: app.label,
    description: app.appKey === active ? `${app.appKey} · ${l10n.t('active')}` : app.appKey,
    detail: tokenState(services, app.appKey),
    icon: app.appKey === active ? 'check' : 'key',
    value: app,
  }));
}

/** The token's state as a short sentence, e.g. "valid for 1 h 54 min", "expired", "failed: …". */
export function tokenState(services: Services, appKey: string): string {
  const status = services.tokens.status(appKey);
  switch (status.state) {
    case 'valid':
      return l10n.t('valid for {0}', describeDuration((status.expiresAt ?? services.clock.now()) - services.clock.now()));
    case 'fetching':
      return l10n.t('fetching…');
    case 'expired':
      return l10n.t('expired');
    case 'failing':
      // A word or two and DingTalk's code: a quick-pick detail is one short line; the log has the full sentence.
      return status.lastError ? l10n.t('failed: {0}', shortFailure(status.lastError)) : l10n.t('failed');
    default:
      return l10n.t('no token yet');
  }
}

function shortFailure(error: NonNullable<TokenStatus['lastError']>): string {
  const word = errorKindWords()[error.kind] ?? error.kind;
  return error.code ? l10n.t('{0} ({1})', word, error.code) : word;
}

export function separator(label: string): PickSeparator {
  return { separator: label };
}
