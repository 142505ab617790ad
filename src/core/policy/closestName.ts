/**
 * "Did you mean …?" for names people type into configuration: the candidate closest to what was written,
 * ignoring case and treating `-`, spaces and `.` like `_`, when it is close enough to be a likely typo.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = normalise(name);
  // No tool name is this long; comparing would only cost time.
  if (wanted.length > MAX_NAME_LENGTH) return undefined;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalise(candidate));
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  // Up to a third of the name may be wrong (at least 2 characters); beyond that a suggestion would be a guess.
  return best && best.distance <= Math.max(2, Math.floor(wanted.length / 3)) ? best.candidate : undefined;
}

const MAX_NAME_LENGTH = 200;

function normalise(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-\s.]/g, '_');
}

/** Levenshtein distance, one row at a time (each row has right.length + 1 entries, hence the ! below). */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = previous[j - 1]! + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}
