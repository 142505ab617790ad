import type * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { statusBarView, type StatusWords } from './model';
import { describeError } from '../wording/messages';
import { formatCountdown } from '../../shared/countdown';
import type { Services } from '../services';
import { COMMAND } from '../commandIds';
import type { StatusBarItemView } from '../apis/window.apis';

const TICK_MS = 1000;

/** The countdown item: re-rendered on token events, and every second only while it is counting. */
export class StatusBar implements vscode.Disposable {
  private readonly item: StatusBarItemView;
  private tick: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    this.item = services.apis.window.createStatusBarItem('dingtalkToken.status', 100);
    this.item.name = l10n.t('DingTalk Access Token');
    this.item.command = COMMAND.statusBarActions;
    this.subscriptions.push(
      services.tokens.onDidChange(() => this.render()),
      services.credentials.onDidChangeApps(() => this.render()),
    );
    this.render();
  }

  render(): void {
    const settings = this.services.settings();
    if (!settings.statusBarEnabled) {
      this.item.hide();
      this.setTicking(false);
      return;
    }
    const app = this.services.credentials.activeApp();
    const status = app ? this.services.tokens.status(app.appKey) : undefined;
    const view = statusBarView(app?.label, status, this.services.clock.now(), settings.warningMs, statusWords());
    this.item.text = view.text;
    this.item.accessibilityInformation = { label: view.ariaLabel, role: 'button' };
    this.item.backgroundColor = view.severity === 'normal' ? undefined : this.services.apis.window.themeColor(`statusBarItem.${view.severity}Background`);
    this.item.tooltip = this.tooltip();
    this.item.show();
    this.setTicking(view.counting);
  }

  dispose(): void {
    this.setTicking(false);
    this.item.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private setTicking(on: boolean): void {
    if (on && !this.tick) this.tick = setInterval(() => this.render(), TICK_MS);
    if (!on && this.tick) {
      clearInterval(this.tick);
      this.tick = undefined;
    }
  }

  private tooltip(): vscode.MarkdownString {
    const markdown = this.services.apis.window.markdown(undefined, true);
    markdown.isTrusted = { enabledCommands: [COMMAND.refreshToken, COMMAND.inspectToken, COMMAND.copyToken, COMMAND.switchApp, COMMAND.setCredentials] };
    const app = this.services.credentials.activeApp();
    if (!app) {
      markdown.appendMarkdown(`**${l10n.t('DingTalk Access Token')}**\n\n${l10n.t('No DingTalk app is set up yet.')}\n\n`);
      markdown.appendMarkdown(`[$(add) ${l10n.t('Set App Credentials')}](command:${COMMAND.setCredentials})`);
      return markdown;
    }
    const status = this.services.tokens.status(app.appKey);
    const rows: string[] = [`**$(key) ${escapeMarkdown(app.label)}** \`${escapeMarkdown(app.appKey)}\``, ''];
    if (status.expiresAt !== undefined) {
      const left = status.state === 'valid' ? ` (${formatCountdown(status.expiresAt - this.services.clock.now())})` : '';
      rows.push(`${l10n.t('Expires: {0}', new Date(status.expiresAt).toLocaleString(this.services.apis.env.language))}${left}  `);
    }
    if (status.lastRefreshAt !== undefined)
      rows.push(`${l10n.t('Last refresh: {0}', new Date(status.lastRefreshAt).toLocaleString(this.services.apis.env.language))}  `);
    if (status.lastError) rows.push(`$(warning) ${escapeMarkdown(l10n.t('Last error: {0}', describeError(status.lastError, this.services.redactor)))}  `);
    rows.push(
      '',
      [
        `[$(refresh) ${l10n.t('Refresh')}](command:${COMMAND.refreshToken})`,
        `[$(eye) ${l10n.t('Inspect')}](command:${COMMAND.inspectToken})`,
        `[$(copy) ${l10n.t('Copy')}](command:${COMMAND.copyToken})`,
        `[$(arrow-swap) ${l10n.t('Switch App')}](command:${COMMAND.switchApp})`,
      ].join(' · '),
    );
    markdown.appendMarkdown(rows.join('\n'));
    return markdown;
  }
}

/** The aria templates keep their `{0}`: l10n.t leaves unmatched placeholders, statusBarView fills them. */
export function statusWords(): StatusWords {
  return {
    setUp: l10n.t('DingTalk: Set up'),
    expired: l10n.t('expired'),
    failing: l10n.t('failed'),
    noToken: l10n.t('no token'),
    ariaValid: l10n.t('DingTalk access token for {0} expires in {1}'),
    ariaFetching: l10n.t('Fetching a DingTalk access token for {0}'),
    ariaExpired: l10n.t('The DingTalk access token for {0} has expired'),
    ariaFailing: l10n.t('Could not get a DingTalk access token for {0}'),
    ariaNoToken: l10n.t('No DingTalk access token for {0} yet'),
  };
}

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
