import { WINDOWS, type Window } from './ruleSchema';

/**
 * Which counter a charge, a condition or a saved snapshot entry means. Every spelling of a counter's identity
 * lives here: the key Counters keeps it under, the key a condition finds it by (`state.<tool>.<counter>`),
 * and the key a counter store keeps it under (with its window's start), which must read back to the same counter.
 */

export interface CounterId {
  /** Whose counter: `tools.<name>` or `all_tools` for limits, `state:<tool>` (or `state:_global`) for rule counters. */
  owner: string;
  counter: string;
  window: Window;
  /** Grant counters are shared by every session; session counters belong to one. */
  scope: { grant: true } | { session: string };
}

/** A limit's counter: one per tool (or all_tools), counter name, window and scope; session ones per session. */
export function limitCounter(limit: { target: string; counter: string; window: Window; scope: 'grant' | 'session' }, sessionId: string): CounterId {
  return { owner: limit.target, counter: limit.counter, window: limit.window, scope: limit.scope === 'grant' ? { grant: true } : { session: sessionId } };
}

/** A rule's state counter: global to the server, as Intercept's are, and apart from the limits' `tools.<tool>`. */
export function ruleCounter(scope: string, counter: string, window: Window): CounterId {
  return { owner: `state:${scope}`, counter, window, scope: { grant: true } };
}

const scopeText = (id: CounterId) => ('grant' in id.scope ? 'grant' : `session:${id.scope.session}`);

/**
 * Where Counters keeps it. It names the counter, not the rule: a reload that keeps owner, counter, window
 * and scope keeps its count, even if the limit changed.
 */
export function counterKey(id: CounterId): string {
  let key = keys.get(id);
  if (key === undefined) {
    key = JSON.stringify([id.owner, id.counter, id.window, scopeText(id)]);
    keys.set(id, key);
  }
  return key;
}

/** Rule counters' ids live as long as their compiled policy and are looked up several times per call. */
const keys = new WeakMap<CounterId, string>();

/** How a condition names a rule counter (`state.<scope>.<counter>`), to find the one a rule defines. */
export function referenceKey(scope: string, counter: string): string {
  return JSON.stringify([scope, counter]);
}

/** The slot a counter's count is stored under (counter stores): its identity and the start of the window it belongs to. */
export function storedKey(id: CounterId, windowStart: number): string {
  const last = storedKeys.get(id);
  if (last?.windowStart === windowStart) return last.key;
  const key = JSON.stringify([id.owner, id.counter, id.window, scopeText(id), windowStart]);
  storedKeys.set(id, { windowStart, key });
  return key;
}

/** Each counter's key in its current window: a call reads and reserves the same slots. */
const storedKeys = new WeakMap<CounterId, { windowStart: number; key: string }>();

/** A stored key read back; anything that is not one (hand-edited, another version's) is undefined. */
export function parseStoredKey(text: string): { id: CounterId; windowStart: number } | undefined {
  let parts: unknown;
  try {
    parts = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 5) return undefined;
  const [owner, counter, window, scope, windowStart] = parts as unknown[];
  if (typeof owner !== 'string' || typeof counter !== 'string' || typeof scope !== 'string') return undefined;
  if (!(WINDOWS as readonly unknown[]).includes(window) || typeof windowStart !== 'number' || !Number.isSafeInteger(windowStart)) return undefined;
  const session = /^session:(.+)$/.exec(scope)?.[1];
  if (scope !== 'grant' && session === undefined) return undefined;
  return { id: { owner, counter, window: window as Window, scope: session === undefined ? { grant: true } : { session } }, windowStart };
}
