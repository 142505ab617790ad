import { isWord, parsePattern, RegexProblem, type CharTest, type Node } from './parse';

/**
 * Regular expressions from a policy file, matched in time linear in the input (a Thompson NFA run as a
 * set of states), so no pattern or argument can make a call hang: JavaScript's RegExp backtracks, and
 * `(a+)+$` or just `a*a*a*b` on a long argument takes minutes. The syntax is the RE2 subset Intercept's
 * policies use (Go's regexp): literals, `.`, classes `[a-z]` `[^…]`, `\d \w \s` and their negations,
 * escapes, groups `( )` `(?: )` `(?P<name> )`, `|`, `* + ?` and `{n}` `{n,}` `{n,m}` (lazy forms accepted),
 * `^ $ \b \B`, and a leading `(?i)`. Backreferences and lookaround are refused (RE2 has neither).
 * Matching is a search, as Go's MatchString: the pattern may match anywhere unless anchored.
 * The parser is safeRegexParse.ts'; this module compiles its tree to a program and runs it.
 */

/** Long enough for any sensible rule; short enough that a hostile file cannot build a huge program. */
export const MAX_PATTERN_LENGTH = 512;
const MAX_PROGRAM = 1000;
/**
 * The longest text a pattern is matched against: the cost is at most its length × the program's size,
 * so this keeps one match well under a second whatever the pattern. Longer text is undecided.
 */
export const MAX_MATCHED_LENGTH = 65_536;

/** `test` is undefined when the input is too long to match within the bound: the caller decides, failing closed. */
export interface SafeRegex {
  test(input: string): boolean | undefined;
}

type Instruction =
  | { op: 'char'; test: CharTest; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'bol'; next: number }
  | { op: 'eol'; next: number }
  | { op: 'boundary'; not: boolean; next: number }
  | { op: 'match' };

/** Compiles a pattern; throws a RegexProblem whose message says what is wrong and where. */
export function compileSafeRegex(pattern: string): SafeRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new RegexProblem('tooLong', { length: pattern.length, max: MAX_PATTERN_LENGTH });
  let source = pattern;
  let ignoreCase = false;
  if (source.startsWith('(?i)')) {
    ignoreCase = true;
    source = source.slice(4);
  }
  const program = emit(parsePattern(source, ignoreCase));
  return { test: (input) => (input.length > MAX_MATCHED_LENGTH ? undefined : run(program, input)) };
}

/** The NFA as a program (Thompson's construction); a bounded repeat is spelled out, so its size is capped. */
function emit(root: Node): Instruction[] {
  const program: Instruction[] = [];
  const push = (instruction: Instruction) => {
    if (program.length >= MAX_PROGRAM) throw new RegexProblem('programTooLarge');
    program.push(instruction);
    return program.length - 1;
  };
  // Each emitter leaves "next" pointers pointing at the slot after it (program.length at the time it ends).
  const gen = (node: Node): void => {
    switch (node.kind) {
      case 'char':
        push({ op: 'char', test: node.test, next: program.length + 1 });
        return;
      case 'bol':
        push({ op: 'bol', next: program.length + 1 });
        return;
      case 'eol':
        push({ op: 'eol', next: program.length + 1 });
        return;
      case 'boundary':
        push({ op: 'boundary', not: node.not, next: program.length + 1 });
        return;
      case 'seq':
        node.items.forEach(gen);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.options.forEach((option, index) => {
          if (index === node.options.length - 1) return gen(option);
          const split = push({ op: 'split', a: program.length + 1, b: -1 });
          gen(option);
          jumps.push(push({ op: 'jmp', to: -1 }));
          (program[split] as { b: number }).b = program.length;
        });
        for (const jump of jumps) (program[jump] as { to: number }).to = program.length;
        return;
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) gen(node.node);
        if (node.max === Infinity) {
          const split = push({ op: 'split', a: program.length + 1, b: -1 });
          gen(node.node);
          push({ op: 'jmp', to: split });
          (program[split] as { b: number }).b = program.length;
          return;
        }
        const splits: number[] = [];
        for (let i = node.min; i < node.max; i++) {
          splits.push(push({ op: 'split', a: program.length + 1, b: -1 }));
          gen(node.node);
        }
        for (const split of splits) (program[split] as { b: number }).b = program.length;
      }
    }
  };
  gen(root);
  push({ op: 'match' });
  return program;
}

/** Runs the program over the input's code points, one set of states at a time: O(input × program). */
function run(program: Instruction[], input: string): boolean {
  const size = program.length;
  // Each state enters a list at most once per position, so lists and the work stack never exceed `size`
  // entries (a split pushes two, hence the doubled stack).
  const seen = new Int32Array(size).fill(-1);
  let current = new Int32Array(size);
  let next = new Int32Array(size);
  const stack = new Int32Array(size * 2 + 2);
  let currentCount = 0;
  // A pattern that starts with ^ can only begin at position 0: once its states die out, nothing can match.
  const anchored = program[0].op === 'bol';
  let generation = 0;
  const chars = new Int32Array(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const cp = input.codePointAt(i)!;
    chars[length++] = cp;
    if (cp > 0xffff) i++;
  }
  const wordAt = (at: number) => at >= 0 && at < length && isWord(chars[at]);
  /** Follows jumps and splits from `start` at code point `at`, adding the character states to `list`; true on a match. */
  const add = (list: Int32Array, count: { n: number }, start: number, at: number): boolean => {
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const pc = stack[--top];
      if (seen[pc] === generation) continue;
      seen[pc] = generation;
      const instruction = program[pc];
      switch (instruction.op) {
        case 'match':
          return true;
        case 'jmp':
          stack[top++] = instruction.to;
          break;
        case 'split':
          stack[top++] = instruction.b;
          stack[top++] = instruction.a;
          break;
        case 'bol':
          if (at === 0) stack[top++] = instruction.next;
          break;
        case 'eol':
          if (at === length) stack[top++] = instruction.next;
          break;
        case 'boundary':
          if ((wordAt(at - 1) !== wordAt(at)) !== instruction.not) stack[top++] = instruction.next;
          break;
        case 'char':
          list[count.n++] = pc;
          break;
      }
    }
    return false;
  };
  const counter = { n: 0 };
  for (let at = 0; at <= length; at++) {
    // A search: a new attempt may start at every position (the states already there are kept).
    counter.n = currentCount;
    if ((at === 0 || !anchored) && add(current, counter, 0, at)) return true;
    currentCount = counter.n;
    if (at === length || (currentCount === 0 && anchored)) return false;
    const cp = chars[at];
    generation++;
    counter.n = 0;
    for (let k = 0; k < currentCount; k++) {
      const instruction = program[current[k]] as Extract<Instruction, { op: 'char' }>;
      if (instruction.test(cp) && add(next, counter, instruction.next, at + 1)) return true;
    }
    const nextCount = counter.n;
    [current, next] = [next, current];
    currentCount = nextCount;
  }
  return false;
}
