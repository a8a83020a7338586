// Our own list-watch loop (client-node's informer stops on errors): list, then watch from the
// list's resourceVersion; a watch that ends normally (server timeout) resumes from the last seen
// version; 410 Gone relists; errors back off with jitter; a watchdog restarts a stream that has
// gone silent (no event and no bookmark) for too long. It feeds a cache every replica keeps.
import { asError } from '../../core/startup-error.ts';
import { isRecord } from '../../core/guards.ts';

/** The part of an object the loop needs. */
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** Watch event types as the API server sends them. */
export const WATCH_EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'] as const;

/** One of {@link WATCH_EVENT_TYPES}. */
export type WatchEventType = (typeof WATCH_EVENT_TYPES)[number];

/** A list answer. */
export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** Where objects come from (the API server, through client-node). */
export interface WatchSource<T> {
  list(): Promise<ListResult<T>>;
  /** Starts a watch; resolves with a function that aborts it. `onDone` is called once when it ends. */
  watch(resourceVersion: string, onEvent: (type: WatchEventType, obj: unknown) => void, onDone: (err?: unknown) => void): Promise<() => void>;
}

/** What a change looks like to subscribers. */
export type CacheChange<T> = { type: 'upsert'; key: string; object: T } | { type: 'delete'; key: string; object: T };

/** Logging the loop needs. */
export interface ListWatchLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link startListWatch}. */
export interface ListWatchOptions<T> {
  name: string;
  source: WatchSource<T>;
  /** A stream with no event (bookmarks count) this long is restarted. */
  watchdogMs: number;
  backoff: { initialMs: number; maxMs: number };
  onChange: (change: CacheChange<T>) => void;
  /** After each (re)list: the loop is in sync with the server. */
  onSync?: (count: number) => void;
  /** Before each LIST and WATCH request (for request counts: a quiet watch is resumed, never relisted). */
  onRequest?: (verb: 'list' | 'watch', informer: string) => void;
  log: ListWatchLog;
  random?: () => number;
}

/** A running list-watch. */
export interface ListWatch<T> {
  cache: ReadonlyMap<string, T>;
  synced(): boolean;
  /** Resolves after the first successful list. */
  waitForSync(): Promise<void>;
  /** Lists again now (the refresh API). */
  relist(): Promise<void>;
  stop(): Promise<void>;
}

/** `namespace/name`. */
export function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function statusCode(obj: unknown): number | undefined {
  const code = isRecord(obj) ? obj.code : undefined;
  return typeof code === 'number' ? code : undefined;
}

function isGone(err: unknown): boolean {
  if (!isRecord(err)) return false;
  return err.code === 410 || err.statusCode === 410 || (typeof err.message === 'string' && /\b410\b|too old resource version|Expired/i.test(err.message));
}

type WatchEnd = { kind: 'ended' } | { kind: 'gone' } | { kind: 'error'; error: unknown } | { kind: 'silent' } | { kind: 'stopped' };

/** Starts the loop; it runs until stop(). */
export function startListWatch<T extends KubeObject>(options: ListWatchOptions<T>): ListWatch<T> {
  const { source, log } = options;
  const random = options.random ?? Math.random;
  const cache = new Map<string, T>();
  let synced = false;
  let running = true;
  let resourceVersion = '';
  let failures = 0;
  let abortCurrent: (() => void) | undefined;
  let wake: (() => void) | undefined;
  let relistRequested = false;
  const syncWaiters: (() => void)[] = [];

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  const backoff = (): number => {
    const base = Math.min(options.backoff.maxMs, options.backoff.initialMs * 2 ** Math.min(failures, 20));
    failures++;
    return Math.round(base / 2 + (base / 2) * random());
  };

  function apply(type: WatchEventType, obj: T): void {
    const key = keyOf(obj);
    resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
    if (type === 'BOOKMARK') return;
    if (type === 'DELETED') {
      cache.delete(key);
      options.onChange({ type: 'delete', key, object: obj });
      return;
    }
    cache.set(key, obj);
    options.onChange({ type: 'upsert', key, object: obj });
  }

  /** Makes the cache what a list returned, reporting each difference. */
  function replace(items: T[]): void {
    const fresh = new Map(items.map((o) => [keyOf(o), o]));
    for (const [key, old] of cache) {
      if (!fresh.has(key)) {
        cache.delete(key);
        options.onChange({ type: 'delete', key, object: old });
      }
    }
    for (const [key, obj] of fresh) {
      if (cache.get(key)?.metadata?.resourceVersion === obj.metadata?.resourceVersion) continue;
      cache.set(key, obj);
      options.onChange({ type: 'upsert', key, object: obj });
    }
  }

  async function list(): Promise<void> {
    options.onRequest?.('list', options.name);
    const result = await source.list();
    replace(result.items);
    resourceVersion = result.resourceVersion;
    failures = 0;
    if (!synced) log.info({ informer: options.name, objects: cache.size }, 'informer synced');
    synced = true;
    options.onSync?.(cache.size);
    syncWaiters.splice(0).forEach((resolve) => resolve());
  }

  function watchOnce(): Promise<WatchEnd> {
    return new Promise((resolve) => {
      let settled = false;
      let watchdog: NodeJS.Timeout | undefined;
      const finish = (end: WatchEnd): void => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        abortCurrent?.();
        abortCurrent = undefined;
        resolve(end);
      };
      const arm = (): void => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => finish({ kind: 'silent' }), options.watchdogMs);
      };
      arm();
      const onEvent = (type: WatchEventType, obj: unknown): void => {
        arm();
        if (type === 'ERROR') return finish(statusCode(obj) === 410 ? { kind: 'gone' } : { kind: 'error', error: obj });
        // The API server's object of the watched resource: T is the caller's type for it.
        apply(type, obj as T);
      };
      const onDone = (err?: unknown): void => {
        if (!running || relistRequested) return finish({ kind: 'stopped' });
        if (!err) return finish({ kind: 'ended' });
        finish(isGone(err) ? { kind: 'gone' } : { kind: 'error', error: err });
      };
      options.onRequest?.('watch', options.name);
      source.watch(resourceVersion, onEvent, onDone).then(
        (abort) => {
          abortCurrent = abort;
          // Stopped or asked to relist while the watch was being set up: end it now.
          if (settled || !running || relistRequested) abort();
        },
        (err: unknown) => onDone(err ?? new Error('watch failed')),
      );
    });
  }

  async function watchUntilRelist(): Promise<void> {
    while (running && !relistRequested) {
      const end = await watchOnce();
      if (end.kind === 'gone') return log.info({ informer: options.name }, 'watch expired (410): relisting');
      if (end.kind === 'silent') log.warn({ informer: options.name, after_ms: options.watchdogMs }, 'watch went silent: restarting it');
      if (end.kind === 'error') {
        const delay = backoff();
        log.warn({ informer: options.name, err: { message: asError(end.error).message }, retry_ms: delay }, 'watch failed');
        await pause(delay);
        if (failures > 3) return;
      }
      if (end.kind === 'ended') failures = 0;
    }
  }

  const loop = (async (): Promise<void> => {
    while (running) {
      relistRequested = false;
      try {
        await list();
      } catch (err) {
        const delay = backoff();
        log.warn({ informer: options.name, err: { message: asError(err).message }, retry_ms: delay }, 'list failed');
        await pause(delay);
        continue;
      }
      await watchUntilRelist();
    }
  })();

  return {
    cache,
    synced: () => synced,
    waitForSync: () => (synced ? Promise.resolve() : new Promise((resolve) => syncWaiters.push(resolve))),
    async relist() {
      if (!running) return;
      // The loop lists again as soon as the current watch is aborted; wait for that list.
      const listed = new Promise<void>((resolve) => syncWaiters.push(resolve));
      relistRequested = true;
      abortCurrent?.();
      wake?.();
      await listed;
    },
    async stop() {
      running = false;
      abortCurrent?.();
      wake?.();
      syncWaiters.splice(0).forEach((resolve) => resolve());
      await loop;
    },
  };
}
