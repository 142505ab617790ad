import * as vscode from 'vscode';
import type { Settings } from '../settings';
import type { Disposable } from '../emitter';

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
  };
}

function policyFileUri(settings: Settings): vscode.Uri | undefined {
  if (settings.policyFile.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(settings.policyFile)) return vscode.Uri.file(settings.policyFile);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, settings.policyFile) : undefined;
}
