// The in-process live event bus: sequence ids per replica, a ring buffer for Last-Event-ID
// resume, and an optional relay (Redis pub/sub) that carries events to and from other replicas.
// Publishing only queues: relaying, encoding and fan-out run on a later tick, off the request
// that published. Each event is encoded once; a tick fans out at most `chunkBytes` of frames as one
// shared Buffer and yields, so sockets drain between ticks and a burst cannot block the loop.
import { encodeFrame, type LiveEvent, type LiveEvents, RESYNC_FRAME, type SequencedEvent } from './events.ts';

/** Carries events between replicas. */
export interface LiveRelay {
  send(event: LiveEvent): void;
  onReceive(listener: (event: LiveEvent) => void): void;
}

/** Options of {@link createLiveBus}. */
export interface LiveBusOptions {
  /** Events kept for resumes (default 500). */
  bufferSize?: number;
  /** Bytes of frames kept for resumes (default 1 MiB): a client that missed more gets the resync hint. */
  bufferBytes?: number;
  /** Events waiting for fan-out; past it the oldest are dropped and subscribers get the resync hint (default 10,000). */
  maxPending?: number;
  /** Bytes fanned out per tick (default 64 KiB). */
  chunkBytes?: number;
  relay?: LiveRelay;
  /** Encodes one event (default: its SSE frame). */
  encode?: (event: SequencedEvent) => Buffer;
  /** Runs `fn` on a later tick (default setImmediate). */
  defer?: (fn: () => void) => void;
}

interface Stored {
  id: number;
  frame: Buffer;
}

/** The resume buffer: the newest frames, bounded by count and bytes. */
class Ring {
  readonly #entries: Stored[] = [];
  #bytes = 0;
  readonly maxCount: number;
  readonly maxBytes: number;
  constructor(maxCount: number, maxBytes: number) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
  }

  push(entry: Stored): void {
    this.#entries.push(entry);
    this.#bytes += entry.frame.length;
    while (this.#entries.length > 0 && (this.#entries.length > this.maxCount || this.#bytes > this.maxBytes)) {
      this.#bytes -= this.#entries.shift()!.frame.length;
    }
  }

  clear(): void {
    this.#entries.length = 0;
    this.#bytes = 0;
  }

  /** Frames after `id`, or undefined when `id` is older than the oldest kept. */
  after(id: number, next: number): Buffer[] | undefined {
    const oldest = this.#entries[0]?.id ?? next;
    if (id < oldest - 1) return undefined;
    return this.#entries.filter((e) => e.id > id).map((e) => e.frame);
  }
}

/** Creates the bus. */
export function createLiveBus(options: LiveBusOptions = {}): LiveEvents {
  const { relay, encode = encodeFrame, defer = setImmediate, maxPending = 10_000, chunkBytes = 64 * 1024 } = options;
  const ring = new Ring(options.bufferSize ?? 500, options.bufferBytes ?? 1024 * 1024);
  const listeners = new Set<(frames: Buffer) => void>();
  const outgoing: LiveEvent[] = [];
  const incoming: LiveEvent[] = [];
  let gap = false;
  let next = 1;
  let scheduled = false;

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    defer(tick);
  };
  const intake = (event: LiveEvent): void => {
    incoming.push(event);
    if (incoming.length > maxPending) {
      incoming.shift();
      gap = true;
    }
    schedule();
  };
  relay?.onReceive(intake);

  /** Encodes the next events (up to chunkBytes) into one Buffer and records them for resumes. */
  const takeChunk = (): Buffer | undefined => {
    // After a gap, skip an id: a client resuming from before it then resyncs instead of a partial replay.
    if (gap) next++;
    const encoded: Stored[] = [];
    let bytes = 0;
    while (encoded.length < incoming.length && bytes < chunkBytes) {
      const id = next++;
      const frame = encode({ ...incoming[encoded.length]!, id });
      encoded.push({ id, frame });
      bytes += frame.length;
    }
    incoming.splice(0, encoded.length);
    const prefix = gap ? [RESYNC_FRAME] : [];
    if (gap) ring.clear();
    gap = false;
    const frames = [...prefix, ...encoded.map((e) => e.frame)];
    if (frames.length === 0) return undefined;
    const chunk = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    // The resume buffer holds views of the shared chunk, not copies.
    let offset = chunk.length - bytes;
    for (const e of encoded) {
      ring.push({ id: e.id, frame: chunk.subarray(offset, offset + e.frame.length) });
      offset += e.frame.length;
    }
    return chunk;
  };

  function tick(): void {
    scheduled = false;
    for (const event of outgoing.splice(0)) {
      if (relay) relay.send(event);
      else intake(event);
    }
    const chunk = takeChunk();
    if (chunk) for (const listener of listeners) listener(chunk);
    if (incoming.length > 0) schedule();
  }

  return {
    publish(event) {
      outgoing.push(event);
      schedule();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    since(id) {
      if (id > next - 1) return undefined;
      return ring.after(id, next);
    },
  };
}
