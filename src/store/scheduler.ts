// Runs jobs one at a time on a single connection, high priority first (ingest, delivery, probes),
// then low (API reads); a low job may carry a deadline that also covers its wait in the queue.

/** Job priority. */
export type Priority = 'high' | 'low';

/** Deadline of a queued job. */
export interface QueueDeadline {
  deadlineMs: number;
  /** The error a job gets when its deadline passes before it starts. */
  onExpired: () => Error;
}

/** A one-at-a-time, two-priority job runner. */
export class Scheduler {
  readonly #queues: Record<Priority, (() => void)[]> = { high: [], low: [] };
  readonly #onContention: (() => void) | undefined;
  #runningSince: number | undefined;
  #runningPriority: Priority | undefined;

  /** `onContention` is told when a high job starts waiting behind a running low one. */
  constructor(options: { onContention?: () => void } = {}) {
    this.#onContention = options.onContention;
  }

  /** Runs `fn` when it is this job's turn; rejects with `onExpired()` if the deadline passes first. */
  run<T>(priority: Priority, fn: () => Promise<T>, deadline?: QueueDeadline): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const start = (): void => {
        clearTimeout(timer);
        this.#runningSince = performance.now();
        this.#runningPriority = priority;
        void fn()
          .then(resolve, reject)
          .finally(() => {
            this.#runningSince = undefined;
            this.#runningPriority = undefined;
            this.#pump();
          });
      };
      const queue = this.#queues[priority];
      queue.push(start);
      if (deadline) {
        timer = setTimeout(() => {
          const at = queue.indexOf(start);
          if (at < 0) return;
          queue.splice(at, 1);
          reject(deadline.onExpired());
        }, deadline.deadlineMs);
      }
      if (this.#runningSince === undefined) this.#pump();
      else if (priority === 'high' && this.#runningPriority === 'low') this.#onContention?.();
    });
  }

  /** How long the running job has run (ms), or undefined when idle. */
  busyFor(): number | undefined {
    return this.#runningSince === undefined ? undefined : performance.now() - this.#runningSince;
  }

  /** The priority of the running job, or undefined when idle. */
  runningPriority(): Priority | undefined {
    return this.#runningPriority;
  }

  #pump(): void {
    if (this.#runningSince !== undefined) return;
    const next = this.#queues.high.shift() ?? this.#queues.low.shift();
    next?.();
  }
}
