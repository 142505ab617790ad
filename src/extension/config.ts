import * as l10n from '@vscode/l10n';
import { SECTION, settingsFrom, type SettingProblemWords, type Settings } from './settings';
import type { NumberRange } from '../core/bounds';
import type { WorkspaceApis } from './apis/workspace.apis';

export { SECTION, type Settings } from './settings';

/** The settings in force, with each out-of-range or mistyped value replaced and worded for the log. */
export function readSettings(workspace: Pick<WorkspaceApis, 'configuration'>): Settings {
  return settingsFrom(workspace.configuration(SECTION), PROBLEM_WORDS);
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
