// Live stream metrics: open subscribers (read at scrape time) and subscribers dropped because
// they fell behind (their unsent bytes passed live.maxBufferedBytes).
import { Counter, Gauge, type Registry } from 'prom-client';

/** The live stream metrics. */
export interface LiveMetrics {
  /** Subscribers dropped, by reason (`slow`: the per-subscriber buffer limit). */
  dropped: Counter<'reason'>;
  /** Where the subscriber gauge reads its value at scrape time. */
  setSubscriberSource(count: () => number): void;
}

/** Registers the live stream metrics on `registry`. */
export function createLiveMetrics(registry: Registry): LiveMetrics {
  const r = { registers: [registry] };
  let count: (() => number) | undefined;
  new Gauge({
    ...r,
    name: 'alert_history_live_stream_subscribers',
    help: 'Open live event streams on this replica',
    collect() {
      this.set(count?.() ?? 0);
    },
  });
  return {
    dropped: new Counter({
      ...r,
      name: 'alert_history_live_stream_dropped_total',
      help: 'Live stream subscribers dropped, by reason (slow: unsent bytes over live.maxBufferedBytes)',
      labelNames: ['reason'],
    }),
    setSubscriberSource(source) {
      count = source;
    },
  };
}
