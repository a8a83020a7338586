// A publishing target's identity. Custom resources and labelled Secrets live in namespaces, so
// two watched namespaces may each hold a target called `slack`: the key is `namespace/name` for
// them and the bare name for config.yaml targets (which have no namespace; their names are
// DNS-1123 labels, so they never contain the `/` that every namespaced key has). Everything
// internal uses the key: the catalog, the deliveries table's `target` column, guards, metrics
// labels, live events and the operator's status lookups.

/** What a key is built from. */
export interface TargetIdentity {
  name: string;
  namespace?: string | undefined;
}

/** The key of a target: `namespace/name`, or the bare name when it has no namespace. */
export function targetKey(target: TargetIdentity): string {
  return target.namespace ? `${target.namespace}/${target.name}` : target.name;
}

/** How a reference (a key, or a legacy client's bare name) resolved. */
export type TargetRef = { found: string } | { ambiguous: string[] } | { missing: true };

/**
 * Resolves `ref` against known targets: an exact key first (a config.yaml target's key is its
 * bare name), else a bare name held by exactly one target; two or more make it ambiguous.
 */
export function resolveTargetRef(known: readonly TargetIdentity[], ref: string): TargetRef {
  const keys = known.map(targetKey);
  if (keys.includes(ref)) return { found: ref };
  if (ref.includes('/')) return { missing: true };
  const candidates = [...new Set(known.filter((t) => t.name === ref).map(targetKey))].sort();
  if (candidates.length === 1) return { found: candidates[0]! };
  return candidates.length > 1 ? { ambiguous: candidates } : { missing: true };
}
