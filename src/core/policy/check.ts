import { unknownToolEntries } from './compile';
import { jsonSpans, type Span } from './file/jsonLocations';
import { parsePolicy } from './file/parse';
import { policyProblem, type PolicyProblem } from './problems';

/**
 * Policy text checked the way the engine would load it, for an editor to call on every edit: pure (no
 * file, no server, no state), one problem per mistake, each at the range of the part it is about.
 */

/** 1-based line and column; `end` is just past the last character. */
export interface TextRange {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

export interface LocatedProblem extends PolicyProblem {
  range: TextRange;
}

export interface PolicyCheck {
  /** Whether the engine would put this text in force (warnings do not stop it). */
  takesEffect: boolean;
  problems: LocatedProblem[];
}

export function checkPolicyText(text: string, format: 'json' | 'yaml', knownTools?: readonly string[]): PolicyCheck {
  // parsePolicy drops a leading byte order mark; offsets below are in the text without it.
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const source = text.slice(bom);
  const at = rangeFinder(text, bom);
  const parsed = parsePolicy(text, format);
  const spans = format === 'json' && (parsed.ok || parsed.where.length > 0) ? jsonSpans(source) : undefined;
  /** The part a path names: the value, the key for `asKey`, or (missing) the key of the nearest part that exists. */
  const locate = (path: readonly PropertyKey[], line: number | undefined, asKey = false): TextRange => {
    if (spans) {
      const exact = asKey ? spans.key(path) : (spans.value(path) ?? spans.key(path));
      if (exact) return at.span(exact);
      for (let length = path.length - 1; length > 0; length--) {
        const nearest = spans.key(path.slice(0, length));
        if (nearest) return at.span(nearest);
      }
    }
    return at.line(line ?? 1);
  };

  if (!parsed.ok) {
    const problems = parsed.failure.problems.flatMap((problem, index): LocatedProblem[] => {
      const where = parsed.where[index];
      if (!where) return [{ ...problem, range: at.point(problem.line ?? 1, Number(problem.params.column ?? 1)) }];
      // One problem per unknown key, under the key itself.
      if (where.keys && where.keys.length > 1) {
        return where.keys.map((name) => {
          const single = policyProblem('unknownKeys', { ...problem.params, count: 1, keys: JSON.stringify(name) }, { line: problem.line });
          return { ...single, range: locate([...where.path, name], problem.line, true) };
        });
      }
      const path = where.keys?.length === 1 ? [...where.path, ...where.keys] : where.path;
      return [{ ...problem, range: locate(path, problem.line, where.keys !== undefined) }];
    });
    return { takesEffect: false, problems };
  }
  const lines = parsed.lineOf();
  const problems = (knownTools ? unknownToolEntries(parsed.policy, knownTools) : []).map(({ path, problem }) => {
    const line = lines(path);
    // "and N more" names no entry: it goes on the first line.
    const range = path.length === 0 ? at.line(1) : locate(path, line, path[0] === 'tools');
    return { ...problem, ...(line !== undefined ? { line } : {}), range };
  });
  return { takesEffect: true, problems };
}

/** Offsets and lines of the text turned into ranges. */
function rangeFinder(text: string, shift: number) {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const position = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
  const lineText = (line: number) => {
    const start = lineStarts[Math.min(line, lineStarts.length) - 1] ?? 0;
    const end = text.indexOf('\n', start);
    return { start, text: text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '') };
  };
  return {
    span: ([start, end]: Span): TextRange => ({ start: position(start + shift), end: position(end + shift) }),
    /** A whole line, from its first non-blank character (YAML, where only lines are known). */
    line: (line: number): TextRange => {
      const { start, text: content } = lineText(line);
      const indent = content.length - content.trimStart().length;
      return { start: position(start + indent), end: position(start + Math.max(content.length, indent + 1)) };
    },
    /** Where a syntax error was found: that character to the end of its line. */
    point: (line: number, column: number): TextRange => {
      const { start, text: content } = lineText(line);
      const from = Math.min(Math.max(column, 1) - 1, content.length);
      return { start: position(start + from), end: position(start + Math.max(content.length, from + 1)) };
    },
  };
}
