import * as vscode from 'vscode';
import { statusBarView } from './statusView';
import { describeError } from './messages';
import { escapeMarkdown, statusWords } from './statusBar';
import type { AppInfo } from '../core/apps';
import type { AuditEvent } from '../core/audit';
import type { Services } from './services';

/** An app row; also what the inline and context-menu commands receive as their argument. */
export interface AppNode {
  kind: 'app';
  appKey: string;
}

interface CallNode {
  kind: 'call';
  event: AuditEvent;
}

type Node = AppNode | CallNode;

const TICK_MS = 1000;
const RECENT_CALLS = 20;

export const appNode = (appKey: string): AppNode => ({ kind: 'app', appKey });

/** The app an inline or context-menu command was run on, when it was run from this view. */
export function appKeyFromNode(argument: unknown): string | undefined {
  const node = argument as Partial<AppNode> | undefined;
  return node?.kind === 'app' && typeof node.appKey === 'string' ? node.appKey : undefined;
}

/**
 * The DingTalk view in the Activity Bar: the apps with their live countdown and state, and the agents'
 * recent tool calls with their policy decisions. Rows tick each second only while the view is visible.
 */
export class DingTalkView implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private tick: NodeJS.Timeout | undefined;

  constructor(services: Services) {
    const apps = new AppsTree(services);
    const calls = new CallsTree(services);
    const appsView = vscode.window.createTreeView('dingtalkToken.apps', { treeDataProvider: apps, showCollapseAll: false });
    const callsView = vscode.window.createTreeView('dingtalkToken.agentCalls', { treeDataProvider: calls });
    const tickWhileVisible = () => this.setTicking(appsView.visible, () => apps.refresh());
    this.subscriptions.push(
      apps, calls, appsView, callsView,
      appsView.onDidChangeVisibility(tickWhileVisible),
      services.tokens.onDidChange(() => apps.refresh()),
      services.credentials.onDidChangeApps(() => apps.refresh()),
      services.audit.onDidRecord(() => calls.refresh()),
      { dispose: () => this.setTicking(false, () => undefined) },
    );
    tickWhileVisible();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private setTicking(on: boolean, render: () => void): void {
    if (on && !this.tick) this.tick = setInterval(render, TICK_MS);
    if (!on && this.tick) {
      clearInterval(this.tick);
      this.tick = undefined;
    }
  }
}

class AppsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly services: Services) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: Node): Node[] {
    // No rows at all lets VS Code show the welcome view (package.json viewsWelcome).
    if (element) return [];
    return this.services.credentials.list().map((app) => appNode(app.appKey));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const app = this.services.credentials.list().find((candidate) => candidate.appKey === (node as AppNode).appKey);
    return app ? this.appItem(app) : new vscode.TreeItem('');
  }

  dispose(): void {
    this.changed.dispose();
  }

  private appItem(app: AppInfo): vscode.TreeItem {
    const active = this.services.credentials.activeAppKey() === app.appKey;
    const status = this.services.tokens.status(app.appKey);
    const view = statusBarView(app.label, status, Date.now(), this.services.settings().warningMs, statusWords());
    const item = new vscode.TreeItem(app.label);
    item.id = app.appKey;
    // The countdown first: a narrow sidebar cuts the description from the end.
    item.description = [view.detail, active ? vscode.l10n.t('active') : undefined, app.appKey].filter(Boolean).join(' · ');
    item.iconPath = stateIcon(view.severity, status.state, status.refreshing);
    item.contextValue = active ? 'dingtalkApp.active' : 'dingtalkApp';
    item.accessibilityInformation = { label: `${view.ariaLabel}${active ? `, ${vscode.l10n.t('active')}` : ''}` };
    const tooltip = new vscode.MarkdownString(`**${escapeMarkdown(app.label)}** \`${escapeMarkdown(app.appKey)}\`\n\n${escapeMarkdown(view.ariaLabel)}`);
    if (status.lastError) tooltip.appendMarkdown(`\n\n$(warning) ${escapeMarkdown(describeError(status.lastError))}`);
    tooltip.supportThemeIcons = true;
    item.tooltip = tooltip;
    item.command = { command: 'dingtalkToken.inspectToken', title: vscode.l10n.t('Inspect'), arguments: [appNode(app.appKey)] };
    return item;
  }
}

class CallsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly services: Services) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: Node): Node[] {
    return element ? [] : this.services.audit.recent(RECENT_CALLS).map((event) => ({ kind: 'call', event }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const { event } = node as CallNode;
    const item = new vscode.TreeItem(event.tool);
    const decision = decisionWord(event.decision);
    item.description = [decision, event.app, new Date(event.time).toLocaleTimeString(vscode.env.language)].filter(Boolean).join(' · ');
    item.iconPath = event.decision === 'deny' || event.decision === 'error'
      ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('list.errorForeground'))
      : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    item.tooltip = `${event.tool}: ${decision} (${event.rule}), ${Math.round(event.durationMs)} ms\n${event.time}`;
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function stateIcon(severity: 'normal' | 'warning' | 'error', state: string, refreshing: boolean): vscode.ThemeIcon {
  if (state === 'fetching' || refreshing) return new vscode.ThemeIcon('sync~spin');
  if (severity === 'error') return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  if (severity === 'warning') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  if (state === 'valid') return new vscode.ThemeIcon('key', new vscode.ThemeColor('testing.iconPassed'));
  return new vscode.ThemeIcon('key');
}

function decisionWord(decision: AuditEvent['decision']): string {
  switch (decision) {
    case 'allow': return vscode.l10n.t('allowed');
    case 'deny': return vscode.l10n.t('denied');
    case 'approve': return vscode.l10n.t('approved');
    case 'error': return vscode.l10n.t('error');
  }
}
