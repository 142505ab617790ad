import type { TokenStatus } from '../../core/tokens';
import { formatCountdown } from '../../shared/countdown';

export type Severity = 'normal' | 'warning' | 'error';

/** Words the view needs, already localised by the caller (keeps this module free of `vscode`). */
export interface StatusWords {
  setUp: string;
  expired: string;
  failing: string;
  noToken: string;
  /** `{0}` label, `{1}` time left */
  ariaValid: string;
  /** `{0}` label */
  ariaFetching: string;
  ariaExpired: string;
  ariaFailing: string;
  ariaNoToken: string;
}

export interface StatusBarView {
  text: string;
  /** The text after the label: the countdown or a state word (empty while fetching). */
  detail: string;
  severity: Severity;
  ariaLabel: string;
  /** Whether the text changes every second, so the tick should run. */
  counting: boolean;
}

/** What the status bar item shows for an app's token state at `now`. */
export function statusBarView(label: string | undefined, status: TokenStatus | undefined, now: number, warningMs: number, words: StatusWords): StatusBarView {
  if (label === undefined) {
    return { text: `$(key) ${words.setUp}`, detail: '', severity: 'normal', ariaLabel: words.setUp, counting: false };
  }
  const state = status?.state ?? 'empty';
  if (state === 'valid' && status?.expiresAt !== undefined) {
    const remaining = status.expiresAt - now;
    const countdown = formatCountdown(remaining);
    const icon = status.refreshing ? '$(sync~spin)' : '$(key)';
    // Amber means little time left (statusBar.warningSeconds). A failed refresh of a token with time left is the
    // tooltip's business: the timer tries again, and the colour would otherwise stay for the token's whole life.
    const severity: Severity = remaining <= warningMs ? 'warning' : 'normal';
    return { text: `${icon} ${label} ${countdown}`, detail: countdown, severity, ariaLabel: fill(words.ariaValid, label, countdown), counting: true };
  }
  switch (state) {
    case 'fetching':
      return { text: `$(sync~spin) ${label}`, detail: '', severity: 'normal', ariaLabel: fill(words.ariaFetching, label), counting: false };
    case 'expired':
      return { text: `$(key) ${label} ${words.expired}`, detail: words.expired, severity: 'error', ariaLabel: fill(words.ariaExpired, label), counting: false };
    case 'failing':
      return {
        text: `$(error) ${label} ${words.failing}`,
        detail: words.failing,
        severity: 'error',
        ariaLabel: fill(words.ariaFailing, label),
        counting: false,
      };
    default:
      return {
        text: `$(key) ${label} ${words.noToken}`,
        detail: words.noToken,
        severity: 'normal',
        ariaLabel: fill(words.ariaNoToken, label),
        counting: false,
      };
  }
}

function fill(template: string, ...values: string[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => values[Number(index)] ?? match);
}
