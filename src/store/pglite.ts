// Embedded PostgreSQL (PGlite, Postgres compiled to WASM) in a data directory: the same schema,
// migrations and SQL as the server. One connection; PGlite serialises queries itself.
import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import { asError } from '../core/startup-error.ts';
import { type Db, type Sql, toStoreError } from './db.ts';

/** Options of {@link openPglite}. */
export interface PgliteOptions {
  /** Data directory, or undefined for an in-memory database (tests). */
  dataDir?: string;
  /** A ready instance to wrap (for example a clone in tests). */
  instance?: PGlite;
}

const parsers = {
  [types.TIMESTAMPTZ]: (v: string): string => v,
  [types.INT8]: (v: string): number => Number(v),
  [types.NUMERIC]: (v: string): number => Number(v),
};

interface Queryable {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

function wrap(target: Queryable): Sql {
  return {
    async query<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
      try {
        const result = await target.query<T>(text, params as unknown[] | undefined);
        return result.rows;
      } catch (err) {
        throw toStoreError(err);
      }
    },
  };
}

/**
 * Memory settings of the embedded server. WASM memory never shrinks, so PostgreSQL's 128 MB
 * default shared_buffers alone kept RSS near 490 MB under load; 16 MB measured ~330 MB with the
 * same ingest rate (docs/benchmarks.md).
 */
export const EMBEDDED_SETTINGS = ['shared_buffers=16MB', 'wal_buffers=1MB'];

/** Where a PGlite instance's data comes from. */
export interface PgliteSource {
  dataDir?: string | undefined;
  /** A dump from `dumpDataDir()` (tests start each database from a migrated snapshot). */
  loadDataDir?: Blob | undefined;
  /** postgresql.conf lines (memory settings of the embedded server). */
  settings?: string[] | undefined;
}

/** Creates a PGlite instance with the service's type parsers. */
export async function createPglite(source: PgliteSource = {}): Promise<PGlite> {
  if (source.dataDir) mkdirSync(source.dataDir, { recursive: true });
  return PGlite.create({
    dataDir: source.dataDir,
    loadDataDir: source.loadDataDir,
    parsers,
    relaxedDurability: false,
    postgresqlconf: source.settings ?? EMBEDDED_SETTINGS,
  }).catch((err: unknown) => {
    // PGlite's file system throws plain `{ name: 'ErrnoError', errno }` objects: make them Errors
    // with the errno name as code, so they survive the worker boundary and name their cause.
    throw asError(err);
  });
}

/** Opens (and on first use initialises) the embedded database. */
export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  const pg = options.instance ?? (await createPglite({ dataDir: options.dataDir }));
  await pg.exec("SET TimeZone = 'UTC'");
  const base = wrap(pg);
  return {
    kind: 'pglite',
    // In-process (tests and tools): reads share the connection and have no deadline; the service
    // runs the embedded store in a worker thread instead (pglite-worker.ts).
    reads: base,
    query: (text, params) => base.query(text, params),
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      try {
        return await pg.transaction((tx) => fn(wrap(tx)));
      } catch (err) {
        throw toStoreError(err);
      }
    },
    async tryWithLock<T>(_key: number, fn: (tx: Sql) => Promise<T>): Promise<T | null> {
      // One process owns an embedded data directory, so there is nobody to exclude.
      return fn(base);
    },
    async ping(): Promise<number> {
      const started = performance.now();
      await base.query('SELECT 1');
      return Math.round((performance.now() - started) * 100) / 100;
    },
    async close(): Promise<void> {
      if (!pg.closed) await pg.close();
    },
  };
}
