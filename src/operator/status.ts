// What the operator observed: metav1.Conditions whose lastTransitionTime changes only when the
// status flips, the diff that decides whether a status write is due (on exactly what would be
// sent, removals included), and core/v1 Events. The server-side apply itself is status-writer.ts.
// Only the leader writes.
import type { Condition } from './crd/common.ts';
import type { KubeRest } from './kube/rest.ts';

/** A condition before its transition time is known. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** A status object as sent to or read from the API server. */
export type Status = Record<string, unknown>;

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

/**
 * The conditions of `previous` with each of `set` set and each type in `remove` removed (kstatus:
 * an abnormal-true condition such as Stalled is absent while it does not apply); others are kept.
 */
export function updateConditions(
  previous: readonly Condition[],
  change: { set: readonly ConditionInput[]; remove: readonly string[] },
  now: string,
): Condition[] {
  const kept = previous.filter((c) => !change.remove.includes(c.type));
  return change.set.reduce<Condition[]>((all, next) => setCondition(all, next, now), kept);
}

/** The conditions of a status as the server holds them. */
export function conditionsOf(status: Status | undefined): Condition[] {
  // The conditions this operator wrote, held by the API server under the CRD's status schema.
  return Array.isArray(status?.conditions) ? (status.conditions as Condition[]) : [];
}

/** What JSON sends: members whose value is undefined dropped, recursively. */
export function pruned<T>(value: T): T {
  // A JSON round trip of a T is that T without its undefined members.
  return JSON.parse(JSON.stringify(value ?? {})) as T;
}

/** Stable JSON for comparing status objects. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `status` with the transition time of each condition whose status `other` shares left out. */
function withoutSteadyTimes(status: Status, other: Status): Status {
  const theirs = conditionsOf(other);
  if (!Array.isArray(status.conditions)) return status;
  const conditions = conditionsOf(status).map((c) => {
    const same = theirs.find((o) => o.type === c.type && o.status === c.status);
    return same ? { ...c, lastTransitionTime: undefined } : c;
  });
  return { ...status, conditions };
}

/**
 * True when applying `next` would change `current`: compared on what is sent (undefined members
 * are not), so a field present on the server and absent from `next` is a difference (a removal).
 * A condition's lastTransitionTime alone is no difference while its status is the same.
 */
export function statusDiffers(current: Status | undefined, next: Status): boolean {
  const server = current ?? {};
  return canonical(withoutSteadyTimes(server, next)) !== canonical(withoutSteadyTimes(next, server));
}

/**
 * A JSON merge patch of nulls for what `server` holds beyond `sent` (object members, recursively;
 * arrays are atomic): fields a former leader's field manager still co-owns, which an apply that
 * leaves them out cannot remove. Undefined when there is none.
 */
export function leftovers(server: Status, sent: Status): Status | undefined {
  const patch: Status = {};
  for (const [key, value] of Object.entries(server)) {
    const mine = sent[key];
    if (mine === undefined) patch[key] = null;
    else if (isObject(value) && isObject(mine)) {
      const nested = leftovers(value, mine);
      if (nested) patch[key] = nested;
    }
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

function isObject(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
