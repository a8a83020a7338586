// Heavy reads (issue 10): hostile history queries running back to back while Alertmanager keeps
// posting and the kubelet keeps probing. Measures webhook latency and probe latency with and
// without them, and what the heavy reads answered, on PostgreSQL and on the embedded store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { fire, sampleGets } from './load.ts';
import { webhookBody } from './payloads.ts';
import { type Child, startService, withPeakRss } from './processes.ts';
import type { Row } from './report.ts';
import { buildRollups, seedEvents } from './seed.ts';
import { runPartAlone } from './standalone.ts';

/** Faithful in SQL and linear in RE2, but seconds of PostgreSQL regex work per 1 KB value. */
const HEAVY = `/history?label=${encodeURIComponent('longv=~(?:x{1,10}){1,100}y')}`;
const LONG_ALERTS = 2_000;
const HEAVY_LOOPS = 4;

async function seedLong(svc: Child): Promise<void> {
  for (let batch = 0; batch < LONG_ALERTS / 1_000; batch++) {
    const alerts = Array.from({ length: 1_000 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: `Long${batch}-${i}`, longv: 'x'.repeat(1_000) },
      startsAt: '2026-11-30T10:00:00Z',
    }));
    const res = await fetch(`${svc.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alerts }) });
    if (!res.ok) throw new Error(`seeding answered ${res.status}`);
  }
}

interface HeavyOutcome {
  answered: Map<number, number>;
  maxMs: number;
}

/** Runs `loops` heavy reads back to back until `stop` resolves. */
async function heavyLoops(base: string, loops: number, stop: Promise<unknown>): Promise<HeavyOutcome> {
  const outcome: HeavyOutcome = { answered: new Map(), maxMs: 0 };
  let done = false;
  void stop.then(() => (done = true));
  const loop = async (): Promise<void> => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${base}${HEAVY}`);
      await res.arrayBuffer();
      outcome.maxMs = Math.max(outcome.maxMs, performance.now() - started);
      outcome.answered.set(res.status, (outcome.answered.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: loops }, loop));
  return outcome;
}

interface Mode {
  name: string;
  env: Record<string, string>;
  probe: string;
}

async function measure(
  svc: Child,
  mode: Mode,
  seconds: number,
): Promise<{ load: Awaited<ReturnType<typeof fire>>; probe: Awaited<ReturnType<typeof sampleGets>> }> {
  let seq = 40_000_000 + Math.floor(Math.random() * 1_000_000) * 100;
  const bodies = (): string => webhookBody(seq++, 1);
  const [load, probe] = await Promise.all([
    fire({ url: svc.url, path: '/webhook', bodies, connections: 10, seconds, rate: 100 }),
    sampleGets(svc.url, [mode.probe], seconds * 5),
  ]);
  return { load, probe };
}

async function modeRows(mode: Mode, seconds: number, log: (msg: string) => void): Promise<Row[]> {
  const svc = await startService({ SERVER_PORT: '0', DATABASE_READ_TIMEOUT_MS: '5000', ...mode.env });
  try {
    await seedLong(svc);
    log(`${mode.name}: webhook at 100 req/s and ${mode.probe}, without heavy reads`);
    const calm = await measure(svc, mode, seconds);
    log(`${mode.name}: the same with ${HEAVY_LOOPS} heavy read loops`);
    let release: () => void = () => undefined;
    const stop = new Promise<void>((resolve) => (release = resolve));
    const heavy = heavyLoops(svc.url, HEAVY_LOOPS, stop);
    const { result: busy, peakMb } = await withPeakRss(svc.process.pid!, () => measure(svc, mode, seconds));
    release();
    const outcome = await heavy;
    const answers = [...outcome.answered].map(([status, n]) => `${n} x ${status}`).join(', ');
    return [
      {
        what: `${mode.name}: \`/webhook\` at 100 req/s while ${HEAVY_LOOPS} clients loop a heavy \`/history\` regex read (information)`,
        budget: 'unaffected, no errors',
        value: `p50 ${busy.load.p50} ms, p99 ${busy.load.p99} ms (without: p50 ${calm.load.p50} ms, p99 ${calm.load.p99} ms); ${busy.load.non2xx} non-2xx`,
        ok: busy.load.non2xx === 0 && busy.load.errors === 0,
      },
      {
        what: `${mode.name}: \`${mode.probe}\` during those reads; what the heavy reads answered`,
        budget: 'probe answers; reads end at the 5 s deadline',
        value: `probe p95 ${busy.probe.p95} ms, max ${busy.probe.max} ms (without: p95 ${calm.probe.p95} ms); heavy reads: ${answers}, slowest ${Math.round(outcome.maxMs)} ms; ${peakMb} MB peak RSS`,
        ok: outcome.maxMs < 16_000,
      },
    ];
  } finally {
    await svc.stop();
  }
}

/** The heavy-read rows: PostgreSQL (its read pool) and the embedded store (its worker thread). */
export async function heavyReadRows(databaseUrl: string, seconds: number, log: (msg: string) => void): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ah-bench-reads-'));
  try {
    return [
      ...(await modeRows({ name: 'PostgreSQL', env: { DATABASE_URL: databaseUrl }, probe: '/readyz' }, seconds, log)),
      ...(await modeRows({ name: 'embedded', env: { DATA_DIR: dataDir }, probe: '/healthz' }, seconds, log)),
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Analytics and dashboard reads over a seeded history (issue 13, rollups): every read the
// rollups serve, then one retention run deleting about half of it. Runs alone with
// `node test/bench/read-bench.ts analytics` (or `retention`: that run alone; BENCH_CLI picks the
// service's entry point).

const ANALYTICS_PATHS: readonly (readonly [string, readonly string[]])[] = [
  ['`/report`', ['/report', '/report?since=30d', '/report?namespace=ns-3']],
  ['`/history/top`', ['/history/top', '/history/top?since=7d', '/history/top?namespace=ns-3']],
  ['`/history/flapping`', ['/history/flapping', '/history/flapping?since=7d']],
  ['`/history/stats`', ['/history/stats', '/history/stats?since=7d']],
  ['`/api/dashboard/charts?hours=24`', ['/api/dashboard/charts?hours=24']],
  ['`/api/dashboard/charts?hours=168`', ['/api/dashboard/charts?hours=168']],
];

async function sqlOnce<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Times one retention run with `days` over the seeded history, as the service runs it at start. */
async function retentionSeconds(url: string, days: number): Promise<{ seconds: number; deleted: number }> {
  const [before] = await sqlOnce<{ n: string }>(url, 'SELECT count(*) AS n FROM alert_events');
  // Retention's cutoff is `days` before its start, so everything before this one goes.
  const cutoff = new Date(Date.now() - days * 86_400_000 - 5_000).toISOString();
  const started = performance.now();
  const svc = await startService({ DATABASE_URL: url, SERVER_PORT: '0', RETENTION_DAYS: String(days) });
  for (;;) {
    const [row] = await sqlOnce<{ n: string }>(url, `SELECT count(*) AS n FROM alert_events WHERE received_at < '${cutoff}'`);
    if (Number(row?.n ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started - svc.readyMs) / 1000;
  await svc.stop();
  const [after] = await sqlOnce<{ n: string }>(url, 'SELECT count(*) AS n FROM alert_events');
  return { seconds, deleted: Number(before?.n ?? 0) - Number(after?.n ?? 0) };
}

async function retentionRow(databaseUrl: string, rows: number, log: (msg: string) => void): Promise<Row> {
  log('retention: keep 14 days of the 29');
  const ret = await retentionSeconds(databaseUrl, 14);
  log(`retention deleted ${ret.deleted} events in ${ret.seconds.toFixed(1)} s`);
  return {
    what: `retention over ${rows.toLocaleString('en')} events, 14 of 29 days kept (information)`,
    budget: '-',
    value: `${ret.deleted.toLocaleString('en')} events in ${ret.seconds.toFixed(1)} s`,
    ok: true,
  };
}

/** Analytics and dashboard reads over `rows` seeded events, then retention over them (`reads` false: retention only). */
export async function analyticsReadRows(databaseUrl: string, rows: number, log: (msg: string) => void, reads = true): Promise<Row[]> {
  const env = { DATABASE_URL: databaseUrl, SERVER_PORT: '0', RETENTION_DAYS: '3650' };
  await (await startService(env)).stop(); // migrates
  log(`seeding ${rows.toLocaleString('en')} events over 29 days`);
  await seedEvents(databaseUrl, rows, { rollups: false });
  const rollupSeconds = await buildRollups(databaseUrl);
  const out: Row[] = [
    {
      what: `rollups built from scratch over ${rows.toLocaleString('en')} events (information)`,
      budget: '-',
      value: `${rollupSeconds.toFixed(1)} s`,
      ok: true,
    },
  ];
  if (reads) {
    const svc = await startService(env);
    try {
      for (const [label, paths] of ANALYTICS_PATHS) {
        await sampleGets(svc.url, paths, paths.length); // warm
        const r = await sampleGets(svc.url, paths, 60);
        log(`${label}: p50 ${r.p50} ms, p95 ${r.p95} ms`);
        out.push({
          what: `${label} over ${rows.toLocaleString('en')} events`,
          budget: 'p95 <= 100 ms',
          value: `p95 ${r.p95} ms (p50 ${r.p50} ms)`,
          ok: r.p95 <= 100,
        });
      }
    } finally {
      await svc.stop();
    }
  }
  out.push(await retentionRow(databaseUrl, rows, log));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && ['analytics', 'retention'].includes(process.argv[2] ?? '')) {
  runPartAlone('analytics', (url, log) => analyticsReadRows(url, Number(process.env.BENCH_SEED_ROWS ?? 1_000_000), log, process.argv[2] === 'analytics'));
}
