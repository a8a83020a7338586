// The in-process live event bus: sequence ids per replica, a ring buffer for Last-Event-ID
// resume, and an optional relay (Redis pub/sub) that carries events to and from other replicas.
import type { LiveEvent, LiveEvents, SequencedEvent } from '../core/live.ts';

/** Carries events between replicas. */
export interface LiveRelay {
  send(event: LiveEvent): void;
  onReceive(listener: (event: LiveEvent) => void): void;
}

/** Creates the bus; `bufferSize` events are kept for resumes. */
export function createLiveBus(options: { bufferSize?: number; relay?: LiveRelay } = {}): LiveEvents {
  const size = options.bufferSize ?? 500;
  const buffer: SequencedEvent[] = [];
  const listeners = new Set<(event: SequencedEvent) => void>();
  let next = 1;

  const deliver = (event: LiveEvent): void => {
    const sequenced = { ...event, id: next++ };
    buffer.push(sequenced);
    if (buffer.length > size) buffer.shift();
    for (const listener of listeners) listener(sequenced);
  };
  options.relay?.onReceive(deliver);

  return {
    publish(event) {
      if (options.relay) options.relay.send(event);
      else deliver(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    since(id) {
      const oldest = buffer[0]?.id ?? next;
      if (id < oldest - 1) return undefined;
      return buffer.filter((e) => e.id > id);
    },
  };
}
