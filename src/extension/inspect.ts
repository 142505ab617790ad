import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { maskToken } from '../core/redact';
import { describeError } from './messages';
import { followInspectSources } from './inspectFeed';
import type { Services } from './services';
import type { AppInfo } from '../core/apps';
import { appNode } from './appsView';
import { COMMAND } from './commandIds';
import type { FromWebview, InspectState, Words } from '../webview/protocol';

/** The inspect view: one panel, fed from TokenManager and audit events; the token leaves the host only on a click. */
export class InspectPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
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
    const media = vscode.Uri.joinPath(this.services.context.extensionUri, 'media');
    // The script is built from src/webview/inspect.ts into dist/webview (scripts/bundles.mjs).
    const script = vscode.Uri.joinPath(this.services.context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel('dingtalkToken.inspect', vscode.l10n.t('DingTalk Access Token'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [media, script],
    });
    panel.iconPath = vscode.Uri.joinPath(media, 'icon.png');
    panel.webview.html = this.html(panel.webview, media, script);
    // Everything this panel listens to goes when it closes.
    const lifetime = [
      followInspectSources(this.services, () => this.post()),
      panel.webview.onDidReceiveMessage((message: FromWebview) => void this.onMessage(message)),
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
          this.services.log.info(vscode.l10n.t('Access token for {0} revealed in the inspect view', app.label));
          await this.panel?.webview.postMessage({ type: 'revealed', token: token.accessToken });
        }
        return;
      }
      case 'copy':
        await vscode.commands.executeCommand(COMMAND.copyToken, app && appNode(app.appKey));
        return;
      case 'refresh':
        await vscode.commands.executeCommand(COMMAND.refreshToken, app && appNode(app.appKey));
        return;
      case 'setCredentials':
        await vscode.commands.executeCommand(COMMAND.setCredentials);
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
    this.panel.title = app ? vscode.l10n.t('DingTalk: {0}', app.label) : vscode.l10n.t('DingTalk Access Token');
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
      lastError: status?.lastError ? describeError(status.lastError) : null,
      nextAttemptAt: status?.nextAttemptAt ?? null,
      fetches: app ? this.services.tokens.history(app.appKey) : [],
      toolCalls: this.services.audit.recent(20),
    };
    void this.panel.webview.postMessage(state);
  }

  private html(webview: vscode.Webview, media: vscode.Uri, script: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(media, name)).toString();
    const words: Words = {
      source: { network: vscode.l10n.t('fetched from DingTalk by this window'), cache: vscode.l10n.t("served from this window's cache"), shared: vscode.l10n.t('taken from another VS Code window') },
      state: { empty: vscode.l10n.t('no token'), fetching: vscode.l10n.t('fetching…'), valid: vscode.l10n.t('valid'), expired: vscode.l10n.t('expired'), failing: vscode.l10n.t('failed') },
      outcome: { ok: vscode.l10n.t('ok'), error: vscode.l10n.t('error'), shared: vscode.l10n.t('from another window') },
      trigger: { cold: vscode.l10n.t('first use'), ahead: vscode.l10n.t('ahead of expiry'), timer: vscode.l10n.t('scheduled'), forced: vscode.l10n.t('on request'), rejected: vscode.l10n.t('token rejected') },
      decision: { allow: vscode.l10n.t('allowed'), deny: vscode.l10n.t('denied'), approve: vscode.l10n.t('approved'), error: vscode.l10n.t('error') },
      errorKind: {
        invalidCredentials: vscode.l10n.t('AppKey/AppSecret rejected'), tokenRejected: vscode.l10n.t('token rejected'), throttled: vscode.l10n.t('throttled'),
        quotaExceeded: vscode.l10n.t('API quota used up'), ipNotWhitelisted: vscode.l10n.t('IP not in the whitelist'), permissionDenied: vscode.l10n.t('permission missing'),
        server: vscode.l10n.t('DingTalk server error'), network: vscode.l10n.t('network unreachable'), timeout: vscode.l10n.t('timed out'), malformed: vscode.l10n.t('unreadable answer'),
      },
      timeline: { obtained: vscode.l10n.t('obtained'), refresh: vscode.l10n.t('refresh point'), autoRefresh: vscode.l10n.t('next automatic refresh'), expires: vscode.l10n.t('expires'), now: vscode.l10n.t('now') },
      expiredNow: vscode.l10n.t('expired'),
      none: vscode.l10n.t('none yet'),
      hide: vscode.l10n.t('Hide'),
    };
    return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource}; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('inspect.css')}">
<title>${escapeHtml(vscode.l10n.t('DingTalk Access Token'))}</title>
</head>
<body>
<main>
  <section id="empty" class="empty" hidden>
    <h1>${escapeHtml(vscode.l10n.t('No DingTalk app is set up yet.'))}</h1>
    <p>${escapeHtml(vscode.l10n.t("Add an internal app's AppKey and AppSecret from DingTalk's developer console to see its token here."))}</p>
    <button id="setUp" type="button">${escapeHtml(vscode.l10n.t('Set App Credentials'))}</button>
  </section>
  <div id="details" hidden>
    <header>
      <h1 id="app"></h1>
      <span id="state" class="badge"></span>
      <label class="switch" id="switchLabel" hidden>${escapeHtml(vscode.l10n.t('App'))} <select id="switch"></select></label>
    </header>
    <section class="countdown" aria-live="polite"><span id="countdown">–</span><small id="countdownLabel">${escapeHtml(vscode.l10n.t('until expiry'))}</small></section>
    <section class="timeline" id="timeline" hidden aria-label="${escapeHtml(vscode.l10n.t("The token's life"))}">
      <div class="track"><div class="elapsed" id="elapsed"></div><div class="marker refresh" id="refreshMarker"></div><div class="marker now" id="nowMarker"></div></div>
      <ol class="moments" id="moments"></ol>
    </section>
    <section class="token">
      <code id="token">–</code>
      <button id="copy" type="button">${escapeHtml(vscode.l10n.t('Copy'))}</button>
      <button id="reveal" type="button" class="secondary">${escapeHtml(vscode.l10n.t('Reveal'))}</button>
      <button id="refresh" type="button" class="secondary">${escapeHtml(vscode.l10n.t('Refresh'))}</button>
    </section>
    <dl>
      <dt>${escapeHtml(vscode.l10n.t('Source'))}</dt><dd id="source">–</dd>
      <dt>${escapeHtml(vscode.l10n.t('Last refresh'))}</dt><dd id="lastRefreshAt">–</dd>
      <dt>${escapeHtml(vscode.l10n.t('Last error'))}</dt><dd id="lastError">–</dd>
    </dl>
    <h2>${escapeHtml(vscode.l10n.t('Recent fetches'))}</h2>
    <table><thead><tr><th>${escapeHtml(vscode.l10n.t('Time'))}</th><th>${escapeHtml(vscode.l10n.t('Trigger'))}</th><th>${escapeHtml(vscode.l10n.t('Outcome'))}</th><th>${escapeHtml(vscode.l10n.t('Latency'))}</th></tr></thead><tbody id="fetches"></tbody></table>
    <h2>${escapeHtml(vscode.l10n.t('Recent MCP tool calls'))}</h2>
    <table><thead><tr><th>${escapeHtml(vscode.l10n.t('Time'))}</th><th>${escapeHtml(vscode.l10n.t('Tool'))}</th><th>${escapeHtml(vscode.l10n.t('App'))}</th><th>${escapeHtml(vscode.l10n.t('Decision'))}</th><th>${escapeHtml(vscode.l10n.t('Rule'))}</th><th>${escapeHtml(vscode.l10n.t('Duration'))}</th></tr></thead><tbody id="toolCalls"></tbody></table>
  </div>
</main>
<script nonce="${nonce}" id="words" type="application/json">${JSON.stringify(words).replace(/</g, '\\u003c')}</script>
<script nonce="${nonce}" src="${webview.asWebviewUri(vscode.Uri.joinPath(script, 'inspect.js')).toString()}"></script>
</body>
</html>`;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
