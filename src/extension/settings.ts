import type { WorkspaceConfiguration } from 'vscode';
import { boundedNumber, REFRESH_MARGIN_SECONDS, REQUEST_TIMEOUT_MS, WARNING_SECONDS, type NumberRange } from '../core/bounds';
import { endpointsWithDefaults, type DingTalkEndpoints } from '../core/dingtalk';

/**
 * The extension's settings, read from a configuration object (VS Code's, or a fake in tests). Kept free of
 * the `vscode` runtime so the rules below are unit-tested.
 */
export interface Settings {
  endpoints: DingTalkEndpoints;
  refreshMarginMs: number;
  autoRefresh: boolean;
  statusBarEnabled: boolean;
  warningMs: number;
  mcpEnabled: boolean;
  policyFile: string;
  /** Numeric settings that were out of range or not numbers, each naming the setting, its range and the value used. */
  problems: string[];
  /** Personal-only settings a workspace or folder tried to set (their values were ignored). */
  ignoredWorkspaceSettings: string[];
}

/** The part of WorkspaceConfiguration the reader uses. */
export type SettingsSource = Pick<WorkspaceConfiguration, 'get' | 'inspect'>;

/**
 * Settings that decide where the appSecret and tokens are sent, or which policy governs agents. A cloned
 * repository's `.vscode/settings.json` must not choose them: package.json declares them application-scoped,
 * and this reader also ignores workspace and folder values, so an editor that does not enforce the scope
 * cannot be redirected either.
 */
export const PERSONAL_ONLY_SETTINGS = ['apiBaseUrl', 'legacyApiBaseUrl', 'tokenApi', 'mcp.policyFile'] as const;
type PersonalOnlySetting = (typeof PERSONAL_ONLY_SETTINGS)[number];

export function settingsFrom(config: SettingsSource): Settings {
  const problems: string[] = [];
  const number = (key: string, range: Omit<NumberRange, 'name'>) => {
    const { value, problem } = boundedNumber(config.get<unknown>(key), { ...range, name: `dingtalkToken.${key}` });
    if (problem) problems.push(problem);
    return value;
  };
  return {
    endpoints: endpointsWithDefaults({
      apiBaseUrl: personalValue<string>(config, 'apiBaseUrl'),
      legacyApiBaseUrl: personalValue<string>(config, 'legacyApiBaseUrl'),
      tokenApi: personalValue<'v1' | 'legacy'>(config, 'tokenApi'),
      requestTimeoutMs: number('requestTimeoutMs', REQUEST_TIMEOUT_MS),
    }),
    refreshMarginMs: number('refreshMarginSeconds', REFRESH_MARGIN_SECONDS) * 1000,
    autoRefresh: config.get<boolean>('autoRefresh', true),
    statusBarEnabled: config.get<boolean>('statusBar.enabled', true),
    warningMs: number('statusBar.warningSeconds', WARNING_SECONDS) * 1000,
    mcpEnabled: config.get<boolean>('mcp.enabled', true),
    policyFile: personalValue<string>(config, 'mcp.policyFile') || '.vscode/dingtalk-mcp-policy.json',
    problems,
    ignoredWorkspaceSettings: PERSONAL_ONLY_SETTINGS.filter((key) => {
      const values = config.inspect(key);
      return values?.workspaceValue !== undefined || values?.workspaceFolderValue !== undefined;
    }).map((key) => `dingtalkToken.${key}`),
  };
}

/** The person's own value (user settings), else the default; whatever the workspace or a folder says is ignored. */
function personalValue<T>(config: SettingsSource, key: PersonalOnlySetting): T | undefined {
  const values = config.inspect<T>(key);
  return values?.globalValue ?? values?.defaultValue;
}
