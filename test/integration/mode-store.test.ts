// The enrichment mode survives restarts and is shared, in Redis and in the settings table.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createRedisModeStore, createSqlModeStore, MODE_KEY } from '../../src/store/mode-store.ts';
import { backends } from '../helpers/backends.ts';

const redisUrl = inject('redisUrl');

describe.runIf(redisUrl)('enrichment mode in Redis', () => {
  let a: Redis;
  let b: Redis;

  beforeAll(async () => {
    a = new Redis(redisUrl);
    b = new Redis(redisUrl);
    await a.del(MODE_KEY);
  });
  afterAll(async () => {
    await a.del(MODE_KEY);
    a.disconnect();
    b.disconnect();
  });

  it('starts from ENRICHMENT_MODE, else enriched', async () => {
    expect(await createRedisModeStore(a).get()).toEqual({ mode: 'enriched', source: 'default' });
    expect(await createRedisModeStore(a, 'transparent').get()).toEqual({ mode: 'transparent', source: 'env' });
  });

  it('stores {"mode"} without expiry, seen by another instance and after a restart', async () => {
    await createRedisModeStore(a).set('transparent_with_recommendations');
    expect(JSON.parse((await a.get(MODE_KEY))!)).toEqual({ mode: 'transparent_with_recommendations' });
    expect(await a.ttl(MODE_KEY)).toBe(-1);
    expect(await createRedisModeStore(b, 'transparent').get()).toEqual({ mode: 'transparent_with_recommendations', source: 'redis' });
  });

  it('answers the last known mode from memory while Redis is down, and refuses switches', async () => {
    const dead = new Redis('redis://127.0.0.1:1/15', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const store = createRedisModeStore(dead, 'transparent');
    expect(await store.get()).toEqual({ mode: 'transparent', source: 'memory' });
    await expect(store.set('enriched')).rejects.toThrow();
    dead.disconnect();
  });
});

describe.each(backends())('enrichment mode in the settings table on $name', (backend) => {
  it('persists across a restart of the store and is shared', async () => {
    const db = await backend.fresh();
    expect(await createSqlModeStore(db).get()).toEqual({ mode: 'enriched', source: 'default' });
    await createSqlModeStore(db).set('transparent');
    await createSqlModeStore(db).set('transparent');
    expect(await createSqlModeStore(db, 'enriched').get()).toEqual({ mode: 'transparent', source: 'database' });
    await db.close();
  });
});
