import type * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { decisionWord, localTimestamp } from '../wording/messages';
import { statusWords } from '../statusBar/statusBar';
import { codeSpan, escapeMarkdown } from '../wording/markdown';
import { AppRows, type AppRow } from './appRows';
import { Emitter } from '../emitter';
import type { Apis } from '../apis/apis';
import { shadowDiffers, type AuditEvent } from '../../core/audit';
import type { Services } from '../services';
import type { McpProvider } from '../mcp/provider';
import type { PolicyAsTyped } from '../mcp/policyEditing';
import { COMMAND, VIEW } from '../commandIds';
import { appNode, type AppNode } from './appNode';
import { wordFailure } from '../wording/policyWording';

interface CallNode {
  kind: 'call';
  event: AuditEvent;
}

type AgentsNode = { kind: 'server' } | { kind: 'policy' } | { kind: 'counters' } | { kind: 'calls' } | CallNode;

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
      services.tokens.onDidChange((change) => this.apps.redraw(change.appKey)),
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
  private readonly rows: AppRows;
  /** The item drawn for each row: handed out again while the row is unchanged, so its tooltip stays put. */
  private readonly items = new WeakMap<AppRow, vscode.TreeItem>();
  private readonly toRedraw = new Set<string>();
  private redrawTimer: NodeJS.Timeout | undefined;

  constructor(private readonly services: Services) {
    this.rows = new AppRows(services, () => ({
      status: statusWords(),
      formatTime: (ms) => new Date(ms).toLocaleTimeString(services.apis.env.language, { hour: '2-digit', minute: '2-digit' }),
    }));
  }

  /** The app list changed: rebuild the rows. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  /**
   * One app's token state changed: draw its row again and leave the others alone. Rebuilding every row would make
   * VS Code forget the rows for a moment, and a context-menu command clicked then would arrive without its app.
   * Drawn once the change has settled: a fetch reports its outcome before it stops counting as under way, and a
   * row drawn in between would keep spinning (VS Code holds back a second redraw for up to 200 ms).
   */
  redraw(appKey: string): void {
    this.toRedraw.add(appKey);
    this.redrawTimer ??= setTimeout(() => {
      this.redrawTimer = undefined;
      const nodes = [...this.toRedraw].map((key) => this.nodes.get(key)).filter((node) => node !== undefined);
      this.toRedraw.clear();
      if (nodes.length) this.changed.fire(nodes);
    }, 0);
  }

  /** The clock moved: draw again only the rows whose text it changed. */
  tick(): void {
    const stale = this.rows
      .stale()
      .map((appKey) => this.nodes.get(appKey))
      .filter((node) => node !== undefined);
    if (stale.length) this.changed.fire(stale);
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
    const row = this.rows.row(node.appKey);
    if (!row) return this.services.apis.tree.item('');
    const drawn = this.items.get(row);
    if (drawn) return drawn;
    const item = appItem(this.services.apis, row);
    this.items.set(row, item);
    return item;
  }

  dispose(): void {
    clearTimeout(this.redrawTimer);
    this.changed.dispose();
  }
}

function appItem(apis: Apis, row: AppRow): vscode.TreeItem {
  const item = apis.tree.item(row.label);
  item.id = row.appKey;
  item.description = row.description;
  item.iconPath = rowIcon(apis, row.icon);
  item.contextValue = row.active ? 'dingtalkApp.active' : 'dingtalkApp';
  item.accessibilityInformation = { label: row.ariaLabel };
  const tooltip = apis.window.markdown(row.tooltip, true);
  item.tooltip = tooltip;
  item.command = { command: COMMAND.inspectToken, title: l10n.t('Inspect'), arguments: [appNode(row.appKey)] };
  return item;
}

function rowIcon(apis: Apis, icon: AppRow['icon']): vscode.ThemeIcon {
  switch (icon) {
    case 'busy':
      return apis.window.icon('sync~spin');
    case 'error':
      return apis.window.icon('error', 'list.errorForeground');
    case 'warning':
      return apis.window.icon('warning', 'list.warningForeground');
    case 'valid':
      return apis.window.icon('key', 'testing.iconPassed');
    case 'idle':
      return apis.window.icon('key');
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
    if (!element) {
      const counters: AgentsNode[] = this.mcp.state().counters ? [{ kind: 'counters' }] : [];
      return [{ kind: 'server' }, { kind: 'policy' }, ...counters, { kind: 'calls' }];
    }
    if (element.kind !== 'calls') return [];
    return this.services.audit.recent(RECENT_CALLS).map((event) => ({ kind: 'call', event }));
  }

  getTreeItem(node: AgentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'server':
        return this.serverItem();
      case 'policy':
        return this.policyItem();
      case 'counters':
        return this.countersItem();
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
    const asTyped = this.mcp.policyAsTyped();
    const item = this.services.apis.tree.item(l10n.t('Policy'));
    item.id = 'mcp.policy';
    item.command = { command: COMMAND.openPolicy, title: l10n.t('Open MCP Policy') };
    const tooltip = this.services.apis.window.markdown(codeSpan(source));
    if (!policy) {
      item.description = asTyped ? asTypedWords(asTyped) : l10n.t('read when the server starts');
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
    if (policy?.resolvedPath) tooltip.appendMarkdown(` → ${codeSpan(policy.resolvedPath)}`);
    const problem = policy?.failure ? wordFailure(policy.failure) : policy?.error;
    if (problem) tooltip.appendMarkdown(`\n\n${escapeMarkdown(problem)}`);
    if (asTyped) tooltip.appendMarkdown(`\n\n${escapeMarkdown(l10n.t('As typed in the editor, this file {0}.', asTypedWords(asTyped)))}`);
    item.tooltip = tooltip;
    return item;
  }

  /** Where the limits are counted; a store that cannot be used is shown as an error, since limited calls are refused. */
  private countersItem(): vscode.TreeItem {
    const store = this.mcp.state().counters!;
    const { window } = this.services.apis;
    const item = this.services.apis.tree.item(l10n.t('Counters'));
    item.id = 'mcp.counters';
    const kinds = { memory: l10n.t('this window only'), file: l10n.t('a file shared by your windows'), redis: l10n.t('Redis, shared by your team') };
    item.description = store.reachable ? kinds[store.kind] : l10n.t('cannot be used: calls with limits are refused');
    item.iconPath = store.reachable ? window.icon('database') : window.icon('error', 'list.errorForeground');
    const tooltip = window.markdown(`${escapeMarkdown(kinds[store.kind])}: ${codeSpan(store.where)}`);
    if (store.problem) tooltip.appendMarkdown(`\n\n${escapeMarkdown(store.problem)}`);
    item.tooltip = tooltip;
    return item;
  }
}

/** Whether the policy file as typed would take effect when saved, and how many mistakes it has. */
function asTypedWords(asTyped: PolicyAsTyped): string {
  if (!asTyped.takesEffect) return l10n.t('would not take effect: {0} error(s) to fix', asTyped.errors);
  return asTyped.warnings ? l10n.t('would take effect, with {0} warning(s)', asTyped.warnings) : l10n.t('would take effect');
}

function callItem(apis: Apis, event: AuditEvent): vscode.TreeItem {
  const item = apis.tree.item(event.tool);
  const decision = decisionWord(event.decision);
  item.description = [decision, event.app, new Date(event.time).toLocaleTimeString(apis.env.language)].filter(Boolean).join(' · ');
  item.iconPath =
    event.decision === 'deny' || event.decision === 'error'
      ? apis.window.icon('circle-slash', 'list.errorForeground')
      : apis.window.icon('pass', 'testing.iconPassed');
  item.tooltip = `${l10n.t('{0}: {1} by rule {2}, in {3} ms', event.tool, decision, event.rule, Math.round(event.durationMs))}\n${localTimestamp(Date.parse(event.time))}`;
  if (event.shadow && shadowDiffers(event)) {
    const shadow = decisionWord(event.shadow.decision);
    item.description = `${item.description} · ${l10n.t('shadow: {0}', shadow)}`;
    item.tooltip += `\n${l10n.t('The shadow policy would have decided differently: {0} by rule {1}.', shadow, event.shadow.rule)}`;
  }
  return item;
}
