// The Secrets the operator needs, without holding every Secret's data of a watched namespace
// (5,000 unrelated 10 KB Secrets used to cost ~50 MB of JSON per relist and its heap): per
// namespace, one informer per discovery label holds the labelled (legacy target) Secrets whole,
// and one metadata-only informer holds every Secret's name, version and labels. A referenced
// Secret's data is read on demand (GET) before a reconcile and cached until the metadata watch
// says it changed; its change also re-enqueues the resources that reference it.
import { type ListWatch, type ListWatchOptions, startListWatch } from './kube/list-watch.ts';
import { KubeError, type KubeRest } from './kube/rest.ts';
import { collectionPath, type MetadataObject, metadataSource, restSource } from './kube/sources.ts';
import { publishingTargetSpec } from './crd/publishing-target.ts';
import { referencedSecrets, type SecretLookup } from './resolve-target.ts';
import { TARGET_SECRET_LABELS, type SecretObject } from './secret-target.ts';

/** Options of {@link startSecretInformers}. */
export interface SecretInformersOptions {
  rest: KubeRest;
  namespaces: readonly string[];
  /** Watchdog, backoff, log and request hooks shared by every informer. */
  listWatch: Omit<ListWatchOptions<unknown>, 'name' | 'source' | 'onChange'>;
  watchTimeoutSeconds?: number;
  /** A labelled Secret was added or changed (the object), or is gone or unlabelled (undefined). */
  onLabelled: (key: string, secret: SecretObject | undefined) => void;
  /** Any Secret was added, changed or deleted (its dependents reconcile again). */
  onChanged: (key: string) => void;
}

/** The running Secret informers and the on-demand data cache. */
export interface SecretInformers {
  /** Every informer (for synced, relist and stop). */
  informers: ListWatch<unknown>[];
  /** A labelled Secret, whole. */
  labelled(key: string): SecretObject | undefined;
  labelledKeys(): string[];
  /** Makes sure the data of these Secrets (`namespace/name`) is cached when they exist. */
  load(keys: readonly string[]): Promise<void>;
  /** Reads a key of a Secret loaded before. */
  lookup: SecretLookup;
}

type Labelled = ListWatch<SecretObject>;

/** The Secrets a PublishingTarget's spec references, as `namespace/name` (none when the spec is invalid). */
export function secretKeysOf(resource: { metadata: { namespace: string }; spec?: unknown } | undefined): string[] {
  if (!resource) return [];
  const parsed = publishingTargetSpec.safeParse(resource.spec ?? {});
  return parsed.success ? referencedSecrets(parsed.data).map((name) => `${resource.metadata.namespace}/${name}`) : [];
}

function valueOf(secret: SecretObject, key: string): string | undefined {
  const text = secret.stringData?.[key];
  if (text !== undefined) return text;
  const data = secret.data?.[key];
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
}

/** Starts the informers of every namespace. */
export function startSecretInformers(options: SecretInformersOptions): SecretInformers {
  const { rest } = options;
  const labelled: Labelled[] = [];
  const metadata = new Map<string, ListWatch<MetadataObject>>();
  const data = new Map<string, SecretObject>();
  const source = { watchTimeoutSeconds: options.watchTimeoutSeconds };
  const labelledNow = (key: string): SecretObject | undefined => labelled.map((i) => i.cache.get(key)).find((s) => s !== undefined);

  for (const namespace of options.namespaces) {
    const path = collectionPath('secrets', namespace);
    for (const label of TARGET_SECRET_LABELS) {
      const labelSelector = `${label.key}=${label.value}`;
      const onChange = ({ key }: { key: string }): void => options.onLabelled(key, labelledNow(key));
      labelled.push(
        startListWatch<SecretObject>({
          ...options.listWatch,
          name: `secrets/${namespace} (${labelSelector})`,
          source: restSource(rest, path, { ...source, labelSelector }),
          onChange,
        }),
      );
    }
    const onChange = ({ key }: { key: string }): void => {
      data.delete(key);
      options.onChanged(key);
    };
    metadata.set(
      namespace,
      startListWatch<MetadataObject>({ ...options.listWatch, name: `secrets/${namespace} (metadata)`, source: metadataSource(rest, path, source), onChange }),
    );
  }

  async function fetchOne(key: string, informer: ListWatch<MetadataObject>): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    try {
      const secret = await rest.request<SecretObject>('GET', `${collectionPath('secrets', namespace)}/${name}`);
      // Two loads may race: never replace the version the informer holds now with an older read.
      const seen = informer.cache.get(key)?.metadata.resourceVersion;
      if (seen === undefined) data.delete(key);
      else if (data.get(key)?.metadata.resourceVersion !== seen) data.set(key, secret);
    } catch (err) {
      if (!(err instanceof KubeError && err.statusCode === 404)) throw err;
      data.delete(key);
    }
  }

  async function loadOne(key: string): Promise<void> {
    const informer = metadata.get(key.split('/')[0] ?? '');
    if (!informer) return;
    await informer.waitForSync();
    const meta = informer.cache.get(key);
    if (!meta) return void data.delete(key);
    if (data.get(key)?.metadata.resourceVersion === meta.metadata.resourceVersion) return;
    await fetchOne(key, informer);
  }

  return {
    informers: [...labelled, ...metadata.values()],
    labelled: labelledNow,
    labelledKeys: () => [...new Set(labelled.flatMap((i) => [...i.cache.keys()]))],
    async load(keys) {
      await Promise.all(keys.map(loadOne));
    },
    lookup(namespace, name, key) {
      const secret = data.get(`${namespace}/${name}`);
      if (!secret) return { found: 'secret-missing' };
      const value = valueOf(secret, key);
      return value === undefined ? { found: 'key-missing' } : { found: 'ok', value };
    },
  };
}
