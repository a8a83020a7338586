// The operator's catalogs: targets from custom resources, labelled Secrets and config.yaml keyed
// by `targetKey()` (`namespace/name`; config targets by bare name, so they never meet the others),
// and policies from custom resources plus config.yaml. Within one key a CR beats labelled
// Secrets, and of two Secrets the one whose name sorts first wins; the losers are reported
// (ConflictingTarget). Every replica keeps them current from its own informers; the publishing
// path reads them through the TargetCatalog and PolicyCatalog ports.
import type { EnrichmentPolicy, PolicyCatalog } from '../core/enrichment.ts';
import type { Target, TargetCatalog, TargetReadiness, UnresolvedTarget } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';

/** A labelled Secret whose target another definition of the same key wins over. */
export interface ShadowedSecret {
  /** The Secret (`namespace/name`). */
  secret: string;
  /** The target key both define. */
  key: string;
  /** What wins: `PublishingTarget ns/name` or `Secret ns/name`. */
  winner: string;
}

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
  /** The target key a labelled Secret (`namespace/name`) defines now, if any. */
  secretTarget(secret: string): string | undefined;
  /** The labelled Secrets that define the target key a custom resource of that key shadows. */
  shadowedSecrets(key: string): string[];
  /** Every labelled Secret whose target is shadowed now, and by what. */
  conflicts(): ShadowedSecret[];
  /** Called after each change (a metric, the SSE stream later). */
  onChange(listener: () => void): void;
}

/** The Secrets of each target key, the winner (first by Secret name) first. */
function secretsByKey(secrets: ReadonlyMap<string, Target>): Map<string, [string, Target][]> {
  const out = new Map<string, [string, Target][]>();
  for (const entry of [...secrets].sort(([a], [b]) => a.localeCompare(b))) {
    const key = targetKey(entry[1]);
    out.set(key, [...(out.get(key) ?? []), entry]);
  }
  return out;
}

/** Shadowed Secrets: all of a key's Secrets when a CR holds it, else all but the first. */
function shadowed(bySecret: ReadonlyMap<string, [string, Target][]>, resources: ReadonlyMap<string, Target>): ShadowedSecret[] {
  const out: ShadowedSecret[] = [];
  for (const [key, entries] of bySecret) {
    const winner = resources.has(key) ? `PublishingTarget ${key}` : `Secret ${entries[0]![0]}`;
    const losers = resources.has(key) ? entries : entries.slice(1);
    out.push(...losers.map(([secret]) => ({ secret, key, winner })));
  }
  return out;
}

function secretConflictReadiness(key: string, conflicts: readonly ShadowedSecret[]): TargetReadiness | undefined {
  const losers = conflicts.filter((c) => c.key === key).map((c) => c.secret);
  if (losers.length === 0) return undefined;
  const which = losers.length === 1 ? `Secret ${losers[0]!} also defines it and is` : `Secrets ${losers.join(', ')} also define it and are`;
  return {
    ready: true,
    reason: 'ConflictingTarget',
    message: `target ${key}: ${which} ignored (of two labelled Secrets, the one whose name sorts first wins)`,
  };
}

/** Creates the merged target catalog. */
export function createOperatorTargetCatalog(options: { config: readonly Target[]; relist: () => Promise<void>; now?: () => Date }): OperatorTargetCatalog {
  const now = options.now ?? ((): Date => new Date());
  const resources = new Map<string, Target>();
  const secrets = new Map<string, Target>();
  const states = new Map<string, UnresolvedTarget>();
  const listeners: (() => void)[] = [];
  let merged: Target[] = [...options.config];
  let byKey = new Map(merged.map((t) => [targetKey(t), t]));
  let bySecret = new Map<string, [string, Target][]>();
  let conflicts: ShadowedSecret[] = [];
  let refreshedAt = now().toISOString();

  function rebuild(): void {
    const out = new Map<string, Target>();
    bySecret = secretsByKey(secrets);
    for (const t of options.config) out.set(targetKey(t), t);
    for (const [key, entries] of bySecret) out.set(key, entries[0]![1]);
    for (const [key, t] of resources) out.set(key, t);
    conflicts = shadowed(bySecret, resources);
    merged = [...out].sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => t);
    byKey = out;
    listeners.forEach((l) => l());
  }

  return {
    kubernetes: true,
    list: () => merged,
    get: (key) => byKey.get(key),
    async refresh() {
      await options.relist();
      refreshedAt = now().toISOString();
      return merged.length;
    },
    lastRefresh: () => refreshedAt,
    readiness(key) {
      const source = byKey.get(key)?.source;
      if (source === 'crd') return states.get(key)?.readiness;
      return source === 'secret' ? secretConflictReadiness(key, conflicts) : undefined;
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
    secretTarget(secret) {
      const target = secrets.get(secret);
      return target ? targetKey(target) : undefined;
    },
    shadowedSecrets: (key) => (bySecret.get(key) ?? []).map(([secret]) => secret),
    conflicts: () => conflicts,
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
