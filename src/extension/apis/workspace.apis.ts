import * as vscode from 'vscode';
import { policyFileUri } from '../config';
import type { Settings } from '../settings';
import type { Disposable } from '../emitter';

/** The MCP policy file as the settings name it, and the workspace events around it (vscode.workspace). */
export interface WorkspaceApis {
  /** The policy file: absolute paths as they are, relative ones against the first workspace folder; none without a folder. */
  policyFile(settings: Settings): vscode.Uri | undefined;
  exists(uri: vscode.Uri): Promise<boolean>;
  writeText(uri: vscode.Uri, text: string): Thenable<void>;
  showTextDocument(uri: vscode.Uri): Thenable<unknown>;
  onDidChangeFolders(listener: () => void): Disposable;
}

export function createWorkspaceApis(): WorkspaceApis {
  return {
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
