// The Redis pub/sub relay of live events: every replica publishes to one channel and delivers
// what it receives (its own events included, so there is one path), so a dashboard on one replica
// sees alerts received by another. Redis down: events stay local until it is back. Also the
// cross-replica registry of used stream-ticket nonces.
import type { Redis } from 'ioredis';
import { asLiveEvent, type LiveEvent } from './events.ts';

const CHANNEL = 'alert-history:live';

/** A relay over a publishing connection and a dedicated subscriber connection. */
export function createRedisLiveRelay(
  redis: Redis,
  onError: (err: unknown) => void,
): { send(event: LiveEvent): void; onReceive(listener: (event: LiveEvent) => void): void; close(): void } {
  const subscriber = redis.duplicate();
  const listeners: ((event: LiveEvent) => void)[] = [];
  let subscribed = false;
  subscriber.on('message', (_channel: string, text: string) => {
    try {
      const event = asLiveEvent(JSON.parse(text));
      if (event) listeners.forEach((l) => l(event));
    } catch (err) {
      onError(err);
    }
  });
  subscriber.on('error', onError);
  subscriber.subscribe(CHANNEL).then(
    () => (subscribed = true),
    (err: unknown) => onError(err),
  );
  return {
    send(event) {
      // Not subscribed yet (or Redis down): deliver locally so this replica's viewers still see it.
      if (!subscribed || redis.status !== 'ready') return listeners.forEach((l) => l(event));
      redis.publish(CHANNEL, JSON.stringify(event)).catch((err: unknown) => {
        onError(err);
        listeners.forEach((l) => l(event));
      });
    },
    onReceive: (listener) => listeners.push(listener),
    close: () => subscriber.disconnect(),
  };
}

const TICKET_PREFIX = 'alert-history:stream-ticket:';

/** Claims stream-ticket nonces across replicas with SET NX PX (a ticket opens one stream, on any replica). */
export function createRedisNonceRegistry(redis: Redis): { claim(nonce: string, ttlMs: number): Promise<boolean> } {
  return {
    async claim(nonce, ttlMs) {
      if (redis.status !== 'ready') throw new Error('redis not ready');
      const answer = await redis.set(`${TICKET_PREFIX}${nonce}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return answer === 'OK';
    },
  };
}
