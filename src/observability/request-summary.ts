// The access log's `summary` mode: instead of a line per request, one line per interval with each
// route's count, status classes and latency percentiles (from a log-scale histogram: each bucket
// is 2^(1/8), about 9 %, wide, so a percentile is within 9 % of the true one). A window is written
// by the first request after it ends, or by a timer (unref'd, armed only while a window holds
// requests) when traffic stops; `flush()` writes the open window at shutdown.
import type { Logger } from 'pino';

/** Buckets per doubling of the latency. */
const STEPS_PER_DOUBLING = 8;

interface RouteStats {
  method: string;
  route: string;
  count: number;
  statuses: Record<string, number>;
  /** Bucket index -> requests; index 0 holds everything up to 1 us. */
  buckets: Map<number, number>;
  maxMs: number;
}

/** One route's line in a summary. */
export interface RouteSummary {
  method: string;
  route: string;
  count: number;
  /** Requests per status class: `2xx`, `4xx`, ... */
  statuses: Record<string, number>;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Options of {@link createRequestSummary}. */
export interface RequestSummaryOptions {
  logger: Logger;
  intervalMs: number;
  /** Milliseconds since some origin; default performance.now. */
  now?: () => number;
}

/** Counts requests and writes one summary line per interval. */
export interface RequestSummary {
  record(method: string, route: string, status: number, ms: number): void;
  /** Writes the open window now (shutdown); nothing when it holds no request. */
  flush(): void;
}

function bucketOf(ms: number): number {
  return ms <= 0.001 ? 0 : Math.max(0, Math.ceil(Math.log2(ms * 1000) * STEPS_PER_DOUBLING));
}

/** The upper bound of a bucket in milliseconds, rounded to 0.01. */
function upperMs(bucket: number): number {
  return Math.round(2 ** (bucket / STEPS_PER_DOUBLING) / 10) / 100;
}

function percentile(stats: RouteStats, q: number): number {
  const rank = Math.ceil(q * stats.count);
  let seen = 0;
  for (const bucket of [...stats.buckets.keys()].sort((a, b) => a - b)) {
    seen += stats.buckets.get(bucket) ?? 0;
    if (seen >= rank) return Math.min(upperMs(bucket), stats.maxMs);
  }
  return stats.maxMs;
}

/** Summarises one route's window. */
export function summarise(stats: RouteStats): RouteSummary {
  return {
    method: stats.method,
    route: stats.route,
    count: stats.count,
    statuses: stats.statuses,
    p50_ms: percentile(stats, 0.5),
    p99_ms: percentile(stats, 0.99),
    max_ms: Math.round(stats.maxMs * 100) / 100,
  };
}

/** Creates the summary; the interval starts at the first request. */
export function createRequestSummary({ logger, intervalMs, now = () => performance.now() }: RequestSummaryOptions): RequestSummary {
  let routes = new Map<string, RouteStats>();
  let windowStart = 0;
  let timer: NodeJS.Timeout | undefined;

  const write = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (routes.size === 0) return;
    const lines = [...routes.values()].sort((a, b) => b.count - a.count).map(summarise);
    const seconds = Math.round((now() - windowStart) / 100) / 10;
    routes = new Map();
    logger.info({ window_s: seconds, requests: lines.reduce((n, r) => n + r.count, 0), routes: lines }, 'requests summary');
  };

  return {
    record(method, route, status, ms) {
      const at = now();
      if (routes.size > 0 && at - windowStart >= intervalMs) write();
      if (routes.size === 0) {
        windowStart = at;
        timer = setTimeout(write, intervalMs);
        timer.unref();
      }
      const key = `${method} ${route}`;
      let stats = routes.get(key);
      if (!stats) {
        stats = { method, route, count: 0, statuses: {}, buckets: new Map(), maxMs: 0 };
        routes.set(key, stats);
      }
      stats.count += 1;
      const statusClass = `${Math.floor(status / 100)}xx`;
      stats.statuses[statusClass] = (stats.statuses[statusClass] ?? 0) + 1;
      const bucket = bucketOf(ms);
      stats.buckets.set(bucket, (stats.buckets.get(bucket) ?? 0) + 1);
      if (ms > stats.maxMs) stats.maxMs = ms;
    },
    flush: write,
  };
}

/** The summary the access log needs: one with `requests: summary`, else none. */
export function requestSummaryFor(log: { requests: string; summaryIntervalSeconds: number }, logger: Logger): RequestSummary | undefined {
  return log.requests === 'summary' ? createRequestSummary({ logger, intervalMs: log.summaryIntervalSeconds * 1000 }) : undefined;
}
