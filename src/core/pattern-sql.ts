// Translates a pattern the pattern module accepted (RE2 syntax) into a PostgreSQL ARE with the
// same meaning, so a label matcher can run in SQL and agree with the in-process matcher (the
// shared table of cases in test/fixtures/pattern-cases.json checks both). Every character class
// is written out as explicit code-point ranges, every non-alphanumeric literal as a \u escape,
// groups as non-capturing, and RE2's ASCII-only Perl classes, dot, anchors and case folding are
// spelled out, because PostgreSQL's own versions of them differ (locale classes, dot matching
// newline). Unicode property classes (\p{...}) are refused: they have no faithful ARE form.
import { LRUCache } from 'lru-cache';
import { compilePattern, memoised, PatternError, refusal } from './pattern.ts';
import { asciiClass, caseOrbit, type Range, RangeSet } from './pattern-ranges.ts';

/** PostgreSQL's largest repetition count (RE_DUP_MAX). */
const PG_DUP_MAX = 255;
const WORD = '[0-9A-Za-z_]';
const NOT_NEWLINE = '[^\\u000A]';

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

/** One translated atom: its ARE text and whether it is a zero-width assertion. */
interface Atom {
  text: string;
  assertion: boolean;
  /** Text before the atom that a following quantifier does not repeat (the head of a \Q...\E run). */
  prefix?: string;
}

const cp = (n: number): string => (n < 0x10000 ? `\\u${n.toString(16).padStart(4, '0')}` : `\\U${n.toString(16).padStart(8, '0')}`);
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const charText = (c: number): string => (isAlnum(c) ? String.fromCodePoint(c) : cp(c));

function untranslatable(what: string): PatternError {
  return new PatternError(`${what} cannot be evaluated by the database; use it in filters, or rewrite the matcher`);
}

/** ARE text of a set of code points (an atom). */
function bracket(set: RangeSet): string {
  const ranges = set.storable();
  if (ranges.length === 0) return '[^\\u0001-\\U0010ffff]';
  const only = ranges[0];
  if (ranges.length === 1 && only && only.lo === only.hi) return charText(only.lo);
  return `[${ranges.map(({ lo, hi }) => (lo === hi ? charText(lo) : `${charText(lo)}-${charText(hi)}`)).join('')}]`;
}

/** A recursive-descent reader of RE2 syntax that writes ARE as it goes. */
class Translator {
  readonly #chars: number[];
  #pos = 0;

  constructor(source: string) {
    this.#chars = [...source].map((ch) => ch.codePointAt(0) ?? 0);
  }

  run(): string {
    const out = this.#alternation({ i: false, m: false, s: false });
    if (this.#pos < this.#chars.length) throw untranslatable('this pattern');
    return out;
  }

  #peek(offset = 0): number | undefined {
    return this.#chars[this.#pos + offset];
  }

  #next(): number {
    const c = this.#chars[this.#pos++];
    if (c === undefined) throw untranslatable('this pattern');
    return c;
  }

  #eat(ch: string): boolean {
    if (this.#peek() !== ch.codePointAt(0)) return false;
    this.#pos++;
    return true;
  }

  #alternation(outer: Flags): string {
    const flags = { ...outer };
    const branches = [this.#concat(flags)];
    while (this.#eat('|')) branches.push(this.#concat(flags));
    return branches.join('|');
  }

  #concat(flags: Flags): string {
    let out = '';
    for (let c = this.#peek(); c !== undefined && c !== 0x7c && c !== 0x29; c = this.#peek()) {
      const atom = this.#atom(flags);
      if (atom) out += (atom.prefix ?? '') + this.#quantified(atom);
    }
    return out;
  }

  #atom(flags: Flags): Atom | undefined {
    const c = this.#next();
    const assertion = (text: string): Atom => ({ text, assertion: true });
    switch (c) {
      case 0x28 /* ( */:
        return this.#group(flags);
      case 0x5b /* [ */:
        return { text: bracket(this.#class(flags)), assertion: false };
      case 0x2e /* . */:
        return { text: flags.s ? '(?:.|\\u000A)' : NOT_NEWLINE, assertion: false };
      case 0x5e /* ^ */:
        return assertion(flags.m ? '(?:^|(?<=\\u000A))' : '(?:^)');
      case 0x24 /* $ */:
        return assertion(flags.m ? '(?:$|(?=\\u000A))' : '(?:$)');
      case 0x5c /* \ */:
        return this.#escape(flags);
      default:
        return { text: this.#literal(c, flags), assertion: false };
    }
  }

  #literal(c: number, flags: Flags): string {
    if (!flags.i) return charText(c);
    const orbit = caseOrbit(c);
    return orbit.length > 1 ? bracket(RangeSet.of(orbit.map((x) => ({ lo: x, hi: x })))) : charText(c);
  }

  #group(flags: Flags): Atom | undefined {
    if (!this.#eat('?')) return { text: this.#groupBody(flags), assertion: false };
    if (this.#eat('P') || this.#peek() === 0x3c) {
      while (this.#next() !== 0x3e /* > */);
      return { text: this.#groupBody(flags), assertion: false };
    }
    const local = this.#flagSettings(flags);
    if (this.#eat(':')) return { text: this.#groupBody(local), assertion: false };
    this.#pos++;
    Object.assign(flags, local);
    return undefined;
  }

  /** Reads `i`, `m`, `s`, `U` and `-` up to `:` or `)`; `U` (greediness) does not change what matches. */
  #flagSettings(flags: Flags): Flags {
    const local = { ...flags };
    let on = true;
    for (let c = this.#peek(); c !== 0x3a && c !== 0x29; c = this.#peek()) {
      const letter = String.fromCodePoint(this.#next());
      if (letter === '-') on = false;
      else if (letter === 'i' || letter === 'm' || letter === 's') local[letter] = on;
      else if (letter !== 'U') throw untranslatable('this group');
    }
    return local;
  }

  #groupBody(flags: Flags): string {
    const body = this.#alternation(flags);
    if (!this.#eat(')')) throw untranslatable('this group');
    return `(?:${body})`;
  }

  #escape(flags: Flags): Atom {
    const c = this.#peek();
    const assertion = (text: string): Atom => ({ text, assertion: true });
    if (c === 0x41 /* A */) return (this.#pos++, assertion('(?:^)'));
    if (c === 0x7a /* z */) return (this.#pos++, assertion('(?:$)'));
    if (c === 0x62 /* b */) return (this.#pos++, assertion(`(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`));
    if (c === 0x42 /* B */) return (this.#pos++, assertion(`(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`));
    if (c === 0x51 /* Q */) return this.#quoted(flags);
    const set = this.#escapeSet(flags);
    return { text: bracket(set), assertion: false };
  }

  /** `\Q...\E`: literal text; as in RE2, a quantifier after it repeats only its last character. */
  #quoted(flags: Flags): Atom {
    this.#pos++;
    const literals: string[] = [];
    while (this.#pos < this.#chars.length && !(this.#peek() === 0x5c && this.#peek(1) === 0x45)) literals.push(this.#literal(this.#next(), flags));
    this.#pos += 2;
    const last = literals.pop();
    return last === undefined ? { text: '', assertion: true } : { text: last, assertion: false, prefix: literals.join('') };
  }

  /** An escape as a set: a Perl class or one escaped character (folded under `i`). */
  #escapeSet(flags: Flags): RangeSet {
    const perl = this.#perlClass(flags);
    if (perl) return perl;
    const c = this.#escapedChar();
    return flags.i ? RangeSet.of(caseOrbit(c).map((x) => ({ lo: x, hi: x }))) : RangeSet.of([{ lo: c, hi: c }]);
  }

  #perlClass(flags: Flags): RangeSet | undefined {
    const c = this.#peek();
    if (c === 0x70 || c === 0x50) throw untranslatable('a Unicode class (\\p{...})');
    const name = { 0x64: 'digit', 0x73: 'perlspace', 0x77: 'word', 0x44: '^digit', 0x53: '^perlspace', 0x57: '^word' }[c ?? 0];
    if (!name) return undefined;
    this.#pos++;
    return asciiClass(name, flags.i);
  }

  /** The character of a non-class escape: \x41, \x{10FFFF}, octal, \n and friends, punctuation. */
  #escapedChar(): number {
    const c = this.#next();
    const simple: Record<number, number> = { 0x61: 7, 0x66: 12, 0x74: 9, 0x6e: 10, 0x72: 13, 0x76: 11 };
    if (simple[c] !== undefined) return simple[c];
    if (c === 0x78 /* x */) return this.#hex();
    if (c >= 0x30 && c <= 0x37) return this.#octal(c);
    return c;
  }

  #hex(): number {
    let digits = '';
    if (this.#eat('{')) {
      for (let c = this.#next(); c !== 0x7d; c = this.#next()) digits += String.fromCodePoint(c);
    } else {
      digits = String.fromCodePoint(this.#next(), this.#next());
    }
    return Number.parseInt(digits, 16);
  }

  #octal(first: number): number {
    let value = first - 0x30;
    for (let n = 0; n < 2; n++) {
      const c = this.#peek();
      if (c === undefined || c < 0x30 || c > 0x37) break;
      value = value * 8 + (this.#next() - 0x30);
    }
    return value;
  }

  #class(flags: Flags): RangeSet {
    const negated = this.#eat('^');
    const ranges: Range[] = [];
    let first = true;
    while (first || this.#peek() !== 0x5d) {
      first = false;
      ranges.push(...this.#classItem(flags));
    }
    this.#pos++;
    let set = RangeSet.of(ranges);
    if (flags.i) set = set.folded();
    return negated ? set.negated() : set;
  }

  #classItem(flags: Flags): readonly Range[] {
    if (this.#peek() === 0x5b && this.#peek(1) === 0x3a) return this.#posixClass(flags);
    const lo = this.#classChar(flags);
    if (typeof lo !== 'number') return lo.ranges;
    if (this.#peek() === 0x2d && this.#peek(1) !== 0x5d && this.#peek(1) !== undefined) {
      this.#pos++;
      const hi = this.#classChar(flags);
      if (typeof hi !== 'number') throw untranslatable('this class');
      return [{ lo, hi }];
    }
    return [{ lo, hi: lo }];
  }

  #classChar(flags: Flags): number | RangeSet {
    const c = this.#next();
    if (c !== 0x5c) return c;
    return this.#perlClass(flags) ?? this.#escapedChar();
  }

  #posixClass(flags: Flags): readonly Range[] {
    this.#pos += 2;
    let name = '';
    for (let c = this.#next(); c !== 0x3a; c = this.#next()) name += String.fromCodePoint(c);
    this.#pos++;
    const set = asciiClass(name, flags.i);
    if (!set) throw untranslatable(`the class [:${name}:]`);
    return set.ranges;
  }

  #quantified(atom: Atom): string {
    const q = this.#quantifier();
    if (!q) return atom.text;
    if (atom.assertion) throw untranslatable('a repeated anchor or word boundary');
    this.#eat('?');
    return repeat(atom.text, q);
  }

  #quantifier(): { min: number; max: number | undefined } | undefined {
    const c = this.#peek();
    if (c === 0x2a) return (this.#pos++, { min: 0, max: undefined });
    if (c === 0x2b) return (this.#pos++, { min: 1, max: undefined });
    if (c === 0x3f) return (this.#pos++, { min: 0, max: 1 });
    if (c !== 0x7b) return undefined;
    const rest = String.fromCodePoint(...this.#chars.slice(this.#pos, this.#pos + 12));
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (!m) return undefined;
    this.#pos += [...m[0]].length;
    const min = Number(m[1]);
    return { min, max: m[2] === undefined ? min : m[3] ? Number(m[3]) : undefined };
  }
}

/** `atom{min,max}` within PostgreSQL's repetition limit: larger counts become consecutive runs. */
function repeat(atom: string, q: { min: number; max: number | undefined }): string {
  if (q.max === undefined) {
    if (q.min <= 1) return `${atom}${q.min === 0 ? '*' : '+'}`;
    let left = q.min;
    let out = '';
    for (; left > PG_DUP_MAX; left -= PG_DUP_MAX) out += `(?:${atom}){${PG_DUP_MAX}}`;
    return `${out}(?:${atom}){${left},}`;
  }
  if (q.min === 0 && q.max === 1) return `${atom}?`;
  let out = '';
  for (let lo = q.min, hi = q.max; hi > 0;) {
    const h = Math.min(hi, PG_DUP_MAX);
    const l = Math.min(lo, h);
    out += `(?:${atom}){${l === h ? h : `${l},${h}`}}`;
    lo -= l;
    hi -= h;
  }
  return out;
}

/** An ARE text, boxed so the cache can tell it from a remembered refusal. */
interface Translated {
  text: string;
}

const translated = new LRUCache<string, Translated | PatternError>({ max: 1_000 });

/**
 * The anchored ARE for a pattern, for `~` in SQL. Throws {@link PatternError} when the pattern is
 * invalid (the pattern module's message) or uses a feature with no faithful ARE form.
 */
export function postgresPattern(source: string): string {
  return memoised(translated, source, (s) => {
    compilePattern(s);
    return { text: `^(?:${new Translator(s).run()})$` };
  }).text;
}

/** Why `source` cannot run in SQL, or undefined when it can. */
export function sqlPatternProblem(source: string): string | undefined {
  return refusal(() => postgresPattern(source));
}
