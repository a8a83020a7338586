import { describe, expect, it } from 'vitest';
import { createBody, fieldPath } from './silence-body.ts';

const schema = createBody(86_400_000);
const valid = { matchers: [{ name: 'alertname', value: 'A', isRegex: false }], duration: '2h', comment: 'why', author: 'me' };
const paths = (body: unknown): string[] => {
  const r = schema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => fieldPath(i.path));
};

describe('createBody', () => {
  it('accepts a valid body, defaulting isEqual and trimming', () => {
    const r = schema.parse({ ...valid, author: '  me ' });
    expect(r).toMatchObject({ matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }], duration: 7_200_000, author: 'me' });
  });

  it('names the failing field the way the API does', () => {
    expect(paths({ ...valid, matchers: [valid.matchers[0], { name: 'x', value: '\\1', isRegex: true }] })).toEqual(['matchers[1].value']);
    expect(paths({ ...valid, matchers: [{ name: 'x', value: '', isRegex: false }] })).toEqual(['matchers']);
    expect(paths({ ...valid, matchers: [{ name: 'x', value: 'a', isRegex: false, isEqual: false }] })).toEqual(['matchers']);
    expect(paths({ ...valid, duration: '2d' })).toEqual(['duration']);
    expect(paths({ ...valid, comment: '' })).toEqual(['comment']);
  });

  it('formats nested paths', () => {
    expect(fieldPath(['matchers', 3, 'value'])).toBe('matchers[3].value');
    expect(fieldPath([])).toBe('');
  });
});
