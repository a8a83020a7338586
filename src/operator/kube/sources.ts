// List-watch sources over the REST client: our custom resources and Secrets, per namespace, whole
// objects or metadata only, optionally narrowed by a label selector. Watches ask for bookmarks and
// a server-side timeout of [min, 2 x min) seconds (client-go's reflector: 5-10 min), then resume.
import type { KubeRest } from './rest.ts';
import type { KubeObject, ListResult, WatchEventType, WatchSource } from './list-watch.ts';

/** A collection path, e.g. `/api/v1/namespaces/ns/secrets`. */
export function collectionPath(kind: 'publishingtargets' | 'enrichmentpolicies' | 'secrets', namespace: string): string {
  if (kind === 'secrets') return `/api/v1/namespaces/${namespace}/secrets`;
  return `/apis/alerthistory.io/v1alpha1/namespaces/${namespace}/${kind}`;
}

/** client-go's minimum watch timeout; each watch asks for a random value up to twice this. */
export const DEFAULT_WATCH_TIMEOUT_SECONDS = 300;

/** Options of {@link restSource}. */
export interface SourceOptions {
  /** The server ends each watch after [this, 2 x this) seconds; default {@link DEFAULT_WATCH_TIMEOUT_SECONDS}. */
  watchTimeoutSeconds?: number;
  /** e.g. `publishing-target=true`. */
  labelSelector?: string;
  random?: () => number;
}

/** Metadata of an object as a metadata-only source keeps it (no managedFields, no annotations). */
export interface MetadataObject extends KubeObject {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> };
}

const AS_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const AS_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

function watchTimeout(options: SourceOptions): number {
  const min = options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS;
  return Math.floor(min * (1 + (options.random ?? Math.random)()));
}

function listQuery(options: SourceOptions): Record<string, string | undefined> {
  return { labelSelector: options.labelSelector };
}

/** A source of whole objects of one collection. */
export function restSource<T extends KubeObject>(rest: KubeRest, path: string, options: SourceOptions = {}): WatchSource<T> {
  return {
    async list(): Promise<ListResult<T>> {
      const list = await rest.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', path, { query: listQuery(options) });
      return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    watch(resourceVersion, onEvent, onDone) {
      const query = { ...listQuery(options), resourceVersion, allowWatchBookmarks: true, timeoutSeconds: watchTimeout(options) };
      return rest.watch(path, { query, onEvent, onDone });
    },
  };
}

function slim(obj: MetadataObject): MetadataObject {
  const { name, namespace, resourceVersion, labels } = obj.metadata;
  return { metadata: { name, namespace, resourceVersion, ...(labels ? { labels } : {}) } };
}

const OBJECT_EVENTS: ReadonlySet<WatchEventType> = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/** A source of object metadata only (PartialObjectMetadata), trimmed to name, namespace, version and labels. */
export function metadataSource(rest: KubeRest, path: string, options: SourceOptions = {}): WatchSource<MetadataObject> {
  return {
    async list(): Promise<ListResult<MetadataObject>> {
      const list = await rest.request<{ items?: MetadataObject[]; metadata?: { resourceVersion?: string } }>('GET', path, {
        query: listQuery(options),
        headers: { accept: AS_METADATA_LIST },
      });
      return { items: (list.items ?? []).map(slim), resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    watch(resourceVersion, onEvent, onDone) {
      const query = { ...listQuery(options), resourceVersion, allowWatchBookmarks: true, timeoutSeconds: watchTimeout(options) };
      // ADDED/MODIFIED/DELETED carry the watched object itself (a PartialObjectMetadata here).
      const trimmed = (type: WatchEventType, obj: unknown): void => onEvent(type, OBJECT_EVENTS.has(type) ? slim(obj as MetadataObject) : obj);
      return rest.watch(path, { query, headers: { accept: AS_METADATA }, onEvent: trimmed, onDone });
    },
  };
}
