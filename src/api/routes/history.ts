// History and analytics (api-contract.md): /history, /history/{fingerprint}, /history/recent,
// /history/top, /history/flapping, /history/stats, /report. Static paths are registered before
// /history/:fingerprint so they are never read as a fingerprint.
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { AlertStore } from '../../core/ports.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { intParam, labelParams, pageInfo, pageParams, parseQuery, rangeOf, rangeParams, textParam, toPage } from '../../http/query.ts';
import { jsonRoute } from '../../http/json-route.ts';
import type { RouteTable } from '../../http/route-table.ts';
import type { StoredClassification } from '../../core/classification.ts';
import { classificationView } from './classification.ts';

/** Dependencies of the history routes. */
export interface HistoryRouteDeps {
  store: AlertStore;
  metrics: Metrics;
  /** The latest classification of an alert, shown in its detail. */
  latestClassification?: (fingerprint: string) => Promise<StoredClassification | null>;
}

const historyQuery = z.object({
  ...pageParams,
  ...rangeParams,
  alertname: textParam,
  status: textParam.pipe(z.enum(['firing', 'resolved']).optional()),
  fingerprint: textParam,
  namespace: textParam,
  severity: textParam,
  label: labelParams,
  order: textParam.pipe(z.enum(['asc', 'desc']).default('desc')),
});

const topQuery = z.object({ ...rangeParams, limit: intParam(1, 100, 10), namespace: textParam });
const flappingQuery = z.object({ ...rangeParams, limit: intParam(1, 1000, 50), threshold: intParam(1, 10_000, 2) });
const statsQuery = z.object(rangeParams);
const reportQuery = z.object({
  ...rangeParams,
  alertname: textParam,
  namespace: textParam,
  top: intParam(1, 100, 10),
  min_flap: intParam(1, 100, 2),
});
const detailQuery = z.object({ limit: intParam(1, 1000, 100) });
const recentQuery = z.object({ limit: intParam(1, 1000, 50) });

/** Registers the history and report routes. */
export function registerHistoryRoutes(router: Router, table: RouteTable, deps: HistoryRouteDeps): void {
  const { store, metrics } = deps;
  const counted =
    (endpoint: string): RequestHandler =>
    (_req, _res, next) => {
      metrics.historyQueries.inc({ endpoint });
      next();
    };
  table.add(
    router,
    'get',
    '/history',
    counted('/history'),
    jsonRoute(async (req) => {
      const q = parseQuery(historyQuery, req);
      const page = toPage(q);
      const result = await store.history({ ...q, ...rangeOf(q), labels: q.label }, page);
      return {
        alerts: result.events,
        ...pageInfo(page, result.events.length, result.total, result.hasMore),
        total_exact: result.totalExact,
      };
    }),
  );
  table.add(
    router,
    'get',
    '/history/recent',
    counted('/history/recent'),
    jsonRoute(async (req) => {
      const { limit } = parseQuery(recentQuery, req);
      const alerts = await store.recent(limit);
      return { alerts, count: alerts.length, limit };
    }),
  );
  table.add(
    router,
    'get',
    '/history/top',
    counted('/history/top'),
    jsonRoute(async (req) => {
      const q = parseQuery(topQuery, req);
      const alerts = await store.top({ ...rangeOf(q), limit: q.limit, ...(q.namespace ? { namespace: q.namespace } : {}) });
      return { alerts, count: alerts.length, limit: q.limit };
    }),
  );
  table.add(
    router,
    'get',
    '/history/flapping',
    counted('/history/flapping'),
    jsonRoute(async (req) => {
      const q = parseQuery(flappingQuery, req);
      const alerts = await store.flapping({ ...rangeOf(q), limit: q.limit, threshold: q.threshold });
      return { alerts, count: alerts.length, threshold: q.threshold };
    }),
  );
  table.add(
    router,
    'get',
    '/history/stats',
    counted('/history/stats'),
    jsonRoute(async (req) => {
      const q = parseQuery(statsQuery, req);
      const stats = await store.stats(rangeOf(q));
      return { ...stats, since: q.since ?? null, until: q.until ?? null };
    }),
  );
  table.add(
    router,
    'get',
    '/history/:fingerprint',
    counted('/history/{fingerprint}'),
    jsonRoute(async (req) => {
      const { limit } = parseQuery(detailQuery, req);
      const fingerprint = String(req.params.fingerprint);
      const detail = await store.alert(fingerprint, limit);
      if (!detail) throw new AppError('NOT_FOUND', `no alert with fingerprint ${fingerprint.slice(0, 128)}`);
      const c = (await deps.latestClassification?.(fingerprint)) ?? null;
      return {
        fingerprint,
        alertname: detail.current.alertname,
        current: detail.current,
        events: detail.events,
        classification: c ? classificationView(fingerprint, c) : null,
      };
    }),
  );
  table.add(
    router,
    'get',
    '/report',
    (_req, _res, next) => {
      metrics.reportQueries.inc();
      next();
    },
    jsonRoute(async (req) => {
      const q = parseQuery(reportQuery, req);
      return store.report({
        ...rangeOf(q),
        top: q.top,
        minFlap: q.min_flap,
        ...(q.alertname ? { alertname: q.alertname } : {}),
        ...(q.namespace ? { namespace: q.namespace } : {}),
      });
    }),
  );
}
