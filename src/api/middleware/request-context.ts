// Request id (echoed when the client sent a sane one), HTTP metrics labelled by route template,
// the legacy latency histogram, and the access log at the configured verbosity: a line per request
// (all), per 4xx/5xx (errors), those plus a per-route line per interval (summary), or none.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.ts';
import { isRecord } from '../../core/guards.ts';
import type { RequestSummary } from '../../observability/request-summary.ts';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Which requests get an access-log line. */
export type RequestLogging = 'all' | 'errors' | 'summary' | 'none';

function routeOf(req: Request): string {
  const route: unknown = req.route;
  return isRecord(route) && typeof route.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
}

/** Options of {@link requestContext}. */
export interface RequestContextOptions {
  metrics: Metrics;
  logger: Logger;
  logging: RequestLogging;
  /** Given with logging `summary`: every request is counted in it. */
  summary?: RequestSummary | undefined;
}

function shouldLog(logging: RequestLogging, status: number): boolean {
  return logging === 'all' || ((logging === 'errors' || logging === 'summary') && status >= 400);
}

/** First middleware of the app. */
export function requestContext({ metrics, logger, logging, summary }: RequestContextOptions): RequestHandler {
  return (req, res, next) => {
    const sent = req.get('x-request-id');
    const id = sent && SAFE_ID.test(sent) ? sent : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-ID', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      const status = res.statusCode;
      metrics.httpRequests.inc({ method: req.method, route, status_code: String(status) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      metrics.requestLatency.observe({ endpoint: route }, seconds);
      summary?.record(req.method, route, status, seconds * 1e3);
      if (shouldLog(logging, status)) {
        const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
        logger[level]({ request_id: id, method: req.method, route, path: req.path, status, duration_ms: Math.round(seconds * 1e4) / 10 }, 'request');
      }
    });
    next();
  };
}
