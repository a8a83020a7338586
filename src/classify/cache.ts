// The classification cache port and its in-process implementation (an LRU with per-entry TTL).
// The Redis implementation stores the same JSON under `classification:<fingerprint>`.
import { LRUCache } from 'lru-cache';
import type { Classification } from '../core/classification.ts';

/** Where classifications are cached by fingerprint. */
export interface ClassificationCache {
  readonly kind: 'memory' | 'redis';
  get(fingerprint: string): Promise<Classification | undefined>;
  set(fingerprint: string, value: Classification, ttlMs: number): Promise<void>;
}

/** The in-process cache, bounded in entries. */
export function createMemoryCache(maxEntries = 10_000): ClassificationCache {
  const lru = new LRUCache<string, Classification>({ max: maxEntries, ttlAutopurge: false });
  return {
    kind: 'memory',
    get: (fingerprint) => Promise.resolve(lru.get(fingerprint)),
    set: (fingerprint, value, ttlMs) => {
      lru.set(fingerprint, value, { ttl: ttlMs });
      return Promise.resolve();
    },
  };
}
