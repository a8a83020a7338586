// The pattern module's shared table run in SQL: each translated pattern gives, on real PostgreSQL
// and on PGlite, the same answer as the in-process RE2 matcher, and /history's label matchers
// use it end to end (refusing what cannot run in SQL with a 400 naming the parameter).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const rows = await db.query<{ m: boolean }>('SELECT v ~ $1 AS m FROM unnest($2::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n', [postgresPattern(c.pattern), values]);
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
