// The Redis connection (optional): shared classification cache and enrichment mode. Commands time
// out after a second while Redis is down, so callers fall back instead of hanging.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Opens a client that reconnects in the background; errors are logged at most every 30 s. */
export function openRedis(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
  let lastLog = 0;
  client.on('error', (err: Error) => {
    if (Date.now() - lastLog < 30_000) return;
    lastLog = Date.now();
    logger.warn({ err: { message: err.message } }, 'redis unavailable: using the in-process cache and the last known mode');
  });
  return client;
}

/** Round-trip latency in ms; rejects when Redis is down. */
export async function pingRedis(client: Redis): Promise<number> {
  const started = performance.now();
  await client.ping();
  return Math.round((performance.now() - started) * 100) / 100;
}

/** Resolves true once connected, false after `timeoutMs` (the service starts degraded then). */
export function waitForRedis(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}
