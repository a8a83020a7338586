// Retention: on the leader (outside Kubernetes, whoever takes the advisory lock), delete history
// older than `days` in batches, at start and then every interval.
import { type PeriodicJob, startPeriodic } from '../core/periodic.ts';
import type { Clock, RetentionStore } from '../core/ports.ts';
import { asError } from '../core/startup-error.ts';

/** The logging the runner needs (a pino logger fits). */
export interface RetentionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link startRetention}. */
export interface RetentionOptions {
  store: RetentionStore;
  /** Runs `fn` only if this replica may (leader / advisory lock); resolves null when it may not. */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T | null>;
  days: number;
  batchSize: number;
  intervalMs: number;
  clock: Clock;
  log: RetentionLog;
  onRun?: (result: RetentionRun) => void;
  /**
   * Runs inside the exclusive section before any delete, with the cutoff (ISO): the rollups stop
   * serving what is about to go, so no read sees a batch half-deleted in them.
   */
  beforeDelete?: (cutoffIso: string) => Promise<void>;
}

/** The outcome of one run. */
export interface RetentionRun {
  result: 'ok' | 'skipped' | 'error';
  deleted: number;
}

const DAY_MS = 86_400_000;
const MAX_BATCHES_PER_RUN = 10_000;

/** Deletes everything older than the cutoff, batch by batch; one run. */
export async function runRetention(options: RetentionOptions): Promise<RetentionRun> {
  const cutoff = new Date(options.clock.now() - options.days * DAY_MS).toISOString();
  try {
    const deleted = await options.exclusive(async () => {
      await options.beforeDelete?.(cutoff);
      let total = 0;
      for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
        const n = await options.store.deleteOlderThan(cutoff, options.batchSize);
        total += n;
        if (n === 0) break;
      }
      return total;
    });
    const run: RetentionRun = deleted === null ? { result: 'skipped', deleted: 0 } : { result: 'ok', deleted };
    if (run.deleted > 0) options.log.info({ deleted: run.deleted, cutoff }, 'retention deleted old history');
    return run;
  } catch (err) {
    options.log.warn({ err: { message: asError(err).message }, cutoff }, 'retention run failed; will retry next interval');
    return { result: 'error', deleted: 0 };
  }
}

/** Runs retention now and every `intervalMs` until stopped (a run never overlaps the last). */
export function startRetention(options: RetentionOptions): PeriodicJob {
  return startPeriodic(() => runRetention(options).then((run) => options.onRun?.(run)), options.intervalMs);
}
