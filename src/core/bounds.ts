/**
 * Numbers from settings and environment variables, checked against the range the product supports. A value
 * out of range is clamped to the nearest end; one that is not a number falls back to the default. Either way
 * `problem` names the setting, the value and the range, for the log or a notification.
 */
export interface NumberRange {
  /** What the person set, e.g. `DINGTALK_REQUEST_TIMEOUT_MS` or `dingtalkToken.requestTimeoutMs`. */
  name: string;
  min: number;
  max: number;
  fallback: number;
  /** Shown after the numbers, e.g. `ms` or `seconds`. */
  unit: string;
}

export interface BoundedNumber {
  value: number;
  problem?: string;
  /** What was wrong, for a caller that words the problem in the person's language (the extension). */
  issue?: { kind: 'notANumber'; shown: string } | { kind: 'outOfRange'; given: number };
}

/** The ranges both the extension and the CLI enforce (package.json declares the same). */
export const REQUEST_TIMEOUT_MS = { min: 1000, max: 120_000, fallback: 10_000, unit: 'ms' } as const;
export const REFRESH_MARGIN_SECONDS = { min: 0, max: 3600, fallback: 300, unit: 'seconds' } as const;
export const WARNING_SECONDS = { min: 0, max: 7200, fallback: 300, unit: 'seconds' } as const;
/** The audit file's size before it is rotated (one previous file kept). */
export const AUDIT_FILE_MEGABYTES = { min: 1, max: 1024, fallback: 10, unit: 'MB' } as const;

export function boundedNumber(raw: unknown, range: NumberRange): BoundedNumber {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return { value: range.fallback };
  const number = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  const span = `${range.min}–${range.max} ${range.unit}`;
  if (!Number.isFinite(number)) {
    const text = JSON.stringify(shown(raw)).slice(0, 80);
    return {
      value: range.fallback,
      problem: `${range.name} is ${text}, not a number in the range ${span}; using the default ${range.fallback}.`,
      issue: { kind: 'notANumber', shown: text },
    };
  }
  if (number < range.min || number > range.max) {
    const value = Math.min(range.max, Math.max(range.min, number));
    return { value, problem: `${range.name} is ${number}, outside the range ${span}; using ${value}.`, issue: { kind: 'outOfRange', given: number } };
  }
  return { value: number };
}

/** What was set, as text: an object as its JSON, never "[object Object]". */
function shown(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  try {
    return JSON.stringify(raw) ?? typeof raw;
  } catch {
    return typeof raw;
  }
}
