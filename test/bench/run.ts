// `make bench`: measures the budgets of design.md section 10 that apply so far and writes
// .bench/results.md (untracked); with --write-docs (`make bench WRITE_DOCS=1`) docs/benchmarks.md
// too. The service runs as users run it (a child process, PostgreSQL on this host);
// load comes from this process (autocannon). A bare node:http server is the reference.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, dropDatabase, findPostgres } from '../helpers/postgres.ts';
import { fire, sampleGets } from './load.ts';
import { webhookBody } from './payloads.ts';
import { rssMb, SERVICE_NODE_OPTIONS, startBare, startService, withPeakRss } from './processes.ts';
import { renderReport, type Row } from './report.ts';
import { seedEvents } from './seed.ts';
import { proxyRows } from './proxy-bench.ts';
import { publishRows } from './publish-bench.ts';
import { liveRows } from './live-bench.ts';
import { heavyReadRows } from './read-bench.ts';
import { operatorRows } from './operator-bench.ts';
import { legacyImportPart } from './legacy-bench.ts';
import { replayRows } from './replay-bench.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SEED_ROWS = Number(process.env.BENCH_SEED_ROWS ?? 1_000_000);
const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

async function countOnce(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM alert_events');
  await client.end();
  return Number(rows[0]?.n ?? 0);
}

/** Rows stored once requests still in flight when a load run ended have landed. */
async function count(url: string): Promise<number> {
  let last = await countOnce(url);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await countOnce(url);
    if (now === last) return now;
    last = now;
  }
}

function sequence(start: number, step: number): () => number {
  let next = start;
  return () => {
    const value = next;
    next += step;
    return value;
  };
}

async function serverMode(url: string, rows: Row[]): Promise<void> {
  const env = { DATABASE_URL: url, SERVER_PORT: '0', RETENTION_DAYS: '3650', DATABASE_POOL_SIZE: '10' };
  const svc = await startService(env);
  const pid = svc.process.pid!;
  let peak = rssMb(pid);
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    const { result, peakMb } = await withPeakRss(pid, work);
    peak = Math.max(peak, peakMb);
    return result;
  };

  const bare = await startBare();
  const one = (seq: () => number) => () => webhookBody(seq(), 1);
  log('bare node:http reference, 1 alert per request');
  const ref = await fire({ url: bare.url, path: '/webhook', bodies: one(sequence(0, 1)), connections: 50, seconds: SECONDS });
  await bare.stop();

  log('/webhook, 1 alert per request, as fast as it goes');
  const single = await track(() => fire({ url: svc.url, path: '/webhook', bodies: one(sequence(10_000_000, 1)), connections: 50, seconds: SECONDS }));
  rows.push({
    what: '`/webhook`, 1 alert per request, persisted',
    budget: '>= 1,500 req/s',
    value: `${single.rps} req/s (p50 ${single.p50} ms, p99 ${single.p99} ms)`,
    ok: single.rps >= 1500 && single.non2xx === 0,
  });
  rows.push({
    what: 'reference: bare `node:http` parsing the same body',
    budget: '-',
    value: `${ref.rps} req/s; service/bare = ${(single.rps / ref.rps).toFixed(2)}`,
    ok: true,
  });

  log('/webhook at a fixed 500 req/s');
  const steady = await track(() =>
    fire({ url: svc.url, path: '/webhook', bodies: one(sequence(20_000_000, 1)), connections: 20, seconds: SECONDS, rate: 500 }),
  );
  rows.push({
    what: '`/webhook` p99 at 500 req/s',
    budget: '<= 25 ms',
    value: `p99 ${steady.p99} ms (p50 ${steady.p50} ms, ${steady.rps} req/s)`,
    ok: steady.p99 <= 25 && steady.non2xx === 0,
  });

  log('/webhook, 100 alerts per request');
  const hundredStart = 30_000_000;
  const beforeBatch = await count(url);
  const batch = await track(() =>
    fire({
      url: svc.url,
      path: '/webhook',
      bodies: (() => {
        const s = sequence(hundredStart, 100);
        return () => webhookBody(s(), 100);
      })(),
      connections: 10,
      seconds: SECONDS,
    }),
  );
  const freshAlerts = batch.rps * 100;
  rows.push({
    what: '`/webhook`, 100 alerts per request, persisted',
    budget: '>= 12,000 alerts/s',
    value: `${freshAlerts} alerts/s (${batch.rps} req/s, p99 ${batch.p99} ms)`,
    ok: freshAlerts >= 12_000 && batch.non2xx === 0,
  });

  log('duplicate storm: the same 100-alert bodies again');
  const before = await count(url);
  // Replay only bodies that were stored: the last requests autocannon started may have been cut
  // off at the deadline, and those are spread over its connections.
  const sent = Math.max(1, Math.floor((before - beforeBatch) / 100) - 20);
  const dupSeq = sequence(0, 1);
  const dup = await track(() =>
    fire({ url: svc.url, path: '/webhook', bodies: () => webhookBody(hundredStart + (dupSeq() % sent) * 100, 100), connections: 10, seconds: SECONDS }),
  );
  const added = (await count(url)) - before;
  const dupAlerts = dup.rps * 100;
  rows.push({
    what: 'duplicate storm (same payloads resent)',
    budget: '>= 2x fresh, zero new rows',
    value: `${dupAlerts} alerts/s = ${(dupAlerts / freshAlerts).toFixed(2)}x fresh; ${added} new rows`,
    ok: dupAlerts >= 2 * freshAlerts && added === 0,
  });

  log(`seeding ${SEED_ROWS.toLocaleString('en')} events over 29 days`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('TRUNCATE alert_events, alerts, deliveries RESTART IDENTITY');
  await client.end();
  const seedSeconds = await seedEvents(url, SEED_ROWS);
  log(`seeded in ${seedSeconds.toFixed(1)} s`);

  const historyPaths = [
    '/history?limit=100&namespace=ns-3',
    '/history?limit=100&alertname=SeedAlert7&status=firing',
    '/history?limit=100&severity=critical&since=7d',
    '/history?limit=100&label=team%3Dteam-2',
    '/history?limit=100&namespace=ns-5&page=20',
    '/history?limit=100&label=instance%3Dhost-42',
  ];
  log('/history with filters over the seeded events');
  const history = await track(() => sampleGets(svc.url, historyPaths, 300));
  rows.push({
    what: `\`/history\` page of 100 with filters over ${SEED_ROWS.toLocaleString('en')} events`,
    budget: 'p95 <= 20 ms',
    value: `p95 ${history.p95} ms (p50 ${history.p50} ms, max ${history.max} ms)`,
    ok: history.p95 <= 20,
  });

  log('/report over the seeded events');
  const report = await track(() => sampleGets(svc.url, ['/report', '/report?since=30d', '/report?namespace=ns-3'], 30));
  rows.push({
    what: `\`/report\` over ${SEED_ROWS.toLocaleString('en')} events in 30 days`,
    budget: 'p95 <= 500 ms',
    value: `p95 ${report.p95} ms (p50 ${report.p50} ms)`,
    ok: report.p95 <= 500,
  });
  log('dashboard JSON API over the seeded events');
  for (const [label, paths] of [
    ['`/api/dashboard/overview`', ['/api/dashboard/overview']],
    ['`/api/dashboard/charts?hours=24`', ['/api/dashboard/charts?hours=24']],
    ['`/api/dashboard/charts?hours=168`', ['/api/dashboard/charts?hours=168']],
    ['`/api/dashboard/alerts/recent` (50, with classifications)', ['/api/dashboard/alerts/recent', '/api/dashboard/alerts/recent?status=firing']],
  ] as const) {
    const r = await track(() => sampleGets(svc.url, paths, 30));
    rows.push({
      what: `${label} over ${SEED_ROWS.toLocaleString('en')} events (information)`,
      budget: '-',
      value: `p95 ${r.p95} ms (p50 ${r.p50} ms)`,
      ok: true,
    });
  }

  rows.push({ what: 'RSS under those loads, server mode', budget: '<= 256 MB', value: `${peak} MB peak`, ok: peak <= 256 });
  await svc.stop();

  const again = await startService(env);
  rows.push({
    what: 'start to ready, server mode (migrated database)',
    budget: '<= 1.5 s',
    value: `${(again.readyMs / 1000).toFixed(2)} s`,
    ok: again.readyMs <= 1500,
  });
  await again.stop();
}

async function embeddedMode(rows: Row[]): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ah-bench-'));
  const env = { DATA_DIR: dataDir, SERVER_PORT: '0' };
  const first = await startService(env);
  const firstRss = rssMb(first.process.pid!);
  await first.stop();
  rows.push({
    what: 'embedded (PGlite) first start in an empty data dir',
    budget: '- (README states it)',
    value: `${(first.readyMs / 1000).toFixed(2)} s, ${firstRss} MB RSS`,
    ok: true,
  });

  const svc = await startService(env);
  const startRss = rssMb(svc.process.pid!);
  rows.push({
    what: 'start to ready, embedded with an existing data dir',
    budget: '<= 2 s',
    value: `${(svc.readyMs / 1000).toFixed(2)} s, ${startRss} MB RSS right after start`,
    ok: svc.readyMs <= 2000,
  });
  log('embedded: /webhook, 1 alert per request (2 s warm-up, then measured)');
  const bodies = (() => {
    const s = sequence(0, 1);
    return () => webhookBody(s(), 1);
  })();
  await fire({ url: svc.url, path: '/webhook', bodies, connections: 10, seconds: 2 });
  const { result, peakMb } = await withPeakRss(svc.process.pid!, () => fire({ url: svc.url, path: '/webhook', bodies, connections: 10, seconds: SECONDS }));
  rows.push({ what: 'embedded `/webhook`, 1 alert per request (information)', budget: '-', value: `${result.rps} req/s (p99 ${result.p99} ms)`, ok: true });
  rows.push({ what: 'RSS, embedded mode under that load (after warm-up)', budget: '<= 450 MB', value: `${peakMb} MB peak`, ok: peakMb <= 450 });
  await svc.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const server = await findPostgres();
  if (typeof server === 'string') throw new Error(`make bench needs PostgreSQL: ${server}`);
  const name = 'alert_history_bench';
  const url = await createDatabase(server.adminUrl, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const pgVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  await client.end();
  const rows: Row[] = [];
  try {
    await serverMode(url, rows);
    rows.push(...(await proxyRows(await createDatabase(server.adminUrl, 'alert_history_bench_proxy'), SECONDS, log)));
    await dropDatabase(server.adminUrl, 'alert_history_bench_proxy');
    rows.push(...(await publishRows(await createDatabase(server.adminUrl, 'alert_history_bench_publish'), log)));
    await dropDatabase(server.adminUrl, 'alert_history_bench_publish');
    rows.push(...(await liveRows(await createDatabase(server.adminUrl, 'alert_history_bench_live'), SECONDS, log)));
    await dropDatabase(server.adminUrl, 'alert_history_bench_live');
    rows.push(...(await heavyReadRows(await createDatabase(server.adminUrl, 'alert_history_bench_reads'), SECONDS, log)));
    await dropDatabase(server.adminUrl, 'alert_history_bench_reads');
    rows.push(...(await legacyImportPart(server.adminUrl, log)));
    rows.push(...(await replayRows(await createDatabase(server.adminUrl, 'alert_history_bench_replay'), SEED_ROWS, log)));
    await dropDatabase(server.adminUrl, 'alert_history_bench_replay');
    await embeddedMode(rows);
    rows.push(...(await operatorRows(await createDatabase(server.adminUrl, 'alert_history_bench_operator'), log)));
    await dropDatabase(server.adminUrl, 'alert_history_bench_operator');
  } finally {
    await dropDatabase(server.adminUrl, name).catch(() => undefined);
    await server.stop();
  }
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM; Node ${process.versions.node}; PostgreSQL ${pgVersion} on the same host (${server.origin})`;
  const markdown = renderReport({ machine, nodeOptions: SERVICE_NODE_OPTIONS, seconds: SECONDS, rows, date: new Date().toISOString().slice(0, 10) });
  mkdirSync(new URL('../../.bench/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../../.bench/results.md', import.meta.url), markdown);
  if (process.argv.includes('--write-docs')) writeFileSync(new URL('../../docs/benchmarks.md', import.meta.url), markdown);
  process.stdout.write(markdown);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
