import * as vscode from 'vscode';
import type { Disposable } from '../emitter';

/** The variables the extension adds to new integrated terminals (its EnvironmentVariableCollection). */
export interface TerminalEnvironmentView {
  /** Replaces whatever was set with exactly `variables`, and the description VS Code shows for them. */
  replaceAll(variables: Record<string, string>, description: string): void;
  clear(): void;
}

/** Whether the person trusts this workspace, and what it is called (vscode.workspace). */
export interface TrustApis {
  readonly isTrusted: boolean;
  /** The workspace's name as VS Code shows it; undefined in a window with no folder. */
  readonly workspaceName: string | undefined;
  onDidGrantTrust(listener: () => void): Disposable;
}

/** Not persistent: VS Code would otherwise write the token into its storage to restore terminals after a reload. */
export function createTerminalEnvironment(collection: vscode.GlobalEnvironmentVariableCollection): TerminalEnvironmentView {
  collection.persistent = false;
  return {
    replaceAll: (variables, description) => {
      collection.clear();
      for (const [name, value] of Object.entries(variables)) collection.replace(name, value);
      collection.description = description;
    },
    clear: () => {
      collection.clear();
      collection.description = undefined;
    },
  };
}

export function createTrustApis(): TrustApis {
  return {
    get isTrusted() {
      return vscode.workspace.isTrusted;
    },
    get workspaceName() {
      return vscode.workspace.name;
    },
    onDidGrantTrust: (listener) => vscode.workspace.onDidGrantWorkspaceTrust(listener),
  };
}
