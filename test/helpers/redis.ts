// Finds a real Redis for the integration tier: REDIS_URL, else 127.0.0.1:6379. Tests use database
// 15 of it (flushed once per run) so they never touch data of the default database.
import { Redis } from 'ioredis';

/** The URL tests use, or the reason there is none. */
export async function findRedis(): Promise<{ url: string } | string> {
  const base = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const url = new URL(base);
  url.pathname = '/15';
  const client = new Redis(url.toString(), { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.flushdb();
    return { url: url.toString() };
  } catch (err) {
    return `no Redis at ${url.host} (${(err as Error).message}): set REDIS_URL or start redis-server`;
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys a test wrote to the run's Redis database, so no test leaves state behind. */
export async function deleteRedisKeys(url: string, keys: string[]): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}
