// A level-triggered work queue with client-go's guarantees: a key is queued at most once and never
// processed by two workers at once; a key added while it is processed runs again once it is done;
// `addAfter` keeps one timer per key and the earliest deadline wins; failures back off per key
// (exponential from 5 ms to 1000 s, controller-runtime's defaults) until a success forgets them.

/** What a reconcile asks for. */
export interface ReconcileResult {
  /** Run again after this long even without a change (e.g. waiting for a Secret). */
  requeueAfterMs?: number;
}

/** Options of {@link startWorkQueue}. */
export interface WorkQueueOptions {
  name: string;
  reconcile: (key: string) => Promise<ReconcileResult | undefined>;
  /** Keys reconciled in parallel (never the same key twice); default 1. */
  workers?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** After each reconcile: result (success, error, requeue) and its duration. */
  onResult?: (result: 'success' | 'error' | 'requeue', seconds: number) => void;
  onError?: (key: string, err: unknown) => void;
  onDepth?: (depth: number) => void;
}

/** A running queue. */
export interface WorkQueue {
  add(key: string): void;
  /** Adds the key after a delay; a pending earlier deadline for the key is kept, a later one replaced. */
  addAfter(key: string, delayMs: number): void;
  depth(): number;
  /** Stops taking keys; resolves when the running reconciles end. */
  stop(): Promise<void>;
}

interface Waiting {
  at: number;
  timer: NodeJS.Timeout;
}

/** Starts the queue. */
export function startWorkQueue(options: WorkQueueOptions): WorkQueue {
  const backoff = options.backoff ?? { initialMs: 5, maxMs: 1_000_000 };
  const maxWorkers = Math.max(1, options.workers ?? 1);
  const queue: string[] = [];
  // client-go's "dirty" set: keys that need a reconcile, queued or waiting for their worker.
  const dirty = new Set<string>();
  const processing = new Set<string>();
  const failures = new Map<string, number>();
  const waiting = new Map<string, Waiting>();
  const workers = new Set<Promise<void>>();
  let running = true;
  let active = 0;

  const report = (): void => options.onDepth?.(queue.length);

  function add(key: string): void {
    if (!running || dirty.has(key)) return;
    dirty.add(key);
    // Processing: done() queues it again when that reconcile ends.
    if (processing.has(key)) return;
    queue.push(key);
    report();
    spawnWorkers();
  }

  function addAfter(key: string, delayMs: number): void {
    if (!running) return;
    if (delayMs <= 0) return add(key);
    const at = performance.now() + delayMs;
    const pending = waiting.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      waiting.delete(key);
      add(key);
    }, delayMs);
    waiting.set(key, { at, timer });
  }

  function succeeded(key: string, result: ReconcileResult | undefined, seconds: number): void {
    failures.delete(key);
    const requeue = result?.requeueAfterMs;
    options.onResult?.(requeue === undefined ? 'success' : 'requeue', seconds);
    if (requeue !== undefined) addAfter(key, requeue);
  }

  function failed(key: string, err: unknown, seconds: number): void {
    const n = failures.get(key) ?? 0;
    failures.set(key, n + 1);
    options.onResult?.('error', seconds);
    options.onError?.(key, err);
    addAfter(key, Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(n, 40)));
  }

  async function runOne(key: string): Promise<void> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      succeeded(key, await options.reconcile(key), seconds());
    } catch (err) {
      failed(key, err, seconds());
    }
  }

  /** The next key no worker holds, marked as processing. */
  function take(): string | undefined {
    const key = queue.shift();
    if (key === undefined) return undefined;
    dirty.delete(key);
    processing.add(key);
    report();
    return key;
  }

  function done(key: string): void {
    processing.delete(key);
    if (!dirty.has(key) || !running) return;
    queue.push(key);
    report();
  }

  /** One worker: takes keys until the queue is empty; `active` drops before it returns. */
  async function work(): Promise<void> {
    try {
      for (let key = take(); key !== undefined; key = running ? take() : undefined) {
        await runOne(key);
        done(key);
      }
    } finally {
      active--;
    }
  }

  function spawnWorkers(): void {
    while (running && active < maxWorkers && queue.length > 0) {
      active++;
      const worker: Promise<void> = work().finally(() => workers.delete(worker));
      workers.add(worker);
    }
  }

  return {
    add,
    addAfter,
    depth: () => queue.length,
    async stop() {
      running = false;
      for (const w of waiting.values()) clearTimeout(w.timer);
      waiting.clear();
      while (workers.size > 0) await Promise.all([...workers]);
    },
  };
}
