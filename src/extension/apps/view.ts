import type * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { statusBarView } from '../statusBar/model';
import { decisionWord, describeError } from '../wording/messages';
import { escapeMarkdown, statusWords } from '../statusBar/statusBar';
import type { AppInfo } from '../../core/apps';
import type { AuditEvent } from '../../core/audit';
import type { Services } from '../services';
import type { McpProvider } from '../mcp/provider';
import { COMMAND, VIEW } from '../commandIds';
import { appNode, type AppNode } from './appNode';
import { wordFailure } from '../wording/policyWording';
import { Emitter } from '../emitter';
import type { Apis } from '../apis/apis';

interface CallNode {
  kind: 'call';
  event: AuditEvent;
}

type AgentsNode = { kind: 'server' } | { kind: 'policy' } | { kind: 'calls' } | CallNode;

const TICK_MS = 1000;
const RECENT_CALLS = 20;

/**
 * The DingTalk view in the Activity Bar: the apps with their live countdown and state; the MCP server, the
 * policy in force and the agents' recent tool calls with their decisions. Apps tick each second only while
 * their view is visible.
 */
export class DingTalkView implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly apps: AppsTree;
  private tick: NodeJS.Timeout | undefined;

  constructor(services: Services, mcp: McpProvider) {
    this.apps = new AppsTree(services);
    const agents = new AgentsTree(services, mcp);
    const appsView = services.apis.tree.createTreeView(VIEW.apps, { treeDataProvider: this.apps, showCollapseAll: false });
    const agentsView = services.apis.tree.createTreeView(VIEW.agents, { treeDataProvider: agents });
    this.subscriptions.push(
      this.apps,
      agents,
      appsView,
      agentsView,
      appsView.onDidChangeVisibility(() => this.setTicking(appsView.visible)),
      services.tokens.onDidChange(() => this.apps.refresh()),
      services.credentials.onDidChangeApps(() => this.apps.refresh()),
      services.audit.onDidRecord(() => agents.refresh()),
      mcp.onDidChangeState(() => agents.refresh()),
    );
    this.setTicking(appsView.visible);
  }

  dispose(): void {
    this.setTicking(false);
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private setTicking(on: boolean): void {
    if (on && !this.tick) this.tick = setInterval(() => this.apps.tick(), TICK_MS);
    if (!on && this.tick) {
      clearInterval(this.tick);
      this.tick = undefined;
    }
  }
}

class AppsTree implements vscode.TreeDataProvider<AppNode>, vscode.Disposable {
  private readonly changed = new Emitter<AppNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** One node object per app, so the countdown can re-render rows in place (an open context menu stays open). */
  private readonly nodes = new Map<string, AppNode>();

  constructor(private readonly services: Services) {}

  /** The app list or an app's state changed: rebuild the rows. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The clock moved: only the rows' text changes. */
  tick(): void {
    if (this.nodes.size) this.changed.fire([...this.nodes.values()]);
  }

  getChildren(element?: AppNode): AppNode[] {
    // No rows at all lets VS Code show the welcome view (package.json viewsWelcome).
    if (element) return [];
    const apps = this.services.credentials.list();
    for (const appKey of this.nodes.keys()) if (!apps.some((app) => app.appKey === appKey)) this.nodes.delete(appKey);
    return apps.map((app) => {
      const node = this.nodes.get(app.appKey) ?? appNode(app.appKey);
      this.nodes.set(app.appKey, node);
      return node;
    });
  }

  getTreeItem(node: AppNode): vscode.TreeItem {
    const app = this.services.credentials.list().find((candidate) => candidate.appKey === node.appKey);
    return app ? this.appItem(app) : this.services.apis.tree.item('');
  }

  dispose(): void {
    this.changed.dispose();
  }

  private appItem(app: AppInfo): vscode.TreeItem {
    const active = this.services.credentials.activeAppKey() === app.appKey;
    const status = this.services.tokens.status(app.appKey);
    const view = statusBarView(app.label, status, this.services.clock.now(), this.services.settings().warningMs, statusWords());
    const item = this.services.apis.tree.item(app.label);
    item.id = app.appKey;
    // The countdown first: a narrow sidebar cuts the description from the end.
    item.description = [view.detail, active ? l10n.t('active') : undefined, app.appKey].filter(Boolean).join(' · ');
    item.iconPath = stateIcon(this.services.apis, view.severity, status.state, status.refreshing);
    item.contextValue = active ? 'dingtalkApp.active' : 'dingtalkApp';
    item.accessibilityInformation = { label: `${view.ariaLabel}${active ? `, ${l10n.t('active')}` : ''}` };
    const tooltip = this.services.apis.window.markdown(
      `**${escapeMarkdown(app.label)}** \`${escapeMarkdown(app.appKey)}\`\n\n${escapeMarkdown(view.ariaLabel)}`,
    );
    if (status.lastError) tooltip.appendMarkdown(`\n\n$(warning) ${escapeMarkdown(describeError(status.lastError, this.services.redactor))}`);
    tooltip.supportThemeIcons = true;
    item.tooltip = tooltip;
    item.command = { command: COMMAND.inspectToken, title: l10n.t('Inspect'), arguments: [appNode(app.appKey)] };
    return item;
  }
}

class AgentsTree implements vscode.TreeDataProvider<AgentsNode>, vscode.Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly services: Services,
    private readonly mcp: McpProvider,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: AgentsNode): AgentsNode[] {
    if (!element) return [{ kind: 'server' }, { kind: 'policy' }, { kind: 'calls' }];
    if (element.kind !== 'calls') return [];
    return this.services.audit.recent(RECENT_CALLS).map((event) => ({ kind: 'call', event }));
  }

  getTreeItem(node: AgentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'server':
        return this.serverItem();
      case 'policy':
        return this.policyItem();
      case 'calls': {
        const count = this.services.audit.recent(RECENT_CALLS).length;
        const item = this.services.apis.tree.item(l10n.t('Recent calls'), count ? 'expanded' : 'none');
        item.description = count ? String(count) : l10n.t('none yet');
        item.iconPath = this.services.apis.window.icon('history');
        return item;
      }
      case 'call':
        return callItem(this.services.apis, node.event);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  private serverItem(): vscode.TreeItem {
    const state = this.mcp.state();
    const item = this.services.apis.tree.item(l10n.t('MCP server'));
    item.id = 'mcp.server';
    item.description = !state.enabled ? l10n.t('off') : state.running ? l10n.t('running') : l10n.t('starts when an agent asks');
    item.iconPath = this.services.apis.window.icon('server-process', state.running ? 'testing.iconPassed' : undefined);
    item.tooltip = !state.enabled
      ? l10n.t('Turned off by dingtalkToken.mcp.enabled.')
      : l10n.t('Agents in VS Code find it as "DingTalk Access Token" under MCP: List Servers.');
    return item;
  }

  private policyItem(): vscode.TreeItem {
    const { source, policy } = this.mcp.state();
    const item = this.services.apis.tree.item(l10n.t('Policy'));
    item.id = 'mcp.policy';
    item.command = { command: COMMAND.openPolicy, title: l10n.t('Open MCP Policy') };
    const tooltip = this.services.apis.window.markdown(`\`${escapeMarkdown(source)}\``);
    if (!policy) {
      item.description = l10n.t('read when the server starts');
      item.iconPath = this.services.apis.window.icon('shield');
    } else if (policy.inForce === 'none') {
      item.description = l10n.t('unusable: every call denied');
      item.iconPath = this.services.apis.window.icon('error', 'list.errorForeground');
    } else if (!policy.valid) {
      item.description = l10n.t('has an error: the last good policy is in force');
      item.iconPath = this.services.apis.window.icon('warning', 'list.warningForeground');
    } else if (policy.inForce === 'defaults') {
      item.description = l10n.t('no file: built-in defaults');
      item.iconPath = this.services.apis.window.icon('shield');
    } else {
      item.description = l10n.t('{0} in force', source.split(/[\\/]/).pop() ?? source);
      item.iconPath = this.services.apis.window.icon('shield', 'testing.iconPassed');
    }
    if (policy?.resolvedPath) tooltip.appendMarkdown(` → \`${escapeMarkdown(policy.resolvedPath)}\``);
    const problem = policy?.failure ? wordFailure(policy.failure) : policy?.error;
    if (problem) tooltip.appendMarkdown(`\n\n${escapeMarkdown(problem)}`);
    item.tooltip = tooltip;
    return item;
  }
}

function callItem(apis: Apis, event: AuditEvent): vscode.TreeItem {
  const item = apis.tree.item(event.tool);
  const decision = decisionWord(event.decision);
  item.description = [decision, event.app, new Date(event.time).toLocaleTimeString(apis.env.language)].filter(Boolean).join(' · ');
  item.iconPath =
    event.decision === 'deny' || event.decision === 'error'
      ? apis.window.icon('circle-slash', 'list.errorForeground')
      : apis.window.icon('pass', 'testing.iconPassed');
  item.tooltip = `${event.tool}: ${decision} (${event.rule}), ${Math.round(event.durationMs)} ms\n${event.time}`;
  return item;
}

function stateIcon(apis: Apis, severity: 'normal' | 'warning' | 'error', state: string, refreshing: boolean): vscode.ThemeIcon {
  if (state === 'fetching' || refreshing) return apis.window.icon('sync~spin');
  if (severity === 'error') return apis.window.icon('error', 'list.errorForeground');
  if (severity === 'warning') return apis.window.icon('warning', 'list.warningForeground');
  if (state === 'valid') return apis.window.icon('key', 'testing.iconPassed');
  return apis.window.icon('key');
}
