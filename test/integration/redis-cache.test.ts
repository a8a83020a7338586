// The classification cache on real Redis: the legacy key and TTL, the JSON stored, the LRU in
// front, and Redis failures answered from memory.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createMemoryCache } from '../../src/classify/cache.ts';
import { cacheKey, createLayeredCache, createRedisCache } from '../../src/classify/redis-cache.ts';
import type { Classification } from '../../src/core/classification.ts';

const url = inject('redisUrl');
const result: Classification = {
  severity: 'critical',
  confidence: 0.9,
  category: 'availability',
  reasoning: 'Down for everyone.',
  recommendations: ['Roll back'],
  source: 'llm',
  model: 'gpt-4o-mini',
  promptVersion: 'v1',
  latencyMs: 420,
};

describe.runIf(url)('Redis classification cache', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.del(...['fp-redis-1', 'fp-redis-2', 'fp-redis-junk'].map(cacheKey));
    redis.disconnect();
  });

  it('stores the JSON object under classification:<fingerprint> with the TTL', async () => {
    const cache = createRedisCache(redis);
    await cache.set('fp-redis-1', result, 3_600_000);
    expect(JSON.parse((await redis.get(cacheKey('fp-redis-1')))!)).toEqual(result);
    const ttl = await redis.pttl('classification:fp-redis-1');
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(await cache.get('fp-redis-1')).toEqual(result);
    expect(await cache.get('fp-redis-missing')).toBeUndefined();
  });

  it('ignores an entry that is not a classification', async () => {
    await redis.set(cacheKey('fp-redis-junk'), '{"severity":"sev1"}');
    expect(await createRedisCache(redis).get('fp-redis-junk')).toBeUndefined();
  });

  it('shares entries between replicas through Redis, keeping a local copy', async () => {
    const replicaA = createLayeredCache(createMemoryCache(), createRedisCache(redis), () => undefined);
    const memoryB = createMemoryCache();
    const replicaB = createLayeredCache(memoryB, createRedisCache(redis), () => undefined);
    await replicaA.set('fp-redis-2', result, 60_000);
    expect(await replicaB.get('fp-redis-2')).toEqual(result);
    expect(await memoryB.get('fp-redis-2')).toEqual(result);
  });

  it('answers from memory and reports when Redis is unreachable', async () => {
    const dead = new Redis('redis://127.0.0.1:1/15', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const failures: string[] = [];
    const cache = createLayeredCache(createMemoryCache(), createRedisCache(dead), (op) => failures.push(op));
    await cache.set('fp-redis-3', result, 60_000);
    expect(await cache.get('fp-redis-3')).toEqual(result);
    expect(await cache.get('fp-redis-4')).toBeUndefined();
    expect(failures).toEqual(['set', 'get']);
    dead.disconnect();
  });
});
