/**
 * Sets of code points as sorted, disjoint ranges `[low0, high0, low1, high1, …]`, built when a pattern is
 * parsed: a membership test is a binary search (a class of 60 ranges costs 7 comparisons, not 60), and
 * its cost is known in advance, so the matcher can bound a pattern's work before it runs.
 */

export type CharSet = readonly number[];

export const MAX_CODE_POINT = 0x10ffff;

/** The set of the given inclusive ranges, in any order, overlapping or not. */
export function setOf(pairs: readonly (readonly [number, number])[]): CharSet {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [low, high] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && low <= last + 1) out[out.length - 1] = Math.max(last, high);
    else out.push(low, high);
  }
  return out;
}

export const union = (...sets: CharSet[]): CharSet => setOf(sets.flatMap(pairsOf));

export function negate(set: CharSet): CharSet {
  const out: number[] = [];
  let next = 0;
  // Ranges come in pairs, so i + 1 is in the set whenever i is.
  for (let i = 0; i < set.length; i += 2) {
    const low = set[i]!;
    if (low > next) out.push(next, low - 1);
    next = set[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

/** Whether `cp` is in the set: a binary search over the ranges. */
export function contains(set: CharSet, cp: number): boolean {
  let low = 0;
  let high = set.length / 2 - 1;
  while (low <= high) {
    // 0 <= middle < set.length / 2: both ends of its range are in the set.
    const middle = (low + high) >> 1;
    if (cp < set[2 * middle]!) high = middle - 1;
    else if (cp > set[2 * middle + 1]!) low = middle + 1;
    else return true;
  }
  return false;
}

/** The code point of a set that holds just one, else undefined. */
export function soleCodePoint(set: CharSet): number | undefined {
  const [low, high] = set;
  return set.length === 2 && low === high ? low : undefined;
}

/** The most comparisons `contains` makes on the set (the matcher's unit of cost for a class). */
export const testCost = (set: CharSet): number => Math.ceil(Math.log2(set.length / 2 + 1)) || 1;

/** The set with every code point's case variants added, as RE2's (?i) does (Unicode simple case folding: K k and the Kelvin sign K). */
export function caseFolded(set: CharSet): CharSet {
  const sole = soleCodePoint(set);
  if (sole !== undefined) return setOf((foldOrbits().get(sole) ?? [sole]).map((cp) => [cp, cp]));
  const added: [number, number][] = [];
  for (const [cp, orbit] of foldOrbits()) if (contains(set, cp)) for (const other of orbit) added.push([other, other]);
  return added.length === 0 ? set : union(set, setOf(added));
}

function pairsOf(set: CharSet): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < set.length; i += 2) pairs.push([set[i]!, set[i + 1]!]);
  return pairs;
}

let orbits: Map<number, number[]> | undefined;

/**
 * Each code point that has case variants, with all of them (its orbit), worked out once from the runtime's
 * Unicode data: variants are linked by the lower and upper case mappings, then kept only when a Unicode
 * case-insensitive RegExp agrees they fold together (so ı, which upper-cases to I, stays apart from i).
 */
function foldOrbits(): Map<number, number[]> {
  if (orbits) return orbits;
  const parent = new Map<number, number>();
  const root = (cp: number): number => {
    let at = cp;
    while (parent.has(at) && parent.get(at) !== at) at = parent.get(at)!;
    return at;
  };
  const link = (a: number, b: number) => {
    parent.set(a, parent.get(a) ?? a);
    parent.set(b, parent.get(b) ?? b);
    const [ra, rb] = [root(a), root(b)];
    if (ra !== rb) parent.set(ra, rb);
  };
  // Every cased script lies below U+20000.
  for (let cp = 0; cp < 0x20000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const char = String.fromCodePoint(cp);
    for (const mapped of [char.toLowerCase(), char.toUpperCase()]) {
      const other = mapped.codePointAt(0)!;
      if (mapped === char || String.fromCodePoint(other) !== mapped) continue;
      if (new RegExp(`^\\u{${cp.toString(16)}}$`, 'iu').test(mapped)) link(cp, other);
    }
  }
  const groups = new Map<number, number[]>();
  for (const cp of parent.keys()) {
    const group = groups.get(root(cp)) ?? [];
    group.push(cp);
    groups.set(root(cp), group);
  }
  orbits = new Map();
  for (const group of groups.values()) for (const cp of group) orbits.set(cp, group);
  return orbits;
}
