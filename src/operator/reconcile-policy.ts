// The EnrichmentPolicy reconciler: validate the spec again in code (regexes), put Ready policies
// into the catalog on every replica, and on the leader set the Ready condition (Accepted, or
// InvalidSpec with Stalled: terminal), the match count of all replicas, and apply status when it
// changed.
import { labelMatchers } from '../core/label-matchers.ts';
import { matchersProblem } from '../core/pattern.ts';
import type { EnrichmentPolicy, PolicyMatches } from '../core/enrichment.ts';
import { parseDuration } from '../core/time.ts';
import type { OperatorPolicyCatalog } from './catalog.ts';
import { type EnrichmentPolicySpec, enrichmentPolicySpec } from './crd/enrichment-policy.ts';
import { wholeSeconds } from './delivery-health.ts';
import type { KubeRest } from './kube/rest.ts';
import type { CustomResource } from './resolve-target.ts';
import { type ConditionInput, conditionsOf, conditionTime, type Status, updateConditions } from './status.ts';
import { createStatusWriter } from './status-writer.ts';
import type { ReconcileResult } from './work-queue.ts';

/** Dependencies of the reconciler. */
export interface PolicyReconcilerDeps {
  resources: { get(key: string): CustomResource | undefined };
  catalog: OperatorPolicyCatalog;
  isLeader: () => boolean;
  /** This replica's identity, recorded as the status field manager. */
  fieldManager: string;
  rest: KubeRest;
  /** Match counts of all replicas by `namespace/name`: null when none, undefined until first read. */
  matches: (key: string) => PolicyMatches | null | undefined;
  now: () => Date;
}

function toPolicy(cr: CustomResource, spec: EnrichmentPolicySpec): EnrichmentPolicy {
  const { timeout, cacheTTL, ...rest } = spec.classification ?? {};
  return {
    name: cr.metadata.name,
    namespace: cr.metadata.namespace,
    priority: spec.priority,
    mode: spec.mode,
    match: { namespaces: spec.match?.namespaces, matchers: labelMatchers(spec.match?.matchers) },
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
  return { ok: true, policy: toPolicy(cr, parsed.data) };
}

function conditionChange(parsed: ReturnType<typeof parsePolicy>, generation: number | undefined): { set: ConditionInput[]; remove: string[] } {
  if (parsed.ok) {
    const message = `mode ${parsed.policy.mode}, priority ${parsed.policy.priority}`;
    return { set: [{ type: 'Ready', status: 'True', reason: 'Accepted', message, observedGeneration: generation }], remove: ['Stalled'] };
  }
  const invalid = { status: 'False' as const, reason: 'InvalidSpec', message: parsed.message, observedGeneration: generation };
  return {
    set: [
      { type: 'Ready', ...invalid },
      { type: 'Stalled', ...invalid, status: 'True' },
    ],
    remove: [],
  };
}

/** Before the first read of the counts, the server's values are kept. */
function matchFields(matches: PolicyMatches | null | undefined, server: Status | undefined): Status {
  if (matches === undefined) return { matchedAlerts: server?.matchedAlerts, lastMatchTime: server?.lastMatchTime };
  if (matches === null) return { matchedAlerts: 0 };
  return { matchedAlerts: matches.matched, lastMatchTime: wholeSeconds(matches.lastMatchAt) };
}

/** Creates the reconcile function for EnrichmentPolicy keys. */
export function createPolicyReconciler(deps: PolicyReconcilerDeps): (key: string) => Promise<ReconcileResult | undefined> {
  const writer = createStatusWriter(deps.rest, deps.fieldManager);
  return async (key) => {
    const cr = deps.resources.get(key);
    if (!cr) {
      deps.catalog.set(key, undefined);
      writer.forget(key);
      return undefined;
    }
    const parsed = parsePolicy(cr);
    deps.catalog.set(key, parsed.ok ? parsed.policy : undefined, cr.metadata.creationTimestamp);
    if (!deps.isLeader()) return undefined;
    const server = writer.current(cr);
    const generation = cr.metadata.generation;
    const status = {
      observedGeneration: generation,
      conditions: updateConditions(conditionsOf(server), conditionChange(parsed, generation), conditionTime(deps.now())),
      ...matchFields(deps.matches(key), server),
    };
    await writer.write({ plural: 'enrichmentpolicies', kind: 'EnrichmentPolicy', namespace: cr.metadata.namespace, name: cr.metadata.name }, cr, status);
    return undefined;
  };
}
