// The predecessors' stores for import-legacy tests and its bench: the fixture scripts of
// test/fixtures/legacy/ loaded into real SQLite files (node:sqlite) and fresh PostgreSQL databases,
// and generated stores of any size (the original SQLite shape and the PostgreSQL shape).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { createDatabase } from './postgres.ts';

/** The fixture shapes (test/fixtures/legacy/<name>.sql). */
export type LegacyFixture = 'original-sqlite' | 'python-sqlite' | 'go-lite' | 'postgres';

const script = (name: LegacyFixture): string => readFileSync(new URL(`../fixtures/legacy/${name}.sql`, import.meta.url), 'utf8');

/** A new SQLite file holding a fixture; returns its path. */
export function sqliteFixture(name: Exclude<LegacyFixture, 'postgres'>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ah-legacy-')), `${name}.db`);
  const db = new DatabaseSync(path);
  db.exec(script(name));
  db.close();
  return path;
}

/** Runs SQL on a database URL. */
async function onDatabase(url: string, fn: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh PostgreSQL database `name` holding the PostgreSQL fixture; returns its URL. */
export async function postgresFixture(adminUrl: string, name: string): Promise<string> {
  const url = await createDatabase(adminUrl, name);
  await onDatabase(url, (c) => c.query(script('postgres')).then(() => undefined));
  return url;
}

const NAMES = ['HighCPU', 'KubePodCrashLooping', 'DiskAlmostFull', 'TargetDown', 'HighLatency', 'Watchdog', 'NodeNotReady', 'ErrorBudgetBurn'];
const HOUR = 3_600_000;

/**
 * A new SQLite file in the original service's shape with `rows` state changes of `alerts` alerts:
 * each alert fires and resolves in turn, received over the `days` before `endMs`.
 */
export function generateOriginalSqlite(rows: number, options: { alerts?: number; days?: number; endMs?: number } = {}): string {
  const alerts = options.alerts ?? Math.max(1, Math.min(5_000, Math.ceil(rows / 200)));
  const days = options.days ?? 20;
  const end = options.endMs ?? Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const path = join(mkdtempSync(join(tmpdir(), 'ah-legacy-')), 'generated-original.db');
  const db = new DatabaseSync(path);
  db.exec(script('original-sqlite').split('\nINSERT')[0]!);
  db.exec('DELETE FROM alert_history');
  const insert = db.prepare(
    'INSERT INTO alert_history (alertname, fingerprint, status, labels, startsAt, endsAt, updatedAt, raw_json, namespace) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const span = days * 24 * HOUR;
  db.exec('BEGIN');
  for (let i = 0; i < rows; i++) {
    const a = i % alerts;
    const episode = Math.floor(i / alerts / 2);
    const status = Math.floor(i / alerts) % 2 === 0 ? 'firing' : 'resolved';
    const received = end - span + Math.floor((i / rows) * span);
    const starts = received - (status === 'resolved' ? 10 * 60_000 : 0);
    const name = NAMES[a % NAMES.length]!;
    const labels = JSON.stringify({ alertname: name, instance: `host-${a}`, namespace: `ns-${a % 7}`, severity: a % 3 === 0 ? 'critical' : 'warning' });
    const raw = JSON.stringify({
      annotations: { summary: `${name} on host-${a} (episode ${episode})` },
      generatorURL: `http://prometheus:9090/graph?g0.expr=${name}`,
    });
    insert.run(
      name,
      `http://prometheus:9090/graph?g0.expr=${name}`,
      status,
      labels,
      new Date(starts).toISOString(),
      status === 'resolved' ? new Date(received).toISOString() : null,
      new Date(received).toISOString(),
      raw,
      `ns-${a % 7}`,
    );
  }
  db.exec('COMMIT');
  db.close();
  return path;
}

/**
 * A fresh PostgreSQL database `name` in the PostgreSQL shape with `rows` alerts (one row per
 * fingerprint, half resolved) and a classification for every fourth; returns its URL.
 */
export async function generatePostgresLegacy(adminUrl: string, name: string, rows: number): Promise<string> {
  const url = await createDatabase(adminUrl, name);
  const ddl = script('postgres').split('\nINSERT')[0]!;
  await onDatabase(url, async (c) => {
    await c.query(ddl);
    await c.query(
      `INSERT INTO alerts (fingerprint, alert_name, namespace, status, labels, annotations, starts_at, ends_at, generator_url, created_at, updated_at)
       SELECT md5(i::text), 'Alert' || (i % 50), 'ns-' || (i % 7), CASE WHEN i % 2 = 0 THEN 'resolved' ELSE 'firing' END,
              jsonb_build_object('alertname', 'Alert' || (i % 50), 'instance', 'host-' || i, 'namespace', 'ns-' || (i % 7)),
              jsonb_build_object('summary', 'generated alert ' || i),
              now() - interval '20 days' + (i * interval '1 second') * (1728000.0 / $1),
              CASE WHEN i % 2 = 0 THEN now() - interval '20 days' + (i * interval '1 second') * (1728000.0 / $1) + interval '10 minutes' END,
              '', now() - interval '20 days' + (i * interval '1 second') * (1728000.0 / $1),
              now() - interval '20 days' + (i * interval '1 second') * (1728000.0 / $1) + interval '10 minutes'
       FROM generate_series(1, $1::int) AS i`,
      [rows],
    );
    await c.query(
      `INSERT INTO alert_classifications (alert_fingerprint, severity, confidence, reasoning, recommendations, processing_time, metadata, llm_model, llm_version, created_at)
       SELECT md5(i::text), (ARRAY['critical','warning','info','noise'])[1 + i % 4], 0.5 + (i % 50) / 100.0, 'generated', '["Check it"]', 0.5, '{}',
              'gpt-4o-mini', 'v2', now() - interval '20 days' + (i * interval '1 second') * (1728000.0 / $1)
       FROM generate_series(4, $1::int, 4) AS i`,
      [rows],
    );
    await c.query('ANALYZE');
  });
  return url;
}
