import * as vscode from 'vscode';
import type { Settings } from '../settings';
import type { Disposable } from '../emitter';

/** A local file open in an editor: its path, and its text as typed (saved or not). */
export interface OpenText {
  path: string;
  text(): string;
}

/** The settings, the MCP policy file as they name it, and the workspace events around them (vscode.workspace). */
export interface WorkspaceApis {
  /** The settings under `section` as VS Code merges them (user, workspace, folder). */
  configuration(section: string): vscode.WorkspaceConfiguration;
  /** Fires when a setting under `section` changes. */
  onDidChangeConfiguration(section: string, listener: () => void): Disposable;
  /** The policy file: absolute paths as they are, relative ones against the first workspace folder; none without a folder. */
  policyFile(settings: Settings): vscode.Uri | undefined;
  exists(uri: vscode.Uri): Promise<boolean>;
  writeText(uri: vscode.Uri, text: string): Thenable<void>;
  showTextDocument(uri: vscode.Uri): Thenable<unknown>;
  onDidChangeFolders(listener: () => void): Disposable;
  /** Local files open in editors now, and as they open, change (each edit) and close. */
  openTexts(): OpenText[];
  onDidOpenText(listener: (document: OpenText) => void): Disposable;
  onDidChangeText(listener: (document: OpenText) => void): Disposable;
  onDidCloseText(listener: (path: string) => void): Disposable;
  /** A file's text (UTF-8); rejects when it cannot be read. */
  readText(uri: vscode.Uri): Promise<string>;
  /** The path as the person sees it: relative to its workspace folder. */
  relativePath(uri: vscode.Uri): string;
  /** Calls `listener` when a file matching `pattern` (a glob) in `folder` is created, changed or deleted. */
  watchFiles(folder: vscode.Uri, pattern: string, listener: () => void): Disposable;
}

export function createWorkspaceApis(): WorkspaceApis {
  return {
    configuration: (section) => vscode.workspace.getConfiguration(section),
    onDidChangeConfiguration: (section, listener) =>
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(section)) listener();
      }),
    policyFile: policyFileUri,
    exists: async (uri) => {
      try {
        await vscode.workspace.fs.stat(uri);
        return true;
      } catch {
        return false;
      }
    },
    writeText: (uri, text) => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text)),
    showTextDocument: (uri) => vscode.window.showTextDocument(uri),
    onDidChangeFolders: (listener) => vscode.workspace.onDidChangeWorkspaceFolders(() => listener()),
    openTexts: () => vscode.workspace.textDocuments.filter(isLocal).map(openText),
    onDidOpenText: (listener) => vscode.workspace.onDidOpenTextDocument((document) => isLocal(document) && listener(openText(document))),
    onDidChangeText: (listener) => vscode.workspace.onDidChangeTextDocument(({ document }) => isLocal(document) && listener(openText(document))),
    onDidCloseText: (listener) => vscode.workspace.onDidCloseTextDocument((document) => isLocal(document) && listener(document.uri.fsPath)),
    readText: async (uri) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)),
    relativePath: (uri) => vscode.workspace.asRelativePath(uri),
    watchFiles: (folder, pattern, listener) => {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, pattern));
      const subscriptions = [watcher, watcher.onDidCreate(listener), watcher.onDidChange(listener), watcher.onDidDelete(listener)];
      return { dispose: () => subscriptions.forEach((subscription) => void subscription.dispose()) };
    },
  };
}

function isLocal(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file';
}

function openText(document: vscode.TextDocument): OpenText {
  return { path: document.uri.fsPath, text: () => document.getText() };
}

function policyFileUri(settings: Settings): vscode.Uri | undefined {
  if (settings.policyFile.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(settings.policyFile)) return vscode.Uri.file(settings.policyFile);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, settings.policyFile) : undefined;
}
