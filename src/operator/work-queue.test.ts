import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ReconcileResult, startWorkQueue } from './work-queue.ts';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise continuation run (no timers involved). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A reconcile that blocks each call until the test resolves it, and records overlaps per key. */
function handReconciler() {
  const calls: { key: string; gate: Deferred; settled: boolean }[] = [];
  const inFlight = new Map<string, number>();
  const overlaps: string[] = [];
  const reconcile = async (key: string): Promise<undefined> => {
    const n = (inFlight.get(key) ?? 0) + 1;
    inFlight.set(key, n);
    if (n > 1) overlaps.push(key);
    const call = { key, gate: deferred(), settled: false };
    calls.push(call);
    try {
      await call.gate.promise;
    } finally {
      call.settled = true;
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
    }
    return undefined;
  };
  const open = (key?: string) => calls.filter((c) => !c.settled && (key === undefined || c.key === key));
  return { reconcile, calls, overlaps, open };
}

describe('startWorkQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never reconciles a key twice at once, and reruns a key added during its reconcile once it ends', async () => {
    const r = handReconciler();
    const q = startWorkQueue({ name: 't', reconcile: r.reconcile });
    q.add('a');
    await settle();
    q.add('a'); // during its reconcile: runs again afterwards
    q.add('b');
    r.open('a')[0]!.gate.resolve();
    await settle();
    q.add('b'); // b is being reconciled (or about to be): it must wait for that reconcile
    await settle();
    // Finish every open reconcile of "a" first: a free worker must not pick "b" while "b" runs.
    for (const call of r.open('a')) call.gate.resolve();
    await settle();
    for (let i = 0; i < 10 && r.open().length > 0; i++) {
      r.open()[0]!.gate.resolve();
      await settle();
    }
    expect(r.overlaps).toEqual([]);
    expect(r.calls.map((c) => c.key)).toEqual(['a', 'b', 'a', 'b']);
    await q.stop();
  });

  it('queues a key once however often it is added before it runs', async () => {
    const r = handReconciler();
    const q = startWorkQueue({ name: 't', reconcile: r.reconcile });
    q.add('a');
    await settle();
    for (const key of ['b', 'b', 'c', 'b', 'c']) q.add(key);
    expect(q.depth()).toBe(2);
    for (let i = 0; i < 10 && r.open().length > 0; i++) {
      r.open()[0]!.gate.resolve();
      await settle();
    }
    expect(r.calls.map((c) => c.key)).toEqual(['a', 'b', 'c']);
    await q.stop();
  });

  it('runs different keys in parallel with several workers, one reconcile per key', async () => {
    const r = handReconciler();
    const q = startWorkQueue({ name: 't', reconcile: r.reconcile, workers: 3 });
    for (const key of ['a', 'b', 'a', 'c', 'd']) q.add(key);
    await settle();
    expect(r.open().map((c) => c.key)).toEqual(['a', 'b', 'c']);
    q.add('a');
    q.add('b');
    r.open('c')[0]!.gate.resolve();
    await settle();
    // The free worker takes "d"; "a" and "b" wait for their own reconciles.
    expect(r.open().map((c) => c.key)).toEqual(['a', 'b', 'd']);
    for (let i = 0; i < 10 && r.open().length > 0; i++) {
      for (const call of r.open()) call.gate.resolve();
      await settle();
    }
    expect(r.overlaps).toEqual([]);
    expect(r.calls.map((c) => c.key)).toEqual(['a', 'b', 'c', 'd', 'a', 'b']);
    await q.stop();
  });

  it('keeps the earliest addAfter deadline: a shorter requeue replaces a longer pending one', async () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const q = startWorkQueue({ name: 't', reconcile: (key) => Promise.resolve(void seen.push(key)) });
    q.addAfter('k', 10_000);
    q.addAfter('k', 100);
    await vi.advanceTimersByTimeAsync(99);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(['k']);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(seen).toEqual(['k']);
    await q.stop();
  });

  it('does not postpone a pending addAfter with a later one', async () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const q = startWorkQueue({ name: 't', reconcile: (key) => Promise.resolve(void seen.push(key)) });
    q.addAfter('k', 100);
    q.addAfter('k', 5_000);
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual(['k']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toEqual(['k']);
    await q.stop();
  });

  it('lets a reconcile asking for a short requeue win over a pending backoff', async () => {
    vi.useFakeTimers();
    const results: (ReconcileResult | Error)[] = [new Error('transient'), { requeueAfterMs: 50 }];
    const seen: number[] = [];
    const q = startWorkQueue({
      name: 't',
      backoff: { initialMs: 1_000, maxMs: 10_000 },
      reconcile: () => {
        seen.push(Date.now());
        const next = results.shift();
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
    });
    const start = Date.now();
    q.add('k');
    await vi.advanceTimersByTimeAsync(0);
    q.addAfter('k', 200); // earlier than the 1 s backoff: replaces it
    await vi.advanceTimersByTimeAsync(200);
    await vi.advanceTimersByTimeAsync(50);
    expect(seen.map((t) => t - start)).toEqual([0, 200, 250]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen).toHaveLength(3);
    await q.stop();
  });

  it('backs off a failing key exponentially and forgets its failures after a success', async () => {
    vi.useFakeTimers();
    const outcomes = ['error', 'error', 'error', 'success', 'error', 'success'];
    const at: number[] = [];
    const errors: string[] = [];
    const q = startWorkQueue({
      name: 't',
      backoff: { initialMs: 100, maxMs: 250 },
      reconcile: () => {
        at.push(Date.now());
        return outcomes.shift() === 'error' ? Promise.reject(new Error('transient')) : Promise.resolve(undefined);
      },
      onError: (key) => errors.push(key),
    });
    const start = Date.now();
    q.add('x');
    await vi.advanceTimersByTimeAsync(100 + 200 + 250);
    // Retries after 100, 200, then 250 ms (capped); success forgets the failures.
    expect(at.map((t) => t - start)).toEqual([0, 100, 300, 550]);
    q.add('x');
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(100);
    // The next failure starts over at 100 ms.
    expect(at.map((t) => t - start)).toEqual([0, 100, 300, 550, 550, 650]);
    expect(errors).toEqual(['x', 'x', 'x', 'x']);
    await q.stop();
  });

  it('stops taking keys and waits for the running reconcile', async () => {
    const r = handReconciler();
    const q = startWorkQueue({ name: 't', reconcile: r.reconcile });
    q.add('a');
    q.add('b');
    await settle();
    let stopped = false;
    const stopping = q.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    r.open('a')[0]!.gate.resolve();
    await stopping;
    expect(r.calls.map((c) => c.key)).toEqual(['a']);
  });
});
