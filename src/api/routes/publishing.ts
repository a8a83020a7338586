// Publishing API (api-contract.md, Publishing): targets with masked URLs and health, the
// publishing mode, stats, test sends, and the outbox with dead-letter retry. Writes need an API
// token when auth.apiTokens is set. A target is named by its key (`namespace/name`, URL-encoded
// in a path; a config.yaml target's bare name), or by a bare name only one target holds.
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { DELIVERY_STATES, type DeliveryRecord, type DeliveryStore, type TargetTotals } from '../../core/outbox.ts';
import type { Target, TargetCatalog, TargetReadiness, UnresolvedTarget } from '../../core/publishing.ts';
import type { TargetFilter } from '../../core/filter.ts';
import { matcherSpecs } from '../../core/label-matchers.ts';
import { maskUrl } from '../../core/secret.ts';
import { resolveTargetRef, targetKey, type TargetIdentity } from '../../core/target-key.ts';
import type { TargetGuards } from '../../pipeline/target-guard.ts';
import type { TestSendResult } from '../../pipeline/test-send.ts';
import { jsonRoute } from '../../http/json-route.ts';
import { pageInfo, pageParams, parseQuery, textParam, toPage } from '../../http/query.ts';
import type { RouteTable } from '../../http/route-table.ts';

/** Dependencies of the publishing routes. */
export interface PublishingRouteDeps {
  catalog: TargetCatalog;
  outbox: DeliveryStore;
  guards: TargetGuards;
  testSend: (target: Target) => Promise<TestSendResult>;
  onRefresh: (targets: number) => void;
  /** Guards writes (API token). */
  guard: RequestHandler;
  now?: () => number;
}

const REFRESH_INTERVAL_MS = 10_000;

const deliveriesQuery = z.object({
  target: textParam,
  fingerprint: textParam,
  state: z.preprocess(
    (v: unknown) => (Array.isArray(v) ? (v.at(-1) as unknown) : v),
    z.enum(DELIVERY_STATES, { error: `must be one of ${DELIVERY_STATES.join(', ')}` }).optional(),
  ),
  ...pageParams,
});

const EMPTY_TOTALS: TargetTotals = { target: '', succeeded: 0, failed: 0, dead: 0, pending: 0, lastSuccess: null, lastFailure: null, lastDead: null };

/** A disabled target is never Ready; otherwise the source's verdict, else Ready as loaded. */
function readinessOf(target: Target, catalog: TargetCatalog): TargetReadiness {
  if (!target.enabled) return { ready: false, reason: 'Disabled', message: 'enabled is false: kept, never published to' };
  return catalog.readiness?.(targetKey(target)) ?? { ready: true, reason: 'Resolved', message: `loaded from ${target.source}` };
}

type Listed = Pick<UnresolvedTarget, 'name' | 'namespace' | 'source' | 'type' | 'enabled' | 'readiness'> & { url: string; filter?: TargetFilter };

/** A target's filter as config.yaml and the CRD spell it (the dashboard's replay form starts from it). */
function filterView(filter: TargetFilter | undefined): Record<string, unknown> | null {
  if (!filter) return null;
  const { matchers, ...rest } = filter;
  return { ...rest, ...(matchers ? { matchers: matcherSpecs(matchers) } : {}) };
}

function targetView(target: Listed, totals: TargetTotals = EMPTY_TOTALS, guards: TargetGuards): Record<string, unknown> {
  const key = targetKey(target);
  return {
    name: target.name,
    namespace: target.namespace ?? null,
    key,
    source: target.source,
    type: target.type,
    format: target.type,
    url: target.url,
    enabled: target.enabled,
    ready: target.readiness.ready,
    ready_reason: target.readiness.reason,
    ready_message: target.readiness.message,
    health_status: target.readiness.ready ? guards.health(key) : 'unknown',
    circuit_state: guards.circuit(key),
    total_publishes: totals.succeeded + totals.failed + totals.dead,
    successful_publishes: totals.succeeded,
    failed_publishes: totals.failed + totals.dead,
    dead_lettered: totals.dead,
    pending: totals.pending,
    last_successful_publish: totals.lastSuccess,
    filter: filterView(target.filter),
  };
}

async function targetViews(deps: PublishingRouteDeps): Promise<Record<string, unknown>[]> {
  const totals = new Map((await deps.outbox.totals()).map((t) => [t.target, t]));
  const listed: Listed[] = [
    ...deps.catalog.list().map((t) => ({ ...t, url: maskUrl(t.url?.reveal()), readiness: readinessOf(t, deps.catalog) })),
    ...(deps.catalog.unresolved?.() ?? []).map((t) => ({ ...t, url: '' })),
  ];
  return listed.map((t) => targetView(t, totals.get(targetKey(t)), deps.guards));
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
  return jsonRoute(async () => {
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

/** Every target the catalog knows: resolved ones and definitions that did not resolve. */
function knownTargets(catalog: TargetCatalog): TargetIdentity[] {
  return [...catalog.list(), ...(catalog.unresolved?.() ?? [])];
}

/** The key `ref` names, if any; a bare name two namespaces hold is a 409 naming both keys. */
function resolveKey(catalog: TargetCatalog, ref: string): string | undefined {
  const resolved = resolveTargetRef(knownTargets(catalog), ref);
  if ('ambiguous' in resolved) {
    const message = `target name ${ref} is ambiguous: ${resolved.ambiguous.join(', ')} hold it; name one by its key namespace/name (URL-encoded: namespace%2Fname)`;
    throw new AppError('CONFLICT', message, { details: { target: ref, candidates: resolved.ambiguous } });
  }
  return 'found' in resolved ? resolved.found : undefined;
}

/**
 * The `target` values a deliveries filter matches: the key `ref` resolves to (with the bare name
 * when it was given, which rows recorded before keys had namespaces hold), else `ref` itself (the
 * history of a target since removed).
 */
function deliveryTargets(catalog: TargetCatalog, ref: string | undefined): string[] | undefined {
  if (ref === undefined) return undefined;
  const key = resolveKey(catalog, ref) ?? ref;
  return key === ref ? [ref] : [key, ref];
}

async function testSendHandler(deps: PublishingRouteDeps, ref: string): Promise<Record<string, unknown>> {
  const key = resolveKey(deps.catalog, ref);
  const target = key === undefined ? undefined : deps.catalog.get(key);
  if (!target)
    throw new AppError(
      'NOT_FOUND',
      key === undefined ? `no publishing target named ${ref.slice(0, 128)}` : `publishing target ${key} did not resolve; its Ready condition says why`,
    );
  const r = await deps.testSend(target);
  return {
    target_name: target.name,
    target_namespace: target.namespace ?? null,
    target_key: key,
    success: r.success,
    status_code: r.statusCode,
    response_time_ms: r.responseTimeMs,
    error_message: r.error,
    test_timestamp: new Date().toISOString(),
  };
}

const ID = z.coerce.number({ error: 'must be a delivery id' }).int('must be a delivery id').min(1, 'must be a delivery id');

/** Registers /publishing/*. */
export function registerPublishingRoutes(router: Router, table: RouteTable, deps: PublishingRouteDeps): void {
  const { guard } = deps;
  table.add(
    router,
    'get',
    '/publishing/targets',
    jsonRoute(() => targetViews(deps)),
  );
  table.add(router, 'post', '/publishing/targets/refresh', guard, refreshHandler(deps));
  table.add(router, 'get', '/publishing/mode', (_req, res) => {
    res.json(modeView(deps.catalog));
  });
  table.add(
    router,
    'get',
    '/publishing/stats',
    jsonRoute(() => stats(deps)),
  );
  table.add(
    router,
    'post',
    '/publishing/test/:target',
    guard,
    jsonRoute((req) => testSendHandler(deps, String(req.params.target))),
  );
  table.add(
    router,
    'get',
    '/publishing/deliveries',
    jsonRoute(async (req) => {
      const q = parseQuery(deliveriesQuery, req);
      const page = toPage(q);
      const { items, total } = await deps.outbox.list({ targets: deliveryTargets(deps.catalog, q.target), state: q.state, fingerprint: q.fingerprint }, page);
      return { deliveries: items.map(deliveryView), ...pageInfo(page, items.length, total) };
    }),
  );
  table.add(
    router,
    'post',
    '/publishing/deliveries/:id/retry',
    guard,
    jsonRoute(async (req) => {
      const parsed = ID.safeParse(req.params.id);
      if (!parsed.success)
        throw new AppError('VALIDATION_ERROR', `id: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
          details: { fields: [{ path: 'id', message: 'must be a delivery id' }] },
        });
      const result = await deps.outbox.retry(parsed.data);
      if (result === 'not_found') throw new AppError('NOT_FOUND', `no delivery ${parsed.data}`);
      if (result === 'not_dead') throw new AppError('CONFLICT', `delivery ${parsed.data} is not dead-lettered; only dead letters can be retried`);
      return { id: parsed.data, state: 'pending', message: 'Delivery re-queued' };
    }),
  );
}
