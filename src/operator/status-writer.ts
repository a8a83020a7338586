// Writing status with server-side apply as the replica's identity (the Lease holder, visible in
// managedFields): the applied object is the whole status, so a field left out is removed. A write
// happens only when the status differs from the server's, judged against this replica's own last
// write while the informer has not seen it yet, so a resync right after a write sends nothing.
import type { KubeRest } from './kube/rest.ts';
import type { CustomResource } from './resolve-target.ts';
import { leftovers, pruned, type Status, statusDiffers } from './status.ts';

/** Where a custom resource lives. */
export interface ResourceRef {
  plural: 'publishingtargets' | 'enrichmentpolicies';
  kind: 'PublishingTarget' | 'EnrichmentPolicy';
  namespace: string;
  name: string;
}

/** Applies status subresources; one per reconciler. */
export interface StatusWriter {
  /** The status the server holds, as far as this replica knows. */
  current(cr: CustomResource): Status | undefined;
  /** Applies `status` when it differs from {@link current}; resolves true when it wrote. */
  write(ref: ResourceRef, cr: CustomResource, status: Status): Promise<boolean>;
  /** Forgets a deleted resource (`namespace/name`). */
  forget(key: string): void;
}

const API_VERSION = 'alerthistory.io/v1alpha1';

interface Written {
  /** The informer's resourceVersion when the write was sent. */
  basis: string | undefined;
  /** The resourceVersion the write produced. */
  resourceVersion: string | undefined;
  status: Status;
}

interface Stored {
  metadata: { resourceVersion?: string };
  status?: Status;
}

const keyOf = (cr: CustomResource): string => `${cr.metadata.namespace}/${cr.metadata.name}`;

/** Creates a writer that applies as `fieldManager`. */
export function createStatusWriter(rest: KubeRest, fieldManager: string): StatusWriter {
  const written = new Map<string, Written>();

  function current(cr: CustomResource): Status | undefined {
    const mine = written.get(keyOf(cr));
    const seen = cr.metadata.resourceVersion;
    if (mine && (seen === mine.basis || seen === mine.resourceVersion)) return mine.status;
    written.delete(keyOf(cr));
    return cr.status;
  }

  async function apply(ref: ResourceRef, status: Status): Promise<Stored> {
    const path = `/apis/${API_VERSION}/namespaces/${ref.namespace}/${ref.plural}/${ref.name}/status`;
    const body = { apiVersion: API_VERSION, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace }, status };
    const stored = await rest.apply<Stored>(path, body, fieldManager);
    const extra = leftovers(stored.status ?? {}, status);
    if (!extra) return stored;
    // A former leader's manager still co-owns these fields: remove them explicitly.
    return rest.request<Stored>('PATCH', path, { query: { fieldManager }, body: { status: extra }, contentType: 'application/merge-patch+json' });
  }

  return {
    current,
    async write(ref, cr, status) {
      const sent = pruned(status);
      if (!statusDiffers(current(cr), sent)) return false;
      const stored = await apply(ref, sent);
      written.set(keyOf(cr), { basis: cr.metadata.resourceVersion, resourceVersion: stored.metadata.resourceVersion, status: stored.status ?? {} });
      return true;
    },
    forget: (key) => void written.delete(key),
  };
}
