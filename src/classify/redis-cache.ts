// The shared classification cache: `classification:<fingerprint>` holding the result's JSON with
// a TTL, in front of which sits the in-process LRU (checked first, filled on every Redis hit). A
// Redis error never fails a classification: the layered cache answers from memory and reports it.
import { classificationSchema } from '../core/classification-schema.ts';
import type { ClassificationCache } from './cache.ts';

/** The Redis commands the cache needs (an ioredis client fits). */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
}

/** The key of a fingerprint's classification (the legacy name). */
export const cacheKey = (fingerprint: string): string => `classification:${fingerprint}`;

/** Redis alone (entries written by another replica or another version are validated on read). */
export function createRedisCache(redis: RedisCommands): ClassificationCache {
  return {
    kind: 'redis',
    async get(fingerprint) {
      const text = await redis.get(cacheKey(fingerprint));
      if (text === null) return undefined;
      try {
        // An entry that does not parse (another version's) is a miss: the alert is classified again.
        return classificationSchema.safeParse(JSON.parse(text)).data;
      } catch {
        return undefined;
      }
    },
    async set(fingerprint, value, ttlMs) {
      await redis.set(cacheKey(fingerprint), JSON.stringify(value), 'PX', ttlMs);
    },
  };
}

/** How long a copy read from Redis is kept in memory (Redis holds the authoritative TTL). */
const LOCAL_TTL_MS = 60_000;

/** Reports Redis failures (metric + log) without failing the caller. */
export type CacheErrorHandler = (op: 'get' | 'set', err: unknown) => void;

/** The in-process LRU in front of Redis. */
export function createLayeredCache(memory: ClassificationCache, redis: ClassificationCache, onError: CacheErrorHandler): ClassificationCache {
  return {
    kind: 'redis',
    async get(fingerprint) {
      const local = await memory.get(fingerprint);
      if (local) return local;
      try {
        const shared = await redis.get(fingerprint);
        // Another replica classified it: keep a local copy for a short while.
        if (shared) await memory.set(fingerprint, shared, LOCAL_TTL_MS);
        return shared;
      } catch (err) {
        onError('get', err);
        return undefined;
      }
    },
    async set(fingerprint, value, ttlMs) {
      await memory.set(fingerprint, value, ttlMs);
      try {
        await redis.set(fingerprint, value, ttlMs);
      } catch (err) {
        onError('set', err);
      }
    },
  };
}
