import { hash } from 'node:crypto';

/** sha256 (hex) of the arguments as canonical JSON: object keys sorted, so equal arguments hash equally. */
export function argsDigest(args: unknown): string {
  // One-shot hash: every tool call pays for this, and a Hash object costs ~60x more for small inputs.
  return hash('sha256', canonicalJson(args), 'hex');
}

function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString();
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(record)
          .sort()
          .map((key) => [key, record[key]]),
      );
    }
    return item;
  });
  return text ?? 'null';
}
