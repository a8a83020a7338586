// import-legacy on real parts: each predecessor's store (the fixtures of test/fixtures/legacy/ in
// real SQLite files and a fresh PostgreSQL database) imported into PostgreSQL and PGlite, with the
// counts, fingerprints, classifications, idempotence, resume and dry run checked against the
// stored rows; and analytics reads from rollups still equal to the raw queries after old events land.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { alertFingerprint } from '../../src/core/fingerprint.ts';
import type { AlertLimits } from '../../src/ingest/limits.ts';
import { runImport } from '../../src/legacy/importer.ts';
import type { ImportReport } from '../../src/legacy/report.ts';
import { resolveShape } from '../../src/legacy/shapes.ts';
import { openSource, parseSourceRef } from '../../src/legacy/source.ts';
import { flappingAlerts, historyStats, report, topAlerts } from '../../src/store/analytics.ts';
import { latestClassification } from '../../src/store/classification-store.ts';
import { dashboardCharts } from '../../src/store/dashboard.ts';
import type { Db } from '../../src/store/db.ts';
import { recordBatch } from '../../src/store/record.ts';
import { runRollup } from '../../src/store/rollup.ts';
import { backends } from '../helpers/backends.ts';
import { type LegacyFixture, postgresFixture, sqliteFixture } from '../helpers/legacy-fixtures.ts';
import { dropDatabase } from '../helpers/postgres.ts';

const quiet = { update: () => undefined, done: () => undefined };

interface Expected {
  read: { events: number; classifications: number };
  imported: { events: number; classifications: number; fingerprintMappings: number };
  duplicates: { events: number; classifications: number };
  skipped: Record<string, number>;
  degraded: Record<string, number>;
}

/** What each fixture holds (the comments of each script say which row is which). */
const EXPECTED: Record<LegacyFixture, Expected> = {
  'original-sqlite': {
    read: { events: 13, classifications: 0 },
    imported: { events: 6, classifications: 0, fingerprintMappings: 2 },
    duplicates: { events: 1, classifications: 0 },
    skipped: { bad_labels_json: 1, missing_alertname: 1, bad_timestamp: 2, bad_text: 1, bad_status: 1 },
    degraded: { bad_raw_json: 1 },
  },
  'python-sqlite': {
    read: { events: 9, classifications: 5 },
    imported: { events: 6, classifications: 2, fingerprintMappings: 4 },
    duplicates: { events: 0, classifications: 0 },
    skipped: { bad_labels_json: 1, bad_timestamp: 1, missing_alertname: 1, ends_before_starts: 1, unknown_alert: 1, bad_severity: 1, bad_confidence: 1 },
    degraded: { bad_annotations_json: 1, bad_recommendations_json: 1 },
  },
  'go-lite': {
    read: { events: 6, classifications: 0 },
    imported: { events: 5, classifications: 0, fingerprintMappings: 3 },
    duplicates: { events: 0, classifications: 0 },
    skipped: { bad_labels_json: 1, bad_timestamp: 1 },
    degraded: {},
  },
  postgres: {
    read: { events: 6, classifications: 4 },
    imported: { events: 4, classifications: 2, fingerprintMappings: 2 },
    duplicates: { events: 0, classifications: 0 },
    skipped: { bad_labels_json: 2, bad_timestamp: 1, unknown_alert: 1, bad_confidence: 1 },
    degraded: {},
  },
};

const adminUrl = inject('postgresAdminUrl');
const SOURCE_DB = `alert_history_legacy_src_${process.pid}`;
const fixtures: Partial<Record<LegacyFixture, string>> = {};

beforeAll(async () => {
  for (const name of ['original-sqlite', 'python-sqlite', 'go-lite'] as const) fixtures[name] = sqliteFixture(name);
  if (adminUrl) fixtures.postgres = await postgresFixture(adminUrl, SOURCE_DB);
});
afterAll(async () => {
  if (adminUrl) await dropDatabase(adminUrl, SOURCE_DB);
});

async function importFrom(
  from: string,
  target: Db | undefined,
  options: { batchSize?: number; maxRows?: number; limits?: AlertLimits } = {},
): Promise<ImportReport> {
  const source = await openSource(parseSourceRef(from));
  try {
    const { shape, phases } = await resolveShape(source, undefined);
    return await runImport({
      source,
      shape,
      phases,
      target,
      batchSize: options.batchSize ?? 1000,
      maxRows: options.maxRows,
      limits: options.limits,
      progress: quiet,
      shouldStop: () => false,
    });
  } finally {
    await source.close();
  }
}

async function tableCounts(db: Db): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM alert_events) AS events, (SELECT count(*)::int FROM alerts) AS alerts,
            (SELECT count(*)::int FROM classifications) AS classifications, (SELECT count(*)::int FROM legacy_fingerprints) AS mappings,
            (SELECT count(*)::int FROM deliveries) AS deliveries`,
  );
  return row!;
}

async function reset(db: Db): Promise<void> {
  await db.query('TRUNCATE alert_events, alerts, classifications, deliveries, legacy_fingerprints, legacy_imports RESTART IDENTITY CASCADE');
}

const SHAPES: LegacyFixture[] = ['original-sqlite', 'python-sqlite', 'go-lite', 'postgres'];

describe.each(backends())('import-legacy into $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.fresh();
  });
  afterAll(async () => {
    await reset(db);
    await db.close();
  });
  beforeEach(async () => reset(db));

  describe.each(SHAPES)('from the %s fixture', (shape) => {
    const from = (): string => {
      const source = fixtures[shape];
      if (!source) throw new Error(`no ${shape} fixture (PostgreSQL unavailable)`);
      return source;
    };
    const runnable = shape !== 'postgres' || Boolean(adminUrl);

    it.runIf(runnable)('imports events, fingerprint mappings and classifications with the expected counts', async () => {
      const r = await importFrom(from(), db);
      expect(r.shape).toBe(shape);
      expect(r.status).toBe('completed');
      expect(r.counts).toEqual(EXPECTED[shape]);
      const counts = await tableCounts(db);
      expect(counts).toMatchObject({ events: EXPECTED[shape].imported.events, classifications: EXPECTED[shape].imported.classifications, deliveries: 0 });
      expect(counts.mappings).toBe(EXPECTED[shape].imported.fingerprintMappings);
      // Every stored fingerprint is Alertmanager's, recomputed from the stored labels.
      const events = await db.query<{ fingerprint: string; labels: Record<string, string>; source: string }>(
        'SELECT fingerprint, labels, source FROM alert_events',
      );
      for (const e of events) {
        expect(e.fingerprint).toBe(alertFingerprint(e.labels));
        expect(e.source).toBe('legacy-import');
      }
      // Each old fingerprint leads to a stored alert.
      const orphans = await db.query('SELECT 1 FROM legacy_fingerprints m WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.fingerprint = m.fingerprint)');
      expect(orphans).toEqual([]);
    });

    it.runIf(runnable)('a second run adds nothing: every state change and classification is a duplicate', async () => {
      await importFrom(from(), db);
      const before = await tableCounts(db);
      const again = await importFrom(from(), db);
      expect(again.resumed).toBe(false);
      expect(again.counts.imported).toEqual({ events: 0, classifications: 0, fingerprintMappings: 0 });
      expect(again.counts.duplicates).toEqual({
        events: EXPECTED[shape].imported.events + EXPECTED[shape].duplicates.events,
        classifications: EXPECTED[shape].imported.classifications,
      });
      expect(await tableCounts(db)).toEqual(before);
    });

    it.runIf(runnable)('stopped after a few rows and run again, it ends with the totals of one run', async () => {
      const first = await importFrom(from(), db, { batchSize: 2, maxRows: 3 });
      expect(first.status).toBe('stopped');
      expect(first.readThisRun).toBe(3);
      const rest = await importFrom(from(), db, { batchSize: 2 });
      expect(rest.resumed).toBe(true);
      expect(rest.status).toBe('completed');
      expect(rest.counts).toEqual(EXPECTED[shape]);
      expect(first.readThisRun + rest.readThisRun).toBe(EXPECTED[shape].read.events + EXPECTED[shape].read.classifications);
      const counts = await tableCounts(db);
      expect(counts.events).toBe(EXPECTED[shape].imported.events);
      expect(counts.classifications).toBe(EXPECTED[shape].imported.classifications);
    });

    it.runIf(runnable)('--dry-run reads and reports, and writes nothing', async () => {
      const r = await importFrom(from(), undefined);
      expect(r.dryRun).toBe(true);
      expect(r.counts.read).toEqual(EXPECTED[shape].read);
      expect(r.counts.skipped).toEqual(EXPECTED[shape].skipped);
      expect(r.counts.imported.events).toBe(EXPECTED[shape].imported.events);
      expect(await tableCounts(db)).toEqual({ events: 0, alerts: 0, classifications: 0, mappings: 0, deliveries: 0 });
      expect(await db.query('SELECT 1 FROM legacy_imports')).toEqual([]);
    });
  });

  it.runIf(Boolean(adminUrl))('carries classifications over: the latest per alert, our severities, source legacy-import', async () => {
    await importFrom(fixtures.postgres!, db);
    const highCpu = await latestClassification(db, '095c02d3375625f5');
    expect(highCpu).toMatchObject({
      severity: 'critical',
      confidence: 0.95,
      category: 'saturation',
      reasoning: 'Sustained CPU saturation on a production host.',
      recommendations: ['Check the top processes', 'Scale out'],
      source: 'legacy-import',
      model: 'gpt-4o',
      promptVersion: 'v2',
      latencyMs: 1250,
      createdAt: '2026-11-21T10:05:00Z',
    });
    expect(await latestClassification(db, '44a691f422eafef8')).toMatchObject({ severity: 'warning', source: 'legacy-import', category: 'availability' });
    const [mapping] = await db.query<{ fingerprint: string; shape: string }>(
      "SELECT fingerprint, shape FROM legacy_fingerprints WHERE legacy_fingerprint = 'c12f8060c5ca18d10312e580ca6340b3bcc0e3e4219d8bb78bf3e7a21f5cce60'",
    );
    expect(mapping).toEqual({ fingerprint: '44a691f422eafef8', shape: 'postgres' });
  });

  it('pages by the source key without losing rows: a NULL key is not read and does not derail the cursor', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ah-legacy-')), 'null-key.db');
    const lite = new DatabaseSync(file);
    lite.exec(readFileSync(new URL('../fixtures/legacy/go-lite.sql', import.meta.url), 'utf8').split('\nINSERT')[0]!);
    const insert = lite.prepare(
      `INSERT INTO alerts (fingerprint, status, alert_name, labels, starts_at, created_at, updated_at) VALUES (?, 'firing', ?, ?, 1795600000000, 1795600000000, 1795600000000)`,
    );
    for (const [fp, name] of [
      [null, 'NullKey'],
      ['0aaa', 'Digits'],
      ['zzzz', 'Letters'],
    ] as const)
      insert.run(fp, name, JSON.stringify({ alertname: name }));
    lite.close();
    const r = await importFrom(file, db, { batchSize: 1 });
    expect(r.counts.read.events).toBe(2);
    const names = await db.query<{ alertname: string }>('SELECT alertname FROM alert_events ORDER BY alertname');
    expect(names.map((n) => n.alertname)).toEqual(['Digits', 'Letters']);
  });

  it('skips an alert the webhook would refuse for its size (the configured limits), as too_large', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ah-legacy-')), 'large.db');
    const lite = new DatabaseSync(file);
    lite.exec(readFileSync(new URL('../fixtures/legacy/original-sqlite.sql', import.meta.url), 'utf8').split('\nINSERT')[0]!);
    const insert = lite.prepare(
      `INSERT INTO alert_history (status, labels, startsAt, updatedAt) VALUES ('firing', ?, '2026-11-21T10:00:00Z', '2026-11-21T10:00:01Z')`,
    );
    insert.run(JSON.stringify(Object.fromEntries([['alertname', 'Wide'], ...Array.from({ length: 300 }, (_, i) => [`l${i}`, 'v'])])));
    insert.run(JSON.stringify({ alertname: 'Long', value: 'x'.repeat(70_000) }));
    insert.run(JSON.stringify({ alertname: 'Fine' }));
    lite.close();
    const limits: AlertLimits = {
      maxAlerts: 1_000,
      maxLabelValueBytes: 64 * 1024,
      maxLabelsPerAlert: 256,
      maxAnnotationsPerAlert: 256,
      maxLabelNameBytes: 1024,
      maxLabelBytesPerAlert: 256 * 1024,
    };
    const r = await importFrom(file, db, { limits });
    expect(r.counts.skipped).toEqual({ too_large: 2 });
    expect(await db.query('SELECT alertname FROM alert_events')).toEqual([{ alertname: 'Fine' }]);
  });

  it('keeps the old receive times and folds them into the current state', async () => {
    await importFrom(fixtures['python-sqlite']!, db);
    const events = await db.query<{ status: string; received_at: string }>(
      "SELECT status, received_at FROM alert_events WHERE fingerprint = '095c02d3375625f5' ORDER BY starts_at, status",
    );
    expect(events.map((e) => [e.status, e.received_at])).toEqual([
      ['firing', '2026-11-21 10:00:00+00'],
      ['resolved', '2026-11-21 10:30:05+00'],
      ['firing', '2026-11-21 12:00:02+00'],
    ]);
    const [state] = await db.query<{ status: string; first_seen: string; last_seen: string; event_count: number; flap_count: number }>(
      "SELECT status, first_seen, last_seen, event_count, flap_count FROM alerts WHERE fingerprint = '095c02d3375625f5'",
    );
    expect(state).toEqual({ status: 'firing', first_seen: '2026-11-21 10:00:00+00', last_seen: '2026-11-21 12:00:02+00', event_count: 3, flap_count: 2 });
  });
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();
const micros = (ms: number): string => iso(ms).replace('Z', '000Z');

/** Every analytics and dashboard read, from rollups and from raw events; they must be equal. */
async function expectRollupsExact(db: Db, now: number): Promise<void> {
  const ranges = [{}, { since: iso(now - 14 * DAY) }, { since: iso(Date.parse('2026-11-20T09:30:00Z')), until: iso(Date.parse('2026-11-22T05:17:00Z')) }];
  for (const range of ranges) {
    const query = { ...range, top: 100, minFlap: 1 };
    expect(await report(db, query), JSON.stringify(query)).toEqual(await report(db, query, { source: 'raw' }));
    expect(await topAlerts(db, { ...range, limit: 100 })).toEqual(await topAlerts(db, { ...range, limit: 100 }, { source: 'raw' }));
    const flapping = { ...range, until: (range as { until?: string }).until ?? iso(now + HOUR), limit: 1000, threshold: 1 };
    expect(await flappingAlerts(db, flapping)).toEqual(await flappingAlerts(db, flapping, { source: 'raw' }));
    expect(await historyStats(db, range)).toEqual(await historyStats(db, range, { source: 'raw' }));
  }
  for (const hours of [24, 168]) expect(await dashboardCharts(db, hours, { now })).toEqual(await dashboardCharts(db, hours, { now, source: 'raw' }));
}

describe.each(backends())('rollups after an import of old events on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.fresh();
    await reset(db);
  });
  afterAll(async () => {
    await reset(db);
    await db.close();
  });

  it('reads from rollups stay equal to the raw queries before and after the rollup job catches up', async () => {
    // History already rolled up past the days the import fills in: webhook events received then.
    const now = Date.now();
    for (const [i, at] of [Date.parse('2026-11-20T08:00:00Z'), Date.parse('2026-11-21T11:00:00Z'), Date.parse('2026-11-25T12:00:00Z')].entries()) {
      const labels = { alertname: 'HighCPU', instance: 'server1', severity: 'critical' };
      const status = i % 2 === 0 ? 'firing' : 'resolved';
      const result = await recordBatch(db, {
        alerts: [
          {
            fingerprint: alertFingerprint(labels),
            status,
            labels,
            annotations: {},
            startsAt: micros(at - 5 * MINUTE),
            endsAt: status === 'resolved' ? micros(at) : null,
            generatorURL: '',
          },
        ],
        receiver: 'am',
        groupKey: '{}',
        source: 'webhook',
      });
      await db.query('UPDATE alert_events SET received_at = $1::timestamptz WHERE id = ANY($2::int8[])', [iso(at), result.newEvents.map((e) => e.id)]);
    }
    const rolled = await runRollup(db, { horizon: iso(now - HOUR) });
    expect(Date.parse(rolled.watermark!)).toBeGreaterThan(Date.parse('2026-11-26T00:00:00Z'));
    await expectRollupsExact(db, now);

    const imported = await importFrom(fixtures['python-sqlite']!, db);
    expect(imported.counts.imported.events).toBe(6);
    await expectRollupsExact(db, now);
    // Because the import moved the watermark back to the day of its oldest event: those days read raw.
    const [state] = await db.query<{ watermark: string }>('SELECT watermark FROM alert_rollup_state WHERE id = 1');
    expect(state!.watermark).toBe('2026-11-20 00:00:00+00');

    await runRollup(db, { horizon: iso(now - HOUR) });
    await expectRollupsExact(db, now);
    const [days] = await db.query<{ events: number }>(
      "SELECT sum(events)::int AS events FROM alert_rollup_days WHERE day >= '2026-11-20' AND day < '2026-11-23'",
    );
    expect(days!.events).toBeGreaterThanOrEqual(6);
  });
});
