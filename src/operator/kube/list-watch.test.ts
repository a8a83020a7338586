import { describe, expect, it } from 'vitest';
import { type CacheChange, type ListResult, startListWatch, type WatchEventType, type WatchSource } from './list-watch.ts';

interface Obj {
  metadata: { name: string; namespace: string; resourceVersion: string };
}

const obj = (name: string, rv: string): Obj => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const silent = { info: () => undefined, warn: () => undefined };

/** A scripted source: each list() and watch() call takes the next scripted step. */
function fakeSource(lists: (ListResult<Obj> | Error)[]) {
  const watches: { rv: string; emit: (t: WatchEventType, o: unknown) => void; done: (err?: unknown) => void; aborted: boolean }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let listCalls = 0;
  const source: WatchSource<Obj> = {
    list() {
      const next = lists[Math.min(listCalls++, lists.length - 1)]!;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    watch(rv, emit, done) {
      const w = { rv, emit, done, aborted: false };
      watches.push(w);
      waiters.filter((x) => watches.length >= x.n).forEach((x) => x.resolve());
      return Promise.resolve(() => {
        w.aborted = true;
        done(new Error('aborted'));
      });
    },
  };
  const watchNumber = (n: number): Promise<void> => (watches.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })));
  return { source, watches, watchNumber, lists: () => listCalls };
}

describe('startListWatch', () => {
  it('lists, then applies watch events from the list version', async () => {
    const fake = fakeSource([{ items: [obj('a', '1')], resourceVersion: '10' }]);
    const changes: CacheChange<Obj>[] = [];
    const requests: string[] = [];
    const onRequest = (verb: string, informer: string): number => requests.push(`${verb} ${informer}`);
    const lw = startListWatch({
      name: 't',
      source: fake.source,
      watchdogMs: 60_000,
      backoff: { initialMs: 1, maxMs: 5 },
      onChange: (c) => changes.push(c),
      onRequest,
      log: silent,
    });
    await lw.waitForSync();
    await fake.watchNumber(1);
    expect(fake.watches[0]!.rv).toBe('10');
    fake.watches[0]!.emit('ADDED', obj('b', '11'));
    fake.watches[0]!.emit('DELETED', obj('a', '12'));
    expect([...lw.cache.keys()]).toEqual(['ns/b']);
    expect(changes.map((c) => `${c.type} ${c.key}`)).toEqual(['upsert ns/a', 'upsert ns/b', 'delete ns/a']);
    // A normal end (server timeout) resumes from the last version seen, without listing.
    fake.watches[0]!.done();
    await fake.watchNumber(2);
    expect(fake.watches[1]!.rv).toBe('12');
    expect(fake.lists()).toBe(1);
    expect(requests).toEqual(['list t', 'watch t', 'watch t']);
    await lw.stop();
  });

  it('relists on 410 Gone and reports objects deleted meanwhile', async () => {
    const fake = fakeSource([
      { items: [obj('a', '1'), obj('b', '2')], resourceVersion: '10' },
      { items: [obj('b', '2')], resourceVersion: '50' },
    ]);
    const changes: CacheChange<Obj>[] = [];
    const lw = startListWatch({
      name: 't',
      source: fake.source,
      watchdogMs: 60_000,
      backoff: { initialMs: 1, maxMs: 5 },
      onChange: (c) => changes.push(c),
      log: silent,
    });
    await fake.watchNumber(1);
    fake.watches[0]!.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    await fake.watchNumber(2);
    expect(fake.lists()).toBe(2);
    expect(fake.watches[1]!.rv).toBe('50');
    expect([...lw.cache.keys()]).toEqual(['ns/b']);
    expect(changes.filter((c) => c.type === 'delete').map((c) => c.key)).toEqual(['ns/a']);
    await lw.stop();
  });

  it('restarts a watch that went silent', async () => {
    const fake = fakeSource([{ items: [], resourceVersion: '7' }]);
    const lw = startListWatch({ name: 't', source: fake.source, watchdogMs: 30, backoff: { initialMs: 1, maxMs: 5 }, onChange: () => undefined, log: silent });
    await fake.watchNumber(2);
    expect(fake.watches[0]!.aborted).toBe(true);
    expect(fake.watches[1]!.rv).toBe('7');
    await lw.stop();
  });

  it('retries a failing list with backoff and relists on demand', async () => {
    const fake = fakeSource([
      new Error('connection refused'),
      { items: [obj('a', '1')], resourceVersion: '3' },
      { items: [obj('a', '1'), obj('c', '4')], resourceVersion: '5' },
    ]);
    const lw = startListWatch({
      name: 't',
      source: fake.source,
      watchdogMs: 60_000,
      backoff: { initialMs: 1, maxMs: 5 },
      onChange: () => undefined,
      log: silent,
    });
    await lw.waitForSync();
    expect(fake.lists()).toBe(2);
    await lw.relist();
    expect(fake.lists()).toBe(3);
    expect([...lw.cache.keys()].sort()).toEqual(['ns/a', 'ns/c']);
    await lw.stop();
  });
});
