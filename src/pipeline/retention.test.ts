import { describe, expect, it } from 'vitest';
import { runRetention, type RetentionOptions } from './retention.ts';

const log = { info: () => undefined, warn: () => undefined };
const clock = { now: () => Date.UTC(2026, 10, 22) };

function options(overrides: Partial<RetentionOptions>): RetentionOptions {
  return {
    store: { deleteOlderThan: () => Promise.resolve(0) },
    exclusive: (fn) => fn(),
    days: 30,
    batchSize: 2,
    intervalMs: 60_000,
    clock,
    log,
    ...overrides,
  };
}

describe('runRetention', () => {
  it('deletes in batches until nothing is left, with the cutoff `days` before now', async () => {
    const batches = [2, 2, 1, 0];
    const cutoffs: string[] = [];
    const run = await runRetention(
      options({
        store: {
          deleteOlderThan: (cutoff) => {
            cutoffs.push(cutoff);
            return Promise.resolve(batches.shift() ?? 0);
          },
        },
      }),
    );
    expect(run).toEqual({ result: 'ok', deleted: 5 });
    expect(cutoffs[0]).toBe('2026-10-23T00:00:00.000Z');
    expect(cutoffs).toHaveLength(4);
  });

  it('skips when another replica holds the lock', async () => {
    let called = false;
    const run = await runRetention(
      options({
        exclusive: () => Promise.resolve(null),
        store: {
          deleteOlderThan: () => {
            called = true;
            return Promise.resolve(0);
          },
        },
      }),
    );
    expect(run.result).toBe('skipped');
    expect(called).toBe(false);
  });

  it('reports an error instead of throwing', async () => {
    const run = await runRetention(options({ store: { deleteOlderThan: () => Promise.reject(new Error('down')) } }));
    expect(run.result).toBe('error');
  });

  it('retires the rollups with the cutoff before the first delete, and only when it runs', async () => {
    const calls: string[] = [];
    const beforeDelete = (cutoff: string): Promise<void> => {
      calls.push(`retire ${cutoff}`);
      return Promise.resolve();
    };
    const store = { deleteOlderThan: () => (calls.push('delete'), Promise.resolve(0)) };
    await runRetention(options({ store, beforeDelete }));
    expect(calls).toEqual(['retire 2026-10-23T00:00:00.000Z', 'delete']);
    calls.length = 0;
    await runRetention(options({ store, beforeDelete, exclusive: () => Promise.resolve(null) }));
    expect(calls).toEqual([]);
  });
});
