import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { SECTION, settingsFrom, type SettingProblemWords, type Settings } from './settings';
import type { NumberRange } from '../core/bounds';

export { SECTION, type Settings } from './settings';

export function readSettings(): Settings {
  return settingsFrom(vscode.workspace.getConfiguration(SECTION), PROBLEM_WORDS);
}

/** Setting problems go to the log, which is read in the person's language. */
const PROBLEM_WORDS: SettingProblemWords = {
  notANumber: (setting, shown, range, fallback) =>
    l10n.t('{0} is {1}, not a number in the range {2}; using the default {3}.', setting, shown, span(range), fallback),
  outOfRange: (setting, given, range, used) => l10n.t('{0} is {1}, outside the range {2}; using {3}.', setting, given, span(range), used),
  wrongType: (setting, shown, type, fallback) =>
    type === 'boolean'
      ? l10n.t('{0} is {1}, not true or false; using the default {2}.', setting, shown, fallback)
      : l10n.t('{0} is {1}, not text; using the default {2}.', setting, shown, fallback),
};

function span(range: NumberRange): string {
  return range.unit === 'ms' ? l10n.t('{0}–{1} ms', range.min, range.max) : l10n.t('{0}–{1} seconds', range.min, range.max);
}

/** The policy file as a URI: absolute paths as they are, relative ones against the first workspace folder. */
export function policyFileUri(settings: Settings): vscode.Uri | undefined {
  if (settings.policyFile.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(settings.policyFile)) return vscode.Uri.file(settings.policyFile);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, settings.policyFile) : undefined;
}
