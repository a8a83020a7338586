// Builds the live event stream for main.ts: the bus (relayed through Redis pub/sub when Redis is
// configured, so every replica's viewers see every replica's alerts), the hooks that turn
// pipeline moments into dashboard events, and the stream tickets (single use across replicas
// through Redis when it is configured).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClassifiedAlert } from '../core/classification.ts';
import type { LiveEvents } from './events.ts';
import type { RecordResult } from '../core/types.ts';
import { createStreamTickets, type StreamTickets } from './stream-ticket.ts';
import { createLiveBus } from './bus.ts';
import { createRedisLiveRelay, createRedisNonceRegistry } from './redis-relay.ts';
import { asError } from '../core/startup-error.ts';

/** The bus and the hooks that feed it. */
export interface LiveParts {
  live: LiveEvents;
  tickets: StreamTickets;
  onRecorded: (result: RecordResult) => void;
  onClassified: (fingerprint: string, result: ClassifiedAlert) => void;
  onDelivery: (delivery: { id: number; target: string; fingerprint: string; state: string }) => void;
  onTargetsChanged: () => void;
  close: () => void;
}

const STATS_DEBOUNCE_MS = 2_000;
const MAX_CHUNK_BYTES = 64 * 1024;

/** What {@link buildLive} needs from the configuration. */
export interface LiveSettings {
  maxBufferedBytes: number;
  ticketTtlSeconds: number;
  apiTokens: readonly string[];
}

/** Builds the bus, its hooks and the stream tickets. */
export function buildLive(redis: Redis | undefined, logger: Logger, settings: LiveSettings): LiveParts {
  const log = logger.child({ component: 'live' });
  const relay = redis
    ? createRedisLiveRelay(redis, (err) => log.warn({ err: { message: asError(err).message } }, 'live relay error (events stay local)'))
    : undefined;
  // A tick sends at most an eighth of a subscriber's budget, so a reading client drains between ticks.
  const live = createLiveBus({
    relay,
    bufferBytes: settings.maxBufferedBytes,
    chunkBytes: Math.min(MAX_CHUNK_BYTES, Math.floor(settings.maxBufferedBytes / 8)),
  });
  const tickets = createStreamTickets({
    apiTokens: settings.apiTokens,
    ttlMs: settings.ticketTtlSeconds * 1000,
    shared: redis ? createRedisNonceRegistry(redis) : undefined,
  });
  let statsTimer: NodeJS.Timeout | undefined;
  const statsSoon = (): void => {
    statsTimer ??= setTimeout(() => {
      statsTimer = undefined;
      live.publish({ type: 'stats_updated', data: {} });
    }, STATS_DEBOUNCE_MS);
  };
  return {
    live,
    tickets,
    onRecorded: (result) => {
      for (const e of result.newEvents) {
        live.publish({
          type: e.status === 'firing' ? 'alert_created' : 'alert_resolved',
          data: {
            fingerprint: e.fingerprint,
            alertname: e.alertname,
            namespace: e.namespace,
            severity: e.severity,
            status: e.status,
            startsAt: e.startsAt,
            endsAt: e.endsAt,
            receivedAt: e.receivedAt,
            labels: e.labels,
          },
        });
      }
      if (result.newEvents.length > 0) statsSoon();
    },
    onClassified: (fingerprint, r) =>
      live.publish({ type: 'classification', data: { fingerprint, severity: r.severity, confidence: r.confidence, source: r.source } }),
    onDelivery: (d) => live.publish({ type: 'delivery', data: d }),
    onTargetsChanged: () => live.publish({ type: 'target_changed', data: {} }),
    close: () => {
      clearTimeout(statsTimer);
      relay?.close();
    },
  };
}
