import * as vscode from 'vscode';
import { isSeparator, type PickEntry, type PickOptions, type Picked } from './pick';

/**
 * The part of vscode.window the commands and the credential flow use, narrowed to what they need, so unit
 * tests hand in a fake (test/support/fakeApis.ts). Quick picks take plain data: an icon is a codicon name.
 */
export interface WindowApis {
  showInformationMessage(message: string, ...actions: string[]): Thenable<string | undefined>;
  showWarningMessage(message: string, ...actions: string[]): Thenable<string | undefined>;
  /** A modal warning; `detail` is the smaller text under the message. */
  showModalWarning(message: string, detail: string | undefined, ...actions: string[]): Thenable<string | undefined>;
  showErrorMessage(message: string, ...actions: string[]): Thenable<string | undefined>;
  /** Runs `task` with a notification that shows `title` and spins until it settles. */
  withProgress<T>(title: string, task: () => Promise<T>): Promise<T>;
  showInputBox(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  /** Asks where to save a file: the local path picked, or none when dismissed (or not on this machine's disk). */
  showSaveDialog(title: string, defaultName: string): Thenable<string | undefined>;
  /** Resolves with the accepted item's value and, when an item button was pressed instead, that button's id. */
  pick<T>(entries: PickEntry<T>[], options: PickOptions): Promise<Picked<T> | undefined>;
  createInputBox(): InputBoxView;
  /** The Back button of a multi-step input. */
  readonly backButton: vscode.QuickInputButton;
  button(icon: string, tooltip: string): vscode.QuickInputButton;
  /** An input box's message in the error colour. */
  errorMessage(message: string): vscode.InputBoxValidationMessage;
  /** A log channel of the Output panel; every line gets VS Code's timestamp and level. */
  createLogChannel(name: string): LogChannel;
  /** An item at the right of the status bar; a higher priority sits further left. */
  createStatusBarItem(id: string, priority: number): StatusBarItemView;
  /** A colour of the theme by its id, e.g. "statusBarItem.warningBackground". */
  themeColor(id: string): vscode.ThemeColor;
  /** A codicon by name, in a theme colour when one is named. */
  icon(name: string, color?: string): vscode.ThemeIcon;
  /** Markdown for a tooltip; `$(icon)` syntax is rendered only with `themeIcons`. */
  markdown(text?: string, themeIcons?: boolean): vscode.MarkdownString;
}

/** The extension's log channel: `show` reveals it without taking focus. */
export interface LogChannel {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  show(): void;
  dispose(): void;
}

export type StatusBarItemView = Pick<
  vscode.StatusBarItem,
  'name' | 'command' | 'text' | 'tooltip' | 'accessibilityInformation' | 'backgroundColor' | 'show' | 'hide' | 'dispose'
>;

export type InputBoxView = Pick<
  vscode.InputBox,
  | 'title'
  | 'step'
  | 'totalSteps'
  | 'prompt'
  | 'placeholder'
  | 'value'
  | 'password'
  | 'ignoreFocusOut'
  | 'busy'
  | 'enabled'
  | 'validationMessage'
  | 'buttons'
  | 'onDidChangeValue'
  | 'onDidTriggerButton'
  | 'onDidAccept'
  | 'onDidHide'
  | 'show'
  | 'dispose'
>;

export function createWindowApis(): WindowApis {
  return {
    showInformationMessage: (message, ...actions) => vscode.window.showInformationMessage(message, ...actions),
    showWarningMessage: (message, ...actions) => vscode.window.showWarningMessage(message, ...actions),
    showModalWarning: (message, detail, ...actions) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
    showErrorMessage: (message, ...actions) => vscode.window.showErrorMessage(message, ...actions),
    withProgress: (title, task) => Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, task)),
    showInputBox: (options) => vscode.window.showInputBox(options),
    pick,
    createInputBox: () => vscode.window.createInputBox(),
    backButton: vscode.QuickInputButtons.Back,
    button: (icon, tooltip) => ({ iconPath: new vscode.ThemeIcon(icon), tooltip }),
    errorMessage: (message) => ({ message, severity: vscode.InputBoxValidationSeverity.Error }),
    createLogChannel: (name) => {
      const channel = vscode.window.createOutputChannel(name, { log: true });
      return {
        info: (line) => channel.info(line),
        warn: (line) => channel.warn(line),
        error: (line) => channel.error(line),
        show: () => channel.show(true),
        dispose: () => channel.dispose(),
      };
    },
    createStatusBarItem: (id, priority) => vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Right, priority),
    themeColor: (id) => new vscode.ThemeColor(id),
    icon: (name, color) => new vscode.ThemeIcon(name, color === undefined ? undefined : new vscode.ThemeColor(color)),
    markdown: (text, themeIcons) => new vscode.MarkdownString(text, themeIcons),
    showSaveDialog: async (title, defaultName) => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({ title, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, defaultName) } : {}) });
      return uri?.scheme === 'file' ? uri.fsPath : undefined;
    },
  };
}

type Row<T> = vscode.QuickPickItem & { value?: T; ids?: Map<vscode.QuickInputButton, string> };

function pick<T>(entries: PickEntry<T>[], options: PickOptions): Promise<Picked<T> | undefined> {
  return new Promise((resolve) => {
    const quickPick = vscode.window.createQuickPick<Row<T>>();
    quickPick.title = options.title;
    quickPick.placeholder = options.placeholder;
    quickPick.items = entries.map((entry): Row<T> => {
      if (isSeparator(entry)) return { label: entry.separator, kind: vscode.QuickPickItemKind.Separator };
      const ids = new Map(
        (entry.buttons ?? []).map((button) => [{ iconPath: new vscode.ThemeIcon(button.icon), tooltip: button.tooltip }, button.id] as const),
      );
      return {
        label: entry.label,
        description: entry.description,
        detail: entry.detail,
        iconPath: entry.icon ? new vscode.ThemeIcon(entry.icon) : undefined,
        buttons: [...ids.keys()],
        value: entry.value,
        ids,
      };
    });
    let settled = false;
    const finish = (picked: Picked<T> | undefined) => {
      if (settled) return;
      settled = true;
      quickPick.dispose();
      resolve(picked);
    };
    quickPick.onDidAccept(() => {
      const row = quickPick.selectedItems[0];
      if (row) finish({ value: row.value as T });
    });
    quickPick.onDidTriggerItemButton(({ item, button }) => finish({ value: item.value as T, button: item.ids?.get(button) }));
    quickPick.onDidHide(() => finish(undefined));
    quickPick.show();
  });
}
