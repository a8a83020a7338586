// Live events for the dashboard's Server-Sent Events stream (api-contract.md, Dashboard): what
// happened, as small JSON payloads, fanned out to every replica when Redis is configured.

/** The event names the stream carries. */
export const LIVE_EVENT_TYPES = ['alert_created', 'alert_resolved', 'classification', 'delivery', 'target_changed', 'stats_updated'] as const;

/** One event name. */
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** An event as published. */
export interface LiveEvent {
  type: LiveEventType;
  data: Record<string, unknown>;
}

/** An event as delivered to a stream, with this replica's sequence id (for Last-Event-ID). */
export interface SequencedEvent extends LiveEvent {
  id: number;
}

/** The live event bus of one replica. */
export interface LiveEvents {
  /** Publishes to this replica's subscribers and, through Redis, to the other replicas'. */
  publish(event: LiveEvent): void;
  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (event: SequencedEvent) => void): () => void;
  /** Events after `id` still in the resume buffer, or undefined when `id` fell out of it. */
  since(id: number): SequencedEvent[] | undefined;
}
