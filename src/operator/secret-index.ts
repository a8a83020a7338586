// Which custom resources reference which Secrets, so a Secret change re-enqueues exactly its
// dependents (a missing Secret that appears makes its targets Ready within seconds).

/** The Secret -> resources index. */
export interface SecretIndex {
  /** Replaces the Secrets (`namespace/name`) a resource key references. */
  set(resource: string, secrets: readonly string[]): void;
  /** Resource keys that reference a Secret. */
  dependents(secret: string): string[];
}

/** Creates an empty index. */
export function createSecretIndex(): SecretIndex {
  const bySecret = new Map<string, Set<string>>();
  const byResource = new Map<string, readonly string[]>();
  return {
    set(resource, secrets) {
      for (const old of byResource.get(resource) ?? []) bySecret.get(old)?.delete(resource);
      byResource.set(resource, secrets);
      for (const s of secrets) {
        const set = bySecret.get(s) ?? new Set<string>();
        set.add(resource);
        bySecret.set(s, set);
      }
    },
    dependents: (secret) => [...(bySecret.get(secret) ?? [])],
  };
}
