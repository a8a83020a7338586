// The embedded store as the service runs it: PGlite in a worker thread (pglite-host.ts), so the
// event loop stays free while a statement runs (/healthz answers, SIGTERM is honoured). PGlite
// has one connection and ignores statement_timeout, so this side schedules statements (ingest,
// delivery and probes before API reads; a transaction holds the connection), and enforces the
// read deadline by ending the worker and reopening the data directory. docs/adr/0005.
import { Worker } from 'node:worker_threads';
import { AppError } from '../core/errors.ts';
import { type Db, readDeadlineError, type Sql, toStoreError } from './db.ts';
import type { HostInit, HostReply } from './pglite-host.ts';
import { Scheduler } from './scheduler.ts';

/** Options of {@link openPgliteWorker}. */
export interface PgliteWorkerOptions extends HostInit {
  /** Deadline of an API read: waiting and running both count. */
  readTimeoutMs: number;
  /** Told when a read passed its deadline and the database was reopened (and how long that took). */
  onRestart?: (times: { elapsedMs: number; reopenMs: number }) => void;
}

const HOST_URL = new URL(import.meta.url.endsWith('.ts') ? './pglite-host.ts' : './pglite-host.js', import.meta.url);

/** One running worker and its outstanding statements. */
class Host {
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (err: unknown) => void }>();
  #next = 1;
  #exited = false;

  constructor(init: HostInit) {
    this.#worker = new Worker(HOST_URL, { workerData: init });
    this.ready = new Promise((resolve, reject) => this.#pending.set(0, { resolve: () => resolve(), reject }));
    this.#worker.on('message', (reply: HostReply) => this.#settle(reply));
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', (code) => {
      this.#exited = true;
      this.#failAll(new AppError('SERVICE_UNAVAILABLE', `embedded database worker exited (code ${code})`));
    });
  }

  run<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
    if (this.#exited) return Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'embedded database is closed'));
    const id = this.#next++;
    return new Promise<T[]>((resolve, reject) => {
      // The host's rows are untyped: T is the caller's row type, derived from schema.ts (rows.ts).
      this.#pending.set(id, { resolve: (rows) => resolve(rows as T[]), reject });
      this.#worker.postMessage({ id, text, params });
    });
  }

  /** Ends the worker at once (a running statement stops with it). */
  async kill(): Promise<void> {
    await this.#worker.terminate();
  }

  #settle(reply: HostReply): void {
    const waiter = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if ('rows' in reply) waiter?.resolve(reply.rows);
    else waiter?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
  }

  #failAll(err: unknown): void {
    for (const waiter of this.#pending.values()) waiter.reject(err);
    this.#pending.clear();
  }
}

/** Opens the embedded database in a worker thread; resolves once it is open. */
export async function openPgliteWorker(options: PgliteWorkerOptions): Promise<Db> {
  const init: HostInit = { dataDir: options.dataDir, loadDataDir: options.loadDataDir };
  let host = new Host(init);
  await host.ready;
  let current: RunningRead | undefined;
  const scheduler = new Scheduler({ onContention: () => current?.preempt() });
  const run = async <T>(text: string, params?: readonly unknown[]): Promise<T[]> => {
    try {
      return await host.run<T>(text, params);
    } catch (err) {
      throw toStoreError(err);
    }
  };
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => scheduler.run('high', fn);
  const direct: Sql = { query: (text, params) => run(text, params) };

  /** Ends the statement that passed the deadline and reopens the data directory. */
  const restart = async (started: number): Promise<void> => {
    // Ended before the new one starts: two WASM heaps at once would double the peak memory.
    await host.kill();
    const reopening = performance.now();
    host = new Host(init);
    await host.ready;
    options.onRestart?.({ elapsedMs: Math.round(reopening - started), reopenMs: Math.round(performance.now() - reopening) });
  };

  const reads: Sql = {
    query<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
      const started = performance.now();
      const job = async (): Promise<T[]> => {
        const read = new RunningRead(started, options.readTimeoutMs, restart);
        current = read;
        try {
          return await read.run(() => run<T>(text, params));
        } finally {
          current = undefined;
        }
      };
      return scheduler.run('low', job, { deadlineMs: options.readTimeoutMs, onExpired: () => readDeadlineError(options.readTimeoutMs) });
    },
  };

  return {
    kind: 'pglite',
    reads,
    query: (text, params) => exclusive(() => run(text, params)),
    transaction: (fn) => exclusive(() => inTransaction(direct, fn)),
    tryWithLock: (_key, fn) => fn({ query: (text, params) => exclusive(() => run(text, params)) }),
    async ping(): Promise<number> {
      // A read within its deadline holds the one connection: the database is up and working.
      if (scheduler.busyFor() !== undefined && (scheduler.busyFor() ?? 0) < options.readTimeoutMs + 1_000) return 0;
      const started = performance.now();
      await exclusive(() => run('SELECT 1'));
      return Math.round((performance.now() - started) * 100) / 100;
    },
    async close(): Promise<void> {
      // A running read is abandoned (its request is answered 503); writes finish first.
      if (scheduler.runningPriority() === 'low') await host.kill();
      await exclusive(() => host.kill());
    },
  };
}

async function inTransaction<T>(sql: Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  await sql.query('BEGIN');
  try {
    const result = await fn(sql);
    await sql.query('COMMIT');
    return result;
  } catch (err) {
    await sql.query('ROLLBACK').catch(() => undefined);
    throw toStoreError(err);
  }
}

/** How long a read may keep the one connection while writes wait for it. */
export const PREEMPT_AFTER_MS = 1_000;

/**
 * The read holding the connection. Past its deadline, or PREEMPT_AFTER_MS after writes started
 * waiting for it, it answers a 503 and the worker is ended (the statement stops) and reopened.
 */
class RunningRead {
  readonly #started: number;
  readonly #timeoutMs: number;
  readonly #restart: (started: number) => Promise<void>;
  readonly #runStarted = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #stopAt = Number.POSITIVE_INFINITY;
  #stop: ((error: AppError) => void) | undefined;

  constructor(started: number, timeoutMs: number, restart: (started: number) => Promise<void>) {
    this.#started = started;
    this.#timeoutMs = timeoutMs;
    this.#restart = restart;
  }

  run<T>(statement: () => Promise<T[]>): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      let stopped = false;
      this.#stop = (error) => {
        // Once: a preemption arriving while the deadline's reopen runs must not reopen again.
        if (stopped) return;
        stopped = true;
        this.#stopAt = Number.NEGATIVE_INFINITY;
        this.#restart(this.#started).then(
          () => reject(error),
          (err: unknown) => reject(new AppError('SERVICE_UNAVAILABLE', 'embedded database could not be reopened after stopping a read', { cause: err })),
        );
      };
      this.#schedule(this.#started + this.#timeoutMs, () => readDeadlineError(this.#timeoutMs));
      statement().then(
        (rows) => this.#settle(stopped, () => resolve(rows)),
        (err: unknown) => this.#settle(stopped, () => reject(toStoreError(err))),
      );
    });
  }

  /** Writes are waiting: stop this read once it has held the connection PREEMPT_AFTER_MS. */
  preempt(): void {
    this.#schedule(this.#runStarted + PREEMPT_AFTER_MS, () => preemptedError(Math.round(performance.now() - this.#runStarted)));
  }

  #schedule(at: number, error: () => AppError): void {
    if (at >= this.#stopAt) return;
    this.#stopAt = at;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#stop?.(error()), Math.max(0, at - performance.now()));
  }

  #settle(stopped: boolean, done: () => void): void {
    clearTimeout(this.#timer);
    if (!stopped) done();
  }
}

function preemptedError(ms: number): AppError {
  return new AppError(
    'SERVICE_UNAVAILABLE',
    `the read was stopped after ${ms} ms so that ingest could run (the embedded store has one connection); narrow the time window or the label matchers, or use PostgreSQL`,
    {
      headers: { 'Retry-After': '5' },
    },
  );
}
