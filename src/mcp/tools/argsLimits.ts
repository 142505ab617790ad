import { argsDigest } from '../../core/argsDigest';

/**
 * Bounds on a tool call's arguments, checked before the policy, the audit digest or DingTalk see them:
 * arguments nested thousands deep overflow the stack of anything recursive (JSON.stringify included), and
 * no DingTalk API takes megabytes of JSON.
 */
export const MAX_ARGS_DEPTH = 64;
export const MAX_ARGS_BYTES = 1024 * 1024;

/** Why the arguments are refused, in words an agent can act on; undefined when they are within bounds. */
export function argumentsProblem(args: unknown): string | undefined {
  if (depthExceeds(args, MAX_ARGS_DEPTH)) {
    return `Refused: the arguments are nested more than ${MAX_ARGS_DEPTH} levels deep; nothing was sent to DingTalk. Send a flatter body.`;
  }
  // Within the depth bound, stringify cannot overflow the stack.
  const bytes = Buffer.byteLength(JSON.stringify(args) ?? '');
  if (bytes > MAX_ARGS_BYTES) {
    return `Refused: the arguments take ${bytes} bytes as JSON, more than the limit of ${MAX_ARGS_BYTES}; nothing was sent to DingTalk.`;
  }
  return undefined;
}

/** The audit digest of any arguments: too-deep ones are cut at the depth bound first, so hashing cannot overflow. */
export function auditDigest(args: unknown): string {
  return argsDigest(depthExceeds(args, MAX_ARGS_DEPTH) ? cutAtDepth(args, MAX_ARGS_DEPTH) : args);
}

/** Iterative, so it is safe on any depth; stops at the first container past `max`. */
function depthExceeds(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/** A copy with containers below `depth` levels replaced by a marker; recursion bounded by `depth`. */
function cutAtDepth(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth === 0) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => cutAtDepth(item, depth - 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutAtDepth(item, depth - 1)]));
}
