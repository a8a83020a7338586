// Composition root: load config, build logger and metrics, open and migrate the store, wire the
// ports, start HTTP and retention, and stop it all in order. The only file that imports everything.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './api/app.ts';
import type { Config } from './config/schema.ts';
import { type Clock, systemClock } from './core/ports.ts';
import { createWebhookParser } from './ingest/webhook.ts';
import { createMetrics } from './observability/metrics.ts';
import { startRetention } from './pipeline/retention.ts';
import { createAlertStore } from './store/alert-store.ts';
import { type Db, LOCKS } from './store/db.ts';
import { migrateWithRetry, openDatabase } from './store/open.ts';
import { VERSION } from './version.ts';

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

/** Starts the whole service and resolves once it listens. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const db = options.db ?? (await openDatabase(config, logger));
  await migrateWithRetry(db, logger);
  const store = createAlertStore(db, { exactCountLimit: config.history.exactCountLimit });
  const metrics = createMetrics(() => store.countAlerts());
  let accepting = true;
  const { app } = createApp({
    store,
    parse: createWebhookParser(config.webhook),
    metrics,
    logger,
    version: VERSION,
    checks: [{ name: 'database', check: () => db.ping() }],
    accepting: () => accepting,
    startedAt,
    http: {
      maxBodyBytes: config.webhook.maxBodyBytes,
      webhookCredentials: config.webhook.auth,
      requestLogging: config.log.requests,
    },
    auth: config.auth,
  });
  const server = createServer(app);
  server.requestTimeout = config.server.requestTimeoutMs;
  server.headersTimeout = config.server.headersTimeoutMs;
  server.keepAliveTimeout = config.server.keepAliveTimeoutMs;
  const address = await listen(server, config);
  const retention = startRetention({
    store,
    exclusive: (fn) => db.tryWithLock(LOCKS.retention, () => fn()),
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
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  logger.info({ url, driver: db.kind, version: VERSION, startup_ms: clock.now() - startedAt }, 'alert-history ready');
  return {
    url,
    port: address.port,
    db,
    server,
    async stop() {
      accepting = false;
      await closeServer(server, config.server.shutdownTimeoutMs);
      await retention.stop();
      await db.close();
    },
  };
}
