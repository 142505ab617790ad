import * as vscode from 'vscode';
import { SECTION, settingsFrom, type Settings } from './settings';

export { SECTION, type Settings } from './settings';

export function readSettings(): Settings {
  return settingsFrom(vscode.workspace.getConfiguration(SECTION));
}

/** The policy file as a URI: absolute paths as they are, relative ones against the first workspace folder. */
export function policyFileUri(settings: Settings): vscode.Uri | undefined {
  if (settings.policyFile.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(settings.policyFile)) return vscode.Uri.file(settings.policyFile);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, settings.policyFile) : undefined;
}
