// Composition root: load config, build logger and metrics, open and migrate the store, wire the
// ports, start HTTP and retention, and stop it all in order. The only file that imports everything.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './api/app.ts';
import type { Config } from './config/schema.ts';
import { type Clock, systemClock } from './core/ports.ts';
import { createWebhookParser } from './ingest/webhook.ts';
import { createRecorderParser } from './ingest/recorder.ts';
import { createRecorderEventStore } from './store/recorder-events.ts';
import { createMetrics } from './observability/metrics.ts';
import { startRetention } from './pipeline/retention.ts';
import { retireRollups, startRollups } from './store/rollup.ts';
import { createAlertStore } from './store/alert-store.ts';
import { type Db, LOCKS } from './store/db.ts';
import { migrateWithRetry, openDatabase } from './store/open.ts';
import { VERSION } from './version.ts';
import type { Redis } from 'ioredis';
import type { Metrics } from './observability/metrics.ts';
import type { HealthCheck } from './core/ports.ts';
import type { PolicyCatalog, PolicyMatchStore } from './core/enrichment.ts';
import { configPolicies } from './classify/config-policies.ts';
import { createProxy } from './pipeline/orchestrator.ts';
import { createRowRouter } from './pipeline/routing.ts';
import { createDeliveryOutcomes } from './pipeline/delivery-outcomes.ts';
import { buildCatalog, startPublishing } from './compose/publishing.ts';
import { createDeliveryTotals, type DeliveryTotals } from './compose/delivery-totals.ts';
import { operatorHealthCheck, operatorWanted } from './compose/operator-mode.ts';
import type { Operator } from './operator/controller.ts';
import type { TargetCatalog } from './core/publishing.ts';
import { createTestSender } from './compose/test-send.ts';
import { buildLive } from './live/wiring.ts';
import { createDashboardStore } from './store/dashboard.ts';
import { outbound } from './outbound/client.ts';
import { createPolicyMatchStore } from './store/policy-matches.ts';
import { buildClassification } from './compose/classification.ts';
import { openRedis, pingRedis, waitForRedis } from './store/redis.ts';
import { asError } from './core/startup-error.ts';
import { buildSilences } from './compose/silences.ts';
import { requestSummaryFor } from './observability/request-summary.ts';
import { createReplayer } from './compose/replay.ts';
import { createReplaySource } from './store/replay-scan.ts';

/** Options of {@link startService}. */
export interface ServiceOptions {
  config: Config;
  logger: Logger;
  /** An already open database (tests); otherwise opened from the configuration. */
  db?: Db;
  clock?: Clock;
}

/** A running service. */
export interface Service {
  url: string;
  port: number;
  db: Db;
  server: Server;
  /** Every route the app serves (method, Express path). */
  routes: readonly { method: string; path: string }[];
  /** Stops accepting, drains in-flight requests (bounded), stops retention, closes the store. */
  stop(): Promise<void>;
}

function listen(server: Server, config: Config): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Stops accepting and waits for in-flight requests (at most `timeoutMs`). Keep-alive connections
 * are closed as soon as they fall idle, so a client holding one does not delay the exit.
 */
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    const reap = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearTimeout(force);
      clearInterval(reap);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** The optional Redis connection, waited for briefly so the first reads see shared state. */
async function connectRedis(config: Config, logger: Logger): Promise<Redis | undefined> {
  if (!config.redis.url) return undefined;
  const redis = openRedis(config.redis.url, logger);
  if (!(await waitForRedis(redis, 3_000))) logger.warn('redis not reachable at start: continuing degraded');
  return redis;
}

function healthChecks(db: Db, redis: Redis | undefined, operator: Operator | undefined): HealthCheck[] {
  const checks: HealthCheck[] = [{ name: 'database', check: () => db.ping() }];
  if (redis) checks.push({ name: 'redis', check: () => pingRedis(redis) });
  if (operator) checks.push(operatorHealthCheck(operator));
  return checks;
}

/**
 * Where targets and policies come from: the operator's catalogs (custom resources, Secrets and
 * config) when it runs, else config.yaml. Publishing starts after the operator (it needs the
 * catalog), so the operator reads delivery totals through a port publishing fills.
 */
async function catalogs(
  config: Config,
  parts: { wantOperator: boolean; staticCatalog: TargetCatalog; metrics: Metrics; logger: Logger; matches: PolicyMatchStore; totals: DeliveryTotals },
): Promise<{ operator: Operator | undefined; catalog: TargetCatalog; policies: PolicyCatalog }> {
  const fromConfig = configPolicies(config);
  if (!parts.wantOperator) return { operator: undefined, catalog: parts.staticCatalog, policies: fromConfig };
  // Loaded only in operator mode: the Kubernetes client is large (start-up time and memory).
  const { buildOperator } = await import('./compose/operator.ts');
  const operator = buildOperator(config, {
    metrics: parts.metrics,
    logger: parts.logger,
    bindings: {
      configTargets: parts.staticCatalog.list(),
      configPolicies: fromConfig.list(),
      totals: parts.totals.read,
      policyMatches: () => parts.matches.totals(),
    },
  });
  return { operator, catalog: operator.targets, policies: operator.policies };
}

/** Starts the whole service and resolves once it listens. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  if (config.auth.apiTokens.length === 0)
    logger.warn('no API token configured (auth.apiTokens, API_TOKENS): management routes and every read are open to anyone who can reach this port');
  const staticCatalog = buildCatalog(config);
  const wantOperator = operatorWanted(config);
  const db = options.db ?? (await openDatabase(config, logger));
  await migrateWithRetry(db, logger);
  const store = createAlertStore(db, {
    exactCountLimit: config.history.exactCountLimit,
    // metrics is created next (it reads the store); these run only once requests arrive.
    groupCommit: {
      ...config.webhook.groupCommit,
      onGroup: (g) => metrics.ingestGroupRequests.observe({ result: g.failed ? 'failed' : 'ok' }, g.items),
      onQueue: (n) => metrics.ingestGroupWaiting.set(n),
    },
  });
  const metrics = createMetrics(() => store.countAlerts());
  const redis = await connectRedis(config, logger);
  const liveParts = buildLive(redis, logger, { ...config.live, apiTokens: config.auth.apiTokens });
  const classification = buildClassification(config, { db, store, metrics, redis, onClassified: liveParts.onClassified });
  const initialMode = await classification.modes.get().catch(() => ({ mode: config.enrichment.mode ?? 'enriched', source: 'default' as const }));
  metrics.setModeSource(async () => (await classification.modes.get()).mode);
  logger.info({ llm: config.llm.apiUrl ? config.llm.model : 'off (rules only)', cache: redis ? 'redis' : 'memory', mode: initialMode }, 'classification ready');
  const matches = createPolicyMatchStore(db);
  const deliveryTotals = createDeliveryTotals();
  // The worker publishes each settled attempt here; the proxy answer subscribes.
  const deliveryOutcomes = createDeliveryOutcomes();
  const sources = await catalogs(config, { wantOperator, staticCatalog, metrics, logger, matches, totals: deliveryTotals });
  const { operator, catalog } = sources;
  const routingDeps = {
    policies: sources.policies,
    modes: classification.modes,
    classification: classification.service,
    globalFilter: config.filters,
    onBackgroundError: (err: unknown) => logger.warn({ err: { message: asError(err).message } }, 'background classification or routing failed'),
  };
  const publishing = startPublishing(config, {
    db,
    catalog,
    metrics,
    logger,
    clock,
    route: createRowRouter(routingDeps),
    onDelivery: liveParts.onDelivery,
    totals: deliveryTotals,
    outcomes: deliveryOutcomes,
  });
  operator?.targets.onChange(liveParts.onTargetsChanged);
  let accepting = true;
  const requestSummary = requestSummaryFor(config.log, logger);
  const { app, routes, streams } = createApp({
    store,
    parse: createWebhookParser(config.webhook),
    recorder: { parse: createRecorderParser(config.webhook), events: createRecorderEventStore(db) },
    metrics,
    logger,
    version: VERSION,
    checks: healthChecks(db, redis, operator),
    classification: classification.service,
    proxy: createProxy({
      ...routingDeps,
      matches,
      store,
      targets: catalog,
      outbox: publishing.outbox,
      worker: publishing.worker,
      outcomes: deliveryOutcomes,
      clock,
      budgetMs: config.classification.webhookBudgetMs,
      responseWaitMs: config.proxy.responseWaitMs,
      routingGraceMs: config.publishing.worker.routingGraceSeconds * 1000,
    }),
    publishing: {
      catalog,
      outbox: publishing.outbox,
      guards: publishing.worker.guards,
      testSend: createTestSender(config, publishing.worker.guards),
      onRefresh: (n) => logger.info({ targets: n }, 'publishing targets refreshed'),
    },
    replay: createReplayer({
      source: createReplaySource(db.reads),
      catalog,
      policies: sources.policies,
      modes: classification.modes,
      globalFilter: config.filters,
      readTimeoutMs: config.database.readTimeoutMs,
    }),
    silences: buildSilences(config, db, metrics.registry),
    dashboard: { store: createDashboardStore(db), totals: deliveryTotals.read, live: liveParts.live, llmEnabled: Boolean(config.llm.apiUrl) },
    stream: { limits: config.live, tickets: liveParts.tickets },
    onRecorded: liveParts.onRecorded,
    modes: classification.modes,
    onModeSwitch: (from, to) => {
      metrics.modeSwitches.inc({ from_mode: from, to_mode: to });
      logger.info({ from, to }, 'enrichment mode switched');
    },
    accepting: () => accepting,
    startedAt,
    http: {
      maxBodyBytes: config.webhook.maxBodyBytes,
      webhookCredentials: config.webhook.auth,
      requestLogging: config.log.requests,
      requestSummary,
    },
    auth: config.auth,
  });
  const server = createServer(
    {
      requestTimeout: config.server.requestTimeoutMs,
      headersTimeout: config.server.headersTimeoutMs,
      keepAliveTimeout: config.server.keepAliveTimeoutMs,
      // Node checks the two timeouts above only on this sweep (default every 30 s).
      connectionsCheckingInterval: config.server.timeoutCheckIntervalMs,
    },
    app,
  );
  const address = await listen(server, config);
  const retention = startRetention({
    store,
    exclusive: (fn) => db.tryWithLock(LOCKS.retention, () => fn()),
    beforeDelete: (cutoff) => retireRollups(db, cutoff),
    days: config.retention.days,
    batchSize: config.retention.batchSize,
    intervalMs: config.retention.intervalMinutes * 60_000,
    clock,
    log: logger,
    onRun: (run) => {
      metrics.retentionRuns.inc({ result: run.result });
      metrics.retentionDeleted.inc(run.deleted);
    },
  });
  // Every replica runs it; one at a time does the work (it locks the watermark row).
  const rollups = startRollups({ db, intervalMs: 60_000, log: logger });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  logger.info({ url, driver: db.kind, version: VERSION, startup_ms: clock.now() - startedAt }, 'alert-history ready');
  return {
    url,
    port: address.port,
    db,
    server,
    routes: routes.entries,
    async stop() {
      accepting = false;
      streams.closeAll();
      await closeServer(server, config.server.shutdownTimeoutMs);
      requestSummary?.flush();
      await publishing.worker.stop();
      await operator?.stop();
      await outbound.close();
      await retention.stop();
      await rollups.stop();
      liveParts.close();
      redis?.disconnect();
      await db.close();
    },
  };
}
