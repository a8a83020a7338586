// Seeds history fast on the server side (generate_series): `rows` events over the last 29 days,
// spread over 5,000 alerts (50 alert names x 20 namespaces x ...), episodes alternating firing and
// resolved so flaps exist. Then VACUUM ANALYZE, as autovacuum would after a bulk load.
import pg from 'pg';

/** Inserts the rows; resolves with the seconds it took. */
export async function seedEvents(url: string, rows: number): Promise<number> {
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
  return (performance.now() - started) / 1000;
}
