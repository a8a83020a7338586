// Issue 4 rows of `make bench`: deliveries per second through the outbox to a fast local receiver
// (a bare node:http server answering 200 at once), and webhook-to-delivered latency at a steady,
// realistic rate. Each alert carries its send time in an annotation; the receiver reads it back
// from the Alertmanager v4 body the webhook publisher sends.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService } from './processes.ts';
import type { Row } from './report.ts';

const BASE = Date.UTC(2026, 10, 2);

interface Receiver {
  url: string;
  latencies: number[];
  received: () => number;
  /** Resolves when `n` deliveries arrived; the time of the last one. */
  until(n: number): Promise<number>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const latencies: number[] = [];
  let count = 0;
  let waiter: { n: number; resolve: (at: number) => void } | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { alerts: { annotations: { sent_at_ms?: string } }[] };
      const sent = Number(body.alerts[0]?.annotations.sent_at_ms);
      if (sent) latencies.push(Date.now() - sent);
      count++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (waiter && count >= waiter.n) waiter.resolve(performance.now());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    latencies,
    received: () => count,
    until: (n) => new Promise((resolve) => (count >= n ? resolve(performance.now()) : (waiter = { n, resolve }))),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function body(first: number, size: number, stamp: boolean): string {
  const alerts = Array.from({ length: size }, (_, i) => ({
    status: 'firing',
    labels: { alertname: `PublishBench${(first + i) % 50}`, namespace: 'bench', severity: 'critical', instance: `pub-${first + i}` },
    annotations: { summary: 'publish bench', ...(stamp ? { sent_at_ms: String(Date.now()) } : {}) },
    startsAt: new Date(BASE + (first + i) * 1000).toISOString(),
  }));
  return JSON.stringify({ version: '4', status: 'firing', alerts });
}

async function post(url: string, text: string): Promise<void> {
  const res = await fetch(`${url}/webhook/proxy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`/webhook/proxy answered ${res.status}`);
}

const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Measures the publishing rows against a fresh database URL. */
export async function publishRows(url: string, log: (msg: string) => void): Promise<Row[]> {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'ah-bench-pub-'));
  writeFileSync(
    join(dir, 'config.yaml'),
    `publishing:\n  targets:\n    - { name: sink, type: webhook, url: "${receiver.url}", delivery: { ratePerMinute: 1000000 } }\n`,
  );
  const svc = await startService({
    DATABASE_URL: url,
    SERVER_PORT: '0',
    RETENTION_DAYS: '3650',
    ENRICHMENT_MODE: 'transparent',
    CONFIG_FILE: join(dir, 'config.yaml'),
    PROXY_RESPONSE_WAIT_MS: '0',
  });
  const rows: Row[] = [];
  try {
    const total = 20_000;
    log(`publishing: ${total} alerts through the outbox to a local receiver`);
    const started = performance.now();
    const sending = (async () => {
      for (let i = 0; i < total; i += 100) await post(svc.url, body(i, 100, false));
    })();
    const lastAt = await receiver.until(total);
    await sending;
    const rate = Math.round(total / ((lastAt - started) / 1000));
    rows.push({
      what: `deliveries/s to a fast local receiver (${total.toLocaleString('en')} alerts in batches of 100, webhook target, concurrency 16)`,
      budget: '-',
      value: `${rate} deliveries/s`,
      ok: true,
    });

    log('publishing: webhook-to-delivered latency at 50 alerts/s for 10 s');
    receiver.latencies.length = 0;
    const before = receiver.received();
    const n = 500;
    for (let i = 0; i < n; i++) {
      const tick = performance.now();
      await post(svc.url, body(100_000 + i, 1, true));
      const wait = 20 - (performance.now() - tick);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await receiver.until(before + n);
    const sorted = [...receiver.latencies].sort((a, b) => a - b);
    rows.push({
      what: 'webhook-to-delivered latency at 50 alerts/s (POST /webhook/proxy sent -> receiver got it)',
      budget: '-',
      value: `p50 ${percentile(sorted, 0.5)} ms, p99 ${percentile(sorted, 0.99)} ms (${sorted.length} deliveries)`,
      ok: sorted.length === n,
    });
  } finally {
    await svc.stop();
    await receiver.close();
  }
  return rows;
}
