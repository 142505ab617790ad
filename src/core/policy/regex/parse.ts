/**
 * The parser of safeRegex.ts: an RE2-subset pattern to a syntax tree (safeRegex.ts compiles the tree to an
 * NFA program and runs it). Every refusal throws a RegexProblem saying what is wrong and at which character.
 */

import { REGEX_PROBLEMS, type ProblemParams, type RegexProblemCode } from '../problems';

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

export type CharTest = (cp: number) => boolean;
export type Node =
  | { kind: 'char'; test: CharTest }
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

  private atom(): Node {
    const c = this.chars[this.at++];
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        return { kind: 'char', test: (cp) => cp !== 10 };
      case '^':
        return { kind: 'bol' };
      case '$':
        return { kind: 'eol' };
      case '\\':
        if (this.peek() === 'b' || this.peek() === 'B') return { kind: 'boundary', not: this.chars[this.at++] === 'B' };
        return { kind: 'char', test: this.escape(false) };
      case '*':
      case '+':
      case '?':
        this.at--;
        throw this.error('nothingToRepeat');
      default:
        return { kind: 'char', test: this.literal(c.codePointAt(0)!) };
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
    const negate = this.peek() === '^';
    if (negate) this.at++;
    const tests: CharTest[] = [];
    let first = true;
    while (this.peek() !== ']' || first) {
      if (this.at >= this.chars.length) throw this.error('missingBracket');
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
        if (high < low) throw this.error('classRange');
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
    if (c === undefined) throw this.error('trailingBackslash');
    switch (c) {
      case 'd':
        return isDigit;
      case 'D':
        return (cp) => !isDigit(cp);
      case 'w':
        return isWord;
      case 'W':
        return (cp) => !isWord(cp);
      case 's':
        return isSpace;
      case 'S':
        return (cp) => !isSpace(cp);
      case 't':
        return (cp) => cp === 9;
      case 'n':
        return (cp) => cp === 10;
      case 'r':
        return (cp) => cp === 13;
      case 'f':
        return (cp) => cp === 12;
      case 'v':
        return (cp) => cp === 11;
    }
    if (/[1-9]/.test(c) || (c === 'k' && !inClass)) throw this.error('backreference');
    if (/[A-Za-z0-9]/.test(c)) throw this.error('unsupportedEscape', { escape: c });
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
export const isWord: CharTest = (cp) => isDigit(cp) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
const isSpace: CharTest = (cp) => cp === 32 || (cp >= 9 && cp <= 13);

function otherCase(cp: number): number {
  const c = String.fromCodePoint(cp);
  const lower = c.toLowerCase();
  const other = lower === c ? c.toUpperCase() : lower;
  return [...other].length === 1 ? other.codePointAt(0)! : cp;
}
