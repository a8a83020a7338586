// Liveness (/healthz), readiness (/readyz and its legacy alias /health) and /metrics.
import type { RequestHandler, Router } from 'express';
import type { Registry } from 'prom-client';
import { AppError } from '../../core/errors.ts';
import type { HealthCheck } from '../../core/ports.ts';
import { sendError } from '../middleware/errors.ts';
import { runChecks } from '../../http/checks.ts';
import type { RouteTable } from '../../http/route-table.ts';

/** Dependencies of the health routes. */
export interface HealthRouteDeps {
  version: string;
  checks: readonly HealthCheck[];
  registry: Registry;
  startedAt: number;
  /** How long one readiness check may take. */
  checkTimeoutMs: number;
  /** False while shutting down: readiness fails so load balancers stop sending. */
  accepting: () => boolean;
}

function readiness(deps: HealthRouteDeps): RequestHandler {
  return (_req, res, next) => {
    runChecks(deps.checks, deps.checkTimeoutMs)
      .then((checks) => {
        const uptime_seconds = Math.round((Date.now() - deps.startedAt) / 1000);
        const failing = Object.entries(checks)
          .filter(([, r]) => !r.ok)
          .map(([name]) => name);
        if (!deps.accepting()) failing.push('shutdown');
        if (failing.length === 0) {
          res.json({ status: 'ready', checks, uptime_seconds });
          return;
        }
        const error = new AppError('SERVICE_UNAVAILABLE', `not ready: ${failing.join(', ')}`);
        sendError(res, error, { status: 'not_ready', checks, uptime_seconds });
      })
      .catch(next);
  };
}

/** Registers the health and metrics routes. */
export function registerHealthRoutes(router: Router, table: RouteTable, deps: HealthRouteDeps): void {
  table.add(router, 'get', '/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'alert-history', version: deps.version, timestamp: new Date().toISOString() });
  });
  table.add(router, 'get', '/readyz', readiness(deps));
  table.add(router, 'get', '/health', readiness(deps));
  table.add(router, 'get', '/metrics', (_req, res, next) => {
    deps.registry
      .metrics()
      .then((text) => res.type(deps.registry.contentType).send(text))
      .catch(next);
  });
}
