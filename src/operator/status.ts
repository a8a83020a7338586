// Writing what the operator observed: metav1.Conditions whose lastTransitionTime changes only
// when the status flips, a status merge-patch sent only when something changed (no hot loops),
// and core/v1 Events. Only the leader calls these.
import type { Condition } from './crd/common.ts';
import type { KubeRest } from './kube/rest.ts';

/** A condition before its transition time is known. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** metav1.Time: RFC 3339 with whole seconds. */
export function conditionTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Sets `next` in `conditions`, keeping the transition time when the status did not change. */
export function setCondition(conditions: readonly Condition[], next: ConditionInput, now: string): Condition[] {
  const previous = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = previous && previous.status === next.status ? previous.lastTransitionTime : now;
  return [...conditions.filter((c) => c.type !== next.type), { ...next, lastTransitionTime }].sort((a, b) => a.type.localeCompare(b.type));
}

/** Stable JSON for comparing status objects. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** True when the two status objects differ. */
export function statusDiffers(current: unknown, next: unknown): boolean {
  return canonical(current ?? {}) !== canonical(next);
}

/** Where a custom resource lives. */
export interface ResourceRef {
  plural: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

const API = '/apis/alerthistory.io/v1alpha1';

/** Merge-patches the status subresource as `fieldManager` (the replica's identity, visible in managedFields). */
export async function patchStatus(rest: KubeRest, ref: ResourceRef, status: Record<string, unknown>, fieldManager: string): Promise<void> {
  await rest.request('PATCH', `${API}/namespaces/${ref.namespace}/${ref.plural}/${ref.name}/status`, {
    query: { fieldManager },
    body: { status },
    contentType: 'application/merge-patch+json',
  });
}

/** Records a core/v1 Event on an object. */
export async function recordEvent(
  rest: KubeRest,
  involved: { apiVersion: string; kind: string; namespace: string; name: string; uid?: string },
  event: { type: 'Normal' | 'Warning'; reason: string; message: string; component: string; now: string },
): Promise<void> {
  await rest.request('POST', `/api/v1/namespaces/${involved.namespace}/events`, {
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${involved.name}.`, namespace: involved.namespace },
      involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, namespace: involved.namespace, name: involved.name, uid: involved.uid },
      type: event.type,
      reason: event.reason,
      message: event.message.slice(0, 1024),
      source: { component: event.component },
      firstTimestamp: event.now,
      lastTimestamp: event.now,
      count: 1,
    },
  });
}
