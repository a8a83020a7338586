// POST /events/alertmanager: Alertmanager's event recorder (webhook output, one event or a batch
// array) -> history. Guarded and read like /webhook (its credential, raw body, the same limits);
// 200 with per-event counts only after both writes committed; a malformed event is a 400 naming
// it and nothing of the request is stored. GET /history/{fingerprint}/lifecycle reads one
// alert's state changes and recorder events in time order.
import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { buildLifecycle } from '../../core/lifecycle.ts';
import type { RecorderBatch, RecorderEventStore } from '../../core/recorder.ts';
import type { RecordResult } from '../../core/types.ts';
import type { RecorderParser } from '../../ingest/recorder.ts';
import type { RecorderMetrics } from '../../observability/recorder-metrics.ts';
import type { RecorderOutcome } from '../../pipeline/event-recorder.ts';
import { intParam, parseQuery } from '../../http/query.ts';
import { jsonRoute } from '../../http/json-route.ts';
import type { RouteTable } from '../../http/route-table.ts';
import { requireWebhookCredential, type WebhookCredentials } from '../middleware/auth.ts';
import { toAppError } from '../middleware/errors.ts';
import { rawJsonBody } from './webhook.ts';

/** Dependencies of the event-recorder routes. */
export interface RecorderRouteDeps {
  parse: RecorderParser;
  ingest: (batch: RecorderBatch) => Promise<RecorderOutcome>;
  events: RecorderEventStore;
  metrics: RecorderMetrics;
  maxBodyBytes: number;
  credentials: WebhookCredentials;
  /** Each batch of new state changes, for the live stream. */
  onRecorded?: ((result: RecordResult) => void) | undefined;
}

const lifecycleQuery = z.object({ limit: intParam(1, 1000, 200) });

function countEvents(metrics: RecorderMetrics, batch: RecorderBatch, outcome: RecorderOutcome): void {
  batch.events.forEach((e, i) => metrics.events.inc({ kind: e.kind, result: outcome.results[i] ?? 'ignored' }));
}

function ingestHandler(deps: RecorderRouteDeps): RequestHandler {
  return jsonRoute(async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const batch = deps.parse(body);
    const outcome = await deps.ingest(batch);
    countEvents(deps.metrics, batch, outcome);
    for (const r of outcome.recorded) if (r.newEvents.length > 0) deps.onRecorded?.(r);
    return {
      status: 'success',
      events: outcome.events,
      stored: outcome.stored,
      duplicates: outcome.duplicates,
      ignored: outcome.ignored,
      state_changes: outcome.stateChanges,
      request_id: res.locals.requestId as string,
      timestamp: new Date().toISOString(),
    };
  });
}

function lifecycleHandler(deps: RecorderRouteDeps): RequestHandler {
  return jsonRoute(async (req) => {
    const { limit } = parseQuery(lifecycleQuery, req);
    const fingerprint = String(req.params.fingerprint);
    const { states, recorder } = await deps.events.lifecycle(fingerprint, limit);
    if (states.length === 0 && recorder.length === 0) throw new AppError('NOT_FOUND', `no alert with fingerprint ${fingerprint.slice(0, 128)}`);
    const { entries, truncated } = buildLifecycle(states, recorder, limit);
    return { fingerprint, entries, count: entries.length, limit, truncated };
  });
}

/** Registers POST /events/alertmanager and GET /history/:fingerprint/lifecycle. */
export function registerRecorderRoutes(router: Router, table: RouteTable, deps: RecorderRouteDeps): void {
  const countRejection: ErrorRequestHandler = (err, _req, _res, next) => {
    deps.metrics.errors.inc({ code: toAppError(err).code });
    next(err);
  };
  table.add(router, 'post', '/events/alertmanager', requireWebhookCredential(deps.credentials), ...rawJsonBody(deps.maxBodyBytes), ingestHandler(deps));
  router.use('/events/alertmanager', countRejection);
  table.add(router, 'get', '/history/:fingerprint/lifecycle', lifecycleHandler(deps));
}
