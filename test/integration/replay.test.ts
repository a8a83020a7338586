// Replay (docs/replay.md) on PostgreSQL and PGlite: events recorded through the proxy with a
// target filter in place, then replayed; the replay must answer what the live pipeline decided
// (the deliveries' filtered reasons), count per UTC day across midnight, replay a named target and
// a policy, reject bad input naming the field without storing anything, and stop at the deadline.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReplayResponse } from '../../src/api/contract-publishing.ts';
import { createReplayer } from '../../src/compose/replay.ts';
import { replayRequestSchema } from '../../src/config/replay-schema.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/pg.ts';
import { createReplaySource } from '../../src/store/replay-scan.ts';
import { backends, postgresOnly } from '../helpers/backends.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { FAST_WORKER } from '../helpers/publishing.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const TOKEN = 'replay-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const POLL = { timeout: 20_000, interval: 100 };
const HOOK_FILTER = { severities: ['critical', 'warning'], namespaces: ['payments', 'infra'] };

const yaml = (url: string): string => `
publishing:
${FAST_WORKER}
  targets:
    - name: hook
      type: webhook
      url: ${url}/hook
      filter: { severities: [critical, warning], namespaces: [payments, infra] }
    - name: all
      type: webhook
      url: ${url}/hook
`;

/** A mix the rules classifier and the filters tell apart: severities, namespaces, a heartbeat, an unlabelled alert. */
function alerts(tag: string): object[] {
  const mk = (name: string, labels: Record<string, string>, i: number): object => ({
    status: 'firing',
    labels: { alertname: name, tag, ...labels },
    startsAt: `2026-11-30T10:00:${String(i).padStart(2, '0')}Z`,
  });
  return [
    mk('DiskFull', { severity: 'critical', namespace: 'payments' }, 1),
    mk('HighLatency', { severity: 'warning', namespace: 'payments' }, 2),
    mk('HighLatency', { severity: 'warning', namespace: 'infra' }, 3),
    mk('CertExpiry', { severity: 'info', namespace: 'infra' }, 4),
    mk('QueueDepth', { severity: 'warning', namespace: 'dev' }, 5),
    mk('Watchdog', { namespace: 'payments' }, 6),
    mk('Something', { namespace: 'payments' }, 7),
  ];
}

type Report = ReturnType<typeof ReplayResponse.parse>;

describe.each(backends())('replay on $name', (backend) => {
  let fake: FakeVendors;
  let svc: TestService;
  let db: Db;
  const since = new Date(Date.now() - 3_600_000).toISOString();

  const replay = async (body: object): Promise<Report> => {
    const res = await svc.post('/publishing/replay', { since, ...body }, AUTH);
    expect(res.status, await res.clone().text()).toBe(200);
    return ReplayResponse.parse(await res.json());
  };
  const counts = async (): Promise<number[]> =>
    Promise.all(
      ['alert_events', 'deliveries', 'classifications', 'settings'].map(
        async (t) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0]!.n,
      ),
    );

  beforeAll(async () => {
    fake = await startFakeVendors();
    db = await backend.fresh();
    svc = await startTestService(db, { LOG_LEVEL: 'warn', API_TOKENS: TOKEN }, { configYaml: yaml(fake.url) });
    expect((await svc.post('/webhook/proxy', { alerts: alerts('live') })).status).toBe(200);
    await vi.waitFor(async () => {
      const [routing] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE state = 'routing'");
      expect(routing!.n).toBe(0);
    }, POLL);
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
  });

  it("answers what the live pipeline decided for the target's filter, reason by reason", async () => {
    const live = await db.query<{ state: string; filter_reason: string | null }>("SELECT state, filter_reason FROM deliveries WHERE target = 'hook'");
    expect(live).toHaveLength(7);
    const liveSuppressed = live.filter((d) => d.state === 'filtered');
    const liveReasons = new Map<string, number>();
    for (const d of liveSuppressed) liveReasons.set(d.filter_reason!, (liveReasons.get(d.filter_reason!) ?? 0) + 1);
    // The mix reaches the target filter and the global rules alike.
    expect(liveReasons.size).toBeGreaterThanOrEqual(3);

    const r = await replay({ target: 'hook', filter: HOOK_FILTER });
    expect(r.target).toBe('hook');
    expect(r.totals).toMatchObject({ events: 7, sent: 7 - liveSuppressed.length, current_sent: 7 - liveSuppressed.length, newly_sent: 0, newly_suppressed: 0 });
    expect(new Map(r.totals.reasons.map((x) => [x.reason, x.count]))).toEqual(liveReasons);
  });

  it('shows the change of a stricter filter against the current one, per alertname', async () => {
    const r = await replay({ target: 'hook', filter: { severities: ['critical'] } });
    expect(r.totals).toMatchObject({ events: 7, sent: 1, newly_suppressed: 2, newly_sent: 0 });
    const latency = r.by_alertname.find((b) => b.alertname === 'HighLatency')!;
    expect(latency).toMatchObject({ events: 2, sent: 0, current_sent: 2, newly_suppressed: 2 });
    expect(latency.reasons).toEqual([{ reason: 'severity warning not in [critical]', count: 2 }]);
    expect(latency.examples[0]).toMatchObject({ alertname: 'HighLatency', sent: false, current_sent: true, current_reason: 'target filter passes' });
  });

  it("replays a named target as configured, and a filter without a target against a new target's default", async () => {
    const live = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE target = 'all' AND state <> 'filtered'");
    const asIs = await replay({ target: 'all' });
    expect(asIs.totals).toMatchObject({ events: 7, sent: live[0]!.n, newly_sent: 0, newly_suppressed: 0 });
    const fresh = await replay({ filter: { namespaces: ['payments'] } });
    expect(fresh.target).toBeNull();
    expect(fresh.compared_with).toMatch(/new target's default filter/);
    // What the global rules pass (5 of 7) minus what is outside payments (2 in infra, 1 in dev).
    expect(fresh.totals).toMatchObject({ current_sent: 5, sent: 2, newly_suppressed: 3, newly_sent: 0 });
    expect(fresh.by_alertname.find((b) => b.alertname === 'QueueDepth')!.reasons).toEqual([{ reason: 'namespace "dev" not in [payments]', count: 1 }]);
  });

  it('replays a policy: the policy its match selects decides with its own filter', async () => {
    const policy = { name: 'strict-infra', priority: 10, match: { namespaces: ['infra'] }, mode: 'enriched', filter: { dropBelowConfidence: 0.99 } };
    const r = await replay({ target: 'all', policy });
    expect(r.replayed).toMatch(/policy strict-infra/);
    // Both infra events (warning and info, rules confidence 0.45) were sent and are now dropped.
    expect(r.totals).toMatchObject({ newly_suppressed: 2, newly_sent: 0 });
    expect(r.totals.reasons).toContainEqual({ reason: 'global: policy strict-infra: confidence 0.45 below 0.99', count: 2 });
  });

  it('counts per UTC day across midnight, with the stored classification of events that had no delivery', async () => {
    expect((await svc.post('/webhook', { alerts: alerts('midnight').slice(0, 2) })).status).toBe(200);
    await db.query(
      `UPDATE alert_events SET received_at = CASE alertname WHEN 'DiskFull' THEN '2026-11-29T23:59:59.999999Z'::timestamptz ELSE '2026-11-30T00:00:00Z'::timestamptz END
       WHERE labels ->> 'tag' = 'midnight'`,
    );
    const r = await replay({ since: '2026-11-29T23:00:00Z', until: '2026-11-30T01:00:00Z', target: 'hook', filter: { severities: ['critical'] } });
    expect(r.by_day.map((d) => [d.day, d.events, d.sent, d.newly_suppressed])).toEqual([
      ['2026-11-29', 1, 1, 0],
      ['2026-11-30', 1, 0, 1],
    ]);

    // No delivery row: the fingerprint's latest classification stored by the end of the window
    // decides (one stored after the window does not count), instead of the rules.
    const [row] = await db.query<{ fingerprint: string }>(
      "SELECT fingerprint FROM alert_events WHERE labels ->> 'tag' = 'midnight' AND alertname = 'HighLatency'",
    );
    const insert = `INSERT INTO classifications (fingerprint, severity, confidence, category, reasoning, recommendations, source, model, prompt_version, latency_ms, created_at)
                    VALUES ($1, $2, 0.9, 'other', 'test', '[]', 'llm', 'm', 'v1', 1, $3)`;
    await db.query(insert, [row!.fingerprint, 'critical', '2026-11-29T12:00:00Z']);
    await db.query(insert, [row!.fingerprint, 'noise', '2026-11-30T02:00:00Z']);
    const again = await replay({ since: '2026-11-29T23:00:00Z', until: '2026-11-30T01:00:00Z', target: 'hook', filter: { severities: ['critical'] } });
    expect(again.by_day.map((d) => [d.day, d.events, d.sent])).toEqual([
      ['2026-11-29', 1, 1],
      ['2026-11-30', 1, 1],
    ]);
  });

  it('rejects bad input with a 400 naming the field and stores nothing', async () => {
    const before = await counts();
    const cases: [object, RegExp][] = [
      [{ since, filter: { alertNamePattern: '(unclosed' } }, /^filter\.alertNamePattern$/],
      [{ since, filter: { matchers: [{ label: 'x', op: '=~', value: '(a)\\1' }] } }, /^filter\.matchers\.0\.value$/],
      [{ since, globalFilter: { minConfidence: 3 } }, /^globalFilter\.minConfidence$/],
      [{ since: 'last week', target: 'hook' }, /^since$/],
      [{ since, target: 'nope' }, /^target$/],
      [{ since, policy: { name: 'Bad Name', mode: 'enriched' } }, /^policy\.name$/],
    ];
    for (const [body, path] of cases) {
      const res = await svc.post('/publishing/replay', body, AUTH);
      expect(res.status).toBe(400);
      const err = (await res.json()) as { code: string; details: { fields: { path: string }[] } };
      expect(err.code).toBe('VALIDATION_ERROR');
      expect(err.details.fields[0]!.path).toMatch(path);
    }
    expect((await svc.post('/publishing/replay', { since, target: 'hook' })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('stops a replay that runs past the read deadline with the 503 of reads', async () => {
    let now = 0;
    const replayer = createReplayer({
      source: createReplaySource(db.reads),
      catalog: { list: () => [], get: () => undefined },
      policies: { list: () => [] },
      modes: { get: () => Promise.resolve({ mode: 'enriched', source: 'default' }) },
      globalFilter: svc.config.filters,
      readTimeoutMs: 100,
      // Every read of the clock is a second later: the first page already arrives past the deadline.
      clock: () => (now += 1_000),
    });
    const request = replayRequestSchema.parse({ since, filter: {} });
    await expect(replayer(request)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, message: /database\.readTimeoutMs/ });
  });
});

describe.runIf(postgresOnly())('replay read deadline over HTTP on PostgreSQL', () => {
  let svc: TestService;
  let db: Db;
  beforeAll(async () => {
    const url = postgresOnly()!.url!;
    db = openPostgres({
      url,
      poolSize: 4,
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 30_000,
      readPoolSize: 2,
      readTimeoutMs: 300,
      logger: pino({ level: 'silent' }),
    });
    await migrate(db);
    svc = await startTestService(db, { LOG_LEVEL: 'warn', DATABASE_READ_TIMEOUT_MS: '300' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('answers 503 while the events cannot be read within database.readTimeoutMs', async () => {
    // Warm the read pool (a connection made under load must not be what times out), then hold a
    // lock the replay's read must wait for: it cannot finish before the deadline.
    expect((await svc.post('/publishing/replay', { since: '7d', filter: {} })).status).toBe(200);
    await db.transaction(async (tx) => {
      await tx.query('LOCK TABLE alert_events IN ACCESS EXCLUSIVE MODE');
      const res = await svc.post('/publishing/replay', { since: '7d', filter: {} });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { code: string; error: string };
      expect(body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(body.error).toMatch(/database\.readTimeoutMs/);
    });
  });
});

describe('a pattern PostgreSQL would take seconds over, on long label values', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(await backends().at(-1)!.fresh(), { LOG_LEVEL: 'warn' });
    const alerts = Array.from({ length: 300 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: `Long${i}`, severity: 'critical', longv: 'x'.repeat(1_000) },
      startsAt: '2026-11-30T10:00:00Z',
    }));
    expect((await svc.post('/webhook', { alerts })).status).toBe(200);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('is decided in process by RE2 (linear), answers, and leaves the service healthy', async () => {
    // The heavy read of bounded-reads.test.ts: seconds per value in SQL; replay never sends a
    // filter pattern to SQL, and a bad one never gets this far (400).
    const value = '(?:x{1,10}){1,100}y';
    const res = await svc.post('/publishing/replay', { since: '1h', filter: { matchers: [{ label: 'longv', op: '=~', value }] } });
    expect(res.status).toBe(200);
    const r = ReplayResponse.parse(await res.json());
    expect(r.totals).toMatchObject({ events: 300, sent: 0 });
    expect(r.totals.reasons).toEqual([{ reason: `label longv =~ "${value}" does not match`, count: 300 }]);
    expect((await svc.get('/healthz')).status).toBe(200);
  });
});
