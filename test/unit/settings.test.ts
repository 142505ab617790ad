import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { settingsFrom, PERSONAL_ONLY_SETTINGS, type SettingsSource } from '../../src/extension/settings';
import { AUDIT_FILE_MEGABYTES, REFRESH_MARGIN_SECONDS, REQUEST_TIMEOUT_MS, WARNING_SECONDS } from '../../src/core/bounds';
import { DEFAULT_API_BASE_URL, DEFAULT_LEGACY_API_BASE_URL, DEFAULT_REQUEST_TIMEOUT_MS, endpointsWithDefaults } from '../../src/core/dingtalk/client';
import { DEFAULT_REFRESH_MARGIN_MS } from '../../src/core/tokens/refreshRules';

const root = path.join(__dirname, '../../..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof import('../../package.json');
const properties = packageJson.contributes.configuration.properties as Record<
  string,
  { default?: unknown; scope?: string; minimum?: number; maximum?: number }
>;

type Layer = Record<string, unknown>;

/** A WorkspaceConfiguration as VS Code builds it: defaults from package.json, then user, workspace and folder values. */
function fakeConfiguration(layers: { defaults?: Layer; user?: Layer; workspace?: Layer; folder?: Layer }): SettingsSource {
  const declared = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key.replace(/^dingtalkToken\./, ''), value.default]));
  const defaults = { ...declared, ...layers.defaults };
  const effective = (key: string) => layers.folder?.[key] ?? layers.workspace?.[key] ?? layers.user?.[key] ?? defaults[key];
  return {
    get: (key: string, fallback?: unknown) => effective(key) ?? fallback,
    inspect: ((key: string) => ({
      key: `dingtalkToken.${key}`,
      defaultValue: defaults[key],
      globalValue: layers.user?.[key],
      workspaceValue: layers.workspace?.[key],
      workspaceFolderValue: layers.folder?.[key],
    })) as SettingsSource['inspect'],
  };
}

const hostile: Layer = {
  apiBaseUrl: 'https://attacker.example',
  legacyApiBaseUrl: 'https://attacker.example/oapi',
  tokenApi: 'legacy',
  'mcp.policyFile': 'allow-everything.json',
  'mcp.counterStore': 'redis://attacker.example:6379/0',
  'mcp.shadowPolicyFile': '/tmp/shadow.json',
  'mcp.auditFile': '/tmp/audit.jsonl',
  'mcp.auditFileMaxMegabytes': 1,
  'terminal.environment': true,
};

test('a workspace or folder cannot redirect the appSecret or swap the policy file', () => {
  for (const layers of [{ workspace: hostile }, { folder: hostile }]) {
    const settings = settingsFrom(fakeConfiguration(layers));
    assert.equal(settings.endpoints.apiBaseUrl, 'https://api.dingtalk.com');
    assert.equal(settings.endpoints.legacyApiBaseUrl, 'https://oapi.dingtalk.com');
    assert.equal(settings.endpoints.tokenApi, 'v1');
    assert.equal(settings.policyFile, '.vscode/dingtalk-mcp-policy.json');
    assert.equal(settings.counterStore, '', 'a workspace cannot move the counters to a Redis of its choosing');
    assert.equal(settings.terminalEnvironment, false, 'a workspace cannot put the token into its terminals');
    assert.deepEqual(
      settings.ignoredWorkspaceSettings,
      PERSONAL_ONLY_SETTINGS.map((key) => `dingtalkToken.${key}`),
      'the log can say what was ignored',
    );
  }
  assert.deepEqual(settingsFrom(fakeConfiguration({ user: hostile })).ignoredWorkspaceSettings, []);
});

test("for the API bases, the token API and the policy file, the person's own settings are used, whatever the workspace says", () => {
  const user = {
    apiBaseUrl: 'https://api.dingtalk.io',
    legacyApiBaseUrl: 'https://gw.example.com/oapi',
    tokenApi: 'legacy',
    'mcp.policyFile': '/home/me/policy.json',
    'terminal.environment': true,
  };
  const settings = settingsFrom(fakeConfiguration({ user, workspace: hostile, folder: hostile }));
  assert.equal(settings.endpoints.apiBaseUrl, 'https://api.dingtalk.io');
  assert.equal(settings.endpoints.legacyApiBaseUrl, 'https://gw.example.com/oapi');
  assert.equal(settings.endpoints.tokenApi, 'legacy');
  assert.equal(settings.policyFile, '/home/me/policy.json');
  assert.equal(settings.terminalEnvironment, true);
});

test('settings that route no secret and choose no policy still follow the workspace', () => {
  const settings = settingsFrom(fakeConfiguration({ user: { autoRefresh: true }, workspace: { autoRefresh: false, 'statusBar.warningSeconds': 60 } }));
  assert.equal(settings.autoRefresh, false);
  assert.equal(settings.warningMs, 60_000);
});

test('package.json makes the API bases, the token API and the policy file application-scoped and declares Restricted Mode', () => {
  for (const key of PERSONAL_ONLY_SETTINGS) {
    assert.equal(properties[`dingtalkToken.${key}`]?.scope, 'application', `dingtalkToken.${key} is application-scoped`);
  }
  const untrusted = packageJson.capabilities?.untrustedWorkspaces;
  assert.equal(untrusted?.supported, 'limited');
  assert.deepEqual([...untrusted.restrictedConfigurations].sort(), PERSONAL_ONLY_SETTINGS.map((key) => `dingtalkToken.${key}`).sort());
  const description = /^%(.+)%$/.exec(untrusted.description)?.[1];
  assert.ok(description, 'the description is localised');
  for (const file of ['package.nls.json', 'package.nls.zh-cn.json']) {
    const text = (JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, string>)[description];
    assert.ok(text !== undefined);
    for (const key of PERSONAL_ONLY_SETTINGS) assert.ok(text.includes(`dingtalkToken.${key}`), `${file} names dingtalkToken.${key}`);
  }
});

test('absurd numeric settings are clamped to their declared range, each named in a problem', () => {
  const settings = settingsFrom(fakeConfiguration({ user: { requestTimeoutMs: 3_000_000_000, refreshMarginSeconds: -1, 'statusBar.warningSeconds': 1e12 } }));
  assert.equal(settings.endpoints.requestTimeoutMs, 120_000);
  assert.equal(settings.refreshMarginMs, 0);
  assert.equal(settings.warningMs, 7200_000);
  assert.equal(settings.problems.length, 3);
  assert.match(settings.problems.join('\n'), /dingtalkToken\.requestTimeoutMs is 3000000000, outside the range 1000–120000 ms; using 120000/);
  assert.match(settings.problems.join('\n'), /dingtalkToken\.refreshMarginSeconds is -1, outside the range 0–3600 seconds; using 0/);
  for (const key of ['requestTimeoutMs', 'refreshMarginSeconds', 'statusBar.warningSeconds']) {
    const declared = properties[`dingtalkToken.${key}`] as { minimum?: number; maximum?: number };
    assert.ok(declared.minimum !== undefined && declared.maximum !== undefined, `package.json declares the range of ${key}`);
  }
  assert.deepEqual(settingsFrom(fakeConfiguration({})).problems, []);
});

test("defaults are package.json's: a default changed there is the one used, with nothing repeated in the reader", () => {
  const defaults = {
    autoRefresh: false,
    'statusBar.enabled': false,
    'mcp.enabled': false,
    'mcp.policyFile': 'team-policy.json',
    refreshMarginSeconds: 120,
    apiBaseUrl: 'https://api.dingtalk.io',
  };
  const settings = settingsFrom(fakeConfiguration({ defaults, user: { 'mcp.policyFile': '', refreshMarginSeconds: 'soon' } }));
  assert.equal(settings.autoRefresh, false);
  assert.equal(settings.statusBarEnabled, false);
  assert.equal(settings.mcpEnabled, false);
  assert.equal(settings.policyFile, 'team-policy.json', 'an empty policy file setting means the default');
  assert.equal(settings.refreshMarginMs, 120_000, 'a number that is not one falls back to the declared default');
  assert.equal(settings.endpoints.apiBaseUrl, 'https://api.dingtalk.io');
});

test('a setting of the wrong type is read as its default, and the problem names it', () => {
  const settings = settingsFrom(fakeConfiguration({ user: { autoRefresh: 'no', 'mcp.enabled': 0, apiBaseUrl: 42, 'mcp.policyFile': { path: 'x' } } }));
  assert.equal(settings.autoRefresh, true);
  assert.equal(settings.mcpEnabled, true);
  assert.equal(settings.endpoints.apiBaseUrl, 'https://api.dingtalk.com');
  assert.equal(settings.policyFile, '.vscode/dingtalk-mcp-policy.json');
  assert.deepEqual(settings.problems, [
    'dingtalkToken.apiBaseUrl is 42, not a string; using the default "https://api.dingtalk.com".',
    'dingtalkToken.autoRefresh is "no", not a boolean; using the default true.',
    'dingtalkToken.mcp.enabled is 0, not a boolean; using the default true.',
    'dingtalkToken.mcp.policyFile is {"path":"x"}, not a string; using the default ".vscode/dingtalk-mcp-policy.json".',
  ]);
});

test('every setting declares its default in package.json, and the numeric ones match the ranges the CLI enforces', () => {
  for (const [key, property] of Object.entries(properties)) assert.notEqual(property.default, undefined, `${key} declares a default`);
  const ranges = { requestTimeoutMs: REQUEST_TIMEOUT_MS, refreshMarginSeconds: REFRESH_MARGIN_SECONDS, 'statusBar.warningSeconds': WARNING_SECONDS };
  for (const [key, range] of Object.entries(ranges)) {
    const declared = properties[`dingtalkToken.${key}`];
    assert.ok(declared);
    assert.deepEqual([declared.default, declared.minimum, declared.maximum], [range.fallback, range.min, range.max], key);
  }
});

test("the extension words setting problems itself (in the person's language): out of range, not a number, wrong type", () => {
  const words = {
    notANumber: (setting: string, shown: string, range: { min: number; max: number; unit: string }, fallback: number) =>
      `${setting}：${shown} 不是 ${range.min}–${range.max} ${range.unit} 内的数字；使用默认值 ${fallback}`,
    outOfRange: (setting: string, given: number, range: { min: number; max: number }, used: number) =>
      `${setting}：${given} 超出 ${range.min}–${range.max}；使用 ${used}`,
    wrongType: (setting: string, shown: string, type: string, fallback: string) => `${setting}：${shown} 不是 ${type}；使用默认值 ${fallback}`,
  };
  const settings = settingsFrom(fakeConfiguration({ user: { requestTimeoutMs: 3_000_000_000, refreshMarginSeconds: 'soon', autoRefresh: 'no' } }), words);
  assert.deepEqual(settings.problems.sort(), [
    'dingtalkToken.autoRefresh："no" 不是 boolean；使用默认值 true',
    'dingtalkToken.refreshMarginSeconds："soon" 不是 0–3600 seconds 内的数字；使用默认值 300',
    'dingtalkToken.requestTimeoutMs：3000000000 超出 1000–120000；使用 120000',
  ]);
});

/**
 * The fallbacks that must stay outside package.json (the CLI and the core have no VS Code to apply its
 * defaults), each for the setting it stands in for. `null`: the setting has none; only VS Code's default applies.
 */
const CODE_FALLBACKS: Record<string, unknown[] | null> = {
  apiBaseUrl: [DEFAULT_API_BASE_URL, endpointsWithDefaults().apiBaseUrl],
  legacyApiBaseUrl: [DEFAULT_LEGACY_API_BASE_URL, endpointsWithDefaults().legacyApiBaseUrl],
  tokenApi: [endpointsWithDefaults().tokenApi],
  requestTimeoutMs: [DEFAULT_REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS.fallback, endpointsWithDefaults().requestTimeoutMs],
  refreshMarginSeconds: [REFRESH_MARGIN_SECONDS.fallback, DEFAULT_REFRESH_MARGIN_MS / 1000],
  'statusBar.warningSeconds': [WARNING_SECONDS.fallback],
  autoRefresh: null,
  'statusBar.enabled': null,
  'mcp.enabled': null,
  'mcp.policyFile': null,
  'mcp.counterStore': null,
  'mcp.shadowPolicyFile': null,
  'mcp.auditFile': null,
  'mcp.auditFileMaxMegabytes': [AUDIT_FILE_MEGABYTES.fallback],
  'terminal.environment': null,
  'secretScan.enabled': null,
  'secretScan.ignore': null,
};

test("for every setting, package.json's default and every fallback in the code agree", () => {
  assert.deepEqual(
    Object.keys(CODE_FALLBACKS).sort(),
    Object.keys(properties)
      .map((key) => key.replace(/^dingtalkToken\./, ''))
      .sort(),
    'each setting is listed',
  );
  for (const [key, fallbacks] of Object.entries(CODE_FALLBACKS)) {
    const declared = properties[`dingtalkToken.${key}`]?.default;
    for (const fallback of fallbacks ?? []) assert.equal(fallback, declared, key);
  }
  // With nothing set by the person, the reader gives exactly what package.json declares.
  const read = settingsFrom(fakeConfiguration({}));
  assert.deepEqual(
    [
      read.endpoints.apiBaseUrl,
      read.endpoints.legacyApiBaseUrl,
      read.endpoints.tokenApi,
      read.endpoints.requestTimeoutMs,
      read.refreshMarginMs / 1000,
      read.warningMs / 1000,
      read.autoRefresh,
      read.statusBarEnabled,
      read.mcpEnabled,
      read.policyFile,
      read.terminalEnvironment,
      read.secretScan.enabled,
      read.secretScan.ignore,
    ],
    [
      'apiBaseUrl',
      'legacyApiBaseUrl',
      'tokenApi',
      'requestTimeoutMs',
      'refreshMarginSeconds',
      'statusBar.warningSeconds',
      'autoRefresh',
      'statusBar.enabled',
      'mcp.enabled',
      'mcp.policyFile',
      'terminal.environment',
      'secretScan.enabled',
      'secretScan.ignore',
    ].map((key) => properties[`dingtalkToken.${key}`]?.default),
  );
});

test('a base URL with "?" or "#" is refused with a clear problem and the default is used, instead of a 404 read as wrong credentials', () => {
  const settings = settingsFrom(
    fakeConfiguration({ user: { apiBaseUrl: 'https://gw.example.com/dingtalk?tenant=1', legacyApiBaseUrl: 'https://oapi.example.com/#/' } }),
  );
  assert.equal(settings.endpoints.apiBaseUrl, DEFAULT_API_BASE_URL);
  assert.equal(settings.endpoints.legacyApiBaseUrl, DEFAULT_LEGACY_API_BASE_URL);
  assert.equal(settings.problems.length, 2, settings.problems.join('\n'));
  assert.match(settings.problems[0] ?? '', /^dingtalkToken\.apiBaseUrl must not contain "\?" or "#"/);
  assert.match(settings.problems[1] ?? '', /^dingtalkToken\.legacyApiBaseUrl must not contain "\?" or "#"/);
  // The settings editor checks the same before anything is saved.
  for (const key of ['dingtalkToken.apiBaseUrl', 'dingtalkToken.legacyApiBaseUrl']) {
    const pattern = new RegExp((properties[key] as { pattern?: string }).pattern ?? '');
    assert.ok(!pattern.test('https://gw.example.com/dingtalk?tenant=1') && !pattern.test('https://oapi.example.com/#/'), key);
    assert.ok(pattern.test('https://api.dingtalk.com') && pattern.test('http://127.0.0.1:8080/dingtalk-api'), key);
  }
});
