// The operator's catalogs: targets from custom resources, labelled Secrets and config.yaml merged
// by name (a CR beats a Secret, both beat config), and policies from custom resources plus
// config.yaml. Every replica keeps them current from its own informers; the publishing path reads
// them through the TargetCatalog and PolicyCatalog ports.
import type { EnrichmentPolicy, PolicyCatalog } from '../core/enrichment.ts';
import type { Target, TargetCatalog, UnresolvedTarget } from '../core/publishing.ts';

/** Merged targets with their conflicts. */
export interface OperatorTargetCatalog extends TargetCatalog {
  /** Sets or clears the target of a custom resource (`namespace/name`). */
  setResource(key: string, target: Target | undefined): void;
  /**
   * Sets or clears how a custom resource (`namespace/name`) resolved, on every replica: its Ready
   * condition, and what to list while it has no target.
   */
  setState(key: string, state: UnresolvedTarget | undefined): void;
  /** Sets or clears the target of a labelled Secret (`namespace/name`). */
  setSecret(key: string, target: Target | undefined): void;
  /** The Secret key whose target a custom resource of this name shadows, if any. */
  shadowedSecret(name: string): string | undefined;
  /** Called after each change (a metric, the SSE stream later). */
  onChange(listener: () => void): void;
}

/** Creates the merged target catalog. */
export function createOperatorTargetCatalog(options: { config: readonly Target[]; relist: () => Promise<void>; now?: () => Date }): OperatorTargetCatalog {
  const now = options.now ?? ((): Date => new Date());
  const resources = new Map<string, Target>();
  const secrets = new Map<string, Target>();
  const states = new Map<string, UnresolvedTarget>();
  const listeners: (() => void)[] = [];
  let merged: Target[] = [...options.config];
  let byName = new Map(merged.map((t) => [t.name, t]));
  let refreshedAt = now().toISOString();

  function rebuild(): void {
    const out = new Map<string, Target>();
    for (const t of options.config) out.set(t.name, t);
    for (const t of secrets.values()) out.set(t.name, t);
    for (const t of resources.values()) out.set(t.name, t);
    merged = [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
    byName = out;
    listeners.forEach((l) => l());
  }

  return {
    kubernetes: true,
    list: () => merged,
    get: (name) => byName.get(name),
    async refresh() {
      await options.relist();
      refreshedAt = now().toISOString();
      return merged.length;
    },
    lastRefresh: () => refreshedAt,
    readiness(name) {
      const target = byName.get(name);
      return target?.source === 'crd' ? states.get(`${target.namespace ?? ''}/${target.name}`)?.readiness : undefined;
    },
    unresolved: () => [...states].filter(([key]) => !resources.has(key)).map(([, state]) => state),
    setState(key, state) {
      if (state) states.set(key, state);
      else states.delete(key);
    },
    setResource(key, target) {
      if (target) resources.set(key, target);
      else resources.delete(key);
      rebuild();
    },
    setSecret(key, target) {
      if (target) secrets.set(key, target);
      else secrets.delete(key);
      rebuild();
    },
    shadowedSecret(name) {
      for (const [key, t] of secrets) if (t.name === name) return key;
      return undefined;
    },
    onChange: (listener) => listeners.push(listener),
  };
}

/** Policies from custom resources (Ready ones) and config.yaml. */
export interface OperatorPolicyCatalog extends PolicyCatalog {
  /** Sets or clears a resource's policy; `createdAt` orders ties (oldest first). */
  set(key: string, policy: EnrichmentPolicy | undefined, createdAt?: string): void;
}

/** Creates the policy catalog; ties between equal priorities go to the oldest resource. */
export function createOperatorPolicyCatalog(config: readonly EnrichmentPolicy[]): OperatorPolicyCatalog {
  const resources = new Map<string, { policy: EnrichmentPolicy; created: string }>();
  let merged: EnrichmentPolicy[] = [...config];
  return {
    list: () => merged,
    set(key, policy, createdAt) {
      if (policy) resources.set(key, { policy, created: createdAt ?? resources.get(key)?.created ?? '' });
      else resources.delete(key);
      const fromResources = [...resources.values()].sort((a, b) => a.created.localeCompare(b.created)).map((r) => r.policy);
      merged = [...fromResources, ...config];
    },
  };
}
