// The pattern module's shared table run in SQL: each translated pattern gives, on real PostgreSQL
// and on PGlite, the same answer as the in-process RE2 matcher, and /history's label matchers
// use it end to end (refusing what cannot run in SQL with a 400 naming the parameter).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern, patternProblem } from '../../src/core/pattern.ts';
import { postgresPattern, sqlPatternProblem } from '../../src/core/pattern-sql.ts';
import type { Db } from '../../src/store/db.ts';
import { backends } from '../helpers/backends.ts';
import { patternCases } from '../helpers/pattern-cases.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const cases = patternCases();

describe.each(backends())('patterns in SQL on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.fresh();
  });
  afterAll(async () => {
    await db.close();
  });

  it.each(cases.matching)('$pattern agrees with the in-process matcher', async (c) => {
    const values = [...c.yes, ...c.no];
    const rows = await db.query<{ m: boolean }>('SELECT v ~ $1 AS m FROM unnest($2::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n', [
      postgresPattern(c.pattern),
      values,
    ]);
    expect(rows.map((r) => r.m)).toEqual([...c.yes.map(() => true), ...c.no.map(() => false)]);
  });

  it.each(cases.notInSql)('refuses $pattern for SQL with a reason', (c) => {
    expect(sqlPatternProblem(c.pattern)).toMatch(/cannot be evaluated by the database/);
  });
});

describe.each(backends())('/history label matchers on $name', (backend) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(await backend.fresh());
    const alerts = ['kube-api', 'Kube-DNS', 'node\u212a', 'etcd'].map((name, i) => ({
      status: 'firing',
      labels: { alertname: name, team: i % 2 ? 'b' : 'a' },
      startsAt: '2026-11-30T10:00:00Z',
    }));
    expect((await svc.post('/webhook', { alerts })).status).toBe(200);
  });
  afterAll(async () => {
    await svc.stop();
  });

  const names = async (matcher: string): Promise<string[]> => {
    const res = await svc.get(`/history?label=${encodeURIComponent(matcher)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { alerts: { alertname: string }[] };
    return body.alerts.map((a) => a.alertname).sort();
  };

  it('matches anchored RE2 patterns, case folding included', async () => {
    expect(await names('alertname=~kube-.*')).toEqual(['kube-api']);
    expect(await names('alertname=~(?i)kube-.*')).toEqual(['Kube-DNS', 'kube-api']);
    expect(await names('alertname=~(?i)nodek')).toEqual(['node\u212a']);
    expect(await names('alertname!~.*e.*')).toEqual([]);
  });

  it.each([
    ['a backreference', 'alertname=~(.*)(.*)\\2\\1', /backreference/],
    ['an anchoring escape', 'alertname=~.*)|(.*', /not a valid RE2/],
    ['a lookahead', 'alertname=~(?=k).*', /lookaround/],
    ['a Unicode class in SQL', 'alertname=~\\pL+', /cannot be evaluated by the database/],
  ])('answers 400 naming the parameter for %s', async (_what, matcher, message) => {
    const res = await svc.get(`/history?label=${encodeURIComponent(matcher)}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; error: string; details: { fields: { path: string; message: string }[] } };
    expect(body.code).toBe('VALIDATION_ERROR');
    expect(body.details.fields[0]?.path).toBe('label.0');
    expect(body.details.fields[0]?.message).toMatch(message);
  });
});

// Generated patterns from a small RE2 grammar over an alphabet with the tricky characters (case
// orbits, newline, dot, dash, non-ASCII): whenever the module accepts a pattern for SQL, SQL and
// the in-process matcher agree on every generated value.
const ALPHABET = ['a', 'b', 'A', 'k', 'K', '\u212a', '-', '.', '\n', ' ', '\u00e9', '1', '_'];
const literal = fc.constantFrom(...ALPHABET).map((c) => (/[.\-\n ]/.test(c) ? { '.': '\\.', '-': '\\-', '\n': '\\n', ' ': ' ' }[c]! : c));
const classItem = fc.oneof(literal, fc.constantFrom('a-k', 'A-Z', '\\d', '\\w', '\\s', '[:alpha:]', '[:^digit:]'));
const { pattern: patternArb } = fc.letrec<{ pattern: string; piece: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    fc.constantFrom('.', '\\d', '\\w', '\\s', '\\W', '^', '$', '\\b'),
    fc.tuple(fc.boolean(), fc.array(classItem, { minLength: 1, maxLength: 3 })).map(([neg, items]) => `[${neg ? '^' : ''}${items.join('')}]`),
    fc.tuple(fc.constantFrom('(', '(?:', '(?i:', '(?s:', '(?i)(?:', '(?P<g>'), tie('pattern')).map(([open, body]) => `${open}${body})`),
  ),
  piece: fc.tuple(tie('atom'), fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{0,2}', '*?', '+?')).map(([a, q]) => a + q),
  pattern: fc
    .array(
      fc.array(tie('piece'), { minLength: 1, maxLength: 3 }).map((p) => p.join('')),
      { minLength: 1, maxLength: 3 },
    )
    .map((alts) => alts.join('|')),
}));
const valueArb = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 6 }).map((cs) => cs.join(''));

describe.each(backends())('generated patterns on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.fresh();
  });
  afterAll(async () => {
    await db.close();
  });

  it('agree between SQL and the in-process matcher', async () => {
    await fc.assert(
      fc.asyncProperty(patternArb, fc.array(valueArb, { minLength: 1, maxLength: 8 }), async (pattern, values) => {
        fc.pre(patternProblem(pattern) === undefined && sqlPatternProblem(pattern) === undefined);
        const rows = await db.query<{ m: boolean }>('SELECT v ~ $1 AS m FROM unnest($2::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n', [
          postgresPattern(pattern),
          values,
        ]);
        expect(rows.map((r) => r.m)).toEqual(values.map((v) => matchesPattern(pattern, v)));
      }),
      { numRuns: 300 },
    );
  });
});
