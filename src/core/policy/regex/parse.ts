/**
 * The parser of matcher.ts: an RE2-subset pattern to a syntax tree whose characters are sets of code points
 * (matcher.ts compiles the tree to an NFA program and runs it). Every refusal throws a RegexProblem saying
 * what is wrong and at which character.
 */

import { REGEX_PROBLEMS, type ProblemParams, type RegexProblemCode } from '../problems';
import { caseFolded, MAX_CODE_POINT, negate, setOf, soleCodePoint, union, type CharSet } from './charSet';

const MAX_REPEAT = 100;

/** Why a pattern is refused: a code and parameters (policyProblems.ts words them), with the English as message. */
export class RegexProblem extends Error {
  constructor(
    readonly code: RegexProblemCode,
    readonly params: ProblemParams = {},
  ) {
    const reason = REGEX_PROBLEMS[code](params);
    super(params.position !== undefined ? `${reason} at character ${params.position}` : reason);
  }
}

export type Node =
  | { kind: 'char'; set: CharSet }
  | { kind: 'bol' }
  | { kind: 'eol' }
  | { kind: 'boundary'; not: boolean }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number /* Infinity: unbounded */ };

/** The tree of a pattern (without its leading `(?i)`, which `ignoreCase` stands for). */
export function parsePattern(source: string, ignoreCase: boolean): Node {
  return new Parser(Array.from(source), ignoreCase).parse();
}

class Parser {
  private at = 0;
  constructor(
    private readonly chars: string[],
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.chars.length) throw this.error('unexpectedParen');
    return node;
  }

  private error(code: RegexProblemCode, params: ProblemParams = {}): Error {
    return new RegexProblem(code, { ...params, position: this.at + 1 });
  }

  private peek(): string | undefined {
    return this.chars[this.at];
  }

  private alternation(): Node {
    const first = this.sequence();
    const options = [first];
    while (this.peek() === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? first : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) items.push(this.quantified(this.atom(c)));
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
    if (node.kind === 'bol' || node.kind === 'eol' || node.kind === 'boundary') throw this.error('nothingToRepeat');
    if (this.peek() === '?') this.at++; // lazy: the same set of matches
    const after = this.peek();
    if (after === '*' || after === '+' || after === '?' || (after === '{' && this.braceAhead())) throw this.error('repeatedRepetition');
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
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw this.error('repeatTooLarge', { max: MAX_REPEAT });
    if (max < min) throw this.error('invalidRepeat', { min, max });
    return [min, max];
  }

  /** The atom that starts with `c`, the character at `at`. */
  private atom(c: string): Node {
    this.at++;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        return { kind: 'char', set: ANY_BUT_NEWLINE };
      case '^':
        return { kind: 'bol' };
      case '$':
        return { kind: 'eol' };
      case '\\':
        if (this.peek() === 'b' || this.peek() === 'B') return { kind: 'boundary', not: this.chars[this.at++] === 'B' };
        return { kind: 'char', set: this.escape() };
      case '*':
      case '+':
      case '?':
        this.at--;
        throw this.error('nothingToRepeat');
      default:
        return { kind: 'char', set: this.literal(c.codePointAt(0)!) };
    }
  }

  private group(): Node {
    if (this.peek() === '?') {
      const rest = this.chars.slice(this.at, this.at + 3).join('');
      if (rest.startsWith('?:')) this.at += 2;
      else if (rest.startsWith('?P<') || (rest.startsWith('?<') && rest[2] !== '=' && rest[2] !== '!')) {
        const close = this.chars.indexOf('>', this.at);
        if (close < 0) throw this.error('unterminatedGroupName');
        this.at = close + 1;
      } else if (/^\?<?[=!]/.test(rest)) throw this.error('lookaround');
      else throw this.error('groupFlags');
    }
    const node = this.alternation();
    if (this.peek() !== ')') throw this.error('missingParen');
    this.at++;
    return node;
  }

  private charClass(): Node {
    const negated = this.peek() === '^';
    if (negated) this.at++;
    const parts: CharSet[] = [];
    let first = true;
    while (this.peek() !== ']' || first) {
      if (this.at >= this.chars.length) throw this.error('missingBracket');
      first = false;
      const posix = this.posixClass();
      if (posix) {
        parts.push(posix);
        continue;
      }
      const low = this.classAtom();
      if (typeof low !== 'number') {
        parts.push(low);
        continue;
      }
      if (this.peek() === '-' && this.chars[this.at + 1] !== undefined && this.chars[this.at + 1] !== ']') {
        this.at++;
        const high = this.classAtom();
        if (typeof high !== 'number' || high < low) throw this.error('classRange');
        parts.push(this.folded(setOf([[low, high]])));
      } else {
        parts.push(this.folded(setOf([[low, low]])));
      }
    }
    this.at++;
    // As RE2: each part is case-folded on its own and the class is negated last, so (?i)[^k] refuses K and the Kelvin sign.
    const set = union(...parts);
    return { kind: 'char', set: negated ? negate(set) : set };
  }

  /** One character of a class (a code point), or a class escape such as \d (a set, already folded). */
  private classAtom(): number | CharSet {
    // charClass reads an atom only before the end of the pattern.
    const c = this.chars[this.at++]!;
    if (c !== '\\') return c.codePointAt(0)!;
    const escaped = this.escape();
    return soleCodePoint(escaped) ?? escaped;
  }

  /**
   * `[:alpha:]` or `[:^alpha:]` inside a class, ASCII as RE2's; undefined when none starts here. As RE2, `[:`
   * with a later `:]` is a class name: an unknown one is refused, not read as the characters it is made of.
   */
  private posixClass(): CharSet | undefined {
    if (this.peek() !== '[' || this.chars[this.at + 1] !== ':') return undefined;
    let end = this.at + 2;
    while (end + 1 < this.chars.length && !(this.chars[end] === ':' && this.chars[end + 1] === ']')) end++;
    if (end + 1 >= this.chars.length) return undefined;
    const name = this.chars.slice(this.at, end + 2).join('');
    const negated = name[2] === '^';
    const key = name.slice(negated ? 3 : 2, -2);
    const set = Object.hasOwn(POSIX_CLASSES, key) ? POSIX_CLASSES[key] : undefined;
    if (!set) throw this.error('unknownClass', { name: name.length > 24 ? `${name.slice(0, 23)}…` : name });
    this.at = end + 2;
    const folded = this.folded(set);
    return negated ? negate(folded) : folded;
  }

  /** An escape after its backslash, as a set already folded under (?i) (RE2 folds \w before negating \W). */
  private escape(): CharSet {
    const c = this.chars[this.at++];
    if (c === undefined) throw this.error('trailingBackslash');
    const perl = PERL_CLASSES[c.toLowerCase()];
    if (perl) {
      const folded = this.folded(perl);
      return c === c.toLowerCase() ? folded : negate(folded);
    }
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return single(control);
    if (/[1-9]/.test(c) || c === 'k') throw this.error('backreference');
    // RE2 lets only ASCII punctuation be escaped to stand for itself.
    if (/[A-Za-z0-9]/.test(c) || c.codePointAt(0)! >= 0x80) throw this.error('unsupportedEscape', { escape: c });
    return this.folded(single(c.codePointAt(0)!));
  }

  private literal(code: number): CharSet {
    return this.folded(single(code));
  }

  private folded(set: CharSet): CharSet {
    return this.ignoreCase ? caseFolded(set) : set;
  }
}

const ANY_BUT_NEWLINE = setOf([
  [0, 9],
  [11, MAX_CODE_POINT],
]);
const single = (cp: number): CharSet => [cp, cp];
const range = (text: string): CharSet =>
  setOf(
    // The first group always takes part; a lone character is a range of one.
    [...text.matchAll(/(.)(?:-(.))?/gsu)].map(([, low = '', high = low]) => [low.codePointAt(0)!, high.codePointAt(0)!]),
  );

const DIGIT = range('0-9');
export const WORD = range('0-9A-Za-z_');
/** RE2's \d \w \s (ASCII; \s has no \v), by their lower-case letter. */
const PERL_CLASSES: Record<string, CharSet | undefined> = { d: DIGIT, w: WORD, s: range('\t\n\f\r ') };
/** RE2's single-character escapes; \v is the vertical tab. */
const CONTROL_ESCAPES: Record<string, number | undefined> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
/** RE2's POSIX classes, ASCII only. */
const POSIX_CLASSES: Record<string, CharSet | undefined> = {
  alnum: range('0-9A-Za-z'),
  alpha: range('A-Za-z'),
  ascii: range('\0-\x7f'),
  blank: range('\t '),
  cntrl: range('\0-\x1f\x7f'),
  digit: DIGIT,
  graph: range('!-~'),
  lower: range('a-z'),
  print: range(' -~'),
  punct: range('!-/:-@[-`{-~'),
  space: range('\t\n\v\f\r '),
  upper: range('A-Z'),
  word: WORD,
  xdigit: range('0-9A-Fa-f'),
};
