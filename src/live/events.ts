// Live events for the dashboard's Server-Sent Events stream (api-contract.md, Dashboard): what
// happened, as small JSON payloads, fanned out to every replica when Redis is configured. An
// event's SSE frame is encoded once and the same bytes go to every subscriber.
import { isRecord } from '../core/guards.ts';

/** The event names the stream carries. */
export const LIVE_EVENT_TYPES = ['alert_created', 'alert_resolved', 'classification', 'delivery', 'target_changed', 'stats_updated'] as const;

/** One event name. */
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** An event as published. */
export interface LiveEvent {
  type: LiveEventType;
  data: Record<string, unknown>;
}

/** `value` as a live event, or undefined when it is not one (a message from another replica). */
export function asLiveEvent(value: unknown): LiveEvent | undefined {
  if (!isRecord(value) || !isRecord(value.data)) return undefined;
  const type = LIVE_EVENT_TYPES.find((t) => t === value.type);
  return type ? { type, data: value.data } : undefined;
}

/** An event as delivered to a stream, with this replica's sequence id (for Last-Event-ID). */
export interface SequencedEvent extends LiveEvent {
  id: number;
}

/** The live event bus of one replica. */
export interface LiveEvents {
  /** Queues an event for this replica's subscribers and, through Redis, the other replicas'; never blocks. */
  publish(event: LiveEvent): void;
  /** Subscribes to encoded SSE bytes (one or more frames per call, shared by every subscriber); returns the unsubscribe function. */
  subscribe(listener: (frames: Buffer) => void): () => void;
  /** The frames after `id` still in the resume buffer, or undefined when some fell out of it (or the id is unknown). */
  since(id: number): Buffer[] | undefined;
}

/** The hint that tells a client it missed events and must reload what it shows. */
export const RESYNC_FRAME: Buffer = Buffer.from('event: stats_updated\ndata: {"resync":true}\n\n');

/** The SSE frame of one event. */
export function encodeFrame(event: SequencedEvent): Buffer {
  return Buffer.from(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
}
