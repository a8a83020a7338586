// Load generation: autocannon from this process against a child service, plus sequential
// latency sampling for percentiles autocannon does not report (p95).
import autocannon from 'autocannon';

/** What one load run measured. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  requests: number;
}

/** Options of {@link fire}. */
export interface FireOptions {
  url: string;
  path: string;
  bodies: () => string;
  connections: number;
  seconds: number;
  /** Fixed total rate (req/s) instead of as fast as possible. */
  rate?: number;
}

/** POSTs bodies from `bodies()` for `seconds` and reports rate and latency. */
export async function fire(options: FireOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: options.bodies() }),
      },
    ],
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    requests: result.requests.total,
  };
}

/** Sequential GETs over `paths` (round robin) `n` times; latency percentiles in ms. */
export async function sampleGets(base: string, paths: readonly string[], n: number): Promise<{ p50: number; p95: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await fetch(`${base}${paths[i % paths.length]}`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${paths[i % paths.length]} answered ${res.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), max: at(1) };
}
