import * as l10n from '@vscode/l10n';
import type { Disposable } from '../emitter';
import type { Services } from '../services';
import type { TerminalEnvironmentView, TrustApis } from '../apis/terminal.apis';

/** The names new terminals get (PRODUCT.md); never the AppSecret. */
export const TERMINAL_VARIABLES = {
  accessToken: 'DINGTALK_ACCESS_TOKEN',
  appKey: 'DINGTALK_APP_KEY',
  expiresAt: 'DINGTALK_ACCESS_TOKEN_EXPIRES_AT',
} as const;
type TerminalVariables = Record<(typeof TERMINAL_VARIABLES)[keyof typeof TERMINAL_VARIABLES], string>;

/**
 * Keeps new integrated terminals' DingTalk variables equal to the active app's valid token while
 * `dingtalkToken.terminal.environment` is on and the workspace is trusted; clears them otherwise (turned off,
 * no app, no valid token, Restricted Mode). Each change makes VS Code mark the terminals opened before as stale.
 */
export class TerminalEnvironment implements Disposable {
  /** What was applied last (app, obtained, expiry), so an unchanged token does not mark terminals stale again. */
  private applied: string | undefined = 'unknown';
  private readonly subscriptions: Disposable[];

  constructor(
    private readonly services: Services,
    private readonly view: TerminalEnvironmentView,
    private readonly trust: TrustApis,
  ) {
    this.subscriptions = [
      services.tokens.onDidChange((change) => {
        if (change.appKey === services.credentials.activeAppKey()) this.update();
      }),
      services.credentials.onDidChangeApps(() => this.update()),
      trust.onDidGrantTrust(() => this.update()),
    ];
    this.update();
  }

  /** Brings the variables in line with the settings, the active app and its token; call after a settings change too. */
  update(): void {
    const { services } = this;
    const app = services.credentials.activeApp();
    if (!services.settings().terminalEnvironment || !this.trust.isTrusted || !app) return this.apply(undefined);
    const token = services.tokens.peek(app.appKey);
    if (!token) {
      // Turned on before anything fetched the token: fetch it once (a failure shows in the status bar, not here).
      if (services.tokens.status(app.appKey).state === 'empty') void services.tokens.getToken(app.appKey).catch(() => undefined);
      return this.apply(undefined);
    }
    const expiresAt = new Date(token.expiresAt).toISOString();
    this.apply({
      fingerprint: `${app.appKey}\n${token.obtainedAt}\n${token.expiresAt}`,
      variables: { [TERMINAL_VARIABLES.accessToken]: token.accessToken, [TERMINAL_VARIABLES.appKey]: app.appKey, [TERMINAL_VARIABLES.expiresAt]: expiresAt },
      description: l10n.t(
        'The DingTalk access token of {0} ({1}), valid until {2}, in {3}; replaced when it is refreshed. Turn off with the setting dingtalkToken.terminal.environment.',
        app.label,
        app.appKey,
        expiresAt,
        TERMINAL_VARIABLES.accessToken,
      ),
    });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.view.clear();
  }

  private apply(next: { fingerprint: string; variables: TerminalVariables; description: string } | undefined): void {
    if ((next?.fingerprint ?? undefined) === this.applied) return;
    const before = this.applied;
    this.applied = next?.fingerprint;
    if (next) {
      this.view.replaceAll(next.variables, next.description);
      this.services.log.info(
        l10n.t(
          'New terminals get the access token of {0}, valid until {1}',
          next.variables[TERMINAL_VARIABLES.appKey],
          next.variables[TERMINAL_VARIABLES.expiresAt],
        ),
      );
    } else {
      this.view.clear();
      if (before !== 'unknown') this.services.log.info(l10n.t('New terminals no longer get a DingTalk access token'));
    }
  }
}
