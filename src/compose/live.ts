// Wiring of the live event stream: the bus (relayed through Redis pub/sub when Redis is
// configured, so every replica's viewers see every replica's alerts) and the hooks that turn
// pipeline moments into dashboard events. Part of the composition root.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClassifiedAlert } from '../core/classification.ts';
import type { LiveEvents } from '../core/live.ts';
import type { RecordResult } from '../core/types.ts';
import { createLiveBus } from '../pipeline/live-bus.ts';
import { createRedisLiveRelay } from '../store/redis-live.ts';

/** The bus and the hooks that feed it. */
export interface LiveParts {
  live: LiveEvents;
  onRecorded: (result: RecordResult) => void;
  onClassified: (fingerprint: string, result: ClassifiedAlert) => void;
  onDelivery: (delivery: { id: number; target: string; fingerprint: string; state: string }) => void;
  onTargetsChanged: () => void;
  close: () => void;
}

const STATS_DEBOUNCE_MS = 2_000;

/** Builds the bus and its hooks. */
export function buildLive(redis: Redis | undefined, logger: Logger): LiveParts {
  const log = logger.child({ component: 'live' });
  const relay = redis ? createRedisLiveRelay(redis, (err) => log.warn({ err: { message: (err as Error).message } }, 'live relay error (events stay local)')) : undefined;
  const live = createLiveBus({ relay });
  let statsTimer: NodeJS.Timeout | undefined;
  const statsSoon = (): void => {
    statsTimer ??= setTimeout(() => {
      statsTimer = undefined;
      live.publish({ type: 'stats_updated', data: {} });
    }, STATS_DEBOUNCE_MS);
  };
  return {
    live,
    onRecorded: (result) => {
      for (const e of result.newEvents) {
        live.publish({
          type: e.status === 'firing' ? 'alert_created' : 'alert_resolved',
          data: { fingerprint: e.fingerprint, alertname: e.alertname, namespace: e.namespace, severity: e.severity, status: e.status, startsAt: e.startsAt, endsAt: e.endsAt, receivedAt: e.receivedAt, labels: e.labels },
        });
      }
      if (result.newEvents.length > 0) statsSoon();
    },
    onClassified: (fingerprint, r) => live.publish({ type: 'classification', data: { fingerprint, severity: r.severity, confidence: r.confidence, source: r.source } }),
    onDelivery: (d) => live.publish({ type: 'delivery', data: d }),
    onTargetsChanged: () => live.publish({ type: 'target_changed', data: {} }),
    close: () => {
      clearTimeout(statsTimer);
      relay?.close();
    },
  };
}
