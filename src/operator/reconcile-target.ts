// The PublishingTarget reconciler (style.md rule 7): get -> deletion -> validate + resolve
// Secrets -> update the catalog and the target's readiness (every replica) -> on the leader only,
// set conditions and apply status if it changed, with an Event when readiness flips. An invalid
// spec is terminal (Stalled, no requeue until it changes); a missing Secret is retried with
// backoff (Reconciling) and re-enqueued when the Secret appears. Delivery health and counts come
// from the database, so they cover every replica's deliveries. Dispatch never happens here.
import type { TargetTotals } from '../core/outbox.ts';
import { type PublisherRegistry, TARGET_TYPES, type UnresolvedTarget } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import type { OperatorTargetCatalog } from './catalog.ts';
import { healthOf, healthyCondition, wholeSeconds } from './delivery-health.ts';
import type { KubeRest } from './kube/rest.ts';
import { type CustomResource, type Resolution, resolveTarget, type SecretLookup } from './resolve-target.ts';
import type { SecretIndex } from './secret-index.ts';
import { type ConditionInput, conditionsOf, conditionTime, recordEvent, type Status, updateConditions } from './status.ts';
import { createStatusWriter, type StatusWriter } from './status-writer.ts';
import type { ReconcileResult } from './work-queue.ts';
import { isRecord } from '../core/guards.ts';

/** Dependencies of the reconciler. */
export interface TargetReconcilerDeps {
  resources: { get(key: string): CustomResource | undefined };
  lookup: SecretLookup;
  registry: PublisherRegistry;
  catalog: OperatorTargetCatalog;
  index: SecretIndex;
  isLeader: () => boolean;
  /** This replica's identity, recorded as the status field manager. */
  fieldManager: string;
  rest: KubeRest;
  /** Delivery totals of all replicas by target key: null when it has none, undefined until first read. */
  totals: (key: string) => TargetTotals | null | undefined;
  now: () => Date;
}

/** Thrown for a retryable NotReady (the queue backs off). */
export class NotReadyYet extends Error {}

/** What conditions change besides Ready. */
interface ConditionChange {
  set: ConditionInput[];
  remove: string[];
}

/** What the Ready message says about labelled Secrets of the same namespace and target name. */
function shadowNote(shadowed: readonly string[]): string {
  if (shadowed.length === 1) return `Secret ${shadowed[0]!} defines a target of the same name and is ignored`;
  return `Secrets ${shadowed.join(', ')} define a target of the same name and are ignored`;
}

function readyCondition(res: Resolution, cr: CustomResource, shadowed: readonly string[]): ConditionInput {
  const generation = cr.metadata.generation;
  if (!res.ok) return { type: 'Ready', status: 'False', reason: res.reason, message: res.message, observedGeneration: generation };
  if (!res.target.enabled)
    return { type: 'Ready', status: 'False', reason: 'Disabled', message: 'spec.enabled is false: kept, never published to', observedGeneration: generation };
  if (shadowed.length > 0) {
    return { type: 'Ready', status: 'True', reason: 'ConflictingTarget', message: `${res.message}; ${shadowNote(shadowed)}`, observedGeneration: generation };
  }
  return { type: 'Ready', status: 'True', reason: 'Resolved', message: res.message, observedGeneration: generation };
}

/** kstatus: Stalled while the spec is invalid (terminal), Reconciling while a Secret is awaited. */
function progressConditions(res: Resolution, generation: number | undefined): ConditionChange {
  if (res.ok) return { set: [], remove: ['Reconciling', 'Stalled'] };
  if (res.reason === 'InvalidSpec')
    return { set: [{ type: 'Stalled', status: 'True', reason: res.reason, message: res.message, observedGeneration: generation }], remove: ['Reconciling'] };
  return {
    set: [{ type: 'Reconciling', status: 'True', reason: res.reason, message: `waiting for a Secret: ${res.message}`, observedGeneration: generation }],
    remove: ['Stalled'],
  };
}

/** Healthy applies to Ready, enabled targets; before the first read of the totals it is kept. */
function healthConditions(res: Resolution, totals: TargetTotals | null | undefined, generation: number | undefined): ConditionChange {
  if (!res.ok || !res.target.enabled) return { set: [], remove: ['Healthy'] };
  if (totals === undefined) return { set: [], remove: [] };
  return { set: [{ ...healthyCondition(healthOf(totals)), observedGeneration: generation }], remove: [] };
}

function deliveryFields(totals: TargetTotals | null | undefined, server: Status | undefined): Status {
  if (totals === undefined) return { lastDeliveryTime: server?.lastDeliveryTime, deliveries: server?.deliveries };
  if (totals === null) return {};
  return {
    lastDeliveryTime: totals.lastSuccess ? wholeSeconds(totals.lastSuccess) : undefined,
    deliveries: { succeeded: totals.succeeded, failed: totals.failed, dead: totals.dead },
  };
}

function desiredStatus(deps: TargetReconcilerDeps, cr: CustomResource, res: Resolution, parts: { ready: ConditionInput; server: Status | undefined }): Status {
  const generation = cr.metadata.generation;
  const totals = deps.totals(targetKey(cr.metadata));
  const progress = progressConditions(res, generation);
  const health = healthConditions(res, totals, generation);
  const change = { set: [parts.ready, ...progress.set, ...health.set], remove: [...progress.remove, ...health.remove] };
  return {
    observedGeneration: generation,
    conditions: updateConditions(conditionsOf(parts.server), change, conditionTime(deps.now())),
    endpoint: res.ok ? res.endpoint : undefined,
    ...deliveryFields(totals, parts.server),
  };
}

async function writeStatus(
  deps: TargetReconcilerDeps,
  writer: StatusWriter,
  cr: CustomResource,
  parts: { res: Resolution; ready: ConditionInput },
): Promise<void> {
  const { ready } = parts;
  const server = writer.current(cr);
  const status = desiredStatus(deps, cr, parts.res, { ready, server });
  const ref = { plural: 'publishingtargets', kind: 'PublishingTarget', namespace: cr.metadata.namespace, name: cr.metadata.name } as const;
  if (!(await writer.write(ref, cr, status))) return;
  const before = conditionsOf(server).find((c) => c.type === 'Ready');
  if (before?.status === ready.status && before.reason === ready.reason) return;
  await recordEvent(
    deps.rest,
    { apiVersion: 'alerthistory.io/v1alpha1', kind: 'PublishingTarget', namespace: cr.metadata.namespace, name: cr.metadata.name, uid: cr.metadata.uid },
    {
      type: ready.status === 'True' ? 'Normal' : 'Warning',
      reason: ready.reason,
      message: ready.message,
      component: 'alert-history',
      now: deps.now().toISOString(),
    },
  );
}

/** What the catalog lists for a resource; undefined when its type is unknown (the schema enforces it). */
function stateOf(cr: CustomResource, res: Resolution, ready: ConditionInput): UnresolvedTarget | undefined {
  const spec = isRecord(cr.spec) ? cr.spec : {};
  const type = res.ok ? res.target.type : TARGET_TYPES.find((t) => t === spec.type);
  if (!type) return undefined;
  const enabled = res.ok ? res.target.enabled : spec.enabled !== false;
  const readiness = { ready: ready.status === 'True', reason: ready.reason, message: ready.message };
  return { name: cr.metadata.name, namespace: cr.metadata.namespace, source: 'crd', type, enabled, readiness };
}

/** Creates the reconcile function for PublishingTarget keys (`namespace/name`). */
export function createTargetReconciler(deps: TargetReconcilerDeps): (key: string) => Promise<ReconcileResult | undefined> {
  const writer = createStatusWriter(deps.rest, deps.fieldManager);
  return async (key) => {
    const cr = deps.resources.get(key);
    if (!cr) {
      deps.catalog.setResource(key, undefined);
      deps.catalog.setState(key, undefined);
      deps.index.set(key, []);
      writer.forget(key);
      return undefined;
    }
    const res = resolveTarget(cr, deps.lookup, deps.registry);
    deps.index.set(
      key,
      res.secrets.map((s) => `${cr.metadata.namespace}/${s}`),
    );
    deps.catalog.setResource(key, res.ok ? res.target : undefined);
    const ready = readyCondition(res, cr, res.ok ? deps.catalog.shadowedSecrets(key) : []);
    deps.catalog.setState(key, stateOf(cr, res, ready));
    if (deps.isLeader()) await writeStatus(deps, writer, cr, { res, ready });
    if (!res.ok && res.reason !== 'InvalidSpec') throw new NotReadyYet(`${key}: ${res.message}`);
    return undefined;
  };
}
