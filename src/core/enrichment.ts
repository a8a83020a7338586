// Enrichment modes (crds.md): what the proxy does with classifications.

/** transparent: forward as is; enriched: classify and filter; transparent_with_recommendations: forward, add advice. */
export const ENRICHMENT_MODES = ['transparent', 'enriched', 'transparent_with_recommendations'] as const;

/** One of {@link ENRICHMENT_MODES}. */
export type EnrichmentMode = (typeof ENRICHMENT_MODES)[number];

/** Where the current mode came from. */
export type ModeSource = 'redis' | 'database' | 'memory' | 'env' | 'default';

/** The mode and its source, as `GET /enrichment/mode` reports them. */
export interface ModeState {
  mode: EnrichmentMode;
  source: ModeSource;
}

/** The shared, persistent enrichment mode. */
export interface ModeStore {
  get(): Promise<ModeState>;
  set(mode: EnrichmentMode): Promise<ModeState>;
}

/** True for a valid mode name. */
export function isEnrichmentMode(value: unknown): value is EnrichmentMode {
  return typeof value === 'string' && (ENRICHMENT_MODES as readonly string[]).includes(value);
}

/** An EnrichmentPolicy (crds.md): how matching alerts are processed. */
export interface EnrichmentPolicy {
  name: string;
  /** Set for custom resources; with the name it keys the policy's match counter. */
  namespace?: string;
  /** Higher wins; on a tie the one listed (or created) first wins. */
  priority: number;
  match: { namespaces?: string[]; matchers?: { name: string; op: '=' | '!=' | '=~' | '!~'; value: string }[] };
  mode: EnrichmentMode;
  classification?: {
    model?: string;
    minConfidence?: number;
    instructions?: string;
    temperature?: number;
    timeoutMs?: number;
    cacheTtlMs?: number;
  };
  filter?: { dropNoise?: boolean; dropBelowConfidence?: number };
}

/** Where policies come from (config now; custom resources with the operator). */
export interface PolicyCatalog {
  /** Ready policies, oldest first. */
  list(): readonly EnrichmentPolicy[];
}

/** The key of a policy's match counter: `namespace/name` for custom resources, else the name. */
export function policyKey(policy: Pick<EnrichmentPolicy, 'name' | 'namespace'>): string {
  return policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name;
}

/** How often a policy was chosen for a new state change, over all replicas. */
export interface PolicyMatches {
  /** {@link policyKey}. */
  policy: string;
  matched: number;
  lastMatchAt: string;
}

/** Per-policy match counters, shared by the replicas through the database. */
export interface PolicyMatchStore {
  /** Counts one match per entry (a key may repeat), at the database's clock. */
  record(policies: readonly string[]): Promise<void>;
  totals(): Promise<PolicyMatches[]>;
}
