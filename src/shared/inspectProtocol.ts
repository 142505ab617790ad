// What the inspect view's host (src/extension/inspect/panel.ts) and its script (src/webview/inspect.ts) say to each
// other. Types only: both programs compile this file, the extension's under Node and the script's under the DOM.
import type { AuditEvent } from '../core/audit';
import type { DingTalkErrorKind } from '../core/dingtalk/errors';

type TokenStateName = 'empty' | 'fetching' | 'valid' | 'expired' | 'failing';

/** One token fetch as the table of recent fetches shows it. */
interface FetchRow {
  at: number;
  trigger: 'cold' | 'ahead' | 'timer' | 'forced' | 'rejected';
  outcome: 'ok' | 'error' | 'shared';
  latencyMs: number;
  errorKind?: DingTalkErrorKind;
}

/** One MCP tool call as the table of recent calls shows it. */
type ToolCallRow = Pick<AuditEvent, 'time' | 'tool' | 'app' | 'decision' | 'rule' | 'durationMs'>;

/** Everything the view shows, posted whenever it changes; `app` null means the empty state. */
export interface InspectState {
  type: 'state';
  app: { appKey: string; label: string } | null;
  apps: readonly { appKey: string; label: string }[];
  refreshAt: number | null;
  autoRefresh: boolean;
  state: TokenStateName;
  refreshing: boolean;
  maskedToken: string | null;
  obtainedAt: number | null;
  expiresAt: number | null;
  source: 'network' | 'cache' | 'shared' | null;
  lastRefreshAt: number | null;
  /** Already in the person's language. */
  lastError: string | null;
  nextAttemptAt: number | null;
  fetches: readonly FetchRow[];
  toolCalls: readonly ToolCallRow[];
}

/** Host → script. */
export type ToWebview = InspectState | { type: 'revealed'; token: string };

/** Script → host; the host ignores anything else. */
export type FromWebview = { type: 'ready' | 'reveal' | 'copy' | 'refresh' | 'setCredentials' } | { type: 'show'; appKey: unknown };

/** The view's words in the person's language, embedded in the page as JSON (the script has no l10n of its own). */
export interface Words {
  source: Record<'network' | 'cache' | 'shared', string>;
  state: Record<TokenStateName, string>;
  outcome: Record<FetchRow['outcome'], string>;
  trigger: Record<FetchRow['trigger'], string>;
  decision: Record<ToolCallRow['decision'], string>;
  timeline: Record<'obtained' | 'refresh' | 'autoRefresh' | 'expires' | 'now', string>;
  /** Why a fetch failed, in a word or two (beside "error" in the table of recent fetches). */
  errorKind: Record<DingTalkErrorKind, string>;
  expiredNow: string;
  none: string;
  /** `{0}` a number of milliseconds ("120 ms", "120 毫秒"). */
  milliseconds: string;
  /** `{0}` an outcome, `{1}` why: the brackets are the language's own. */
  outcomeBecause: string;
  hide: string;
}
