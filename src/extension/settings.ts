import type { WorkspaceConfiguration } from 'vscode';
import { AUDIT_FILE_MEGABYTES, boundedNumber, REFRESH_MARGIN_SECONDS, REQUEST_TIMEOUT_MS, WARNING_SECONDS, type NumberRange } from '../core/bounds';
import { baseUrlProblem, endpointsWithDefaults, type DingTalkEndpoints } from '../core/dingtalk';

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
  /** A second policy judged beside the one in force, never deciding ('' for none). */
  shadowPolicyFile: string;
  /** Where every audit event is appended as a JSON line ('' for nowhere), and the size it is rotated at. */
  auditFile: string;
  auditFileMaxBytes: number;
  /** Where the policy's counters live: '' for a file in the extension's global storage, or a redis:// URL. */
  counterStore: string;
  /** New integrated terminals get the active app's token (the person's own setting only). */
  terminalEnvironment: boolean;
  /** Warnings on DingTalk secrets in workspace files, and the kinds of secret not to warn about. */
  secretScan: { enabled: boolean; ignore: string[] };
  /** Settings out of range or of the wrong type, each naming the setting, what was wrong and the value used. */
  problems: string[];
  /** Personal-only settings a workspace or folder tried to set (their values were ignored). */
  ignoredWorkspaceSettings: string[];
}

/** The configuration section of every setting below. */
export const SECTION = 'dingtalkToken';

/** The part of WorkspaceConfiguration the reader uses. */
export type SettingsSource = Pick<WorkspaceConfiguration, 'get' | 'inspect'>;

/**
 * Settings that decide where the appSecret and tokens are sent, or which policy governs agents. A cloned
 * repository's `.vscode/settings.json` must not choose them: package.json declares them application-scoped,
 * and this reader also ignores workspace and folder values, so an editor that does not enforce the scope
 * cannot be redirected either.
 */
export const PERSONAL_ONLY_SETTINGS = [
  'apiBaseUrl',
  'legacyApiBaseUrl',
  'tokenApi',
  'mcp.policyFile',
  'mcp.counterStore',
  'mcp.shadowPolicyFile',
  'mcp.auditFile',
  'mcp.auditFileMaxMegabytes',
  'terminal.environment',
] as const;
type PersonalOnlySetting = Exclude<(typeof PERSONAL_ONLY_SETTINGS)[number], 'terminal.environment' | 'mcp.auditFileMaxMegabytes'>;

/** How a problem with a setting is worded: the extension passes its own, in the person's language (config.ts). */
export interface SettingProblemWords {
  notANumber(setting: string, shown: string, range: NumberRange, fallback: number): string;
  outOfRange(setting: string, given: number, range: NumberRange, used: number): string;
  wrongType(setting: string, shown: string, type: 'boolean' | 'string', fallback: string): string;
}

/** `words` left out: English problems (the core's wording for numbers). */
export function settingsFrom(config: SettingsSource, words?: SettingProblemWords): Settings {
  const problems: string[] = [];
  /** package.json's default: VS Code fills `defaultValue` from the contribution, so no default is repeated here. */
  const declared = (key: string): unknown => config.inspect(key)?.defaultValue;
  const number = (key: string, range: Omit<NumberRange, 'name'>, given: unknown = config.get<unknown>(key)) => {
    const fallback = declared(key);
    const bounds = { ...range, fallback: typeof fallback === 'number' ? fallback : range.fallback, name: settingName(key) };
    const { value, problem, issue } = boundedNumber(given, bounds);
    if (issue && words) {
      problems.push(
        issue.kind === 'notANumber'
          ? words.notANumber(bounds.name, issue.shown, bounds, bounds.fallback)
          : words.outOfRange(bounds.name, issue.given, bounds, value),
      );
    } else if (problem) {
      problems.push(problem);
    }
    return value;
  };
  /** The value if it has the setting's type, else the default, with a problem naming both. */
  const ofType = (key: string, type: 'boolean' | 'string', value: unknown): unknown => {
    if (value === undefined || typeof value === type) return value ?? declared(key);
    const [shown, fallback] = [JSON.stringify(value).slice(0, 80), JSON.stringify(declared(key))];
    problems.push(
      words?.wrongType(settingName(key), shown, type, fallback) ?? `${settingName(key)} is ${shown}, not a ${type}; using the default ${fallback}.`,
    );
    return declared(key);
  };
  // Should package.json ever lose a default: a switch reads as off, a string as empty (core has its own defaults).
  const boolean = (key: string) => ofType(key, 'boolean', config.get<unknown>(key)) === true;
  /** The person's own value (user settings), else the default; whatever the workspace or a folder says is ignored. */
  const personal = (key: PersonalOnlySetting): string => {
    const value = ofType(key, 'string', config.inspect(key)?.globalValue);
    const fallback = declared(key);
    return (typeof value === 'string' && value) || (typeof fallback === 'string' ? fallback : '');
  };
  /** A base URL DingTalk's paths can be appended to; anything else is a problem, and the default is used. */
  const baseUrl = (key: 'apiBaseUrl' | 'legacyApiBaseUrl'): string => {
    const value = personal(key);
    const problem = baseUrlProblem(settingName(key), value);
    if (!problem) return value;
    const fallback = declared(key);
    problems.push(`${problem} Using ${JSON.stringify(fallback)}.`);
    return typeof fallback === 'string' ? fallback : '';
  };
  /** A workspace must not hand the token to its own terminals: only the user's value turns this on. */
  const personalSwitch = (key: 'terminal.environment'): boolean => ofType(key, 'boolean', config.inspect(key)?.globalValue) === true;
  const personalNumber = (key: 'mcp.auditFileMaxMegabytes', range: Omit<NumberRange, 'name'>) => number(key, range, config.inspect(key)?.globalValue);
  const ignore = config.get<unknown>('secretScan.ignore');
  return {
    endpoints: endpointsWithDefaults({
      apiBaseUrl: baseUrl('apiBaseUrl'),
      legacyApiBaseUrl: baseUrl('legacyApiBaseUrl'),
      tokenApi: personal('tokenApi') === 'legacy' ? 'legacy' : 'v1',
      requestTimeoutMs: number('requestTimeoutMs', REQUEST_TIMEOUT_MS),
    }),
    refreshMarginMs: number('refreshMarginSeconds', REFRESH_MARGIN_SECONDS) * 1000,
    autoRefresh: boolean('autoRefresh'),
    statusBarEnabled: boolean('statusBar.enabled'),
    warningMs: number('statusBar.warningSeconds', WARNING_SECONDS) * 1000,
    mcpEnabled: boolean('mcp.enabled'),
    policyFile: personal('mcp.policyFile'),
    counterStore: personal('mcp.counterStore'),
    shadowPolicyFile: personal('mcp.shadowPolicyFile'),
    auditFile: personal('mcp.auditFile'),
    // Only the person's value: a workspace must not make the audit file rotate its records away.
    auditFileMaxBytes: personalNumber('mcp.auditFileMaxMegabytes', AUDIT_FILE_MEGABYTES) * 1024 * 1024,
    terminalEnvironment: personalSwitch('terminal.environment'),
    secretScan: {
      enabled: boolean('secretScan.enabled'),
      ignore: Array.isArray(ignore) ? ignore.filter((kind): kind is string => typeof kind === 'string').slice(0, 20) : [],
    },
    problems,
    ignoredWorkspaceSettings: PERSONAL_ONLY_SETTINGS.filter((key) => {
      const values = config.inspect(key);
      return values?.workspaceValue !== undefined || values?.workspaceFolderValue !== undefined;
    }).map(settingName),
  };
}

function settingName(key: string): string {
  return `${SECTION}.${key}`;
}
