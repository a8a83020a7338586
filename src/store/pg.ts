// PostgreSQL driver on a pg Pool: session time zone UTC, timestamps as text, int8 as number.
import pg from 'pg';
import type { Logger } from 'pino';
import { type Db, type Sql, toStoreError } from './db.ts';

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === TIMESTAMPTZ_OID) return (v: string) => v;
    if (oid === INT8_OID || oid === NUMERIC_OID) return Number;
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  logger: Logger;
  applicationName?: string;
}

function wrap(client: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<T>(text: string, params?: readonly unknown[], name?: string): Promise<T[]> {
      try {
        const result = await client.query({ text, values: params as unknown[] | undefined, ...(name ? { name } : {}) });
        return result.rows as T[];
      } catch (err) {
        throw toStoreError(err);
      }
    },
  };
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw toStoreError(err);
  }
}

const SESSION = '-c TimeZone=UTC';
/**
 * Sessions for the named (prepared) hot statements. Their plan is built once and kept
 * (force_generic_plan): PostgreSQL otherwise re-plans the record statement on every call, which
 * costs more than running it. A plan built while the table is small would scan it, and keep doing
 * so as it grows (measured: throughput halving within a minute), so these sessions also rule out
 * sequential scans and hash/merge joins: hot statements are index lookups by design.
 */
const HOT_SESSION = `${SESSION} -c plan_cache_mode=force_generic_plan -c enable_seqscan=off -c enable_hashjoin=off -c enable_mergejoin=off`;

function createPool(options: PostgresOptions, session: string, role: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: `${options.applicationName ?? 'alert-history'}-${role}`,
    options: session,
    types,
  });
  pool.on('error', (err) => options.logger.warn({ err: { message: err.message }, pool: role }, 'idle database connection failed'));
  return pool;
}

/**
 * Opens two pools (connections are made lazily, so a down database does not stop start-up): one
 * for named hot statements (see HOT_SESSION), one for everything else.
 */
export function openPostgres(options: PostgresOptions): Db {
  const pool = createPool(options, SESSION, 'main');
  const hotPool = createPool(options, HOT_SESSION, 'hot');
  const hot = wrap(hotPool);
  const base = wrap(pool);
  return {
    kind: 'postgres',
    query: (text, params, name) => (name ? hot.query(text, params, name) : base.query(text, params)),
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await connect(pool);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw toStoreError(err);
      } finally {
        client.release();
      }
    },
    async tryWithLock<T>(key: number, fn: (tx: Sql) => Promise<T>): Promise<T | null> {
      const client = await connect(pool);
      const session = wrap(client);
      try {
        const [row] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
        if (!row?.locked) return null;
        try {
          return await fn(session);
        } finally {
          await session.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
        }
      } finally {
        client.release();
      }
    },
    async ping(): Promise<number> {
      const started = performance.now();
      await base.query('SELECT 1');
      return Math.round((performance.now() - started) * 100) / 100;
    },
    async close(): Promise<void> {
      await Promise.all([pool.end(), hotPool.end()]);
    },
  };
}
