// Start-up failures as ONE line naming what failed and how to fix it (the CLI prints it and exits
// 1). Drivers throw all sorts: Node system errors, pg's DatabaseError, and PGlite's file-system
// errors, which are plain objects `{ name: 'ErrnoError', errno }` (they printed `[object Object]`).
import { AppError } from './errors.ts';
import { redact } from './secret.ts';

/** A start-up failure whose message already names what failed and the fix. */
export class StartupError extends Error {
  readonly code = 'STARTUP_FAILED';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StartupError';
  }
}

/** What a start-up message may name, from the configuration. */
export interface StartupContext {
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
}

/** WASI errno numbers, which PGlite's Emscripten file system reports. */
const WASI_ERRNO: Record<number, string> = {
  2: 'EACCES',
  20: 'EEXIST',
  29: 'EIO',
  31: 'EISDIR',
  44: 'ENOENT',
  51: 'ENOSPC',
  54: 'ENOTDIR',
  55: 'ENOTEMPTY',
  63: 'EPERM',
  69: 'EROFS',
};

type Fields = {
  code?: unknown;
  errno?: unknown;
  name?: unknown;
  message?: unknown;
  syscall?: unknown;
  severity?: unknown;
  port?: unknown;
  address?: unknown;
  cause?: unknown;
};

const fieldsOf = (value: unknown): Fields => (typeof value === 'object' && value !== null ? value : {});

/** The error and its causes, outermost first. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && out.length < 8; e = fieldsOf(e).cause) out.push(e);
  return out;
}

/** The errno name (`EACCES`) of a Node system error or a PGlite file-system error. */
export function errnoOf(err: unknown): string | undefined {
  for (const e of chain(err)) {
    const { code, errno, name } = fieldsOf(e);
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    if (name === 'ErrnoError' && typeof errno === 'number') return WASI_ERRNO[errno] ?? `errno ${errno}`;
  }
  return undefined;
}

/** Anything thrown as an Error with a readable message; a file-system errno becomes its `code`. */
export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  const errno = errnoOf(err);
  const message = errno ? `${errno}: file system error` : textOfOne(err);
  return Object.assign(new Error(message, { cause: err }), errno ? { code: errno } : {});
}

/** One error as text, whatever was thrown: never `[object Object]`. */
function textOfOne(e: unknown): string {
  const { code, errno, name, message } = fieldsOf(e);
  if (typeof message === 'string' && message) return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  if (name === 'ErrnoError') return `file system error ${errnoOf(e) ?? ''} (errno ${String(errno)})`;
  if (typeof e !== 'object' || e === null) return String(e);
  try {
    return JSON.stringify(e).slice(0, 300);
  } catch {
    return Object.prototype.toString.call(e);
  }
}

/** An error and its causes as one text. */
export function errorText(err: unknown): string {
  const parts = chain(err).map(textOfOne);
  return parts.length ? [...new Set(parts)].join(': ') : String(err);
}

const EMBEDDED: Record<string, (uid: string) => string> = {
  EACCES: (uid) => `permission denied (EACCES); make the directory writable by uid ${uid} or set DATABASE_URL`,
  EPERM: (uid) => `operation not permitted (EPERM); make the directory writable by uid ${uid} or set DATABASE_URL`,
  ENOTDIR: () => 'a part of the path is a file, not a directory (ENOTDIR); set DATA_DIR (database.dataDir) to a directory, or set DATABASE_URL',
  EROFS: () =>
    'the file system is read-only (EROFS); mount a writable volume there, set DATA_DIR (database.dataDir) to a writable directory, or set DATABASE_URL',
  ENOSPC: () => 'no space left on the device (ENOSPC); free disk space or set DATA_DIR (database.dataDir) to another volume',
  ENOENT: () => 'a part of the path does not exist (ENOENT); create it or set DATA_DIR (database.dataDir)',
};

/** The failure to open the embedded database in `dataDir`, with the fix for its cause. */
export function embeddedStoreError(err: unknown, dataDir: string, uid = process.getuid?.()): StartupError {
  const errno = errnoOf(err);
  const known = errno ? EMBEDDED[errno] : undefined;
  const reason = known
    ? known(uid === undefined ? 'the service runs as' : String(uid))
    : `${errorText(err)}; the directory must be empty or hold an alert-history database (set DATA_DIR to another directory, or set DATABASE_URL)`;
  return new StartupError(`cannot open the embedded database in ${dataDir}: ${reason}`, { cause: err });
}

const LISTEN: Record<string, string> = {
  EADDRINUSE: 'the port is already in use (EADDRINUSE); stop the process using it or set server.port (env SERVER_PORT) to a free port',
  EACCES: 'permission denied (EACCES); ports below 1024 need privileges: set server.port (env SERVER_PORT) to 1024 or above',
  EADDRNOTAVAIL: 'the address is not on this machine (EADDRNOTAVAIL); set server.host (env SERVER_HOST) to one of its addresses or 0.0.0.0',
  ENOTFOUND: 'the host name does not resolve (ENOTFOUND); set server.host (env SERVER_HOST) to an address or 0.0.0.0',
};

function listenProblem(err: unknown, ctx: StartupContext): string | undefined {
  const e = chain(err)
    .map(fieldsOf)
    .find((f) => f.syscall === 'listen' || (f.syscall === 'getaddrinfo' && !ctx.databaseUrl));
  if (!e) return undefined;
  const where = `${typeof e.address === 'string' ? e.address : (ctx.host ?? '')}:${typeof e.port === 'number' ? e.port : (ctx.port ?? '')}`;
  const fix = (typeof e.code === 'string' && LISTEN[e.code]) || `${errorText(err)}; check server.host and server.port (env SERVER_HOST, SERVER_PORT)`;
  return `cannot listen on ${where}: ${fix}`;
}

/** The parts of DATABASE_URL a message may name (never the password). */
function pgWhere(url: string): { server: string; database: string; user: string } {
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username) || 'the default user';
    return { server: `${u.hostname}:${u.port || '5432'}`, database: decodeURIComponent(u.pathname.slice(1)) || user, user };
  } catch {
    return { server: 'DATABASE_URL', database: '(unknown)', user: '(unknown)' };
  }
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset',
};

type PgFix = (w: ReturnType<typeof pgWhere>, said: string) => string;

const PG_FIXES: Record<string, PgFix> = {
  '28P01': (w) => `cannot log in to PostgreSQL at ${w.server} as ${w.user}: password authentication failed (28P01); fix the password in DATABASE_URL`,
  '28000': (w, said) =>
    `cannot log in to PostgreSQL at ${w.server} as ${w.user}: ${said} (28000); create the role or fix the user in DATABASE_URL, and check pg_hba.conf`,
  '3D000': (w) =>
    `cannot open database "${w.database}" on PostgreSQL at ${w.server}: it does not exist (3D000); create it (createdb ${w.database}) or fix the database name in DATABASE_URL`,
  '42501': (w, said) =>
    `cannot migrate the schema on PostgreSQL at ${w.server}/${w.database}: ${said} (42501); grant ${w.user} CREATE on the database and its public schema, or run alert-history migrate as the owner`,
};

const isStoreError = (e: unknown): boolean => e instanceof AppError && /^database /.test(e.message);
const isPgError = (e: unknown): boolean => typeof fieldsOf(e).severity === 'string' && /^[0-9A-Z]{5}$/.test(String(fieldsOf(e).code));

function postgresProblem(err: unknown, url: string): string {
  const w = pgWhere(url);
  const pg = chain(err).find(isPgError);
  if (pg) {
    const { code, message } = fieldsOf(pg);
    const said = String(message);
    const fix = PG_FIXES[String(code)];
    return fix ? fix(w, said) : `PostgreSQL at ${w.server}/${w.database} failed: ${said} (${String(code)}); check DATABASE_URL and the server log`;
  }
  const errno = errnoOf(err);
  if (errno && UNREACHABLE[errno])
    return `cannot reach PostgreSQL at ${w.server}: ${UNREACHABLE[errno]} (${errno}); start PostgreSQL or fix the host and port in DATABASE_URL`;
  return `PostgreSQL at ${w.server}/${w.database} failed: ${errorText(err)}; check DATABASE_URL (host, port, sslmode) and the server log`;
}

function storeProblem(err: unknown, ctx: StartupContext): string | undefined {
  const links = chain(err);
  if (!links.some((e) => isStoreError(e) || isPgError(e))) return undefined;
  if (ctx.databaseUrl) return postgresProblem(err, ctx.databaseUrl);
  return ctx.dataDir ? embeddedStoreError(err, ctx.dataDir).message : undefined;
}

function passwordOf(url: string | undefined): string[] {
  try {
    return url ? [new URL(url).password, decodeURIComponent(new URL(url).password)] : [];
  } catch {
    return [];
  }
}

/**
 * One line for a start-up failure: what failed (the embedded store, PostgreSQL, the listening
 * port) and how to fix it, naming the config key or environment variable. Never multi-line and
 * never a database password.
 */
export function describeStartupError(err: unknown, ctx: StartupContext = {}): string {
  const startup = chain(err).find((e): e is StartupError => e instanceof StartupError);
  const line =
    startup?.message ??
    listenProblem(err, ctx) ??
    storeProblem(err, ctx) ??
    `start-up failed: ${errorText(err)}; see the log lines above for what was starting`;
  return redact(line.replace(/\s+/g, ' ').trim(), passwordOf(ctx.databaseUrl));
}
