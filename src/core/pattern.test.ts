import { describe, expect, it } from 'vitest';
import { patternCases } from '../../test/helpers/pattern-cases.ts';
import { compilePattern, matchesPattern, patternProblem } from './pattern.ts';

const cases = patternCases();

describe('pattern module (RE2 semantics, anchored)', () => {
  it.each([...cases.matching, ...cases.notInSql])('$pattern matches its table rows in process', (c) => {
    for (const value of c.yes) expect(matchesPattern(c.pattern, value), `${c.pattern} ~ ${JSON.stringify(value.slice(0, 40))}`).toBe(true);
    for (const value of c.no) expect(matchesPattern(c.pattern, value), `${c.pattern} !~ ${JSON.stringify(value.slice(0, 40))}`).toBe(false);
  });

  it.each(cases.invalid)('refuses $pattern with a message naming the rule', ({ pattern, error }) => {
    expect(patternProblem(pattern)).toContain(error);
    expect(() => compilePattern(pattern)).toThrow(error);
  });

  it('keeps an anchoring escape from matching everything', () => {
    expect(patternProblem('.*)|(.*')).toMatch(/not a valid RE2/);
  });

  it('matches a pathological pattern on a long value without backtracking blow-up', () => {
    // Backtracking engines take exponential time here; RE2 is linear in the input.
    expect(matchesPattern('(x+x+)+y', 'x'.repeat(5_000))).toBe(false);
  });
});
