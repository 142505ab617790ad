import * as vscode from 'vscode';
import type { Disposable } from '../emitter';

/** An open document, as the secret scan reads it; `uri` is the document's URI as text. */
export interface TextFile {
  uri: string;
  fileName: string;
  text: string;
}

/** Characters `start` to `end` of one line. */
export interface LineSpan {
  line: number;
  start: number;
  end: number;
}

/** A warning on one span of one line; `code` names the kind of secret. */
export interface SpanDiagnostic {
  line: number;
  start: number;
  end: number;
  message: string;
  code: string;
}

export interface DiagnosticsView extends Disposable {
  set(uri: string, diagnostics: SpanDiagnostic[]): void;
  delete(uri: string): void;
  clear(): void;
}

/** A quick fix on one of our diagnostics: running `command` with `args`. */
export interface QuickFix {
  title: string;
  command: string;
  args: unknown[];
  /** Index of the diagnostic it fixes, in the list the provider was given. */
  fixes: number;
  preferred?: boolean;
}

export interface ScanProgress {
  report(message: string, increment: number): void;
  readonly cancelled: boolean;
}

/** Documents, diagnostics, quick fixes, edits and file reading for the secret scan (vscode.workspace, vscode.languages). */
export interface SecretsApis {
  openDocuments(): TextFile[];
  onDidOpenOrChange(listener: (file: TextFile) => void): Disposable;
  createDiagnostics(name: string): DiagnosticsView;
  /** Offers `provide`'s fixes for our diagnostics (those with `source`) under the cursor, in every file. */
  registerQuickFixes(source: string, provide: (uri: string, diagnostics: SpanDiagnostic[]) => QuickFix[]): Disposable;
  /** Opens the document (without showing it): its text, name, and whether it has unsaved changes. */
  document(uri: string): Promise<TextFile & { isDirty: boolean }>;
  /** Empties these spans (each on one line) as one undoable edit; false when VS Code refused it. */
  empty(uri: string, spans: readonly LineSpan[]): Promise<boolean>;
  save(uri: string): Promise<boolean>;
  /** Workspace files, `exclude` a glob, at most `max` of them. */
  findFiles(exclude: string, max: number): Promise<string[]>;
  /** The file's bytes, or undefined when it is larger than `maxBytes` or unreadable. */
  readFile(uri: string, maxBytes: number): Promise<Uint8Array | undefined>;
  withCancellableProgress<T>(title: string, task: (progress: ScanProgress) => Promise<T>): Promise<T>;
  /** Writes a dingtalkToken.* setting: the user's, or this workspace's when a folder is open. */
  updateSetting(key: string, value: unknown, where: 'user' | 'workspace'): Thenable<void>;
  hasWorkspaceFolder(): boolean;
}

const SCANNED_SCHEMES = new Set(['file', 'untitled', 'vscode-remote']);

function textFile(document: vscode.TextDocument): TextFile {
  return { uri: document.uri.toString(), fileName: document.fileName, text: document.getText() };
}

export function createSecretsApis(): SecretsApis {
  const scanned = (document: vscode.TextDocument) => SCANNED_SCHEMES.has(document.uri.scheme);
  return {
    openDocuments: () => vscode.workspace.textDocuments.filter(scanned).map(textFile),
    onDidOpenOrChange: (listener) => {
      const opened = vscode.workspace.onDidOpenTextDocument((document) => scanned(document) && listener(textFile(document)));
      const changed = vscode.workspace.onDidChangeTextDocument(({ document }) => scanned(document) && listener(textFile(document)));
      return {
        dispose: () => {
          opened.dispose();
          changed.dispose();
        },
      };
    },
    createDiagnostics: (name) => {
      const collection = vscode.languages.createDiagnosticCollection(name);
      return {
        set: (uri, diagnostics) =>
          collection.set(
            vscode.Uri.parse(uri),
            diagnostics.map((item) => {
              const diagnostic = new vscode.Diagnostic(
                new vscode.Range(item.line, item.start, item.line, item.end),
                item.message,
                vscode.DiagnosticSeverity.Warning,
              );
              diagnostic.source = name;
              diagnostic.code = item.code;
              return diagnostic;
            }),
          ),
        delete: (uri) => collection.delete(vscode.Uri.parse(uri)),
        clear: () => collection.clear(),
        dispose: () => collection.dispose(),
      };
    },
    registerQuickFixes: (source, provide) =>
      vscode.languages.registerCodeActionsProvider(
        [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }],
        {
          provideCodeActions: (document, _range, context) => {
            const ours = context.diagnostics.filter((diagnostic) => diagnostic.source === source);
            const spans = ours.map((diagnostic) => ({
              line: diagnostic.range.start.line,
              start: diagnostic.range.start.character,
              end: diagnostic.range.end.character,
              message: diagnostic.message,
              code: String(typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code),
            }));
            return provide(document.uri.toString(), spans).map((fix) => {
              const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              const diagnostic = ours[fix.fixes];
              if (diagnostic) action.diagnostics = [diagnostic];
              action.isPreferred = fix.preferred;
              action.command = { title: fix.title, command: fix.command, arguments: fix.args };
              return action;
            });
          },
        },
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
      ),
    document: async (uri) => {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      return { ...textFile(document), isDirty: document.isDirty };
    },
    empty: (uri, spans) => {
      const edit = new vscode.WorkspaceEdit();
      for (const { line, start, end } of spans) edit.delete(vscode.Uri.parse(uri), new vscode.Range(line, start, line, end));
      return Promise.resolve(vscode.workspace.applyEdit(edit));
    },
    save: async (uri) => (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).save(),
    findFiles: async (exclude, max) => (await vscode.workspace.findFiles('**/*', exclude, max)).map((uri) => uri.toString()),
    readFile: async (uri, maxBytes) => {
      try {
        const parsed = vscode.Uri.parse(uri);
        if ((await vscode.workspace.fs.stat(parsed)).size > maxBytes) return undefined;
        return await vscode.workspace.fs.readFile(parsed);
      } catch {
        return undefined;
      }
    },
    withCancellableProgress: (title, task) =>
      Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
          task({
            report: (message, increment) => progress.report({ message, increment }),
            get cancelled() {
              return token.isCancellationRequested;
            },
          }),
        ),
      ),
    updateSetting: (key, value, where) =>
      vscode.workspace
        .getConfiguration('dingtalkToken')
        .update(key, value, where === 'user' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace),
    hasWorkspaceFolder: () => (vscode.workspace.workspaceFolders?.length ?? 0) > 0,
  };
}
