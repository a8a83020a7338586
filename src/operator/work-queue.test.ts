import { describe, expect, it } from 'vitest';
import { startWorkQueue } from './work-queue.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('startWorkQueue', () => {
  it('queues a key once, and runs it again when it changed during its reconcile', async () => {
    const seen: string[] = [];
    const gate = deferred();
    const done = deferred();
    const q = startWorkQueue({
      name: 't',
      reconcile: async (key) => {
        seen.push(key);
        if (seen.length === 1) await gate.promise;
        if (seen.length === 3) done.resolve();
        return undefined;
      },
    });
    q.add('a');
    q.add('a'); // during its reconcile: dirty, runs once more afterwards
    q.add('b');
    q.add('b'); // already queued: once
    gate.resolve();
    await done.promise;
    expect(seen).toEqual(['a', 'b', 'a']);
    await q.stop();
  });

  it('backs off a failing key and forgets the failures after a success', async () => {
    let calls = 0;
    const done = deferred();
    const results: string[] = [];
    const q = startWorkQueue({
      name: 't',
      backoff: { initialMs: 1, maxMs: 10 },
      reconcile: () => {
        calls++;
        if (calls < 3) return Promise.reject(new Error('transient'));
        return Promise.resolve(undefined);
      },
      onResult: (r) => {
        results.push(r);
        if (r === 'success') done.resolve();
      },
    });
    q.add('x');
    await done.promise;
    expect(results).toEqual(['error', 'error', 'success']);
    await q.stop();
  });
});
