// `alert-history import-legacy --from URL`: reads a predecessor's store and writes its history into
// the configured database (docs/import-legacy.md). Exit 0 done (or stopped at --max-rows), 1 a
// runtime failure naming what failed, 2 bad usage (nothing is written), 130 interrupted by SIGINT
// or SIGTERM after the batch in progress was committed. The source's password never appears.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config/loader.ts';
import type { Config } from '../config/schema.ts';
import { asError, describeStartupError } from '../core/startup-error.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openDatabase } from '../store/open.ts';
import { runImport } from './importer.ts';
import { createProgress } from './progress.ts';
import { reportJson, reportText } from './report.ts';
import { type Phase, resolveShape, ShapeUsageError, SHAPES } from './shapes.ts';
import { type LegacySource, openSource, parseSourceRef, type SourceRef, SourceUsageError } from './source.ts';

/** The command's usage text (`import-legacy --help`). */
export const IMPORT_USAGE = `usage: alert-history import-legacy --from URL [--shape NAME] [--dry-run] [--json] [--batch-size N]
                                 [--max-rows N] [--progress-every SECONDS] [--config PATH]

  --from URL         sqlite:///abs/path.db, a plain file path, or postgres://user:pass@host/db
  --shape NAME       force the shape: ${SHAPES.join(', ')} (default: detected)
  --dry-run          read and report; write nothing (the database is not even opened)
  --json             the final report as JSON on stdout
  --batch-size N     source rows per transaction (default 2000)
  --max-rows N       stop after reading N rows; run again to continue
  --progress-every S seconds between progress lines when stderr is not a terminal (default 5)

Writes into the configured database (DATABASE_URL, else the embedded store in DATA_DIR), migrated
first. Interrupted (SIGINT, kill) it continues where it stopped when run again. See docs/import-legacy.md.`;

/** A usage problem: exit 2, one line. */
class UsageError extends Error {}

interface Options {
  from: string;
  shape?: string | undefined;
  dryRun: boolean;
  json: boolean;
  batchSize: number;
  maxRows?: number | undefined;
  progressEverySeconds: number;
  config?: string | undefined;
}

function positiveInt(name: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--${name}: must be a whole number of at least 1 (got ${JSON.stringify(value)})`);
  return n;
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        shape: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        'batch-size': { type: 'string' },
        'max-rows': { type: 'string' },
        'progress-every': { type: 'string' },
        config: { type: 'string', short: 'c' },
      },
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(asError(err).message);
  }
  const v = parsed.values;
  if (!v.from) throw new UsageError('--from is required');
  const every = v['progress-every'] === undefined ? 5 : Number(v['progress-every']);
  if (!Number.isFinite(every) || every < 0) throw new UsageError(`--progress-every: must be a number of seconds (got ${JSON.stringify(v['progress-every'])})`);
  return {
    from: v.from,
    shape: v.shape,
    dryRun: v['dry-run'] ?? false,
    json: v.json ?? false,
    batchSize: positiveInt('batch-size', v['batch-size'], 2000)!,
    maxRows: positiveInt('max-rows', v['max-rows'], undefined),
    progressEverySeconds: every,
    config: v.config,
  };
}

async function totalRows(source: LegacySource, phases: readonly Phase[]): Promise<number> {
  let total = 0;
  for (const p of phases) total += Number((await source.rows(p.countSql, []))[0]?.n ?? 0);
  return total;
}

/** Opens and migrates the configured database (as `migrate` does). */
async function openTarget(config: Config): Promise<Db> {
  const logger = pino({ level: 'warn' }, pino.destination({ fd: 2, sync: true }));
  let db: Db;
  try {
    db = await openDatabase(config, logger);
  } catch (err) {
    throw new Error(`cannot open the target database: ${describeStartupError(err, { dataDir: config.database.dataDir, databaseUrl: config.database.url })}`, {
      cause: err,
    });
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new Error(`migrating the target database failed: ${asError(err).message}`, { cause: err });
  }
  return db;
}

/** SIGINT/SIGTERM: finish the batch in progress, then stop; a second signal exits at once. */
function stopSignal(): { stopped: () => boolean; dispose: () => void } {
  let stop = false;
  const handler = (): void => {
    if (stop) process.exit(130);
    stop = true;
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    stopped: () => stop,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

async function run(o: Options, ref: SourceRef): Promise<number> {
  let source: LegacySource;
  try {
    source = await openSource(ref);
  } catch (err) {
    throw new Error(`cannot open the source ${ref.display}: ${asError(err).message}`, { cause: err });
  }
  const signal = stopSignal();
  let target: Db | undefined;
  try {
    const { shape, phases } = await resolveShape(source, o.shape);
    const total = await totalRows(source, phases);
    const { config } = loadConfig(o.config === undefined ? {} : { configPath: o.config });
    target = o.dryRun ? undefined : await openTarget(config);
    const progress = createProgress({
      total,
      tty: process.stderr.isTTY,
      everyMs: o.progressEverySeconds * 1000,
      write: (t) => void process.stderr.write(ref.redact(t)),
    });
    const limits = config.webhook;
    const report = await runImport({ source, shape, phases, target, batchSize: o.batchSize, maxRows: o.maxRows, progress, shouldStop: signal.stopped, limits });
    process.stdout.write(ref.redact(o.json ? `${JSON.stringify(reportJson(report))}\n` : reportText(report)));
    return report.status === 'interrupted' ? 130 : 0;
  } finally {
    signal.dispose();
    await target?.close().catch(() => undefined);
    await source.close().catch(() => undefined);
  }
}

/** Runs `import-legacy` with its arguments; resolves with the exit code. */
export async function importLegacyCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  let redact = (t: string): string => t;
  try {
    const o = parseOptions(argv);
    const ref = parseSourceRef(o.from);
    redact = ref.redact;
    return await run(o, ref);
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof SourceUsageError || err instanceof ShapeUsageError || err instanceof ConfigError;
    const text = usage ? asError(err).message : `import-legacy failed: ${asError(err).message}${causeText(err)}`;
    process.stderr.write(
      `${redact(usage ? `import-legacy: ${text}` : text)
        .replace(/\s+/g, ' ')
        .trim()}\n`,
    );
    return usage ? 2 : 1;
  }
}

/** The cause's message when the error's own does not hold it (a driver's reason behind 'database error'). */
function causeText(err: unknown): string {
  if (!(err instanceof Error) || !(err.cause instanceof Error) || err.message.includes(err.cause.message)) return '';
  return ` (${err.cause.message})`;
}
