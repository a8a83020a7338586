// List-watch sources over the REST client: our custom resources and Secrets, per namespace.
import type { KubeRest } from './rest.ts';
import type { KubeObject, ListResult, WatchSource } from './list-watch.ts';

/** A collection path, e.g. `/api/v1/namespaces/ns/secrets`. */
export function collectionPath(kind: 'publishingtargets' | 'enrichmentpolicies' | 'secrets', namespace: string): string {
  if (kind === 'secrets') return `/api/v1/namespaces/${namespace}/secrets`;
  return `/apis/alerthistory.io/v1alpha1/namespaces/${namespace}/${kind}`;
}

/** A source for one collection; watches end on the server after ~5 min (jittered) and resume. */
export function restSource<T extends KubeObject>(rest: KubeRest, path: string): WatchSource<T> {
  return {
    async list(): Promise<ListResult<T>> {
      const list = await rest.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', path);
      return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    watch(resourceVersion, onEvent, onDone) {
      const timeoutSeconds = 240 + Math.floor(Math.random() * 120);
      return rest.watch(path, { resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, onEvent, onDone);
    },
  };
}
