// The EnrichmentPolicy reconciler: validate the spec again in code (regexes), put Ready policies
// into the catalog on every replica, and on the leader set the Ready condition (Accepted or
// InvalidSpec, terminal) and patch status when it changed.
import { matchersProblem } from '../core/pattern.ts';
import type { EnrichmentPolicy } from '../core/enrichment.ts';
import { parseDuration } from '../core/time.ts';
import type { OperatorPolicyCatalog } from './catalog.ts';
import type { Condition } from './crd/common.ts';
import { type EnrichmentPolicySpec, enrichmentPolicySpec } from './crd/enrichment-policy.ts';
import type { KubeRest } from './kube/rest.ts';
import type { CustomResource } from './resolve-target.ts';
import { conditionTime, patchStatus, setCondition, statusDiffers } from './status.ts';
import type { ReconcileResult } from './work-queue.ts';

/** Dependencies of the reconciler. */
export interface PolicyReconcilerDeps {
  resources: { get(key: string): CustomResource | undefined };
  catalog: OperatorPolicyCatalog;
  isLeader: () => boolean;
  /** This replica's identity, recorded as the status field manager. */
  fieldManager: string;
  rest: KubeRest;
  now: () => Date;
}

function toPolicy(name: string, spec: EnrichmentPolicySpec): EnrichmentPolicy {
  const { timeout, cacheTTL, ...rest } = spec.classification ?? {};
  return {
    name,
    priority: spec.priority,
    mode: spec.mode,
    match: { namespaces: spec.match?.namespaces, matchers: spec.match?.matchers?.map((m) => ({ name: m.label, op: m.op, value: m.value })) },
    classification: {
      ...rest,
      ...(timeout ? { timeoutMs: parseDuration(timeout) ?? undefined } : {}),
      ...(cacheTTL ? { cacheTtlMs: parseDuration(cacheTTL) ?? undefined } : {}),
    },
    filter: spec.filter,
  };
}


/** The policy, or the first problem with its spec. */
export function parsePolicy(cr: CustomResource): { ok: true; policy: EnrichmentPolicy } | { ok: false; message: string } {
  const parsed = enrichmentPolicySpec.safeParse(cr.spec ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `spec.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const problem = matchersProblem(parsed.data.match?.matchers, 'spec.match.matchers');
  if (problem) return { ok: false, message: problem };
  return { ok: true, policy: toPolicy(cr.metadata.name, parsed.data) };
}

/** Creates the reconcile function for EnrichmentPolicy keys. */
export function createPolicyReconciler(deps: PolicyReconcilerDeps): (key: string) => Promise<ReconcileResult | undefined> {
  return async (key) => {
    const cr = deps.resources.get(key);
    if (!cr) {
      deps.catalog.set(key, undefined);
      return undefined;
    }
    const parsed = parsePolicy(cr);
    deps.catalog.set(key, parsed.ok ? parsed.policy : undefined, cr.metadata.creationTimestamp);
    if (!deps.isLeader()) return undefined;
    const now = conditionTime(deps.now());
    const ready = parsed.ok
      ? { type: 'Ready', status: 'True' as const, reason: 'Accepted', message: `mode ${parsed.policy.mode}, priority ${parsed.policy.priority}` }
      : { type: 'Ready', status: 'False' as const, reason: 'InvalidSpec', message: parsed.message };
    const previous = (cr.status?.conditions as Condition[] | undefined) ?? [];
    const status = { ...cr.status, observedGeneration: cr.metadata.generation, conditions: setCondition(previous, { ...ready, observedGeneration: cr.metadata.generation }, now) };
    if (statusDiffers(cr.status, status)) {
      await patchStatus(deps.rest, { plural: 'enrichmentpolicies', kind: 'EnrichmentPolicy', namespace: cr.metadata.namespace, name: cr.metadata.name }, status, deps.fieldManager);
    }
    return undefined;
  };
}
