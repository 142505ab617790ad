import * as l10n from '@vscode/l10n';
import { statusBarView, type Severity, type StatusWords } from '../statusBar/model';
import { describeError } from '../wording/messages';
import { codeSpan, escapeMarkdown } from '../wording/markdown';
import { formatCountdown } from '../../shared/countdown';
import type { AppInfo } from '../../core/apps';
import type { TokenStatus } from '../../core/tokens';
import type { Services } from '../services';

const HOUR_MS = 3_600_000;

/** What an app row of the DingTalk view shows; plain data, so the view can tell when a row needs drawing again. */
export interface AppRow {
  readonly appKey: string;
  readonly label: string;
  /** The countdown (or a state word), "active", the appKey: a narrow sidebar cuts it from the end. */
  readonly description: string;
  readonly ariaLabel: string;
  readonly icon: 'busy' | 'error' | 'warning' | 'valid' | 'idle';
  readonly active: boolean;
  /** Markdown (theme icons on). Holds no ticking countdown, so it stays the same while the person reads it. */
  readonly tooltip: string;
}

/** What the rows are drawn from, besides the services. */
export interface RowWords {
  status: StatusWords;
  /** A moment as the tooltip shows it, in the person's language. */
  formatTime(ms: number): string;
}

/**
 * The app rows and when they change. A row is drawn again only when something it shows changed: its countdown
 * moves each second under an hour left and each minute above, so VS Code does not re-render (and drop the
 * hover of) a row that looks the same.
 */
export class AppRows {
  /** The row last handed out per app: the same object is handed out again while nothing visible changed. */
  private readonly shown = new Map<string, AppRow>();

  constructor(
    private readonly services: Services,
    private readonly words: () => RowWords,
  ) {}

  /** The row to draw for the app now, or undefined when it is no longer set up. */
  row(appKey: string): AppRow | undefined {
    const app = this.services.credentials.list().find((candidate) => candidate.appKey === appKey);
    if (!app) {
      this.shown.delete(appKey);
      return undefined;
    }
    const fresh = this.compute(app);
    const last = this.shown.get(appKey);
    if (last && sameRow(last, fresh)) return last;
    this.shown.set(appKey, fresh);
    return fresh;
  }

  /** The apps whose row, as last drawn, no longer matches what it would show now (the clock moved). */
  stale(): string[] {
    const apps = this.services.credentials.list();
    return [...this.shown.entries()]
      .filter(([appKey, last]) => {
        const app = apps.find((candidate) => candidate.appKey === appKey);
        return !app || !sameRow(last, this.compute(app));
      })
      .map(([appKey]) => appKey);
  }

  private compute(app: AppInfo): AppRow {
    const { services } = this;
    const words = this.words();
    const active = services.credentials.activeAppKey() === app.appKey;
    const status = services.tokens.status(app.appKey);
    const now = services.clock.now();
    const view = statusBarView(app.label, status, now, services.settings().warningMs, words.status);
    const left = status.state === 'valid' && status.expiresAt !== undefined ? timeLeft(status.expiresAt - now) : undefined;
    const detail = left ?? view.detail;
    const activeWord = l10n.t('active');
    const ariaLabel =
      left === undefined ? view.ariaLabel : words.status.ariaValid.replace(/\{(\d)\}/g, (_, index: string) => (index === '0' ? app.label : left));
    return {
      appKey: app.appKey,
      label: app.label,
      description: [detail, active ? activeWord : undefined, app.appKey].filter(Boolean).join(' · '),
      ariaLabel: active ? `${ariaLabel}, ${activeWord}` : ariaLabel,
      icon: rowIcon(view.severity, status),
      active,
      tooltip: this.tooltip(app, active, status, view.ariaLabel, words),
    };
  }

  private tooltip(app: AppInfo, active: boolean, status: TokenStatus, stateLine: string, words: RowWords): string {
    const heading = `**${escapeMarkdown(app.label)}** ${codeSpan(app.appKey)}${active ? ` · ${escapeMarkdown(l10n.t('active'))}` : ''}`;
    const state = status.state === 'valid' && status.expiresAt !== undefined ? l10n.t('Expires at {0}', words.formatTime(status.expiresAt)) : stateLine;
    const lines = [heading, escapeMarkdown(state)];
    if (status.lastError) lines.push(`$(warning) ${escapeMarkdown(describeError(status.lastError, this.services.redactor))}`);
    return lines.join('\n\n');
  }
}

/** The countdown as the row shows it: `MM:SS` under an hour, hours and whole minutes above (it moves each minute). */
export function timeLeft(remainingMs: number): string {
  if (remainingMs < HOUR_MS) return formatCountdown(remainingMs);
  const minutes = Math.floor(remainingMs / 60_000);
  return l10n.t('{0} h {1} min', Math.floor(minutes / 60), minutes % 60);
}

function rowIcon(severity: Severity, status: TokenStatus): AppRow['icon'] {
  if (status.state === 'fetching' || status.refreshing) return 'busy';
  if (severity === 'error') return 'error';
  if (severity === 'warning') return 'warning';
  return status.state === 'valid' ? 'valid' : 'idle';
}

function sameRow(a: AppRow, b: AppRow): boolean {
  return (
    a.label === b.label &&
    a.description === b.description &&
    a.ariaLabel === b.ariaLabel &&
    a.icon === b.icon &&
    a.active === b.active &&
    a.tooltip === b.tooltip
  );
}
