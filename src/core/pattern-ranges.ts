// Code-point sets for translating RE2 classes into SQL: RE2's ASCII-only Perl and POSIX classes,
// negation over all of Unicode, and RE2's case-folding orbits (k, K and the Kelvin sign K).

/** An inclusive code-point range. */
export interface Range {
  lo: number;
  hi: number;
}

const MAX_CODE_POINT = 0x10ffff;
const SURROGATES = { lo: 0xd800, hi: 0xdfff };

/** A normalised (sorted, merged) set of code points. */
export class RangeSet {
  readonly ranges: readonly Range[];

  private constructor(ranges: readonly Range[]) {
    this.ranges = ranges;
  }

  /** The set of the given ranges (in any order, overlapping or not). */
  static of(ranges: readonly Range[]): RangeSet {
    const sorted = [...ranges].sort((a, b) => a.lo - b.lo);
    const merged: Range[] = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
      else merged.push({ ...r });
    }
    return new RangeSet(merged);
  }

  /** True when `c` is in the set. */
  has(c: number): boolean {
    return this.ranges.some((r) => c >= r.lo && c <= r.hi);
  }

  /** Every code point not in the set. */
  negated(): RangeSet {
    const out: Range[] = [];
    let next = 0;
    for (const r of this.ranges) {
      if (r.lo > next) out.push({ lo: next, hi: r.lo - 1 });
      next = r.hi + 1;
    }
    if (next <= MAX_CODE_POINT) out.push({ lo: next, hi: MAX_CODE_POINT });
    return new RangeSet(out);
  }

  /** The set with every member's case variants added (RE2's `(?i)` on a class). */
  folded(): RangeSet {
    const extra: Range[] = [];
    for (const [c, orbit] of orbits()) {
      if (this.has(c)) for (const x of orbit) extra.push({ lo: x, hi: x });
    }
    return RangeSet.of([...this.ranges, ...extra]);
  }

  /** The ranges text can hold (PostgreSQL text has no NUL and no lone surrogates). */
  storable(): Range[] {
    const out: Range[] = [];
    for (const { lo, hi } of this.ranges) {
      const from = Math.max(lo, 1);
      if (from > hi) continue;
      if (hi < SURROGATES.lo || from > SURROGATES.hi) out.push({ lo: from, hi });
      else {
        if (from < SURROGATES.lo) out.push({ lo: from, hi: SURROGATES.lo - 1 });
        if (hi > SURROGATES.hi) out.push({ lo: SURROGATES.hi + 1, hi });
      }
    }
    return out;
  }
}

const span = (from: string, to = from): Range => ({ lo: from.codePointAt(0) ?? 0, hi: to.codePointAt(0) ?? 0 });

const POSIX: Record<string, Range[]> = {
  alnum: [span('0', '9'), span('A', 'Z'), span('a', 'z')],
  alpha: [span('A', 'Z'), span('a', 'z')],
  ascii: [{ lo: 0, hi: 0x7f }],
  blank: [span('\t'), span(' ')],
  cntrl: [
    { lo: 0, hi: 0x1f },
    { lo: 0x7f, hi: 0x7f },
  ],
  digit: [span('0', '9')],
  graph: [span('!', '~')],
  lower: [span('a', 'z')],
  print: [span(' ', '~')],
  punct: [span('!', '/'), span(':', '@'), span('[', '`'), span('{', '~')],
  space: [span('\t', '\r'), span(' ')],
  upper: [span('A', 'Z')],
  word: [span('0', '9'), span('A', 'Z'), span('a', 'z'), span('_')],
  xdigit: [span('0', '9'), span('A', 'F'), span('a', 'f')],
  // RE2's \s: [\t\n\f\r ] (no vertical tab, unlike [:space:]).
  perlspace: [span('\t', '\n'), span('\f', '\r'), span(' ')],
};

/**
 * RE2's ASCII class `name` (`digit`, `word`, `perlspace`, POSIX names; `^name` negates), or
 * undefined. Under `(?i)` RE2 folds the class before negating it: `(?i)\W` excludes the Kelvin sign.
 */
export function asciiClass(name: string, fold: boolean): RangeSet | undefined {
  const negated = name.startsWith('^');
  const ranges = POSIX[negated ? name.slice(1) : name];
  if (!ranges) return undefined;
  const set = fold ? RangeSet.of(ranges).folded() : RangeSet.of(ranges);
  return negated ? set.negated() : set;
}

const DOTLESS_I = 0x131;
let orbitTable: Map<number, number[]> | undefined;

const single = (text: string): number | undefined => {
  const c = text.codePointAt(0);
  return c !== undefined && text.length === String.fromCodePoint(c).length ? c : undefined;
};

/** Every code point with case variants, mapped to its whole orbit (built once, ~100 ms). */
function orbits(): Map<number, number[]> {
  if (orbitTable) return orbitTable;
  const groups = new Map<number, Set<number>>();
  for (let c = 0; c <= MAX_CODE_POINT; c++) {
    if (c === SURROGATES.lo) c = SURROGATES.hi + 1;
    const key = foldKey(c);
    if (key === undefined) continue;
    const group = groups.get(key) ?? new Set([key]);
    group.add(c);
    groups.set(key, group);
  }
  orbitTable = new Map();
  for (const group of groups.values()) for (const c of group) orbitTable.set(c, [...group]);
  return orbitTable;
}

/** The orbit a code point joins under simple case folding, or undefined when it has no case. */
function foldKey(c: number): number | undefined {
  // U+0131 (dotless i) folds to i only under CaseFolding.txt's Turkic rule, which RE2 leaves out.
  if (c === DOTLESS_I) return undefined;
  const text = String.fromCodePoint(c);
  const lower = single(text.toLowerCase());
  if (lower !== undefined && lower !== c) return lower;
  const upper = single(text.toUpperCase());
  if (upper === undefined || upper === c) return undefined;
  return single(String.fromCodePoint(upper).toLowerCase()) ?? undefined;
}

/** The code points equal to `c` ignoring case (just `c` when it has no case). */
export function caseOrbit(c: number): number[] {
  return orbits().get(c) ?? [c];
}
