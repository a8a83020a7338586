// Issue 10 rows of `make bench` (defect 1): webhook latency and the service's RSS with 500 live
// stream subscribers that connect and never read, against the same runs without them. The big
// body is the attack's: 500 alerts with 5,000-character label values (about 2.6 MB), posted one
// after another: 20 with 500 never-reading subscribers connected (topped up before each post),
// between 10 without before and 10 without after (so the table's growth weighs on both alike); the
// small one is 1 alert per request at a fixed 200 req/s. Run alone with `node test/bench/live-bench.ts` (after `make build`; PostgreSQL on
// this host): prints the rows.
import { connect, type Socket } from 'node:net';
import { fire } from './load.ts';
import { webhookBody } from './payloads.ts';
import { rssMb, startService, withPeakRss } from './processes.ts';
import type { Row } from './report.ts';
import { runPartAlone } from './standalone.ts';

const SUBSCRIBERS = 500;
const BIG_POSTS = 20;
const STREAM = '/api/v2/events/stream';

/** The attack's body: 500 new alerts whose `payload` label is 5,000 characters. */
function bigBody(round: number): string {
  const value = 'v'.repeat(5_000);
  return JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: Array.from({ length: 500 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: 'LiveBench', namespace: 'bench', instance: `r${round}-${i}`, payload: value },
      annotations: {},
      startsAt: new Date(Date.UTC(2026, 10, 3) + round * 1000 + i).toISOString(),
    })),
  });
}

function percentile(sorted: number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}

interface Latencies {
  times: number[];
  failed: number;
}

/** Posts one big body; its latency in ms. */
async function postBig(url: string, round: number, into: Latencies): Promise<void> {
  const body = bigBody(round);
  const started = performance.now();
  const res = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  into.times.push(performance.now() - started);
  if (res.status !== 200) into.failed++;
}

function summary(l: Latencies): { p50: number; max: number; failed: number } {
  const sorted = [...l.times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), max: Math.round(sorted.at(-1) ?? 0), failed: l.failed };
}

/** Opens a stream, sends nothing more and never reads. */
function stalled(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(`GET ${STREAM} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Tops the open subscribers up to SUBSCRIBERS (the service drops some) until the service counts them all. */
async function openSubscribers(url: string, sockets: Socket[] = []): Promise<Socket[]> {
  for (;;) {
    const open = await metric(url, 'alert_history_live_stream_subscribers');
    if (open >= SUBSCRIBERS) return sockets;
    for (let i = open; i < SUBSCRIBERS; i++) sockets.push((await stalled(url)).on('error', () => undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function counter(start: number): () => number {
  let n = start;
  return () => n++;
}

/** Measures the slow-subscriber rows against a fresh database URL. */
export async function liveRows(url: string, seconds: number, log: (msg: string) => void): Promise<Row[]> {
  // The cap is raised so all 500 subscribers are admitted (the default 256 answers the rest 503).
  const svc = await startService({ DATABASE_URL: url, SERVER_PORT: '0', RETENTION_DAYS: '3650', LIVE_MAX_SUBSCRIBERS: String(SUBSCRIBERS + 10) });
  const pid = svc.process.pid!;
  await postBig(svc.url, 0, { times: [], failed: 0 });
  const seq = counter(80_000_000);
  const small = () => webhookBody(seq(), 1);
  log('live: 1 alert per request at 200 req/s without subscribers');
  const smallWithout = await fire({ url: svc.url, path: '/webhook', bodies: small, connections: 10, seconds, rate: 200 });

  log(`live: 2.6 MB webhooks: ${BIG_POSTS / 2} without, ${BIG_POSTS} with ${SUBSCRIBERS} never-reading subscribers, ${BIG_POSTS / 2} without`);
  const without: Latencies = { times: [], failed: 0 };
  const withSubs: Latencies = { times: [], failed: 0 };
  let round = 1;
  const before = await withPeakRss(pid, async () => {
    for (let i = 0; i < BIG_POSTS / 2; i++) await postBig(svc.url, round++, without);
  });
  const rssBefore = rssMb(pid);
  const sockets: Socket[] = [];
  await openSubscribers(svc.url, sockets);
  const rssOpen = rssMb(pid);
  const big = await withPeakRss(pid, async () => {
    // Before each post the pool is topped up to 500: the service drops those that fell behind.
    for (let i = 0; i < BIG_POSTS; i++) {
      await openSubscribers(svc.url, sockets);
      await postBig(svc.url, round++, withSubs);
    }
  });
  sockets.forEach((s) => s.destroy());
  for (let i = 0; i < BIG_POSTS / 2; i++) await postBig(svc.url, round++, without);
  const droppedBig = await metric(svc.url, 'alert_history_live_stream_dropped_total{reason="slow"}');

  log(`live: ${SUBSCRIBERS} fresh never-reading subscribers, 1 alert per request at 200 req/s`);
  const second = await openSubscribers(svc.url);
  const smallWith = await withPeakRss(pid, () => fire({ url: svc.url, path: '/webhook', bodies: small, connections: 10, seconds, rate: 200 }));
  const dropped = await metric(svc.url, 'alert_history_live_stream_dropped_total{reason="slow"}');
  second.forEach((s) => s.destroy());
  const alive = (await fetch(`${svc.url}/healthz`)).ok;
  const rssAfter = rssMb(pid);
  await svc.stop();

  const peak = Math.max(big.peakMb, smallWith.peakMb);
  const w = summary(withSubs);
  const wo = summary(without);
  return [
    {
      what: `\`/webhook\` 2.6 MB (500 alerts, 5,000-char labels), ${BIG_POSTS} in a row with ${SUBSCRIBERS} never-reading stream subscribers connected`,
      budget: 'latency unaffected, process up',
      value: `p50 ${w.p50} ms, max ${w.max} ms (${BIG_POSTS} without, around them: p50 ${wo.p50} ms, max ${wo.max} ms); ${droppedBig} subscribers dropped`,
      ok: w.failed === 0 && wo.failed === 0 && alive && w.p50 <= wo.p50 * 1.5 + 20,
    },
    {
      what: `\`/webhook\` 1 alert per request at 200 req/s with ${SUBSCRIBERS} never-reading stream subscribers`,
      budget: 'latency unaffected',
      value: `p50 ${smallWith.result.p50} ms, p99 ${smallWith.result.p99} ms (without: p50 ${smallWithout.p50} ms, p99 ${smallWithout.p99} ms); ${dropped - droppedBig}/${SUBSCRIBERS} dropped`,
      ok: smallWith.result.non2xx === 0 && smallWith.result.p99 <= smallWithout.p99 * 1.5 + 20,
    },
    {
      what: `RSS with ${SUBSCRIBERS} never-reading stream subscribers under those webhooks`,
      budget: 'flat (<= 256 MB)',
      value: `peak ${peak} MB with them (${before.peakMb} MB peak under the same webhooks without); ${rssBefore} MB before they connect, ${rssOpen} MB once connected, ${rssAfter} MB after`,
      ok: peak <= 256,
    },
  ];
}

if (import.meta.main) runPartAlone('live', (url, log) => liveRows(url, Number(process.env.BENCH_SECONDS ?? 10), log));
