// Shared with the inspect view's script (src/webview/inspect.ts), which runs in a browser: no vscode or Node here.

type RelativeUnit = 'second' | 'minute' | 'hour';

/** Formats a value and unit, as Intl.RelativeTimeFormat#format does ("3 minutes ago", "in 1 hour"). */
export type FormatRelative = (value: number, unit: RelativeUnit) => string;

/** A time on the page that names itself relative to now: its moment (epoch ms) is in `data-at`. */
export interface RelativeTimeElement {
  readonly dataset: { at?: string };
  textContent: string | null;
}

/** `at` relative to `now` in the largest unit under which it is still at least one: seconds, minutes or hours. */
export function relativeTime(at: number, now: number, format: FormatRelative): string {
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 60) return format(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format(minutes, 'minute');
  return format(Math.round(minutes / 60), 'hour');
}

/**
 * Re-words every relative time against `now`, so "3 seconds ago" grows into "2 minutes ago" while the page stays
 * open. Only text that changed is written: the page is not re-laid out each second for nothing.
 */
export function refreshRelativeTimes(elements: Iterable<RelativeTimeElement>, now: number, format: FormatRelative): void {
  for (const element of elements) {
    const at = Number(element.dataset.at);
    if (!element.dataset.at || !Number.isFinite(at)) continue;
    const text = relativeTime(at, now, format);
    if (element.textContent !== text) element.textContent = text;
  }
}
