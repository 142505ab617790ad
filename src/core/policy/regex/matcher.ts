import { contains, testCost, type CharSet } from './charSet';
import { parsePattern, RegexProblem, WORD, type Node } from './parse';

/**
 * Regular expressions from a policy file, matched in time linear in the input (a Thompson NFA run as a
 * set of states), so no pattern or argument can make a call hang: JavaScript's RegExp backtracks, and
 * `(a+)+$` or just `a*a*a*b` on a long argument takes minutes. The syntax is the RE2 subset Intercept's
 * policies use (Go's regexp): literals, `.`, classes `[a-z]` `[^…]` `[[:alpha:]]`, `\d \w \s` and their
 * negations, escapes, groups `( )` `(?: )` `(?P<name> )`, `|`, `* + ?` and `{n}` `{n,}` `{n,m}` (lazy forms
 * accepted), `^ $ \b \B`, and a leading `(?i)`. Backreferences and lookaround are refused (RE2 has neither).
 * Matching is a search, as Go's MatchString: the pattern may match anywhere unless anchored.
 *
 * The work is bounded before the pattern is used: each position of the input costs at most one visit of
 * every instruction plus one class test (a binary search) per character instruction. That sum is the
 * program's cost per position; a pattern whose cost times the positions it can run over exceeds MAX_STEPS
 * is refused when the policy loads, so every match finishes within MAX_STEPS steps, on the caller's thread.
 */

/** Long enough for any sensible rule; short enough that a hostile file cannot build a huge program. */
export const MAX_PATTERN_LENGTH = 512;
/** The longest text a pattern is matched against. Longer text is undecided. */
export const MAX_MATCHED_LENGTH = 65_536;
/** The most steps one match may take: a few tens of milliseconds (docs/benchmarks.md has the worst pattern's time). */
export const MAX_STEPS = 2 ** 24;
/** The most a program may cost per position whatever its input (it bounds the program's memory too). */
const MAX_PROGRAM_COST = 16_384;

/** `test` is undefined when the input is too long to match within the bound: the caller decides, failing closed. */
export interface SafeRegex {
  test(input: string): boolean | undefined;
  /** The most steps one match can take (at most MAX_STEPS). */
  readonly maxSteps: number;
}

type Instruction =
  | { op: 'char'; set: CharSet; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'bol'; next: number }
  | { op: 'eol'; next: number }
  | { op: 'boundary'; not: boolean; next: number }
  | { op: 'match' };

/** Compiles a pattern; throws a RegexProblem whose message says what is wrong and where. */
export function compileSafeRegex(pattern: string): SafeRegex {
  const { program, maxSteps } = compile(pattern);
  const flat = flatten(program);
  return { test: (input) => (input.length > MAX_MATCHED_LENGTH ? undefined : run(flat, input).matched), maxSteps };
}

/** A match with the steps it took, which never exceed the pattern's maxSteps (for tests and the bench). */
export function matchCountingSteps(pattern: string, input: string): { matched: boolean; steps: number } {
  return run(flatten(compile(pattern).program), input);
}

function compile(pattern: string): { program: Instruction[]; maxSteps: number } {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new RegexProblem('tooLong', { length: pattern.length, max: MAX_PATTERN_LENGTH });
  let source = pattern;
  let ignoreCase = false;
  if (source.startsWith('(?i)')) {
    ignoreCase = true;
    source = source.slice(4);
  }
  const tree = parsePattern(source, ignoreCase);
  const { program, cost } = emit(tree);
  // A search runs the program once per position of the input (and once at its end). A pattern that starts
  // with ^ and can match only so many characters stops when its last state dies, after at most that many.
  const longest = program[0]?.op === 'bol' ? longestMatch(tree) : Infinity;
  const maxSteps = cost * (Math.min(longest, MAX_MATCHED_LENGTH) + 1);
  if (maxSteps > MAX_STEPS) throw tooCostly();
  return { program, maxSteps };
}

const tooCostly = () => new RegexProblem('tooCostly', { max: MAX_STEPS, length: MAX_MATCHED_LENGTH });

/** The most characters the node can match (Infinity under an unbounded repeat). */
function longestMatch(node: Node): number {
  switch (node.kind) {
    case 'char':
      return 1;
    case 'seq':
      return node.items.reduce((sum, item) => sum + longestMatch(item), 0);
    case 'alt':
      return Math.max(...node.options.map(longestMatch));
    case 'repeat': {
      const one = longestMatch(node.node);
      return one === 0 ? 0 : one * node.max;
    }
    default:
      return 0;
  }
}

/** The NFA as a program (Thompson's construction); a bounded repeat is spelled out, so its cost adds up as it is emitted. */
function emit(root: Node): { program: Instruction[]; cost: number } {
  const program: Instruction[] = [];
  let cost = 0;
  const push = (instruction: Instruction) => {
    cost += 1 + (instruction.op === 'char' ? testCost(instruction.set) : 0);
    if (cost > MAX_PROGRAM_COST) throw tooCostly();
    program.push(instruction);
    return program.length - 1;
  };
  // Each emitter leaves "next" pointers pointing at the slot after it (program.length at the time it ends).
  const gen = (node: Node): void => {
    switch (node.kind) {
      case 'char':
        push({ op: 'char', set: node.set, next: program.length + 1 });
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
  return { program, cost };
}

/** Instruction codes of the flattened program run() builds. */
const Op = { Char: 0, Split: 1, Jump: 2, Bol: 3, Eol: 4, Boundary: 5, NotBoundary: 6, Match: 7 } as const;

/**
 * Runs the program over the input's code points, one set of states at a time. At each position every
 * instruction is visited at most once and each character instruction tests its class once: the steps
 * counted here are those visits and the class tests' comparisons, at most the program's cost per position.
 */
/** The program as flat arrays, built once per pattern: run's loop reads them up to millions of times per match. */
interface FlatProgram {
  size: number;
  ops: Int32Array;
  first: Int32Array;
  second: Int32Array;
  tests: Int32Array;
  sets: CharSet[];
  /** Working space run() reuses (it never runs twice at once): the seen marks, two state lists, the stack, the code points. */
  scratch: { seen: Int32Array; current: Int32Array; next: Int32Array; stack: Int32Array; chars: Int32Array };
}

function flatten(program: Instruction[]): FlatProgram {
  const size = program.length;
  const flat: FlatProgram = {
    size,
    ops: new Int32Array(size),
    first: new Int32Array(size),
    second: new Int32Array(size),
    tests: new Int32Array(size),
    sets: [],
    // Each state enters a list at most once per position, so lists and the work stack never exceed `size`
    // entries (a split pushes two, hence the doubled stack).
    scratch: {
      seen: new Int32Array(size),
      current: new Int32Array(size),
      next: new Int32Array(size),
      stack: new Int32Array(size * 2 + 2),
      chars: new Int32Array(64),
    },
  };
  const { ops, first, second, tests, sets } = flat;
  program.forEach((instruction, pc) => {
    if (instruction.op === 'char') [ops[pc], first[pc], tests[pc], sets[pc]] = [Op.Char, instruction.next, testCost(instruction.set), instruction.set];
    else if (instruction.op === 'split') [ops[pc], first[pc], second[pc]] = [Op.Split, instruction.a, instruction.b];
    else if (instruction.op === 'jmp') [ops[pc], first[pc]] = [Op.Jump, instruction.to];
    else if (instruction.op === 'bol') [ops[pc], first[pc]] = [Op.Bol, instruction.next];
    else if (instruction.op === 'eol') [ops[pc], first[pc]] = [Op.Eol, instruction.next];
    else if (instruction.op === 'boundary') [ops[pc], first[pc]] = [instruction.not ? Op.NotBoundary : Op.Boundary, instruction.next];
    else ops[pc] = Op.Match;
  });
  return flat;
}

function run({ ops, first, second, tests, sets, scratch }: FlatProgram, input: string): { matched: boolean; steps: number } {
  const { seen, stack } = scratch;
  seen.fill(-1);
  let { current, next } = scratch;
  // Grows to the longest input seen, at most MAX_MATCHED_LENGTH code points.
  if (scratch.chars.length < input.length) scratch.chars = new Int32Array(input.length);
  const chars = scratch.chars;
  // Every pc the lists and the stack hold is an instruction's index (emit only targets instructions it pushed)
  // and every position read is below `length`: the reads marked ! below.
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const cp = input.codePointAt(i)!;
    chars[length++] = cp;
    if (cp > 0xffff) i++;
  }
  const wordAt = (at: number) => at >= 0 && at < length && contains(WORD, chars[at]!);
  let steps = 0;
  let generation = 0;
  let listed = 0;
  /** Follows jumps and splits from `start` at position `at`, listing the character states in `list`; true on a match. */
  const add = (list: Int32Array, start: number, at: number): boolean => {
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const pc = stack[--top]!;
      if (seen[pc] === generation) continue;
      seen[pc] = generation;
      steps++;
      switch (ops[pc]) {
        case Op.Char:
          list[listed++] = pc;
          break;
        case Op.Split:
          stack[top++] = second[pc]!;
          stack[top++] = first[pc]!;
          break;
        case Op.Jump:
          stack[top++] = first[pc]!;
          break;
        case Op.Bol:
          if (at === 0) stack[top++] = first[pc]!;
          break;
        case Op.Eol:
          if (at === length) stack[top++] = first[pc]!;
          break;
        case Op.Boundary:
        case Op.NotBoundary:
          if ((wordAt(at - 1) !== wordAt(at)) === (ops[pc] === Op.Boundary)) stack[top++] = first[pc]!;
          break;
        case Op.Match:
          return true;
      }
    }
    return false;
  };
  // A pattern that starts with ^ can only begin at position 0: once its states die out, nothing can match.
  const anchored = ops[0] === Op.Bol;
  let currentCount = 0;
  for (let at = 0; at <= length; at++) {
    // A search: a new attempt may start at every position (the states already there are kept).
    listed = currentCount;
    if ((at === 0 || !anchored) && add(current, 0, at)) return { matched: true, steps };
    currentCount = listed;
    if (at === length || (currentCount === 0 && anchored)) break;
    const cp = chars[at]!;
    generation++;
    listed = 0;
    for (let k = 0; k < currentCount; k++) {
      const pc = current[k]!;
      steps += tests[pc]!;
      if (contains(sets[pc]!, cp) && add(next, first[pc]!, at + 1)) return { matched: true, steps };
    }
    [current, next] = [next, current];
    currentCount = listed;
  }
  return { matched: false, steps };
}
