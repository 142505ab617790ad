/**
 * Counters count exactly: in millionths, as BigInt, so 0.7 + 0.1 is 0.8 and giving back 0.1 leaves nothing
 * behind, however large the sums grow. A number a policy compares a counter with is taken at its exact
 * decimal value (the shortest text that reads back as the same double), so `lt 10` means below 10, not 9.
 */

/** Decimal places a counted amount may have. */
export const COUNTED_DECIMALS = 6;
const SCALE = 10n ** BigInt(COUNTED_DECIMALS);

/** A double as an exact decimal: mantissa × 10^exponent. */
function decimalOf(value: number): { mantissa: bigint; exponent: number } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`not a finite number: ${value}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  return { mantissa: BigInt(`${sign}${whole}${fraction}`), exponent: Number(exponent) - fraction.length };
}

/** An amount in millionths; undefined when it is not finite or has more than COUNTED_DECIMALS decimal places. */
export function toUnits(value: number): bigint | undefined {
  if (!Number.isFinite(value)) return undefined;
  const { mantissa, exponent } = decimalOf(value);
  const shift = exponent + COUNTED_DECIMALS;
  if (shift >= 0) return mantissa * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  return mantissa % divisor === 0n ? mantissa / divisor : undefined;
}

/** One whole call, for limits that count calls. */
export const ONE = SCALE;
const ONE_NUMBER = Number(SCALE);
const MAX_SAFE_UNITS = BigInt(Number.MAX_SAFE_INTEGER);
/** The largest whole number whose millionths stay below 2^53. */
const MAX_EXACT_WHOLE = Math.floor(Number.MAX_SAFE_INTEGER / Number(SCALE));

/** The exact decimal text of a count in millionths ("0.8", "12", "1000000000000.000001"). */
export function unitsText(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const magnitude = units < 0n ? -units : units;
  const whole = magnitude / SCALE;
  const fraction = (magnitude % SCALE).toString().padStart(COUNTED_DECIMALS, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** unitsText of a count (never negative) read back; undefined for any other text. */
export function unitsFromText(text: string): bigint | undefined {
  const match = /^(\d{1,30})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) return undefined;
  const [, whole = '', fraction = ''] = match;
  return BigInt(whole) * SCALE + BigInt(fraction.padEnd(COUNTED_DECIMALS, '0'));
}

/** -1, 0 or 1 as a count in millionths is below, at or above a finite number, compared exactly. */
export function compareUnits(units: bigint, value: number): -1 | 0 | 1 {
  // Whole numbers of a sensible size compare exactly as doubles (both sides below 2^53): the common case, kept cheap.
  if (Number.isInteger(value) && Math.abs(value) <= MAX_EXACT_WHOLE && units <= MAX_SAFE_UNITS && units >= -MAX_SAFE_UNITS) {
    const left = Number(units);
    const right = value * ONE_NUMBER;
    return left < right ? -1 : left > right ? 1 : 0;
  }
  const { mantissa, exponent } = decimalOf(value);
  // Bring both to the smaller power of ten: units × 10^-6 against mantissa × 10^exponent.
  const common = Math.min(-COUNTED_DECIMALS, exponent);
  const left = units * 10n ** BigInt(-COUNTED_DECIMALS - common);
  const right = mantissa * 10n ** BigInt(exponent - common);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The largest count in millionths that stays within `value` (at most it when inclusive, below it otherwise), exactly. */
export function maxUnitsWithin(value: number, inclusive: boolean): bigint {
  const { mantissa, exponent } = decimalOf(value);
  const shift = exponent + COUNTED_DECIMALS;
  if (shift >= 0) {
    const exact = mantissa * 10n ** BigInt(shift);
    return inclusive ? exact : exact - 1n;
  }
  const divisor = 10n ** BigInt(-shift);
  // Floor division (BigInt division truncates towards zero).
  const floor = mantissa / divisor - (mantissa % divisor !== 0n && mantissa < 0n ? 1n : 0n);
  return mantissa % divisor === 0n && !inclusive ? floor - 1n : floor;
}
