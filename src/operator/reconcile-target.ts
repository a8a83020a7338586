// The PublishingTarget reconciler (style.md rule 7): get -> deletion -> validate + resolve
// Secrets -> update the catalog (every replica) -> on the leader only, set conditions and patch
// status if it changed, with an Event when readiness flips. An invalid spec is terminal (no
// requeue until it changes); a missing Secret is retried with backoff and re-enqueued when the
// Secret appears. Dispatch never happens here.
import type { TargetTotals } from '../core/outbox.ts';
import type { PublisherRegistry } from '../core/publishing.ts';
import type { OperatorTargetCatalog } from './catalog.ts';
import type { Condition } from './crd/common.ts';
import type { KubeRest } from './kube/rest.ts';
import { type CustomResource, type Resolution, resolveTarget, type SecretLookup } from './resolve-target.ts';
import type { SecretIndex } from './secret-index.ts';
import { type ConditionInput, conditionTime, patchStatus, recordEvent, setCondition, statusDiffers } from './status.ts';
import type { ReconcileResult } from './work-queue.ts';

/** Delivery health as the worker sees it. */
export type Health = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

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
  health: (name: string) => Health;
  totals: (name: string) => TargetTotals | undefined;
  now: () => Date;
}

/** Thrown for a retryable NotReady (the queue backs off). */
export class NotReadyYet extends Error {}

function readyCondition(res: Resolution, cr: CustomResource, shadowed: string | undefined): ConditionInput {
  const generation = cr.metadata.generation;
  if (!res.ok) return { type: 'Ready', status: 'False', reason: res.reason, message: res.message, observedGeneration: generation };
  if (!res.target.enabled) return { type: 'Ready', status: 'False', reason: 'Disabled', message: 'spec.enabled is false: kept, never published to', observedGeneration: generation };
  if (shadowed) {
    return { type: 'Ready', status: 'True', reason: 'ConflictingTarget', message: `${res.message}; Secret ${shadowed} defines a target of the same name and is ignored`, observedGeneration: generation };
  }
  return { type: 'Ready', status: 'True', reason: 'Resolved', message: res.message, observedGeneration: generation };
}

const HEALTH: Record<Health, Pick<ConditionInput, 'status' | 'reason' | 'message'>> = {
  healthy: { status: 'True', reason: 'DeliverySucceeded', message: 'the last delivery succeeded' },
  degraded: { status: 'False', reason: 'DeliveryFailing', message: 'the last delivery failed; it is retried with backoff' },
  unhealthy: { status: 'False', reason: 'CircuitOpen', message: 'deliveries keep failing; the circuit is open and deliveries wait in the outbox' },
  unknown: { status: 'Unknown', reason: 'NoDeliveries', message: 'no delivery attempted by this replica yet' },
};

function conditionsOf(deps: TargetReconcilerDeps, cr: CustomResource, res: Resolution): Condition[] {
  const now = conditionTime(deps.now());
  const previous = (cr.status?.conditions as Condition[] | undefined) ?? [];
  const shadowed = res.ok ? deps.catalog.shadowedSecret(cr.metadata.name) : undefined;
  const conditions = setCondition(previous, readyCondition(res, cr, shadowed), now);
  if (!res.ok || !res.target.enabled) return conditions;
  const health = deps.health(cr.metadata.name);
  return setCondition(conditions, { type: 'Healthy', ...HEALTH[health], observedGeneration: cr.metadata.generation }, now);
}

function desiredStatus(deps: TargetReconcilerDeps, cr: CustomResource, res: Resolution): Record<string, unknown> {
  const conditions = conditionsOf(deps, cr, res);
  const totals = deps.totals(cr.metadata.name);
  return {
    observedGeneration: cr.metadata.generation,
    conditions,
    endpoint: res.ok ? res.endpoint : undefined,
    lastDeliveryTime: totals?.lastSuccess?.replace(/\.\d+Z$/, 'Z') ?? undefined,
    deliveries: totals ? { succeeded: totals.succeeded, failed: totals.failed, dead: totals.dead } : undefined,
  };
}

async function writeStatus(deps: TargetReconcilerDeps, cr: CustomResource, res: Resolution): Promise<void> {
  const status = desiredStatus(deps, cr, res);
  if (!statusDiffers(cr.status, status)) return;
  const ref = { plural: 'publishingtargets', kind: 'PublishingTarget', namespace: cr.metadata.namespace, name: cr.metadata.name };
  await patchStatus(deps.rest, ref, status, deps.fieldManager);
  const before = ((cr.status?.conditions as Condition[] | undefined) ?? []).find((c) => c.type === 'Ready');
  const after = (status.conditions as Condition[]).find((c) => c.type === 'Ready')!;
  if (before?.status === after.status && before.reason === after.reason) return;
  await recordEvent(
    deps.rest,
    { apiVersion: 'alerthistory.io/v1alpha1', kind: 'PublishingTarget', namespace: cr.metadata.namespace, name: cr.metadata.name, uid: cr.metadata.uid },
    { type: after.status === 'True' ? 'Normal' : 'Warning', reason: after.reason, message: after.message, component: 'alert-history', now: deps.now().toISOString() },
  );
}

/** Creates the reconcile function for PublishingTarget keys (`namespace/name`). */
export function createTargetReconciler(deps: TargetReconcilerDeps): (key: string) => Promise<ReconcileResult | undefined> {
  return async (key) => {
    const cr = deps.resources.get(key);
    if (!cr) {
      deps.catalog.setResource(key, undefined);
      deps.index.set(key, []);
      return undefined;
    }
    const res = resolveTarget(cr, deps.lookup, deps.registry);
    deps.index.set(key, res.secrets.map((s) => `${cr.metadata.namespace}/${s}`));
    deps.catalog.setResource(key, res.ok ? res.target : undefined);
    if (deps.isLeader()) await writeStatus(deps, cr, res);
    if (!res.ok && res.reason !== 'InvalidSpec') throw new NotReadyYet(`${key}: ${res.message}`);
    return undefined;
  };
}
