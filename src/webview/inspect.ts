// The inspect view's script: renders state sent by the extension; asks for the raw token only on a click.
// Runs in the webview (DOM, no Node, no vscode module): bundled by esbuild into dist/webview/inspect.js and
// type-checked by src/webview/tsconfig.json.
import { formatCountdown } from '../shared/countdown';
import type { FromWebview, InspectState, ToWebview, Words } from '../shared/inspectProtocol';
import { refreshRelativeTimes, relativeTime, type FormatRelative } from '../shared/relativeTime';

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };

/** A table cell: plain text, or a moment shown relative to now (kept current by tick()) and exact on hover. */
type Cell = string | { at: number };

const vscode = acquireVsCodeApi();
const words = JSON.parse(document.getElementById('words')!.textContent) as Words;
const language = document.documentElement.lang || undefined;
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const relative = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
const formatRelative: FormatRelative = (value, unit) => relative.format(value, unit);
let state: InspectState | null = null;
let revealed: string | null = null;

const exact = (ms: number) => new Date(ms).toLocaleString(language);
const clock = (ms: number) => new Date(ms).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
/** "3 minutes ago", "in 1 hour": the exact time goes on hover. */
const ago = (ms: number) => relativeTime(ms, Date.now(), formatRelative);

/** A template of the page's words with its `{0}`, `{1}` filled in. */
const fillIn = (template: string, ...values: (string | number)[]) =>
  template.replace(/\{(\d)\}/g, (match, index: string) => String(values[Number(index)] ?? match));

/** A cell or definition showing a time relative to now, exact on hover. */
function setTime(element: HTMLElement, ms: number | null) {
  element.textContent = ms ? ago(ms) : '–';
  element.title = ms ? exact(ms) : '';
}

function row(cells: Cell[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    if (typeof cell === 'object') {
      td.textContent = ago(cell.at);
      td.title = exact(cell.at);
      td.dataset.at = String(cell.at);
    } else {
      td.textContent = cell;
    }
    tr.appendChild(td);
  }
  return tr;
}

function fill(tbodyId: string, rows: Cell[][]) {
  const body = byId(tbodyId);
  if (rows.length) return body.replaceChildren(...rows.map(row));
  const empty = row([words.none]);
  (empty.firstChild as HTMLTableCellElement).colSpan = body.closest('table')!.querySelectorAll('th').length;
  body.replaceChildren(empty);
}

/** obtained → refresh point → expiry on one track, with now and the next automatic refresh marked. */
function renderTimeline(shown: InspectState) {
  const { obtainedAt, expiresAt, refreshAt } = shown;
  byId('timeline').hidden = !(obtainedAt && expiresAt && expiresAt > obtainedAt);
  if (byId('timeline').hidden) return;
  const start = obtainedAt!;
  const span = expiresAt! - start;
  const at = (ms: number) => `${Math.min(100, Math.max(0, ((ms - start) / span) * 100))}%`;
  byId('elapsed').style.width = at(Date.now());
  byId('nowMarker').style.left = at(Date.now());
  byId('nowMarker').title = `${words.timeline.now}: ${exact(Date.now())}`;
  byId('refreshMarker').hidden = !refreshAt;
  if (refreshAt) byId('refreshMarker').style.left = at(refreshAt);
  const moments: [string, number][] = [
    [words.timeline.obtained, start],
    ...(refreshAt ? [[shown.autoRefresh ? words.timeline.autoRefresh : words.timeline.refresh, refreshAt] as [string, number]] : []),
    [words.timeline.expires, expiresAt!],
  ];
  byId('moments').replaceChildren(
    ...moments.map(([label, ms]) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = label;
      const when = document.createElement('time');
      when.textContent = `${clock(ms)} · ${ago(ms)}`;
      when.title = exact(ms);
      item.append(name, when);
      return item;
    }),
  );
}

function tick() {
  if (!state || !state.app) return;
  const left = state.expiresAt && state.state === 'valid' ? state.expiresAt - Date.now() : 0;
  byId('countdown').textContent = left > 0 ? formatCountdown(left) : state.state === 'expired' || state.expiresAt ? words.expiredNow : '–';
  // "until expiry" only beside a running countdown: never "expired until expiry".
  byId('countdownLabel').hidden = !(left > 0);
  renderTimeline(state);
  setTime(byId('lastRefreshAt'), state.lastRefreshAt);
  // The tables' times were worded when they were drawn: "3 seconds ago" must not stay that for minutes.
  refreshRelativeTimes(document.querySelectorAll<HTMLElement>('[data-at]'), Date.now(), formatRelative);
}

function renderSwitcher(shown: InspectState, app: { appKey: string }) {
  const select = byId<HTMLSelectElement>('switch');
  byId('switchLabel').hidden = shown.apps.length < 2;
  select.replaceChildren(
    ...shown.apps.map((each) => {
      const option = document.createElement('option');
      option.value = each.appKey;
      option.textContent = each.label;
      option.selected = each.appKey === app.appKey;
      return option;
    }),
  );
}

function render() {
  if (!state) return;
  const app = state.app;
  // No app (none set up, or the one shown was removed): the empty state, never a stale header.
  byId('empty').hidden = Boolean(app);
  byId('details').hidden = !app;
  if (!app) return;
  byId('app').textContent = `${app.label} · ${app.appKey}`;
  renderSwitcher(state, app);
  const badge = byId('state');
  badge.textContent = words.state[state.state] || state.state;
  badge.dataset.state = state.state;
  const reveal = byId<HTMLButtonElement>('reveal');
  byId('token').textContent = revealed || state.maskedToken || '–';
  if (!revealed) reveal.textContent = reveal.dataset.label ?? '';
  const hasToken = Boolean(state.maskedToken);
  reveal.disabled = !hasToken;
  byId<HTMLButtonElement>('copy').disabled = !hasToken;
  byId('source').textContent = state.source ? words.source[state.source] : '–';
  byId('lastError').textContent = state.lastError || '–';
  fill(
    'fetches',
    state.fetches.map((f) => [
      { at: f.at },
      words.trigger[f.trigger] || f.trigger,
      f.errorKind ? fillIn(words.outcomeBecause, words.outcome[f.outcome], words.errorKind[f.errorKind] || f.errorKind) : words.outcome[f.outcome],
      fillIn(words.milliseconds, f.latencyMs),
    ]),
  );
  fill(
    'toolCalls',
    state.toolCalls.map((c) => {
      const at = Date.parse(c.time);
      return [{ at }, c.tool, c.app || '–', words.decision[c.decision] || c.decision, c.rule, fillIn(words.milliseconds, c.durationMs)];
    }),
  );
  tick();
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  if (message.type === 'state') {
    // A new token, or another app, makes an earlier reveal stale.
    if (state && (state.maskedToken !== message.maskedToken || state.app?.appKey !== message.app?.appKey)) revealed = null;
    state = message;
    render();
  } else if (message.type === 'revealed') {
    revealed = message.token;
    byId('token').textContent = revealed;
    byId('reveal').textContent = words.hide;
  }
});

byId('reveal').addEventListener('click', () => {
  if (revealed) {
    revealed = null;
    byId('reveal').textContent = byId('reveal').dataset.label ?? '';
    render();
  } else {
    vscode.postMessage({ type: 'reveal' });
  }
});
byId('reveal').dataset.label = byId('reveal').textContent ?? '';
byId('copy').addEventListener('click', () => vscode.postMessage({ type: 'copy' }));
byId('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
byId('setUp').addEventListener('click', () => vscode.postMessage({ type: 'setCredentials' }));
byId('switch').addEventListener('change', (event) => vscode.postMessage({ type: 'show', appKey: (event.target as HTMLSelectElement).value }));
setInterval(tick, 1000);
vscode.postMessage({ type: 'ready' });
