// Publishing API (api-contract.md, Publishing): targets with masked URLs and health, the
// publishing mode, stats, test sends, and the outbox with dead-letter retry. Writes need an API
// token when auth.apiTokens is set.
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { DELIVERY_STATES, type DeliveryRecord, type DeliveryStore, type TargetTotals } from '../../core/outbox.ts';
import type { Target, TargetCatalog, TargetReadiness, UnresolvedTarget } from '../../core/publishing.ts';
import { maskUrl } from '../../core/secret.ts';
import type { TargetGuards } from '../../pipeline/target-guard.ts';
import { pageInfo, pageParams, parseQuery, textParam, toPage } from '../query.ts';
import type { RouteTable } from '../route-table.ts';

/** What a test send reports. */
export interface TestSendOutcome {
  success: boolean;
  statusCode: number | null;
  responseTimeMs: number;
  error: string | null;
}

/** Dependencies of the publishing routes. */
export interface PublishingRouteDeps {
  catalog: TargetCatalog;
  outbox: DeliveryStore;
  guards: TargetGuards;
  testSend: (target: Target) => Promise<TestSendOutcome>;
  onRefresh: (targets: number) => void;
  /** Guards writes (API token). */
  guard: RequestHandler;
  now?: () => number;
}

const REFRESH_INTERVAL_MS = 10_000;

const deliveriesQuery = z.object({
  target: textParam,
  fingerprint: textParam,
  state: z.preprocess((v: unknown) => (Array.isArray(v) ? (v.at(-1) as unknown) : v), z.enum(DELIVERY_STATES, { error: `must be one of ${DELIVERY_STATES.join(', ')}` }).optional()),
  ...pageParams,
});

function wrap(handler: (req: Request, res: Response) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    handler(req, res).then((body) => res.json(body), next);
  };
}

const EMPTY_TOTALS: TargetTotals = { target: '', succeeded: 0, failed: 0, dead: 0, pending: 0, lastSuccess: null, lastFailure: null, lastDead: null };

/** A disabled target is never Ready; otherwise the source's verdict, else Ready as loaded. */
function readinessOf(target: Target, catalog: TargetCatalog): TargetReadiness {
  if (!target.enabled) return { ready: false, reason: 'Disabled', message: 'enabled is false: kept, never published to' };
  return catalog.readiness?.(target.name) ?? { ready: true, reason: 'Resolved', message: `loaded from ${target.source}` };
}

type Listed = Pick<UnresolvedTarget, 'name' | 'namespace' | 'source' | 'type' | 'enabled' | 'readiness'> & { url: string };

function targetView(target: Listed, totals: TargetTotals = EMPTY_TOTALS, guards: TargetGuards): Record<string, unknown> {
  return {
    name: target.name,
    namespace: target.namespace ?? null,
    source: target.source,
    type: target.type,
    format: target.type,
    url: target.url,
    enabled: target.enabled,
    ready: target.readiness.ready,
    ready_reason: target.readiness.reason,
    ready_message: target.readiness.message,
    health_status: target.readiness.ready ? guards.health(target.name) : 'unknown',
    circuit_state: guards.circuit(target.name),
    total_publishes: totals.succeeded + totals.failed + totals.dead,
    successful_publishes: totals.succeeded,
    failed_publishes: totals.failed + totals.dead,
    dead_lettered: totals.dead,
    pending: totals.pending,
    last_successful_publish: totals.lastSuccess,
  };
}

async function targetViews(deps: PublishingRouteDeps): Promise<Record<string, unknown>[]> {
  const totals = new Map((await deps.outbox.totals()).map((t) => [t.target, t]));
  const listed: Listed[] = [
    ...deps.catalog.list().map((t) => ({ ...t, url: maskUrl(t.url?.reveal()), readiness: readinessOf(t, deps.catalog) })),
    ...(deps.catalog.unresolved?.() ?? []).map((t) => ({ ...t, url: '' })),
  ];
  return listed.map((t) => targetView(t, totals.get(t.name), deps.guards));
}

function deliveryView(d: DeliveryRecord): Record<string, unknown> {
  return {
    id: d.id,
    event_id: d.eventId,
    target: d.target,
    fingerprint: d.fingerprint,
    alertname: d.alertname,
    alert_status: d.status,
    state: d.state,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    last_error_reason: d.lastErrorReason,
    filter_reason: d.filterReason,
    external_ref: d.externalRef,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    delivered_at: d.deliveredAt,
  };
}

async function stats(deps: PublishingRouteDeps): Promise<Record<string, unknown>> {
  const totals = await deps.outbox.totals();
  const sum = (key: 'succeeded' | 'failed' | 'dead' | 'pending'): number => totals.reduce((n, t) => n + t[key], 0);
  const done = sum('succeeded') + sum('dead');
  const targets = await targetViews(deps);
  return {
    total_targets: targets.length,
    active_targets: deps.catalog.list().filter((t) => t.enabled).length,
    total_publishes: sum('succeeded') + sum('failed') + sum('dead'),
    successful_publishes: sum('succeeded'),
    failed_publishes: sum('failed') + sum('dead'),
    dead_lettered: sum('dead'),
    queue_pending: sum('pending'),
    success_rate: done === 0 ? 0 : sum('succeeded') / done,
    targets,
    last_updated: new Date().toISOString(),
  };
}

function modeView(catalog: TargetCatalog): Record<string, unknown> {
  const enabled = catalog.list().filter((t) => t.enabled).length;
  return {
    mode: enabled > 0 ? 'intelligent' : 'metrics_only',
    targets_available: enabled > 0,
    targets_count: enabled,
    kubernetes_available: catalog.kubernetes,
    last_discovery_refresh: catalog.lastRefresh(),
    description:
      enabled > 0
        ? `publishing to ${enabled} enabled target(s) through the outbox`
        : 'metrics-only: no enabled publishing target; alerts are recorded and classified, nothing is sent',
  };
}

function refreshHandler(deps: PublishingRouteDeps): RequestHandler {
  const now = deps.now ?? Date.now;
  let last = -Infinity;
  return wrap(async () => {
    const wait = last + REFRESH_INTERVAL_MS - now();
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new AppError('CONFLICT', `targets were refreshed less than 10 s ago; retry in ${seconds} s`, { headers: { 'Retry-After': String(seconds) } });
    }
    last = now();
    const count = await deps.catalog.refresh();
    deps.onRefresh(count);
    return { message: 'Publishing targets refreshed', targets_discovered: count, refresh_timestamp: new Date().toISOString(), success: true };
  });
}

const ID = z.coerce.number({ error: 'must be a delivery id' }).int('must be a delivery id').min(1, 'must be a delivery id');

/** Registers /publishing/*. */
export function registerPublishingRoutes(router: Router, table: RouteTable, deps: PublishingRouteDeps): void {
  const { guard } = deps;
  table.add(router, 'get', '/publishing/targets', wrap(() => targetViews(deps)));
  table.add(router, 'post', '/publishing/targets/refresh', guard, refreshHandler(deps));
  table.add(router, 'get', '/publishing/mode', (_req, res) => {
    res.json(modeView(deps.catalog));
  });
  table.add(router, 'get', '/publishing/stats', wrap(() => stats(deps)));
  table.add(router, 'post', '/publishing/test/:target', guard, wrap(async (req) => {
    const name = String(req.params.target);
    const target = deps.catalog.get(name);
    if (!target) throw new AppError('NOT_FOUND', `no publishing target named ${name.slice(0, 128)}`);
    const r = await deps.testSend(target);
    return { target_name: name, success: r.success, status_code: r.statusCode, response_time_ms: r.responseTimeMs, error_message: r.error, test_timestamp: new Date().toISOString() };
  }));
  table.add(router, 'get', '/publishing/deliveries', wrap(async (req) => {
    const q = parseQuery(deliveriesQuery, req);
    const page = toPage(q);
    const { items, total } = await deps.outbox.list({ target: q.target, state: q.state, fingerprint: q.fingerprint }, page);
    return { deliveries: items.map(deliveryView), ...pageInfo(page, items.length, total) };
  }));
  table.add(router, 'post', '/publishing/deliveries/:id/retry', guard, wrap(async (req) => {
    const parsed = ID.safeParse(req.params.id);
    if (!parsed.success) throw new AppError('VALIDATION_ERROR', `id: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { details: { fields: [{ path: 'id', message: 'must be a delivery id' }] } });
    const result = await deps.outbox.retry(parsed.data);
    if (result === 'not_found') throw new AppError('NOT_FOUND', `no delivery ${parsed.data}`);
    if (result === 'not_dead') throw new AppError('CONFLICT', `delivery ${parsed.data} is not dead-lettered; only dead letters can be retried`);
    return { id: parsed.data, state: 'pending', message: 'Delivery re-queued' };
  }));
}
