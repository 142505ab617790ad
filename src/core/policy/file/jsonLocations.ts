/**
 * Where each part of a JSON policy is, by line: the Problems panel puts an error at the line of the thing
 * it names (`tools.x.rules[0]` → the line of `"x"`'s rules' first item). Run only on text JSON.parse
 * accepted. Paths deeper than any policy goes are not indexed, so hostile nesting costs no stack.
 */

const MAX_INDEXED_DEPTH = 16;

export type LineOf = (path: readonly PropertyKey[]) => number | undefined;

/** Character offsets [start, end) in the text. */
export type Span = [start: number, end: number];

export interface JsonSpans {
  /** Where the value at a path is (a string with its quotes, an object from { to }). */
  value(path: readonly PropertyKey[]): Span | undefined;
  /** Where the key naming the value at a path is, with its quotes. */
  key(path: readonly PropertyKey[]): Span | undefined;
}

export function jsonLineOf(text: string): LineOf {
  return indexJson(text).lineOf;
}

/** Where each value and key of a JSON file is, for squiggles under exactly the part a problem names. */
export function jsonSpans(text: string): JsonSpans {
  const { values, keys, key } = indexJson(text);
  return { value: (path) => values.get(key(path)), key: (path) => keys.get(key(path)) };
}

function indexJson(text: string): { lineOf: LineOf; values: Map<string, Span>; keys: Map<string, Span>; key: (path: readonly PropertyKey[]) => string } {
  const offsets = new Map<string, number>();
  const values = new Map<string, Span>();
  const keys = new Map<string, Span>();
  const key = (path: readonly PropertyKey[]) => JSON.stringify(path.map((part) => (typeof part === 'number' ? part : String(part))));
  let i = 0;
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  /** Skips a value without indexing it, iteratively (any depth). */
  const skip = () => {
    let depth = 0;
    do {
      const c = text[i];
      if (c === '"') string();
      else {
        if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') depth--;
        i++;
      }
    } while (depth > 0 && i < text.length);
  };
  const value = (path: (string | number)[]): void => {
    space();
    if (!offsets.has(key(path))) offsets.set(key(path), i);
    const start = i;
    valueAt(path);
    values.set(key(path), [start, i]);
  };
  const valueAt = (path: (string | number)[]): void => {
    const c = text[i];
    if ((c === '{' || c === '[') && path.length >= MAX_INDEXED_DEPTH) return skip();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      for (let index = 0; text[i] !== close && i < text.length; index++) {
        space();
        if (c === '{') {
          const at = i;
          const name = string();
          offsets.set(key([...path, name]), at);
          keys.set(key([...path, name]), [at, i]);
          space();
          i++; // the colon
          value([...path, name]);
        } else {
          value([...path, index]);
        }
        space();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (c === '"') {
      string();
    } else {
      while (i < text.length && !',]} \n\r\t'.includes(text.charAt(i))) i++;
    }
  };
  value([]);
  const lineAt = lineFinder(text);
  const lineOf: LineOf = (path) => {
    for (let length = path.length; length >= 0; length--) {
      const offset = offsets.get(key(path.slice(0, length)));
      if (offset !== undefined) return lineAt(offset);
    }
    return undefined;
  };
  return { lineOf, values, keys, key };
}

/** The 1-based line of a character offset, by binary search over where lines start (a file can hold a hundred problems). */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return (offset) => {
    let [low, high] = [0, starts.length - 1];
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}
