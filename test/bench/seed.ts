// Seeds history fast on the server side (generate_series): `rows` events over the last 29 days,
// spread over 5,000 alerts (50 alert names x 20 namespaces x ...), episodes alternating firing and
// resolved so flaps exist. Then VACUUM ANALYZE, as autovacuum would after a bulk load, and the
// rollups are rebuilt as the service's job would (the seeded rows are received in the past, so
// the job's watermark starts over; the service's next run finds nothing left to do).
import pg from 'pg';
import pino from 'pino';
import { openPostgres } from '../../src/store/pg.ts';
import { runRollup } from '../../src/store/rollup.ts';

/** Rebuilds the rollups from scratch over what is stored; resolves with the seconds it took. */
export async function buildRollups(url: string): Promise<number> {
  const db = openPostgres({ url, poolSize: 2, connectTimeoutMs: 5_000, statementTimeoutMs: 600_000, logger: pino({ level: 'silent' }) });
  const started = performance.now();
  try {
    const [exists] = await db.query<{ t: string | null }>("SELECT to_regclass('alert_rollup_state')::text AS t");
    if (!exists?.t) return 0;
    await db.query('TRUNCATE alert_rollup_hours, alert_rollup_six_hours, alert_rollup_days, alert_rollup_weeks, alert_rollup_durations, alert_rollup_state');
    // A running service's job may hold the watermark row meanwhile: then it does the work. An open
    // transaction elsewhere holds the watermark back; after 5 minutes the reads are measured anyway.
    for (const deadline = performance.now() + 300_000; performance.now() < deadline;) {
      await runRollup(db);
      const [row] = await db.query<{ done: boolean }>(
        "SELECT coalesce((SELECT watermark >= date_trunc('hour', now() - interval '1 minute', 'UTC') FROM alert_rollup_state), false) AS done",
      );
      if (row?.done) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await db.query('VACUUM ANALYZE alert_rollup_hours, alert_rollup_six_hours, alert_rollup_days, alert_rollup_weeks, alert_rollup_durations');
  } finally {
    await db.close();
  }
  return (performance.now() - started) / 1000;
}

/** Inserts the rows; resolves with the seconds it took. */
export async function seedEvents(url: string, rows: number, options: { rollups?: boolean } = {}): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  try {
    await client.query('SET synchronous_commit = off');
    await client.query(
      `INSERT INTO alert_events (fingerprint, status, starts_at, ends_at, alertname, namespace, severity, labels,
                                 annotations, generator_url, receiver, group_key, source, received_at)
       SELECT lpad(to_hex(a), 16, '0'),
              CASE WHEN (g / 5000) % 2 = 0 THEN 'firing' ELSE 'resolved' END,
              t - make_interval(secs => ((g / 5000) % 2) * 600),
              CASE WHEN (g / 5000) % 2 = 1 THEN t ELSE NULL END,
              'SeedAlert' || (a % 50), 'ns-' || (a % 20),
              CASE WHEN a % 3 = 0 THEN 'critical' WHEN a % 3 = 1 THEN 'warning' ELSE 'info' END,
              jsonb_build_object('alertname', 'SeedAlert' || (a % 50), 'namespace', 'ns-' || (a % 20),
                                 'instance', 'host-' || a, 'team', 'team-' || (a % 7), 'severity',
                                 CASE WHEN a % 3 = 0 THEN 'critical' WHEN a % 3 = 1 THEN 'warning' ELSE 'info' END),
              jsonb_build_object('summary', 'Seeded alert ' || a),
              'http://prometheus.example.invalid/graph', 'alert-history', '{}:{}', 'webhook', t
       FROM (
         SELECT g, g % 5000 AS a,
                now() - interval '29 days' + (g::float8 / $1) * interval '29 days' AS t
         FROM generate_series(0, $1 - 1) AS g
       ) s`,
      [rows],
    );
    await client.query('VACUUM ANALYZE alert_events');
  } finally {
    await client.end();
  }
  if (options.rollups !== false) await buildRollups(url);
  return (performance.now() - started) / 1000;
}
