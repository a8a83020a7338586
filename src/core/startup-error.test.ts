import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { asError, describeStartupError, embeddedStoreError, errnoOf, StartupError } from './startup-error.ts';

/** What PGlite's Emscripten file system throws for a directory it may not write (seen as `[object Object]`). */
const pgliteEacces = (): unknown => ({ name: 'ErrnoError', errno: 2 });

/** A pg DatabaseError as the driver raises it. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

/** The error Node gives when a second server listens on a taken port. */
async function realAddressInUse(): Promise<unknown> {
  const first: Server = createServer();
  await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
  const { port } = first.address() as { port: number };
  const second = createServer();
  const err = await new Promise<unknown>((resolve) => {
    second.once('error', resolve);
    second.listen(port, '127.0.0.1');
  });
  await new Promise<void>((resolve) => first.close(() => resolve()));
  return err;
}

describe('describeStartupError', () => {
  it('names the data directory, the cause and the fix for PGlite file-system errors', () => {
    const line = describeStartupError(embeddedStoreError(pgliteEacces(), '/var/lib/alert-history', 10001));
    expect(line).toBe(
      'cannot open the embedded database in /var/lib/alert-history: permission denied (EACCES); make the directory writable by uid 10001 or set DATABASE_URL',
    );
  });

  it('attributes a file-system error that crossed the worker boundary as message and code', () => {
    const crossed = Object.assign(new Error("ENOTDIR: not a directory, mkdir '/x/file.txt/data'"), { code: 'ENOTDIR' });
    expect(describeStartupError(embeddedStoreError(crossed, '/x/file.txt/data'))).toMatch(
      /^cannot open the embedded database in \/x\/file\.txt\/data: .*\(ENOTDIR\); set DATA_DIR \(database\.dataDir\)/,
    );
  });

  it('names the port and the setting when the address is in use', async () => {
    const err = await realAddressInUse();
    const line = describeStartupError(err, { host: '127.0.0.1', port: 8080 });
    expect(line).toMatch(/^cannot listen on 127\.0\.0\.1:\d+: the port is already in use \(EADDRINUSE\); .*server\.port \(env SERVER_PORT\)/);
  });

  it.each([
    [
      '28P01',
      'password authentication failed for user "app"',
      /^cannot log in to PostgreSQL at db\.internal:6543 as app: password authentication failed \(28P01\); fix the password in DATABASE_URL$/,
    ],
    [
      '3D000',
      'database "history" does not exist',
      /^cannot open database "history" on PostgreSQL at db\.internal:6543: it does not exist \(3D000\); create it/,
    ],
    ['42501', 'permission denied for schema public', /^cannot migrate the schema .*\(42501\); grant app CREATE/],
    ['XX000', 'something odd', /^PostgreSQL at db\.internal:6543\/history failed: something odd \(XX000\); check DATABASE_URL/],
  ])('explains PostgreSQL %s without printing the password', (code, message, expected) => {
    const err = new AppError('INTERNAL_ERROR', 'database error', { cause: pgError(code, message) });
    const line = describeStartupError(err, { databaseUrl: 'postgres://app:s3cret-pass@db.internal:6543/history' });
    expect(line).toMatch(expected);
    expect(line).not.toContain('s3cret-pass');
  });

  it('explains an unreachable PostgreSQL', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const line = describeStartupError(new AppError('SERVICE_UNAVAILABLE', 'database unavailable', { cause }), { databaseUrl: 'postgres://app@127.0.0.1:1/x' });
    expect(line).toBe('cannot reach PostgreSQL at 127.0.0.1:1: connection refused (ECONNREFUSED); start PostgreSQL or fix the host and port in DATABASE_URL');
  });

  it('keeps a StartupError message, also when wrapped', () => {
    const inner = new StartupError('cannot do X; do Y');
    expect(describeStartupError(new Error('outer', { cause: inner }))).toBe('cannot do X; do Y');
  });

  it.each([
    [{ name: 'ErrnoError', errno: 2 }, /EACCES/],
    [{ some: 'object' }, /\{"some":"object"\}/],
    ['a string', /a string/],
    [undefined, /undefined/],
    [null, /null/],
    [new Error('line one\nline two'), /line one line two/],
  ])('prints one readable line for anything thrown (%o)', (thrown, expected) => {
    const line = describeStartupError(thrown);
    expect(line).toMatch(/^start-up failed: /);
    expect(line).toMatch(expected);
    expect(line).not.toContain('[object Object]');
    expect(line).not.toContain('\n');
  });
});

describe('errnoOf and asError', () => {
  it('reads Node codes and PGlite WASI errno numbers', () => {
    expect(errnoOf(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe('EROFS');
    expect(errnoOf({ name: 'ErrnoError', errno: 54 })).toBe('ENOTDIR');
    expect(errnoOf(new Error('x', { cause: { name: 'ErrnoError', errno: 51 } }))).toBe('ENOSPC');
    expect(errnoOf(new Error('no code'))).toBeUndefined();
  });

  it('turns a thrown plain object into an Error carrying the errno as code', () => {
    const err = asError({ name: 'ErrnoError', errno: 2 });
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('EACCES: file system error');
    expect((err as Error & { code?: string }).code).toBe('EACCES');
  });
});
