// Policy resolution: the highest-priority policy whose `match` selects the alert, else the global
// mode. Ties go to the policy listed first (the oldest), and are reported.
import { type EnrichmentMode, type EnrichmentPolicy, policyKey } from '../core/enrichment.ts';
import { matches } from './filter.ts';

/** What applies to one alert. */
export interface ResolvedPolicy {
  mode: EnrichmentMode;
  /** The policy's name, or undefined for the global mode. */
  policy: string | undefined;
  /** The key of the policy's match counter (`namespace/name` for a custom resource), or undefined. */
  key: string | undefined;
  minConfidence: number | undefined;
  /** Per-policy classification settings (model, instructions, temperature, timeout, cache TTL). */
  classify: NonNullable<EnrichmentPolicy['classification']>;
  dropNoise: boolean;
  dropBelowConfidence: number | undefined;
  /** Other policies that matched with the same priority (reported, not applied). */
  tiedWith: string[];
}

/** True when the policy's match selects these labels (an empty match selects everything). */
export function selects(policy: EnrichmentPolicy, labels: Readonly<Record<string, string>>): boolean {
  const { namespaces, matchers } = policy.match;
  if (namespaces?.length && !namespaces.includes(labels.namespace ?? '')) return false;
  return (matchers ?? []).every((m) => matches(labels, m));
}

/** Resolves the policy for an alert. */
export function resolvePolicy(policies: readonly EnrichmentPolicy[], labels: Readonly<Record<string, string>>, globalMode: EnrichmentMode): ResolvedPolicy {
  const matching = policies.filter((p) => selects(p, labels));
  const best = matching.reduce<EnrichmentPolicy | undefined>((winner, p) => (!winner || p.priority > winner.priority ? p : winner), undefined);
  if (!best) {
    return {
      mode: globalMode,
      policy: undefined,
      key: undefined,
      minConfidence: undefined,
      classify: {},
      dropNoise: false,
      dropBelowConfidence: undefined,
      tiedWith: [],
    };
  }
  return {
    mode: best.mode,
    policy: best.name,
    key: policyKey(best),
    minConfidence: best.classification?.minConfidence,
    classify: best.classification ?? {},
    dropNoise: best.filter?.dropNoise ?? false,
    dropBelowConfidence: best.filter?.dropBelowConfidence,
    tiedWith: matching.filter((p) => p !== best && p.priority === best.priority).map((p) => p.name),
  };
}
