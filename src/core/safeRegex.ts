/**
 * Regular expressions from a policy file, matched in time linear in the input (a Thompson NFA run as a
 * set of states), so no pattern or argument can make a call hang: JavaScript's RegExp backtracks, and
 * `(a+)+$` or just `a*a*a*b` on a long argument takes minutes. The syntax is the RE2 subset Intercept's
 * policies use (Go's regexp): literals, `.`, classes `[a-z]` `[^…]`, `\d \w \s` and their negations,
 * escapes, groups `( )` `(?: )` `(?P<name> )`, `|`, `* + ?` and `{n}` `{n,}` `{n,m}` (lazy forms accepted),
 * `^ $ \b \B`, and a leading `(?i)`. Backreferences and lookaround are refused (RE2 has neither).
 * Matching is a search, as Go's MatchString: the pattern may match anywhere unless anchored.
 */

/** Long enough for any sensible rule; short enough that a hostile file cannot build a huge program. */
export const MAX_PATTERN_LENGTH = 512;
const MAX_REPEAT = 100;
const MAX_PROGRAM = 1000;
/**
 * The longest text a pattern is matched against: the cost is at most its length × the program's size,
 * so this keeps one match well under a second whatever the pattern. Longer text is undecided.
 */
export const MAX_MATCHED_LENGTH = 65_536;

/** `test` is undefined when the input is too long to match within the bound: the caller decides, failing closed. */
export interface SafeRegex { test(input: string): boolean | undefined }

type CharTest = (cp: number) => boolean;
type Node =
  | { kind: 'char'; test: CharTest }
  | { kind: 'bol' } | { kind: 'eol' } | { kind: 'boundary'; not: boolean }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number /* Infinity: unbounded */ };

type Instruction =
  | { op: 'char'; test: CharTest; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'bol'; next: number } | { op: 'eol'; next: number } | { op: 'boundary'; not: boolean; next: number }
  | { op: 'match' };

/** Compiles a pattern; throws an Error whose message says what is wrong and where. */
export function compileSafeRegex(pattern: string): SafeRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new Error(`it is ${pattern.length} characters long; a pattern may be at most ${MAX_PATTERN_LENGTH}`);
  let source = pattern;
  let ignoreCase = false;
  if (source.startsWith('(?i)')) {
    ignoreCase = true;
    source = source.slice(4);
  }
  const parser = new Parser(Array.from(source), ignoreCase);
  const program = emit(parser.parse());
  return { test: (input) => (input.length > MAX_MATCHED_LENGTH ? undefined : run(program, input)) };
}

class Parser {
  private at = 0;
  constructor(private readonly chars: string[], private readonly ignoreCase: boolean) {}

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.chars.length) throw this.error(`unexpected ")"`);
    return node;
  }

  private error(message: string): Error {
    return new Error(`${message} at character ${this.at + 1}`);
  }

  private peek(): string | undefined {
    return this.chars[this.at];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0] : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.chars.length && this.peek() !== '|' && this.peek() !== ')') items.push(this.quantified(this.atom()));
    return { kind: 'seq', items };
  }

  private quantified(node: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{' && this.braceAhead()) [min, max] = this.braces();
    else return node;
    if (c !== '{') this.at++;
    if (node.kind === 'bol' || node.kind === 'eol' || node.kind === 'boundary') throw this.error('nothing to repeat');
    if (this.peek() === '?') this.at++; // lazy: the same set of matches
    const after = this.peek();
    if (after === '*' || after === '+' || after === '?' || (after === '{' && this.braceAhead())) throw this.error('repeated repetition');
    return { kind: 'repeat', node, min, max };
  }

  /** Whether `{` starts a valid `{n}`, `{n,}` or `{n,m}` (otherwise it is a literal, as in RE2). */
  private braceAhead(): boolean {
    return /^\{\d+(,\d*)?\}/.test(this.chars.slice(this.at, this.at + 12).join(''));
  }

  private braces(): [number, number] {
    const text = /^\{(\d+)(,(\d*))?\}/.exec(this.chars.slice(this.at, this.at + 12).join(''))!;
    this.at += text[0].length;
    const min = Number(text[1]);
    const max = text[2] === undefined ? min : text[3] === '' ? Infinity : Number(text[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw this.error(`a repeat count may be at most ${MAX_REPEAT}`);
    if (max < min) throw this.error(`invalid repeat {${min},${max}}`);
    return [min, max];
  }

  private atom(): Node {
    const c = this.chars[this.at++];
    switch (c) {
      case '(': return this.group();
      case '[': return this.charClass();
      case '.': return { kind: 'char', test: (cp) => cp !== 10 };
      case '^': return { kind: 'bol' };
      case '$': return { kind: 'eol' };
      case '\\':
        if (this.peek() === 'b' || this.peek() === 'B') return { kind: 'boundary', not: this.chars[this.at++] === 'B' };
        return { kind: 'char', test: this.escape(false) };
      case '*': case '+': case '?': this.at--; throw this.error('nothing to repeat');
      default: return { kind: 'char', test: this.literal(c.codePointAt(0)!) };
    }
  }

  private group(): Node {
    if (this.peek() === '?') {
      const rest = this.chars.slice(this.at, this.at + 3).join('');
      if (rest.startsWith('?:')) this.at += 2;
      else if (rest.startsWith('?P<') || (rest.startsWith('?<') && rest[2] !== '=' && rest[2] !== '!')) {
        const close = this.chars.indexOf('>', this.at);
        if (close < 0) throw this.error('unterminated group name');
        this.at = close + 1;
      } else if (/^\?<?[=!]/.test(rest)) throw this.error('lookaround is not supported (RE2 has none)');
      else throw this.error('unsupported group flags (only a leading (?i) is)');
    }
    const node = this.alternation();
    if (this.peek() !== ')') throw this.error('missing ")"');
    this.at++;
    return node;
  }

  private charClass(): Node {
    const negate = this.peek() === '^';
    if (negate) this.at++;
    const tests: CharTest[] = [];
    let first = true;
    while (this.peek() !== ']' || first) {
      if (this.at >= this.chars.length) throw this.error('missing "]"');
      first = false;
      const c = this.chars[this.at++];
      if (c === '\\') {
        const escaped = this.escape(true);
        tests.push(escaped);
        continue;
      }
      const low = c.codePointAt(0)!;
      if (this.peek() === '-' && this.chars[this.at + 1] !== undefined && this.chars[this.at + 1] !== ']') {
        this.at++;
        let highChar = this.chars[this.at++];
        if (highChar === '\\') highChar = this.chars[this.at++] ?? '';
        const high = highChar.codePointAt(0) ?? -1;
        if (high < low) throw this.error('invalid range in a class');
        tests.push(this.ignoreCase ? (cp) => inRange(cp, low, high) || inRange(otherCase(cp), low, high) : (cp) => inRange(cp, low, high));
      } else {
        tests.push(this.literal(low));
      }
    }
    this.at++;
    return { kind: 'char', test: (cp) => tests.some((test) => test(cp)) !== negate };
  }

  private escape(inClass: boolean): CharTest {
    const c = this.chars[this.at++];
    if (c === undefined) throw this.error('trailing backslash');
    switch (c) {
      case 'd': return isDigit;
      case 'D': return (cp) => !isDigit(cp);
      case 'w': return isWord;
      case 'W': return (cp) => !isWord(cp);
      case 's': return isSpace;
      case 'S': return (cp) => !isSpace(cp);
      case 't': return (cp) => cp === 9;
      case 'n': return (cp) => cp === 10;
      case 'r': return (cp) => cp === 13;
      case 'f': return (cp) => cp === 12;
      case 'v': return (cp) => cp === 11;
    }
    if (/[1-9]/.test(c) || (c === 'k' && !inClass)) throw this.error('backreferences are not supported (RE2 has none)');
    if (/[A-Za-z0-9]/.test(c)) throw this.error(`unsupported escape \\${c}`);
    return this.literal(c.codePointAt(0)!);
  }

  private literal(code: number): CharTest {
    if (!this.ignoreCase) return (cp) => cp === code;
    const other = otherCase(code);
    return (cp) => cp === code || cp === other;
  }
}

const inRange = (cp: number, low: number, high: number) => cp >= low && cp <= high;
const isDigit: CharTest = (cp) => cp >= 48 && cp <= 57;
const isWord: CharTest = (cp) => isDigit(cp) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
const isSpace: CharTest = (cp) => cp === 32 || (cp >= 9 && cp <= 13);

function otherCase(cp: number): number {
  const c = String.fromCodePoint(cp);
  const lower = c.toLowerCase();
  const other = lower === c ? c.toUpperCase() : lower;
  return [...other].length === 1 ? other.codePointAt(0)! : cp;
}

/** The NFA as a program (Thompson's construction); a bounded repeat is spelled out, so its size is capped. */
function emit(root: Node): Instruction[] {
  const program: Instruction[] = [];
  const push = (instruction: Instruction) => {
    if (program.length >= MAX_PROGRAM) throw new Error('the pattern expands to too large a program; use fewer or smaller {n,m} repeats');
    program.push(instruction);
    return program.length - 1;
  };
  // Each emitter leaves "next" pointers pointing at the slot after it (program.length at the time it ends).
  const gen = (node: Node): void => {
    switch (node.kind) {
      case 'char': push({ op: 'char', test: node.test, next: program.length + 1 }); return;
      case 'bol': push({ op: 'bol', next: program.length + 1 }); return;
      case 'eol': push({ op: 'eol', next: program.length + 1 }); return;
      case 'boundary': push({ op: 'boundary', not: node.not, next: program.length + 1 }); return;
      case 'seq': node.items.forEach(gen); return;
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
        case 'match': return true;
        case 'jmp': stack[top++] = instruction.to; break;
        case 'split': stack[top++] = instruction.b; stack[top++] = instruction.a; break;
        case 'bol': if (at === 0) stack[top++] = instruction.next; break;
        case 'eol': if (at === length) stack[top++] = instruction.next; break;
        case 'boundary': if ((wordAt(at - 1) !== wordAt(at)) !== instruction.not) stack[top++] = instruction.next; break;
        case 'char': list[count.n++] = pc; break;
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
    if (at === length || currentCount === 0 && anchored) return false;
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
