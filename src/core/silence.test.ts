import { describe, expect, it } from 'vitest';
import { formatMatcher, matcherMatches, matchersFromLabels, matchersMatch, matchesEmpty, type SilenceMatcher } from './silence.ts';

const eq = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: true });
const ne = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: false });
const re = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: true, isEqual: true });
const nre = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: true, isEqual: false });

const labels = { alertname: 'DiskFull', namespace: 'payments', instance: 'db-1:9100', empty: '' };

describe('matchersFromLabels', () => {
  it('makes one equality matcher per label, sorted by name, leaving empty values out', () => {
    expect(matchersFromLabels({ namespace: 'payments', alertname: 'DiskFull', empty: '' })).toEqual([eq('alertname', 'DiskFull'), eq('namespace', 'payments')]);
  });

  it('keeps names that look like object keys as plain labels', () => {
    expect(matchersFromLabels(JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<string, string>)).toEqual([
      eq('__proto__', 'x'),
      eq('constructor', 'y'),
    ]);
  });
});

describe('matcherMatches (Alertmanager semantics)', () => {
  it('compares = and != with the exact value', () => {
    expect(matcherMatches(eq('namespace', 'payments'), labels)).toBe(true);
    expect(matcherMatches(eq('namespace', 'pay'), labels)).toBe(false);
    expect(matcherMatches(ne('namespace', 'payments'), labels)).toBe(false);
    expect(matcherMatches(ne('namespace', 'shop'), labels)).toBe(true);
  });

  it('anchors regexes on the whole value', () => {
    expect(matcherMatches(re('instance', 'db-.*'), labels)).toBe(true);
    expect(matcherMatches(re('instance', 'db-1'), labels)).toBe(false);
    expect(matcherMatches(re('instance', 'a|db-1:9100'), labels)).toBe(true);
    expect(matcherMatches(nre('instance', 'db-.*'), labels)).toBe(false);
    expect(matcherMatches(nre('instance', 'db'), labels)).toBe(true);
  });

  it('reads a missing label as the empty string', () => {
    expect(matcherMatches(eq('team', ''), labels)).toBe(true);
    expect(matcherMatches(ne('team', ''), labels)).toBe(false);
    expect(matcherMatches(re('team', '.*'), labels)).toBe(true);
    expect(matcherMatches(re('team', '.+'), labels)).toBe(false);
    expect(matcherMatches(nre('team', 'x'), labels)).toBe(true);
    expect(matcherMatches(eq('empty', ''), labels)).toBe(true);
  });

  it('never reads inherited properties as labels', () => {
    expect(matcherMatches(eq('constructor', ''), labels)).toBe(true);
    expect(matcherMatches(re('toString', '.+'), labels)).toBe(false);
  });

  it('matches nothing with a regex RE2 refuses instead of throwing', () => {
    expect(matcherMatches(re('instance', '(a'), labels)).toBe(false);
    expect(matcherMatches(re('instance', '(?=db).*'), labels)).toBe(false);
  });
});

describe('matchersMatch and matchesEmpty', () => {
  it('needs every matcher to match, and at least one', () => {
    expect(matchersMatch([eq('alertname', 'DiskFull'), re('namespace', 'pay.*')], labels)).toBe(true);
    expect(matchersMatch([eq('alertname', 'DiskFull'), eq('namespace', 'shop')], labels)).toBe(false);
    expect(matchersMatch([], labels)).toBe(false);
  });

  it('tells which matchers match the empty string', () => {
    expect(matchesEmpty(re('namespace', '.*'))).toBe(true);
    expect(matchesEmpty(ne('namespace', 'x'))).toBe(true);
    expect(matchesEmpty(eq('namespace', ''))).toBe(true);
    expect(matchesEmpty(eq('namespace', 'x'))).toBe(false);
    expect(matchesEmpty(re('namespace', '.+'))).toBe(false);
    expect(matchesEmpty(nre('namespace', '.*'))).toBe(false);
  });
});

describe('formatMatcher', () => {
  it('prints the four operators the Alertmanager way', () => {
    expect([eq('a', 'x'), ne('a', 'x'), re('a', 'x.*'), nre('a', '"q"')].map(formatMatcher)).toEqual(['a="x"', 'a!="x"', 'a=~"x.*"', 'a!~"\\"q\\""']);
  });
});
