// GET /api/v2/events/stream: Server-Sent Events for the dashboard. Named events with this
// replica's sequence ids; a client that reconnects with Last-Event-ID gets what it missed while it
// is still in the buffer (else a stats_updated hint to reload); a comment ping every 15 s keeps
// proxies from closing an idle stream. Streams end when the service stops.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { LiveEvents, SequencedEvent } from '../core/live.ts';
import type { RouteTable } from '../api/route-table.ts';

/** Open streams, so shutdown can end them instead of waiting for the drain timeout. */
export interface StreamRegistry {
  closeAll(): void;
}

function frame(event: SequencedEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function lastEventId(req: Request): number | undefined {
  const raw = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

function open(res: Response): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
}

/** Registers the stream route; returns the registry of open streams. */
export function registerEventStream(router: Router, table: RouteTable, deps: { live: LiveEvents; guard: RequestHandler; pingMs?: number }): StreamRegistry {
  const streams = new Set<Response>();
  const handler: RequestHandler = (req, res) => {
    open(res);
    const resumeFrom = lastEventId(req);
    if (resumeFrom !== undefined) {
      const missed = deps.live.since(resumeFrom);
      if (missed) missed.forEach((e) => res.write(frame(e)));
      else res.write(`event: stats_updated\ndata: {"resync":true}\n\n`);
    }
    const unsubscribe = deps.live.subscribe((e) => res.write(frame(e)));
    const ping = setInterval(() => res.write(': ping\n\n'), deps.pingMs ?? 15_000);
    streams.add(res);
    res.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    });
  };
  table.add(router, 'get', '/api/v2/events/stream', deps.guard, handler);
  return {
    closeAll() {
      for (const res of streams) res.end();
    },
  };
}
