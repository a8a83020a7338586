// Replay over 1,000,000 seeded events (docs/replay.md): a target filter with a regex, label
// matchers and a namespace list, against a new target's default filter, over 7- and 30-day
// windows. Runs the same replayer POST /publishing/replay runs (keyset pages through the read
// pool, the live routing code per event, twice: replayed and current), in this process, without
// the read deadline, so the time of the whole scan is measured. Every fingerprint has a stored
// classification (the per-event lookup the live data would need). Alone: node test/bench/replay-bench.ts
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pino from 'pino';
import { createReplayer } from '../../src/compose/replay.ts';
import { replayRequestSchema } from '../../src/config/replay-schema.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/pg.ts';
import { createReplaySource } from '../../src/store/replay-scan.ts';
import type { Row } from './report.ts';
import { seedEvents } from './seed.ts';
import { runPartAlone } from './standalone.ts';

const RUNS = 3;
const FILTER = {
  severities: ['critical', 'warning'],
  namespaces: Array.from({ length: 10 }, (_, i) => `ns-${i}`),
  alertNamePattern: 'SeedAlert(1|2|3)[0-9]?',
  matchers: [{ label: 'team', op: '!~', value: 'team-(5|6)' }],
};

/** One classification per seeded fingerprint, stored before the events (the scan's lateral lookup finds one). */
async function seedClassifications(db: ReturnType<typeof openPostgres>): Promise<void> {
  await db.query(
    `INSERT INTO classifications (fingerprint, severity, confidence, category, reasoning, recommendations, source, model, prompt_version, latency_ms, created_at)
     SELECT lpad(to_hex(a), 16, '0'), (ARRAY['critical', 'warning', 'info', 'noise'])[1 + a % 4], 0.2 + (a % 8) / 10.0, 'other', 'seeded', '[]', 'rules', 'rules', 'rules-v1', 1,
            now() - interval '40 days'
     FROM generate_series(0, 4999) AS a`,
  );
  await db.query('VACUUM ANALYZE classifications');
}

/** CPU seconds (user + system) of the PostgreSQL backends serving this database, from /proc (0 where unreadable). */
async function backendCpuSeconds(db: ReturnType<typeof openPostgres>): Promise<number> {
  const pids = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  let ticks = 0;
  for (const { pid } of pids) {
    try {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command) are utime and stime in clock ticks.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    } catch {
      // another host, or the backend ended
    }
  }
  return ticks / 100;
}

/** Wall time, this process's CPU and the database backends' CPU of one replay, in seconds. */
interface Cost {
  wall: number;
  node: number;
  postgres: number;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The replay rows over `rows` seeded events. */
export async function replayRows(databaseUrl: string, rows: number, log: (msg: string) => void): Promise<Row[]> {
  const db = openPostgres({
    url: databaseUrl,
    poolSize: 2,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 600_000,
    readTimeoutMs: 600_000,
    logger: pino({ level: 'silent' }),
  });
  try {
    await migrate(db);
    log(`replay: seeding ${rows.toLocaleString('en')} events over 29 days and 5,000 classifications`);
    await seedEvents(databaseUrl, rows, { rollups: false });
    await seedClassifications(db);
    const replay = createReplayer({
      source: createReplaySource(db.reads),
      catalog: { list: () => [], get: () => undefined },
      policies: { list: () => [] },
      modes: { get: () => Promise.resolve({ mode: 'enriched', source: 'default' }) },
      globalFilter: { allowCritical: true, blockNoise: true, minConfidence: 0.3, namespacePatterns: [] },
      readTimeoutMs: undefined,
    });
    const out: Row[] = [];
    for (const since of ['7d', '30d']) {
      const request = replayRequestSchema.parse({ since, filter: FILTER });
      await replay(request); // warm
      const costs: Cost[] = [];
      let events = 0;
      for (let i = 0; i < RUNS; i++) {
        const pgBefore = await backendCpuSeconds(db);
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const report = await replay(request);
        const wall = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        costs.push({ wall, node: (cpu.user + cpu.system) / 1e6, postgres: (await backendCpuSeconds(db)) - pgBefore });
        events = report.totals.events;
        log(
          `replay ${since}: ${events} events in ${wall.toFixed(2)} s (cpu: node ${costs.at(-1)?.node.toFixed(2)} s, postgres ${costs.at(-1)?.postgres.toFixed(2)} s)`,
        );
      }
      const wall = median(costs.map((c) => c.wall));
      const node = median(costs.map((c) => c.node));
      const postgres = median(costs.map((c) => c.postgres));
      out.push({
        what: `replay of a target filter over ${rows.toLocaleString('en')} events, ${since} window (${events.toLocaleString('en')} events; information)`,
        budget: 'a few seconds',
        value: `${wall.toFixed(2)} s median of ${RUNS} (${Math.round(events / wall).toLocaleString('en')} events/s); CPU: node ${node.toFixed(2)} s, PostgreSQL ${postgres.toFixed(2)} s; load average ${loadavg()[0]?.toFixed(1)}`,
        ok: since !== '7d' || wall <= 5,
      });
    }
    return out;
  } finally {
    await db.close();
  }
}

if (import.meta.main) runPartAlone('replay', (url, log) => replayRows(url, Number(process.env.BENCH_SEED_ROWS ?? 1_000_000), log));
