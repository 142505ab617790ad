// Fakes of SecretStorage, webview panels, settings, the status bar item, the log channel, theme colours and icons, markdown and tree views that
// window.apis.ts and tree.apis.ts create, so the status bar, the log and the DingTalk view run under node:test.
import type * as vscode from 'vscode';
import type { LogChannel, StatusBarItemView } from '../../src/extension/apis/window.apis';
import type { TreeApis, TreeViewHandle } from '../../src/extension/apis/tree.apis';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Emitter } from '../../src/extension/emitter';
import type { Secrets } from '../../src/extension/apps/credentials';
import type { PanelView } from '../../src/extension/apis/webview.apis';
import { settle } from './fakeClock';

/** The status bar item as a person would see it: shown or not, its text, colour and tooltip. */
export class FakeStatusBarItem implements StatusBarItemView {
  name: string | undefined;
  command: string | vscode.Command | undefined;
  text = '';
  tooltip: string | vscode.MarkdownString | undefined;
  accessibilityInformation: vscode.AccessibilityInformation | undefined;
  backgroundColor: vscode.ThemeColor | undefined;
  visible = false;
  disposed = false;
  constructor(readonly id: string) {}
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
    this.disposed = true;
  }
  /** The tooltip's text, whichever form it was set in. */
  get tooltipText(): string {
    return typeof this.tooltip === 'string' ? this.tooltip : (this.tooltip?.value ?? '');
  }
}

/** The Output panel's log channel: the lines as written, with their level. */
export class FakeLogChannel implements LogChannel {
  readonly lines: string[] = [];
  shown = 0;
  disposed = false;
  constructor(readonly name: string) {}
  info(line: string): void {
    this.lines.push(`info ${line}`);
  }
  warn(line: string): void {
    this.lines.push(`warn ${line}`);
  }
  error(line: string): void {
    this.lines.push(`error ${line}`);
  }
  show(): void {
    this.shown++;
  }
  dispose(): void {
    this.disposed = true;
  }
}

/** Markdown as text: what appendMarkdown added, in order. */
export function fakeMarkdown(text = '', themeIcons = false): vscode.MarkdownString {
  const markdown = {
    value: text,
    supportThemeIcons: themeIcons,
    isTrusted: undefined as vscode.MarkdownString['isTrusted'],
    appendMarkdown(more: string) {
      markdown.value += more;
      return markdown;
    },
    appendText(more: string) {
      markdown.value += more;
      return markdown;
    },
  };
  return markdown as unknown as vscode.MarkdownString;
}

export const fakeThemeColor = (id: string) => ({ id }) as vscode.ThemeColor;
export const fakeIcon = (name: string, color?: string) => ({ id: name, color: color === undefined ? undefined : fakeThemeColor(color) }) as vscode.ThemeIcon;

/** A tree view VS Code would show: its provider, and whether its panel is visible (a test toggles it). */
export class FakeTreeView implements TreeViewHandle {
  visible = true;
  disposed = false;
  private readonly visibility = new Emitter<vscode.TreeViewVisibilityChangeEvent>();
  readonly onDidChangeVisibility = this.visibility.event;
  /** What the provider asked to draw again, in order: 'all' for every row, else the nodes it named. */
  readonly redraws: ('all' | unknown[])[] = [];
  /** The items drawn for the nodes named, as the provider gave them the moment it asked. */
  readonly drawn: vscode.TreeItem[] = [];
  constructor(
    readonly id: string,
    readonly provider: vscode.TreeDataProvider<unknown>,
  ) {
    provider.onDidChangeTreeData?.((nodes) => {
      if (nodes === undefined || nodes === null) return void this.redraws.push('all');
      const named = Array.isArray(nodes) ? nodes : [nodes];
      this.redraws.push(named);
      for (const node of named) this.drawn.push(provider.getTreeItem(node) as vscode.TreeItem);
    });
  }
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.visibility.fire({ visible });
  }
  dispose(): void {
    this.disposed = true;
  }
  /** The rows a person sees, top level first then each expanded row's children, as their tree items. */
  async rows(): Promise<vscode.TreeItem[]> {
    const items: vscode.TreeItem[] = [];
    const walk = async (parent: unknown) => {
      for (const node of (await this.provider.getChildren(parent)) ?? []) {
        const item = await this.provider.getTreeItem(node);
        items.push(item);
        // 2 is vscode.TreeItemCollapsibleState.Expanded (the enum is not loadable without VS Code).
        if ((item.collapsibleState as number | undefined) === 2) await walk(node);
      }
    };
    await walk(undefined);
    return items;
  }
}

export function fakeTreeApis(views: Map<string, FakeTreeView>): TreeApis {
  return {
    createTreeView: (id, options) => {
      const view = new FakeTreeView(id, options.treeDataProvider);
      views.set(id, view);
      return view;
    },
    item: (label, children) => ({ label, collapsibleState: children === 'expanded' ? 2 : children === 'collapsed' ? 1 : 0 }),
  };
}

export class FakeSecrets implements Secrets {
  readonly values = new Map<string, string>();
  private readonly changed = new Emitter<vscode.SecretStorageChangeEvent>();
  readonly onDidChange = this.changed.event;

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.changed.fire({ key });
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.changed.fire({ key });
  }
}

/** A webview panel: what the page was sent, and messages a test sends as the page. */
export class FakePanel implements PanelView {
  html = '';
  readonly cspSource = 'fake-csp';
  readonly posted: unknown[] = [];
  revealed = 0;
  disposed = false;
  private readonly received = new Emitter<unknown>();
  private readonly closed = new Emitter<void>();

  constructor(public title: string) {}

  asset(name: string): string {
    return `fake-webview:/media/${name}`;
  }
  async postMessage(message: unknown): Promise<boolean> {
    this.posted.push(message);
    return true;
  }
  onDidReceiveMessage(listener: (message: unknown) => void) {
    return this.received.event(listener);
  }
  onDidDispose(listener: () => void) {
    return this.closed.event(listener);
  }
  reveal(): void {
    this.revealed++;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closed.fire();
  }

  /** The page sends `message`, and the host's answer is awaited. */
  async send(message: unknown): Promise<void> {
    this.received.fire(message);
    await settle();
  }
  /** The last state message the page received. */
  lastState(): Record<string, unknown> | undefined {
    return [...this.posted].reverse().find((message) => (message as { type?: string }).type === 'state') as Record<string, unknown> | undefined;
  }
}

/** The defaults package.json declares, by full key, as VS Code reports them. */
const DECLARED = new Map(
  Object.entries(
    (JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { configuration: { properties: object } } }).contributes
      .configuration.properties,
  ).map(([key, value]) => [key, (value as { default?: unknown }).default]),
);

/** A WorkspaceConfiguration over user settings only: `get` and `inspect`, as settings.ts reads them. */
export function fakeConfiguration(values: Map<string, unknown>, section: string): vscode.WorkspaceConfiguration {
  const full = (key: string) => `${section}.${key}`;
  const value = (key: string) => (values.has(full(key)) ? values.get(full(key)) : DECLARED.get(full(key)));
  return {
    get: (key: string, fallback?: unknown) => value(key) ?? fallback,
    has: (key: string) => value(key) !== undefined,
    inspect: (key: string) => ({ key: full(key), defaultValue: DECLARED.get(full(key)), globalValue: values.get(full(key)) }),
    update: async () => undefined,
  } as unknown as vscode.WorkspaceConfiguration;
}
