// GET /api/v2/events/stream: Server-Sent Events for the dashboard. Named events with this
// replica's sequence ids; a client that reconnects with Last-Event-ID gets what it missed while it
// is still in the buffer (else a stats_updated hint to reload); a comment ping every 15 s keeps
// proxies from closing an idle stream. Streams end when the service stops.
//
// Bounded: at most live.maxSubscribers streams per replica (503 beyond), and a subscriber whose
// unsent bytes would pass live.maxBufferedBytes is dropped (it resyncs when it reconnects). With
// protected reads the stream takes the API token or a single-use ticket from POST
// /api/v2/events/ticket, since EventSource cannot send headers.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import { type LiveEvents, RESYNC_FRAME } from './events.ts';
import type { LiveMetrics } from '../observability/live-metrics.ts';
import type { RouteTable } from '../http/route-table.ts';
import type { StreamTickets } from './stream-ticket.ts';

/** Open streams, so shutdown can end them instead of waiting for the drain timeout. */
export interface StreamRegistry {
  closeAll(): void;
}

/** Limits of the stream (config `live`). */
export interface StreamLimits {
  maxSubscribers: number;
  maxBufferedBytes: number;
}

/** Dependencies of the stream routes. */
export interface EventStreamDeps {
  live: LiveEvents;
  tickets: StreamTickets;
  /** Requires the API token (a no-op when none is configured). */
  apiToken: RequestHandler;
  /** Whether the stream needs credentials (reads are protected and tokens are configured). */
  protect: boolean;
  limits: StreamLimits;
  metrics: LiveMetrics;
  logger: Logger;
  pingMs?: number;
}

const RETRY_AFTER_SECONDS = 10;
const RETRY_FRAME = Buffer.from('retry: 3000\n\n');
const PING_FRAME = Buffer.from(': ping\n\n');

function lastEventId(req: Request): number | undefined {
  const raw = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** What a resuming client gets first: the frames it missed, or the resync hint when they are gone. */
function replayFor(live: LiveEvents, req: Request): Buffer[] {
  const from = lastEventId(req);
  if (from === undefined) return [];
  return live.since(from) ?? [RESYNC_FRAME];
}

function open(res: Response): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
}

/**
 * A writer that respects backpressure and keeps the stream's unsent bytes within the budget: while
 * the socket wants a drain, chunks wait in a queue (references to the shared chunks, no copies)
 * and go out on 'drain'; a subscriber whose socket buffer plus queue would pass the budget is
 * dropped. A stalled subscriber costs a push per tick, not a write.
 */
export function boundedWriter(res: Response, deps: Pick<EventStreamDeps, 'limits' | 'metrics' | 'logger'>): (bytes: Buffer) => void {
  const queue: Buffer[] = [];
  let queued = 0;
  let dropped = false;
  res.on('drain', () => {
    const waiting = queue.splice(0);
    queued = 0;
    waiting.forEach((b) => res.write(b));
  });
  const drop = (): void => {
    dropped = true;
    queue.length = 0;
    deps.metrics.dropped.inc({ reason: 'slow' });
    deps.logger.debug(
      { buffered_bytes: res.writableLength + queued, limit: deps.limits.maxBufferedBytes },
      'live stream subscriber dropped: it stopped reading',
    );
    // A reset, not a close: a close would leave the unsent bytes in the kernel, retried for minutes.
    if (res.socket) res.socket.resetAndDestroy();
    else res.destroy();
  };
  return (bytes) => {
    if (dropped || res.destroyed) return;
    if (res.writableLength + queued + bytes.length > deps.limits.maxBufferedBytes) return drop();
    if (!res.writableNeedDrain) {
      res.write(bytes);
      return;
    }
    queue.push(bytes);
    queued += bytes.length;
  };
}

const ticketRejected = (): AppError =>
  new AppError('AUTHENTICATION_ERROR', 'missing, expired or already used stream ticket: get one from POST /api/v2/events/ticket, or send the API token', {
    headers: { 'WWW-Authenticate': 'Bearer realm="alert-history"' },
  });

/** The stream's credential check: an Authorization header, else a `ticket` query parameter. */
function streamGuard(deps: EventStreamDeps): RequestHandler {
  if (!deps.protect) return (_req, _res, next) => next();
  return (req, res, next) => {
    const ticket = typeof req.query.ticket === 'string' ? req.query.ticket : undefined;
    if (ticket === undefined || req.get('authorization') !== undefined) return deps.apiToken(req, res, next);
    deps.tickets.redeem(ticket).then((ok) => next(ok ? undefined : ticketRejected()), next);
  };
}

/** Registers the stream and ticket routes; returns the registry of open streams. */
export function registerEventStream(router: Router, table: RouteTable, deps: EventStreamDeps): StreamRegistry {
  const streams = new Set<Response>();
  const { maxSubscribers } = deps.limits;
  deps.metrics.setSubscriberSource(() => streams.size);
  const handler: RequestHandler = (req, res, next) => {
    if (streams.size >= maxSubscribers) {
      const message = `live stream limit reached: ${maxSubscribers} open streams on this replica (live.maxSubscribers, LIVE_MAX_SUBSCRIBERS); retry later`;
      return next(new AppError('SERVICE_UNAVAILABLE', message, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } }));
    }
    const write = boundedWriter(res, deps);
    open(res);
    // The replay is bounded by the resume buffer (at most maxBufferedBytes), so it goes out as is.
    res.write(Buffer.concat([RETRY_FRAME, ...replayFor(deps.live, req)]));
    const unsubscribe = deps.live.subscribe(write);
    const ping = setInterval(() => write(PING_FRAME), deps.pingMs ?? 15_000);
    streams.add(res);
    res.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    });
  };
  table.add(router, 'get', '/api/v2/events/stream', streamGuard(deps), handler);
  table.add(router, 'post', '/api/v2/events/ticket', deps.apiToken, (_req, res) => {
    const { ticket, expiresIn } = deps.tickets.issue();
    res.set('cache-control', 'no-store').json({ ticket, expires_in: expiresIn });
  });
  return {
    closeAll() {
      for (const res of streams) res.end();
    },
  };
}
