import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGroupCommit, type GroupCommitOptions, type GroupReport } from './group-commit.ts';

interface Item {
  id: string;
  rows?: number;
  key?: string;
}

/** A writer whose statements finish when the test says so. */
function fakeWriter(fail: (items: readonly Item[]) => Error | undefined = () => undefined) {
  const writes: string[][] = [];
  const finishers: (() => void)[] = [];
  const reports: GroupReport[] = [];
  const waiting: number[] = [];
  const writer = {
    rows: (i: Item) => i.rows ?? 1,
    key: (i: Item) => i.key ?? '',
    write(items: readonly Item[]): Promise<string[]> {
      writes.push(items.map((i) => i.id));
      return new Promise((resolve, reject) => {
        finishers.push(() => {
          const err = fail(items);
          if (err) reject(err);
          else resolve(items.map((i) => `${i.id}:${items.length}`));
        });
      });
    },
    retryAlone: (err: unknown) => (err as Error).message !== 'database down',
    onGroup: (r: GroupReport) => reports.push(r),
    onQueue: (n: number) => waiting.push(n),
  };
  /** Lets the oldest unfinished statement finish, then lets promise callbacks run. */
  const finish = async (): Promise<void> => {
    finishers.shift()?.();
    await flush();
  };
  return { writer, writes, reports, waiting, finish };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const options = (o: Partial<GroupCommitOptions> = {}): GroupCommitOptions => ({ maxRows: 100, maxInFlight: 1, maxWaitMs: 0, ...o });

describe('createGroupCommit', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes an item at once when nothing is running (no added latency when idle)', async () => {
    const f = fakeWriter();
    const submit = createGroupCommit(f.writer, options());
    const a = submit({ id: 'a' });
    expect(f.writes).toEqual([['a']]);
    await f.finish();
    await expect(a).resolves.toBe('a:1');
  });

  it('groups what arrives while a statement runs into the next statement, each with its own result', async () => {
    const f = fakeWriter();
    const submit = createGroupCommit(f.writer, options());
    const a = submit({ id: 'a' });
    const rest = ['b', 'c', 'd'].map((id) => submit({ id }));
    expect(f.writes).toEqual([['a']]);
    expect(f.waiting.at(-1)).toBe(3);
    let settled = false;
    void Promise.all(rest).then(() => (settled = true));
    await f.finish();
    expect(f.writes).toEqual([['a'], ['b', 'c', 'd']]);
    expect(f.waiting.at(-1)).toBe(0);
    // Nobody of the group is answered before its statement finished.
    expect(settled).toBe(false);
    await f.finish();
    await expect(a).resolves.toBe('a:1');
    await expect(Promise.all(rest)).resolves.toEqual(['b:3', 'c:3', 'd:3']);
    expect(f.reports).toEqual([
      { items: 1, rows: 1, failed: false },
      { items: 3, rows: 3, failed: false },
    ]);
  });

  it('closes a group at maxRows', async () => {
    const f = fakeWriter();
    const submit = createGroupCommit(f.writer, options({ maxRows: 10 }));
    const all = [
      submit({ id: 'first' }),
      submit({ id: 'a', rows: 6 }),
      submit({ id: 'b', rows: 3 }),
      submit({ id: 'c', rows: 2 }),
      submit({ id: 'd', rows: 1 }),
    ];
    for (let i = 0; i < 3; i++) await f.finish();
    expect(f.writes).toEqual([['first'], ['a', 'b', 'd'], ['c']]);
    await expect(Promise.all(all)).resolves.toEqual(['first:1', 'a:3', 'b:3', 'c:1', 'd:3']);
  });

  it('writes an item of maxRows rows or more alone at once, even when every slot is busy', async () => {
    const f = fakeWriter();
    const submit = createGroupCommit(f.writer, options({ maxRows: 10 }));
    const all = [submit({ id: 'first' }), submit({ id: 'small' }), submit({ id: 'big', rows: 10 }), submit({ id: 'huge', rows: 50 })];
    expect(f.writes).toEqual([['first'], ['big'], ['huge']]);
    expect(f.waiting.at(-1)).toBe(1);
    for (let i = 0; i < 4; i++) await f.finish();
    expect(f.writes).toEqual([['first'], ['big'], ['huge'], ['small']]);
    await expect(Promise.all(all)).resolves.toEqual(['first:1', 'small:1', 'big:1', 'huge:1']);
  });

  it('never puts items of different keys in one statement', async () => {
    const f = fakeWriter();
    const submit = createGroupCommit(f.writer, options());
    const all = [submit({ id: 'x' }), submit({ id: 'p1', key: 'plan' }), submit({ id: 'n1' }), submit({ id: 'p2', key: 'plan' }), submit({ id: 'n2' })];
    for (let i = 0; i < 3; i++) await f.finish();
    expect(f.writes).toEqual([['x'], ['p1', 'p2'], ['n1', 'n2']]);
    await expect(Promise.all(all)).resolves.toHaveLength(5);
  });

  it('retries a failed group one item at a time, so only the culprit fails', async () => {
    const f = fakeWriter((items) => (items.some((i) => i.id === 'poison') ? new Error('bad row') : undefined));
    const submit = createGroupCommit(f.writer, options());
    const first = submit({ id: 'first' });
    const group = ['b', 'poison', 'd'].map((id) => submit({ id }));
    const outcomes = Promise.allSettled(group);
    for (let i = 0; i < 5; i++) await f.finish();
    expect(f.writes).toEqual([['first'], ['b', 'poison', 'd'], ['b'], ['poison'], ['d']]);
    await expect(first).resolves.toBe('first:1');
    const [b, poison, d] = await outcomes;
    expect(b).toEqual({ status: 'fulfilled', value: 'b:1' });
    expect(poison).toMatchObject({ status: 'rejected', reason: { message: 'bad row' } });
    expect(d).toEqual({ status: 'fulfilled', value: 'd:1' });
    expect(f.reports.at(-1)).toEqual({ items: 3, rows: 3, failed: true });
  });

  it("fails every item of the group without retries when the error is not one item's (database down)", async () => {
    const f = fakeWriter((items) => (items.length > 1 ? new Error('database down') : undefined));
    const submit = createGroupCommit(f.writer, options());
    const first = submit({ id: 'first' });
    const group = Promise.allSettled(['b', 'c'].map((id) => submit({ id })));
    await f.finish();
    await f.finish();
    expect(f.writes).toEqual([['first'], ['b', 'c']]);
    await expect(first).resolves.toBe('first:1');
    expect((await group).map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('runs up to maxInFlight statements at once, and the next group waits for a slot', async () => {
    const f = fakeWriter();
    const submit = createGroupCommit(f.writer, options({ maxInFlight: 2 }));
    const all = ['a', 'b', 'c', 'd'].map((id) => submit({ id }));
    expect(f.writes).toEqual([['a'], ['b']]);
    await f.finish();
    expect(f.writes).toEqual([['a'], ['b'], ['c', 'd']]);
    await f.finish();
    await f.finish();
    await expect(Promise.all(all)).resolves.toEqual(['a:1', 'b:1', 'c:2', 'd:2']);
  });

  it('with maxWaitMs and a free slot, lets a group fill while another runs, up to the wait or maxRows', async () => {
    vi.useFakeTimers();
    const f = fakeWriter();
    const submit = createGroupCommit(f.writer, options({ maxInFlight: 2, maxWaitMs: 5, maxRows: 3 }));
    const all = [submit({ id: 'a' }), submit({ id: 'b' }), submit({ id: 'c' })];
    expect(f.writes).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(5);
    expect(f.writes).toEqual([['a'], ['b', 'c']]);
    all.push(submit({ id: 'd' }), submit({ id: 'e' }), submit({ id: 'f' }));
    await f.finish();
    // A slot is free and another group runs, but the waiting rows reached maxRows: no wait.
    expect(f.writes).toEqual([['a'], ['b', 'c'], ['d', 'e', 'f']]);
    await f.finish();
    await f.finish();
    await expect(Promise.all(all)).resolves.toHaveLength(6);
  });

  it('rejects options outside their range', () => {
    const f = fakeWriter();
    expect(() => createGroupCommit(f.writer, options({ maxRows: 0 }))).toThrow(RangeError);
    expect(() => createGroupCommit(f.writer, options({ maxInFlight: 0 }))).toThrow(RangeError);
    expect(() => createGroupCommit(f.writer, options({ maxWaitMs: -1 }))).toThrow(RangeError);
  });
});
