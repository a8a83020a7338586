import { describe, expect, it } from 'vitest';
import type { WatchEventType } from './kube/list-watch.ts';
import { KubeError, type KubeRequest, type KubeRest, type WatchRequest } from './kube/rest.ts';
import { secretKeysOf, startSecretInformers } from './secret-informers.ts';
import type { SecretObject } from './secret-target.ts';

interface Stored {
  metadata: {
    name: string;
    namespace: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    managedFields?: unknown[];
    annotations?: Record<string, string>;
  };
  data: Record<string, string>;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const silent = { info: () => undefined, warn: () => undefined };

/** A fake API server for the Secrets of namespace "ns": lists (by label, or metadata only), GETs, watches. */
function fakeApi() {
  const secrets = new Map<string, Stored>();
  const gets: string[] = [];
  const lists: { labelSelector?: string; accept?: string }[] = [];
  const watches: { query: WatchRequest['query']; accept?: string; emit: (type: WatchEventType, obj: unknown) => void }[] = [];
  let rv = 10;
  const put = (name: string, data: Record<string, string>, labels?: Record<string, string>): Stored => {
    const stored: Stored = {
      metadata: {
        name,
        namespace: 'ns',
        resourceVersion: String(++rv),
        labels,
        managedFields: [{ manager: 'kubectl' }],
        annotations: { note: 'x'.repeat(100) },
      },
      data,
    };
    secrets.set(name, stored);
    return stored;
  };
  const matches = (s: Stored, selector: string | undefined): boolean => {
    if (!selector) return true;
    const [key, value] = selector.split('=');
    return s.metadata.labels?.[key!] === value;
  };
  const rest: KubeRest = {
    server: 'https://fake',
    defaultNamespace: 'ns',
    request<T>(_method: string, path: string, options: KubeRequest = {}): Promise<T> {
      const name = /\/secrets\/([^/]+)$/.exec(path)?.[1];
      if (name) {
        gets.push(name);
        const s = secrets.get(name);
        return s ? Promise.resolve(structuredClone(s) as T) : Promise.reject(new KubeError(404, 'NotFound', `secrets "${name}" not found`));
      }
      const labelSelector = options.query?.labelSelector as string | undefined;
      const accept = options.headers?.accept;
      lists.push({ labelSelector, accept });
      const items = [...secrets.values()]
        .filter((s) => matches(s, labelSelector))
        .map((s) => (accept?.includes('PartialObjectMetadataList') ? { metadata: s.metadata } : s));
      return Promise.resolve(structuredClone({ items, metadata: { resourceVersion: String(rv) } }) as T);
    },
    apply: () => Promise.reject(new Error('no applies here')),
    watch(_path: string, request: WatchRequest): Promise<() => void> {
      watches.push({ query: request.query, accept: request.headers?.accept, emit: request.onEvent });
      return Promise.resolve(() => request.onDone(new Error('aborted')));
    },
  };
  /** Sends a change to every watch that would see it. */
  const emit = (type: WatchEventType, s: Stored): void => {
    for (const w of watches) {
      if (!matches(s, w.query.labelSelector as string | undefined)) continue;
      w.emit(type, w.accept?.includes('PartialObjectMetadata') ? { metadata: s.metadata } : s);
    }
  };
  return { rest, secrets, gets, lists, watches, put, emit };
}

async function started(api: ReturnType<typeof fakeApi>, changed: string[] = [], labelled: [string, SecretObject | undefined][] = []) {
  const informers = startSecretInformers({
    rest: api.rest,
    namespaces: ['ns'],
    listWatch: { watchdogMs: 60_000, backoff: { initialMs: 1, maxMs: 5 }, log: silent },
    watchTimeoutSeconds: 300,
    onLabelled: (key, secret) => labelled.push([key, secret]),
    onChanged: (key) => changed.push(key),
  });
  await Promise.all(informers.informers.map((i) => i.waitForSync()));
  return informers;
}

describe('startSecretInformers', () => {
  it('lists labelled Secrets whole by label selector, and every other Secret as metadata only', async () => {
    const api = fakeApi();
    api.put('legacy', { url: b64('https://a.invalid') }, { 'publishing-target': 'true' });
    api.put('newer', { config: b64('{}') }, { 'alert-history.io/target': 'true' });
    for (let i = 0; i < 20; i++) api.put(`unrelated-${i}`, { blob: b64('x'.repeat(10_000)) });
    const labelled: [string, SecretObject | undefined][] = [];
    const s = await started(api, [], labelled);
    expect(api.lists).toEqual(
      expect.arrayContaining([
        { labelSelector: 'publishing-target=true', accept: undefined },
        { labelSelector: 'alert-history.io/target=true', accept: undefined },
        { labelSelector: undefined, accept: expect.stringContaining('as=PartialObjectMetadataList') },
      ]),
    );
    expect(api.lists).toHaveLength(3);
    expect(s.labelledKeys().sort()).toEqual(['ns/legacy', 'ns/newer']);
    expect(s.labelled('ns/legacy')?.data).toEqual({ url: b64('https://a.invalid') });
    expect(labelled.map(([key]) => key).sort()).toEqual(['ns/legacy', 'ns/newer']);
    // The metadata informer keeps names, versions and labels: no data, annotations or managedFields.
    const meta = s.informers.find((i) => i.cache.size === 22)!;
    expect(meta.cache.get('ns/unrelated-3')).toEqual({ metadata: { name: 'unrelated-3', namespace: 'ns', resourceVersion: expect.any(String) } });
    expect(api.gets).toEqual([]);
    // Watches ask for bookmarks and a server-side timeout in [300, 600) seconds.
    for (const w of api.watches) {
      expect(w.query).toMatchObject({ allowWatchBookmarks: true, resourceVersion: expect.any(String) });
      expect(w.query.timeoutSeconds).toBeGreaterThanOrEqual(300);
      expect(w.query.timeoutSeconds).toBeLessThan(600);
    }
  });

  it('reads a referenced Secret on demand once, and again after the watch says it changed', async () => {
    const api = fakeApi();
    api.put('hook', { url: b64('https://one.invalid') });
    const changed: string[] = [];
    const s = await started(api, changed);
    expect(changed).toEqual(['ns/hook']); // listed
    changed.length = 0;
    expect(s.lookup('ns', 'hook', 'url')).toEqual({ found: 'secret-missing' });
    await s.load(['ns/hook']);
    await s.load(['ns/hook']);
    expect(api.gets).toEqual(['hook']);
    expect(s.lookup('ns', 'hook', 'url')).toEqual({ found: 'ok', value: 'https://one.invalid' });
    expect(s.lookup('ns', 'hook', 'nope')).toEqual({ found: 'key-missing' });

    api.emit('MODIFIED', api.put('hook', { url: b64('https://two.invalid') }));
    expect(changed).toEqual(['ns/hook']);
    await s.load(['ns/hook']);
    expect(api.gets).toEqual(['hook', 'hook']);
    expect(s.lookup('ns', 'hook', 'url')).toEqual({ found: 'ok', value: 'https://two.invalid' });

    const gone = api.secrets.get('hook')!;
    api.secrets.delete('hook');
    api.emit('DELETED', gone);
    await s.load(['ns/hook']);
    expect(s.lookup('ns', 'hook', 'url')).toEqual({ found: 'secret-missing' });
    expect(api.gets).toEqual(['hook', 'hook']);
    await Promise.all(s.informers.map((i) => i.stop()));
  });

  it('finds a Secret created after the list through its metadata event, and tolerates one deleted before the GET', async () => {
    const api = fakeApi();
    const changed: string[] = [];
    const s = await started(api, changed);
    await s.load(['ns/later']);
    expect(api.gets).toEqual([]);
    const later = api.put('later', { token: b64('t0ken') });
    api.emit('ADDED', later);
    expect(changed).toEqual(['ns/later']);
    api.secrets.delete('later'); // deleted before the reconcile reads it: a 404 is "missing"
    await s.load(['ns/later']);
    expect(s.lookup('ns', 'later', 'token')).toEqual({ found: 'secret-missing' });
    api.secrets.set('later', later);
    await s.load(['ns/later']);
    expect(s.lookup('ns', 'later', 'token')).toEqual({ found: 'ok', value: 't0ken' });
    await Promise.all(s.informers.map((i) => i.stop()));
  });

  it('reports a labelled Secret that loses one of two labels as still labelled', async () => {
    const api = fakeApi();
    const both = api.put('both', { url: b64('https://a.invalid') }, { 'publishing-target': 'true', 'alert-history.io/target': 'true' });
    const labelled: [string, SecretObject | undefined][] = [];
    const s = await started(api, [], labelled);
    labelled.length = 0;
    const relabelled = api.put('both', both.data, { 'alert-history.io/target': 'true' });
    const send = (selector: string, type: WatchEventType): void =>
      api.watches.filter((w) => w.query.labelSelector === selector).forEach((w) => w.emit(type, relabelled));
    send('publishing-target=true', 'DELETED'); // that watch stops seeing it...
    expect(labelled.at(-1)?.[1]).toBeDefined();
    send('alert-history.io/target=true', 'MODIFIED'); // ...the other one still does
    expect(labelled.at(-1)?.[1]?.metadata.labels).toEqual({ 'alert-history.io/target': 'true' });
    expect(s.labelledKeys()).toEqual(['ns/both']);
    await Promise.all(s.informers.map((i) => i.stop()));
  });
});

describe('secretKeysOf', () => {
  it('names the Secrets a PublishingTarget references, none for an invalid spec', () => {
    const spec = {
      type: 'webhook',
      urlSecretRef: { name: 'u', key: 'url' },
      headers: [{ name: 'X-Token', valueFrom: { secretKeyRef: { name: 'h', key: 'k' } } }],
    };
    expect(secretKeysOf({ metadata: { namespace: 'ns' }, spec }).sort()).toEqual(['ns/h', 'ns/u']);
    expect(secretKeysOf({ metadata: { namespace: 'ns' }, spec: { type: 'nope' } })).toEqual([]);
    expect(secretKeysOf(undefined)).toEqual([]);
  });
});
