// PostgreSQL driver on a pg Pool: session time zone UTC, timestamps as text, int8 as number.
import pg from 'pg';
import type { Logger } from 'pino';
import { type Db, errorFields, readDeadlineError, type Sql, toStoreError } from './db.ts';

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
  /** Connections for API reads (default 4), apart from the main pool. */
  readPoolSize?: number;
  /** Deadline of an API read (default 5 s): waiting for a connection and running each count. */
  readTimeoutMs?: number;
  applicationName?: string;
}

function wrap(client: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<T>(text: string, params?: readonly unknown[], name?: string): Promise<T[]> {
      try {
        const result = await client.query({ text, values: params as unknown[] | undefined, ...(name ? { name } : {}) });
        // The driver's rows are untyped: T is the caller's row type, derived from schema.ts (rows.ts).
        return result.rows as T[];
      } catch (err) {
        throw toStoreError(err);
      }
    },
  };
}

const READ_TIMED_OUT = /timeout exceeded when trying to connect|Query read timeout/i;

/** The read pool's Sql: a statement timeout or a wait for a connection past the deadline is a 503. */
function boundedReads(pool: pg.Pool, timeoutMs: number): Sql {
  const reads = wrap(pool);
  return {
    async query<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
      try {
        return await reads.query<T>(text, params);
      } catch (err) {
        const { message } = errorFields(errorFields(err).cause);
        const timedOut = errorFields(err).code === 'TIMEOUT' || (typeof message === 'string' && READ_TIMED_OUT.test(message));
        throw timedOut ? readDeadlineError(timeoutMs, err) : err;
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

interface PoolShape {
  session: string;
  role: string;
  size: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

function createPool(options: PostgresOptions, shape: PoolShape): pg.Pool {
  const { session, role } = shape;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: shape.size,
    connectionTimeoutMillis: shape.connectTimeoutMs,
    statement_timeout: shape.statementTimeoutMs,
    query_timeout: shape.statementTimeoutMs + 5_000,
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
  const common = { size: options.poolSize, statementTimeoutMs: options.statementTimeoutMs, connectTimeoutMs: options.connectTimeoutMs };
  const readTimeoutMs = options.readTimeoutMs ?? 5_000;
  const pool = createPool(options, { ...common, session: SESSION, role: 'main' });
  const hotPool = createPool(options, { ...common, session: HOT_SESSION, role: 'hot' });
  // Reads wait for a connection and run for at most the deadline each; the server cancels them.
  const readPool = createPool(options, {
    session: SESSION,
    role: 'read',
    size: options.readPoolSize ?? 4,
    statementTimeoutMs: readTimeoutMs,
    connectTimeoutMs: readTimeoutMs,
  });
  const hot = wrap(hotPool);
  const base = wrap(pool);
  return {
    kind: 'postgres',
    reads: boundedReads(readPool, readTimeoutMs),
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
      await Promise.all([pool.end(), hotPool.end(), readPool.end()]);
    },
  };
}
