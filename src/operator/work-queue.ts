// A level-triggered work queue like client-go's: a key is queued at most once, a key added while
// it is being reconciled runs again afterwards, and failures back off per key (exponential from
// 5 ms to 1000 s, controller-runtime's defaults) until a success forgets them.

/** What a reconcile asks for. */
export interface ReconcileResult {
  /** Run again after this long even without a change (e.g. waiting for a Secret). */
  requeueAfterMs?: number;
}

/** Options of {@link startWorkQueue}. */
export interface WorkQueueOptions {
  name: string;
  reconcile: (key: string) => Promise<ReconcileResult | undefined>;
  backoff?: { initialMs: number; maxMs: number };
  /** After each reconcile: result (success, error, requeue) and its duration. */
  onResult?: (result: 'success' | 'error' | 'requeue', seconds: number) => void;
  onError?: (key: string, err: unknown) => void;
  onDepth?: (depth: number) => void;
}

/** A running queue. */
export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  depth(): number;
  /** Stops taking keys; resolves when the running reconcile ends. */
  stop(): Promise<void>;
}

/** Starts the queue with one worker. */
export function startWorkQueue(options: WorkQueueOptions): WorkQueue {
  const backoff = options.backoff ?? { initialMs: 5, maxMs: 1_000_000 };
  const queue: string[] = [];
  const queued = new Set<string>();
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let processing: string | undefined;
  let running = true;
  let idle: Promise<void> = Promise.resolve();

  const report = (): void => options.onDepth?.(queue.length);

  function add(key: string): void {
    if (!running) return;
    if (key === processing) {
      dirty.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    queue.push(key);
    report();
    if (processing === undefined) idle = drain();
  }

  function addAfter(key: string, delayMs: number): void {
    if (!running || timers.has(key)) return;
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        add(key);
      }, delayMs),
    );
  }

  async function runOne(key: string): Promise<void> {
    const started = performance.now();
    try {
      const result = await options.reconcile(key);
      failures.delete(key);
      options.onResult?.(result?.requeueAfterMs !== undefined ? 'requeue' : 'success', (performance.now() - started) / 1000);
      if (result?.requeueAfterMs !== undefined) addAfter(key, result.requeueAfterMs);
    } catch (err) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      options.onResult?.('error', (performance.now() - started) / 1000);
      options.onError?.(key, err);
      addAfter(key, Math.min(backoff.maxMs, backoff.initialMs * 2 ** n));
    }
  }

  async function drain(): Promise<void> {
    while (running && queue.length > 0) {
      const key = queue.shift()!;
      queued.delete(key);
      report();
      processing = key;
      await runOne(key);
      processing = undefined;
      if (dirty.delete(key)) add(key);
    }
  }

  return {
    add,
    addAfter,
    depth: () => queue.length,
    async stop() {
      running = false;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await idle;
    },
  };
}
