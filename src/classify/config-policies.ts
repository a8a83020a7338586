// Enrichment policies from config.yaml `enrichment.policies[]` behind the PolicyCatalog port (the
// operator adds EnrichmentPolicy resources). Durations arrive in milliseconds from the schema.
import type { Config } from '../config/schema.ts';
import type { EnrichmentPolicy, PolicyCatalog } from '../core/enrichment.ts';
import { labelMatchers } from '../core/label-matchers.ts';

/** Converts one configured policy into the domain shape. */
export function policyFromConfig({ classification, ...policy }: Config['enrichment']['policies'][number]): EnrichmentPolicy {
  const { timeout, cacheTTL, ...rest } = classification ?? {};
  return {
    ...policy,
    match: { ...policy.match, matchers: labelMatchers(policy.match.matchers) },
    classification: { ...rest, ...(timeout ? { timeoutMs: timeout } : {}), ...(cacheTTL ? { cacheTtlMs: cacheTTL } : {}) },
  };
}

/** The configured policies as a catalog. */
export function configPolicies(config: Config): PolicyCatalog {
  const policies = config.enrichment.policies.map(policyFromConfig);
  return { list: () => policies };
}
