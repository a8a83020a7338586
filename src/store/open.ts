// Opens the configured store: PostgreSQL when database.url is set, else embedded PGlite in
// database.dataDir. Migrations run before anything reads or writes.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { embeddedStoreError } from '../core/startup-error.ts';
import { type Db, errorFields } from './db.ts';
import { migrate } from './migrate.ts';
import { openPostgres } from './pg.ts';
import { openPgliteWorker } from './pglite-worker.ts';
import { missingEmbeddedFlags } from './wasm-flags.ts';

/** Opens the database named by the configuration (does not migrate). */
export async function openDatabase(config: Config, logger: Logger): Promise<Db> {
  const { database } = config;
  if (database.url) {
    return openPostgres({
      url: database.url,
      poolSize: database.poolSize,
      connectTimeoutMs: database.connectTimeoutMs,
      statementTimeoutMs: database.statementTimeoutMs,
      readPoolSize: database.readPoolSize,
      readTimeoutMs: database.readTimeoutMs,
      logger,
    });
  }
  const missing = missingEmbeddedFlags();
  if (missing.length > 0) {
    logger.warn(
      { missing_node_flags: missing },
      `the embedded database may briefly need ~600 MB more memory a few seconds after start: start node with ${missing.join(' ')} (the image, bin/alert-history and make run do)`,
    );
  }
  return openPgliteWorker({
    dataDir: database.dataDir,
    readTimeoutMs: database.readTimeoutMs,
    onRestart: (t) =>
      logger.warn(
        { elapsed_ms: t.elapsedMs, reopen_ms: t.reopenMs, read_timeout_ms: database.readTimeoutMs },
        'a read passed its deadline: the embedded database was reopened',
      ),
  }).catch((err: unknown) => {
    // Named for the operator: which directory, why, and the fix (printed as one line by the CLI).
    throw embeddedStoreError(err, database.dataDir);
  });
}

/** Migrates, retrying with capped backoff while the database is unreachable. */
export async function migrateWithRetry(db: Db, logger: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await migrate(db);
      logger.info({ applied: result.applied.length, total: result.total, driver: db.kind }, 'database schema up to date');
      return;
    } catch (err) {
      if (errorFields(err).code !== 'SERVICE_UNAVAILABLE') throw err;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
      logger.warn({ attempt, retry_in_ms: delay }, 'database unreachable; retrying migrations');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
