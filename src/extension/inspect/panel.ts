import * as l10n from '@vscode/l10n';
import { randomBytes } from 'node:crypto';
import { maskToken } from '../../core/redact';
import { describeError, errorKindWords } from '../wording/messages';
import { followInspectSources } from './feed';
import type { Services } from '../services';
import type { AppInfo } from '../../core/apps';
import { appNode } from '../apps/appNode';
import type { Disposable } from '../emitter';
import type { PanelView } from '../apis/webview.apis';
import { COMMAND } from '../commandIds';
import type { FromWebview, InspectState, Words } from '../../shared/inspectProtocol';

/** The inspect view: one panel, fed from TokenManager and audit events; the token leaves the host only on a click. */
export class InspectPanel implements Disposable {
  private panel: PanelView | undefined;
  /** The app the panel shows when it was opened for one (from the DingTalk view); else the active app. */
  private appKey: string | undefined;

  constructor(private readonly services: Services) {}

  show(appKey?: string): void {
    this.appKey = appKey;
    if (this.panel) {
      this.post();
      this.panel.reveal();
      return;
    }
    const panel = this.services.apis.webview.createPanel('dingtalkToken.inspect', l10n.t('DingTalk Access Token'));
    panel.html = this.html(panel);
    // Everything this panel listens to goes when it closes.
    const lifetime = [
      followInspectSources(this.services, () => this.post()),
      panel.onDidReceiveMessage((message) => void this.onMessage(message as FromWebview)),
    ];
    panel.onDidDispose(() => {
      this.panel = undefined;
      for (const subscription of lifetime) subscription.dispose();
    });
    this.panel = panel;
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private shownApp(): AppInfo | undefined {
    return this.services.credentials.list().find((app) => app.appKey === this.appKey) ?? this.services.credentials.activeApp();
  }

  private async onMessage(message: FromWebview): Promise<void> {
    const app = this.shownApp();
    switch (message?.type) {
      case 'ready':
        return this.post();
      case 'reveal': {
        const token = app && this.services.tokens.peek(app.appKey);
        if (token) {
          this.services.log.info(l10n.t('Access token for {0} revealed in the inspect view', app.label));
          await this.panel?.postMessage({ type: 'revealed', token: token.accessToken });
        }
        return;
      }
      case 'copy':
        await this.services.apis.commands.execute(COMMAND.copyToken, app && appNode(app.appKey));
        return;
      case 'refresh':
        await this.services.apis.commands.execute(COMMAND.refreshToken, app && appNode(app.appKey));
        return;
      case 'setCredentials':
        await this.services.apis.commands.execute(COMMAND.setCredentials);
        return;
      case 'show':
        // The switcher names an app by appKey; anything that is not a configured one is ignored.
        if (this.services.credentials.list().some((known) => known.appKey === message.appKey)) {
          this.appKey = message.appKey as string;
          this.post();
        }
        return;
    }
  }

  private post(): void {
    if (!this.panel) return;
    const app = this.shownApp();
    this.panel.title = app ? l10n.t('DingTalk: {0}', app.label) : l10n.t('DingTalk Access Token');
    const status = app ? this.services.tokens.status(app.appKey) : undefined;
    const token = app ? this.services.tokens.peek(app.appKey) : undefined;
    const settings = this.services.settings();
    const active = app !== undefined && app.appKey === this.services.credentials.activeAppKey();
    const state: InspectState = {
      type: 'state',
      app: app ?? null,
      apps: this.services.credentials.list(),
      // Where refresh-ahead starts; the timer refreshes there by itself only for the active app.
      refreshAt: status?.expiresAt !== undefined ? status.expiresAt - settings.refreshMarginMs : null,
      autoRefresh: settings.autoRefresh && active,
      state: status?.state ?? 'empty',
      refreshing: status?.refreshing ?? false,
      maskedToken: token ? maskToken(token.accessToken) : null,
      obtainedAt: status?.obtainedAt ?? null,
      expiresAt: status?.expiresAt ?? null,
      source: status?.source ?? null,
      lastRefreshAt: status?.lastRefreshAt ?? null,
      lastError: status?.lastError ? describeError(status.lastError, this.services.redactor) : null,
      nextAttemptAt: status?.nextAttemptAt ?? null,
      fetches: app ? this.services.tokens.history(app.appKey) : [],
      toolCalls: this.services.audit.recent(20),
    };
    void this.panel.postMessage(state);
  }

  private html(panel: PanelView): string {
    const nonce = randomBytes(16).toString('base64');
    const words: Words = {
      source: {
        network: l10n.t('fetched from DingTalk by this window'),
        cache: l10n.t("served from this window's cache"),
        shared: l10n.t('taken from another VS Code window'),
      },
      state: { empty: l10n.t('no token'), fetching: l10n.t('fetching…'), valid: l10n.t('valid'), expired: l10n.t('expired'), failing: l10n.t('failed') },
      outcome: { ok: l10n.t('ok'), error: l10n.t('error'), shared: l10n.t('from another window') },
      trigger: {
        cold: l10n.t('first use'),
        ahead: l10n.t('ahead of expiry'),
        timer: l10n.t('scheduled'),
        forced: l10n.t('on request'),
        rejected: l10n.t('token rejected'),
      },
      decision: { allow: l10n.t('allowed'), deny: l10n.t('denied'), approve: l10n.t('approved'), error: l10n.t('error') },
      errorKind: errorKindWords(),
      timeline: {
        obtained: l10n.t('obtained'),
        refresh: l10n.t('refresh point'),
        autoRefresh: l10n.t('next automatic refresh'),
        expires: l10n.t('expires'),
        now: l10n.t('now'),
      },
      expiredNow: l10n.t('expired'),
      none: l10n.t('none yet'),
      milliseconds: l10n.t('{0} ms'),
      outcomeBecause: l10n.t('{0} ({1})'),
      hide: l10n.t('Hide'),
    };
    return `<!DOCTYPE html>
<html lang="${this.services.apis.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${panel.cspSource}; style-src ${panel.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${panel.asset('media/inspect.css')}">
<title>${escapeHtml(l10n.t('DingTalk Access Token'))}</title>
</head>
<body>
<main>
  <section id="empty" class="empty" hidden>
    <h1>${escapeHtml(l10n.t('No DingTalk app is set up yet.'))}</h1>
    <p>${escapeHtml(l10n.t("Add an internal app's AppKey and AppSecret from DingTalk's developer console to see its token here."))}</p>
    <button id="setUp" type="button">${escapeHtml(l10n.t('Set App Credentials'))}</button>
  </section>
  <div id="details" hidden>
    <header>
      <h1 id="app"></h1>
      <span id="state" class="badge"></span>
      <label class="switch" id="switchLabel" hidden>${escapeHtml(l10n.t('App'))} <select id="switch"></select></label>
    </header>
    <section class="countdown" aria-live="polite"><span id="countdown">–</span><small id="countdownLabel">${escapeHtml(l10n.t('until expiry'))}</small></section>
    <section class="timeline" id="timeline" hidden aria-label="${escapeHtml(l10n.t("The token's life"))}">
      <div class="track"><div class="elapsed" id="elapsed"></div><div class="marker refresh" id="refreshMarker"></div><div class="marker now" id="nowMarker"></div></div>
      <ol class="moments" id="moments"></ol>
    </section>
    <section class="token">
      <code id="token">–</code>
      <button id="copy" type="button">${escapeHtml(l10n.t('Copy'))}</button>
      <button id="reveal" type="button" class="secondary">${escapeHtml(l10n.t('Reveal'))}</button>
      <button id="refresh" type="button" class="secondary">${escapeHtml(l10n.t('Refresh'))}</button>
    </section>
    <dl>
      <dt>${escapeHtml(l10n.t('Source'))}</dt><dd id="source">–</dd>
      <dt>${escapeHtml(l10n.t('Last refresh'))}</dt><dd id="lastRefreshAt">–</dd>
      <dt>${escapeHtml(l10n.t('Last error'))}</dt><dd id="lastError">–</dd>
    </dl>
    <h2>${escapeHtml(l10n.t('Recent fetches'))}</h2>
    <table><thead><tr><th>${escapeHtml(l10n.t('Time'))}</th><th>${escapeHtml(l10n.t('Trigger'))}</th><th>${escapeHtml(l10n.t('Outcome'))}</th><th>${escapeHtml(l10n.t('Latency'))}</th></tr></thead><tbody id="fetches"></tbody></table>
    <h2>${escapeHtml(l10n.t('Recent MCP tool calls'))}</h2>
    <table><thead><tr><th>${escapeHtml(l10n.t('Time'))}</th><th>${escapeHtml(l10n.t('Tool'))}</th><th>${escapeHtml(l10n.t('App'))}</th><th>${escapeHtml(l10n.t('Decision'))}</th><th>${escapeHtml(l10n.t('Rule'))}</th><th>${escapeHtml(l10n.t('Duration'))}</th></tr></thead><tbody id="toolCalls"></tbody></table>
  </div>
</main>
<script nonce="${nonce}" id="words" type="application/json">${JSON.stringify(words).replace(/</g, '\\u003c')}</script>
<script nonce="${nonce}" src="${panel.asset('dist/webview/inspect.js')}"></script>
</body>
</html>`;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
