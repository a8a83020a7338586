// The SQL port both drivers implement: PostgreSQL (pg Pool) and embedded PGlite run the same
// schema, migrations and statements. Timestamps come back as UTC text, bigints as numbers.
import { AppError } from '../core/errors.ts';

/** Runs one parameterised statement. */
export interface Sql {
  /**
   * `name` makes it a prepared statement on PostgreSQL, planned once per connection on sessions
   * tuned for index lookups; give it only to hot statements with a fixed text.
   */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[], name?: string): Promise<T[]>;
}

/** A database: statements, transactions, an advisory lock and a health ping. */
export interface Db extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /**
   * The API's reads: apart from ingest, delivery and probes (their own pool on PostgreSQL, the
   * lowest priority on the embedded store) and bounded by the read deadline; a read past it fails
   * with SERVICE_UNAVAILABLE (a 503 envelope) and stops running.
   */
  readonly reads: Sql;
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding the session advisory lock `key` when it can be taken at once;
   * resolves `null` without running it when another session holds it.
   */
  tryWithLock<T>(key: number, fn: (tx: Sql) => Promise<T>): Promise<T | null>;
  /** Round-trip latency in ms; rejects when the database is unreachable. */
  ping(): Promise<number>;
  close(): Promise<void>;
}

/** The error of a read that passed its deadline (`database.readTimeoutMs`). */
export function readDeadlineError(timeoutMs: number, cause?: unknown): AppError {
  return new AppError(
    'SERVICE_UNAVAILABLE',
    `the read did not finish within ${timeoutMs} ms (database.readTimeoutMs); narrow the time window or the label matchers`,
    {
      cause,
      headers: { 'Retry-After': '5' },
    },
  );
}

/** Advisory lock keys (one namespace for the whole service). */
export const LOCKS = {
  migrate: 7_420_001,
  retention: 7_420_002,
} as const;

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Query read timeout/i;

/** The fields of a driver error (pg, PGlite, Node) the store reads, each still unknown. */
export interface ErrorFields {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** Anything thrown, as its {@link ErrorFields}; a non-object has none. */
export const errorFields = (err: unknown): ErrorFields => (typeof err === 'object' && err !== null ? err : {});

function isUnavailable(err: unknown): boolean {
  const { code, errors, message } = errorFields(err);
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (Array.isArray(errors) && errors.some(isUnavailable)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message);
}

/**
 * Maps driver errors to the service's codes: an unreachable database is SERVICE_UNAVAILABLE
 * (Alertmanager retries a 503), a statement timeout is TIMEOUT, anything else INTERNAL_ERROR.
 */
export function toStoreError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isUnavailable(err)) return new AppError('SERVICE_UNAVAILABLE', 'database unavailable', { cause: err });
  if (errorFields(err).code === '57014') return new AppError('TIMEOUT', 'database statement timed out', { cause: err });
  return new AppError('INTERNAL_ERROR', 'database error', { cause: err, retryable: false });
}
