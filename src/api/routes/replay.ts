// POST /publishing/replay (docs/replay.md): what a filter, an EnrichmentPolicy or a target would
// have done over stored history, answered by the live routing code. Token-guarded like the other
// publishing writes (it is a heavy read), bounded by the read deadline (a 503 past it).
import express, { type RequestHandler, type Router } from 'express';
import { replayRequestSchema, type ReplayRequest } from '../../config/replay-schema.ts';
import { validationError } from '../../core/errors.ts';
import type { ReplayReport } from '../../core/replay.ts';
import { jsonRoute } from '../../http/json-route.ts';
import type { RouteTable } from '../../http/route-table.ts';

/** Dependencies of the replay route. */
export interface ReplayRouteDeps {
  replay: (request: ReplayRequest) => Promise<ReplayReport>;
  /** Guards the route (API token). */
  guard: RequestHandler;
}

/** Parses the body or throws a 400 naming every failing field. */
export function parseReplayBody(body: unknown): ReplayRequest {
  const result = replayRequestSchema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw validationError(result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}

/** Registers POST /publishing/replay. */
export function registerReplayRoutes(router: Router, table: RouteTable, deps: ReplayRouteDeps): void {
  const json = express.json({ limit: '1mb' });
  table.add(
    router,
    'post',
    '/publishing/replay',
    deps.guard,
    json,
    jsonRoute((req) => deps.replay(parseReplayBody(req.body))),
  );
}
