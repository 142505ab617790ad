import * as vscode from 'vscode';
import { endpointsWithDefaults, type DingTalkEndpoints } from '../core/dingtalk';

export const SECTION = 'dingtalkToken';

export interface Settings {
  endpoints: DingTalkEndpoints;
  refreshMarginMs: number;
  autoRefresh: boolean;
  statusBarEnabled: boolean;
  warningMs: number;
  mcpEnabled: boolean;
  policyFile: string;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    endpoints: endpointsWithDefaults({
      apiBaseUrl: config.get<string>('apiBaseUrl'),
      legacyApiBaseUrl: config.get<string>('legacyApiBaseUrl'),
      tokenApi: config.get<'v1' | 'legacy'>('tokenApi'),
      requestTimeoutMs: config.get<number>('requestTimeoutMs'),
    }),
    refreshMarginMs: Math.max(0, config.get<number>('refreshMarginSeconds', 300)) * 1000,
    autoRefresh: config.get<boolean>('autoRefresh', true),
    statusBarEnabled: config.get<boolean>('statusBar.enabled', true),
    warningMs: Math.max(0, config.get<number>('statusBar.warningSeconds', 300)) * 1000,
    mcpEnabled: config.get<boolean>('mcp.enabled', true),
    policyFile: config.get<string>('mcp.policyFile', '.vscode/dingtalk-mcp-policy.json'),
  };
}

/** The policy file as a URI: absolute paths as they are, relative ones against the first workspace folder. */
export function policyFileUri(settings: Settings): vscode.Uri | undefined {
  if (settings.policyFile.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(settings.policyFile)) return vscode.Uri.file(settings.policyFile);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, settings.policyFile) : undefined;
}
