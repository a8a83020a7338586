// Issue 3 rows of `make bench`: /webhook/proxy in transparent mode, in enriched mode with cache
// hits, and the LLM path with a stub that answers in 300 ms (classification must not serialise
// requests: the rate should approach connections / 0.3 s).
import { startFakeLlm } from '../helpers/fake-llm.ts';
import { fire } from './load.ts';
import { repeatingAlertBody, webhookBody } from './payloads.ts';
import { startService } from './processes.ts';
import type { Row } from './report.ts';

const KEY = 'sk-bench-000000000000';
const MODEL = 'bench-model';

function counter(start: number): () => number {
  let n = start;
  return () => n++;
}

/** Measures the proxy rows against a fresh database URL. */
export async function proxyRows(url: string, seconds: number, log: (msg: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const fast = await startFakeLlm({ apiKey: KEY, model: MODEL });
  const base = { DATABASE_URL: url, SERVER_PORT: '0', RETENTION_DAYS: '3650', LLM_API_KEY: KEY, LLM_MODEL: MODEL };
  const transparent = await startService({ ...base, ENRICHMENT_MODE: 'transparent', LLM_API_URL: fast.url });
  log('/webhook/proxy, transparent mode');
  const t = await fire({
    url: transparent.url,
    path: '/webhook/proxy',
    bodies: (
      (n) => () =>
        webhookBody(n(), 1)
    )(counter(60_000_000)),
    connections: 50,
    seconds,
  });
  rows.push({
    what: '`/webhook/proxy`, transparent mode, 1 alert per request (information)',
    budget: '-',
    value: `${t.rps} req/s (p99 ${t.p99} ms)`,
    ok: t.non2xx === 0,
  });
  await transparent.stop();

  const enriched = await startService({ ...base, ENRICHMENT_MODE: 'enriched', LLM_API_URL: fast.url });
  const warm = counter(0);
  await fire({ url: enriched.url, path: '/webhook/proxy', bodies: () => repeatingAlertBody(warm(), 100), connections: 10, seconds: 1 });
  log('/webhook/proxy, enriched mode, cache hits');
  const e = await fire({
    url: enriched.url,
    path: '/webhook/proxy',
    bodies: (
      (n) => () =>
        repeatingAlertBody(n(), 100)
    )(counter(1_000_000)),
    connections: 50,
    seconds,
  });
  rows.push({
    what: '`/webhook/proxy`, enriched mode, classification cache hits (information)',
    budget: '-',
    value: `${e.rps} req/s (p99 ${e.p99} ms)`,
    ok: e.non2xx === 0,
  });
  await enriched.stop();
  await fast.close();

  const slow = await startFakeLlm({ apiKey: KEY, model: MODEL, delayMs: 300 });
  const llmPath = await startService({ ...base, ENRICHMENT_MODE: 'enriched', LLM_API_URL: slow.url });
  log('/webhook/proxy, enriched mode, every alert new, LLM stub answering in 300 ms');
  const l = await fire({
    url: llmPath.url,
    path: '/webhook/proxy',
    bodies: (
      (n) => () =>
        webhookBody(n(), 1)
    )(counter(70_000_000)),
    connections: 50,
    seconds,
  });
  const serial = 1000 / 300;
  rows.push({
    what: '`/webhook/proxy`, LLM path (stub 300 ms), 50 connections (information)',
    budget: 'concurrent, not serial (3.3 req/s)',
    value: `${l.rps} req/s (p50 ${l.p50} ms) = ${(l.rps / serial).toFixed(0)}x serial`,
    ok: l.rps > 10 * serial && l.non2xx === 0,
  });
  await llmPath.stop();
  await slow.close();
  return rows;
}
