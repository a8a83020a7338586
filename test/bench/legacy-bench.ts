// import-legacy over 1,000,000 rows (information rows): a generated store in the original SQLite
// shape and one in the PostgreSQL shape, each imported into an empty PostgreSQL database through
// the same code as `alert-history import-legacy` (batches of 2,000 source rows per transaction).
// Alone: `node test/bench/legacy-bench.ts` (BENCH_LEGACY_ROWS changes the size).
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { runImport } from '../../src/legacy/importer.ts';
import type { ImportReport } from '../../src/legacy/report.ts';
import { resolveShape } from '../../src/legacy/shapes.ts';
import { openSource, parseSourceRef } from '../../src/legacy/source.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/pg.ts';
import { createDatabase, dropDatabase, withDatabase } from '../helpers/postgres.ts';
import { generateOriginalSqlite, generatePostgresLegacy } from '../helpers/legacy-fixtures.ts';
import type { Row } from './report.ts';
import { runPartAlone } from './standalone.ts';

const ROWS = Number(process.env.BENCH_LEGACY_ROWS ?? 1_000_000);

/** A report with what the machine was doing meanwhile: this process's CPU seconds and the load average at the end. */
interface Measured extends ImportReport {
  cpuSeconds: number;
  load: number;
}

async function importInto(targetUrl: string, from: string, log: (msg: string) => void): Promise<Measured> {
  const db = openPostgres({ url: targetUrl, poolSize: 4, connectTimeoutMs: 5_000, statementTimeoutMs: 300_000, logger: pino({ level: 'silent' }) });
  const source = await openSource(parseSourceRef(from));
  try {
    await migrate(db);
    await db.query('TRUNCATE alert_events, alerts, classifications, deliveries, legacy_fingerprints, legacy_imports RESTART IDENTITY CASCADE');
    const { shape, phases } = await resolveShape(source, undefined);
    let last = 0;
    const progress = {
      update: (read: number): void => {
        if (read - last >= 100_000) log(`${shape.name}: ${(last = read)} rows read`);
      },
      done: () => undefined,
    };
    const cpu = process.cpuUsage();
    const report = await runImport({ source, shape, phases, target: db, batchSize: 2_000, progress, shouldStop: () => false });
    const used = process.cpuUsage(cpu);
    return { ...report, cpuSeconds: Math.round((used.user + used.system) / 1e5) / 10, load: Math.round(loadavg()[0]! * 10) / 10 };
  } finally {
    await source.close();
    await db.close();
  }
}

function rowOf(what: string, r: Measured): Row {
  const c = r.counts;
  const ok = r.status === 'completed' && r.counts.imported.events > 0;
  return {
    what,
    budget: '- (information)',
    value: `${r.rowsPerSecond.toLocaleString('en')} rows/s (${r.readThisRun.toLocaleString('en')} rows in ${r.seconds} s; ${c.imported.events.toLocaleString('en')} events, ${c.imported.classifications.toLocaleString('en')} classifications; importer CPU ${r.cpuSeconds} s; load average ${r.load} on ${cpus().length} cores)`,
    ok,
  };
}

/** The import rows: the original SQLite shape and the PostgreSQL shape, `ROWS` source rows each. */
export async function legacyImportRows(databaseUrl: string, log: (msg: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const started = Date.now();
  const file = generateOriginalSqlite(ROWS);
  log(`original SQLite shape: ${ROWS} rows generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  try {
    const r = await importInto(databaseUrl, file, log);
    log(`original SQLite shape: ${r.rowsPerSecond} rows/s`);
    rows.push(rowOf(`import-legacy, original SQLite shape, ${ROWS.toLocaleString('en')} rows into PostgreSQL`, r));
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
  const adminUrl = withDatabase(databaseUrl, 'postgres');
  const sourceDb = 'alert_history_bench_legacy_source';
  try {
    const sourceUrl = await generatePostgresLegacy(adminUrl, sourceDb, ROWS);
    log(`PostgreSQL shape: ${ROWS} alerts generated`);
    const r = await importInto(databaseUrl, sourceUrl, log);
    log(`PostgreSQL shape: ${r.rowsPerSecond} rows/s`);
    rows.push(rowOf(`import-legacy, PostgreSQL shape, ${ROWS.toLocaleString('en')} alerts (+ classifications) into PostgreSQL`, r));
  } finally {
    await dropDatabase(adminUrl, sourceDb).catch(() => undefined);
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runPartAlone('legacy', legacyImportRows);

/** For run.ts: the part on its own database. */
export async function legacyImportPart(adminUrl: string, log: (msg: string) => void): Promise<Row[]> {
  const name = 'alert_history_bench_legacy';
  try {
    return await legacyImportRows(await createDatabase(adminUrl, name), log);
  } finally {
    await dropDatabase(adminUrl, name).catch(() => undefined);
  }
}
