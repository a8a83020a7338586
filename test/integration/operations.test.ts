// Health, readiness, metrics, request ids, the error envelope for unknown routes and methods,
// API-token auth, the OpenAPI document, graceful shutdown and retention, on both stores.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope, HealthzResponse, HistoryResponse, ReadyzResponse } from '../../src/api/contract.ts';
import { runRetention } from '../../src/pipeline/retention.ts';
import { createAlertStore } from '../../src/store/alert-store.ts';
import { backends } from '../helpers/backends.ts';
import { fixture } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const TOKEN = 'api-token-abcdefghijklmnop';

describe.each(backends())('operations on $name', (backend) => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService(await backend.fresh(), { API_TOKENS: TOKEN, API_PROTECT_READS: 'true' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('answers liveness and readiness', async () => {
    const live = HealthzResponse.parse(await (await svc.get('/healthz')).json());
    expect(live.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const path of ['/readyz', '/health']) {
      const res = await svc.get(path);
      expect(res.status).toBe(200);
      const ready = ReadyzResponse.parse(await res.json());
      expect(ready.status).toBe('ready');
      expect(ready.checks.database?.ok).toBe(true);
    }
  });

  it('echoes a sane X-Request-ID and makes one otherwise', async () => {
    const echoed = await svc.get('/healthz', { 'x-request-id': 'abc-123' });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await svc.get('/healthz', { 'x-request-id': 'bad id with spaces' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with 404 and wrong methods with 405 + Allow, in the envelope', async () => {
    const missing = await svc.get('/no/such/route', { 'x-request-id': 'req-404' });
    expect(missing.status).toBe(404);
    expect(ErrorEnvelope.parse(await missing.json())).toMatchObject({ code: 'NOT_FOUND', request_id: 'req-404' });
    const wrong = await fetch(`${svc.url}/webhook`, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(ErrorEnvelope.parse(await wrong.json()).code).toBe('METHOD_NOT_ALLOWED');
    const param = await fetch(`${svc.url}/history/abc`, { method: 'DELETE' });
    expect(param.status).toBe(405);
  });

  it('requires the API token on protected reads, compared exactly', async () => {
    const none = await svc.get('/history');
    expect(none.status).toBe(401);
    expect(ErrorEnvelope.parse(await none.json()).code).toBe('AUTHENTICATION_ERROR');
    expect((await svc.get('/history', { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    const ok = await svc.get('/history', { authorization: `Bearer ${TOKEN}` });
    HistoryResponse.parse(await ok.json());
    expect((await svc.get('/healthz')).status).toBe(200);
    expect((await svc.post('/webhook', fixture('am-v4-firing.json'))).status).toBe(200);
  });

  it('exports legacy, HTTP and process metrics with route templates as labels', async () => {
    await svc.get('/history/0123456789abcdef', { authorization: `Bearer ${TOKEN}` });
    const text = await (await svc.get('/metrics?ignored=1')).text();
    for (const name of [
      'alert_history_webhook_events_total',
      'alert_history_webhook_errors_total',
      'alert_history_request_latency_seconds_bucket',
      'alert_history_history_queries_total',
      'alert_history_report_queries_total',
      'alert_history_db_alerts 2',
      'alert_history_http_requests_total',
      'alert_history_http_request_duration_seconds_bucket',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain('route="/history/:fingerprint"');
    expect(text).not.toContain('0123456789abcdef');
    expect(text).toContain('route="unmatched"');
  });

  it('never logs the API token', () => {
    expect(svc.logs.join('')).not.toContain(TOKEN);
  });
});

describe('OpenAPI document', () => {
  it('lists exactly the routes the app serves, with the same methods', async () => {
    const svc = await startTestService(await backends().at(-1)!.fresh());
    const doc = (await (await svc.get('/api/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = svc.routes;
    await svc.stop();
    expect(doc.openapi).toBe('3.1.0');
    const served = routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`).sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
      .sort();
    expect(documented).toEqual(served);
  });
});

describe.each(backends())('graceful shutdown and retention on $name', (backend) => {
  it('finishes an in-flight webhook before stopping, then refuses connections', async () => {
    const svc = await startTestService(await backend.fresh());
    const body = fixture('am-v4-firing.json');
    const { port } = new URL(svc.url);
    let stopped: Promise<void> = Promise.resolve();
    const response = new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/webhook', headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 100), () => {
        stopped = svc.stop();
        req.end(body.subarray(100));
      });
    });
    expect(await response).toBe(200);
    await stopped;
    await expect(fetch(`${svc.url}/healthz`)).rejects.toThrow();
  });

  it('deletes old events, resolved alerts and classifications in batches, keeping what still fires', async () => {
    const db = await backend.fresh();
    const store = createAlertStore(db);
    await db.query(
      `INSERT INTO alert_events (fingerprint, status, starts_at, labels, annotations, received_at)
       SELECT 'old' || g, 'firing', now() - interval '40 days', '{}', '{}', now() - interval '40 days' FROM generate_series(1, 25) g`,
    );
    await db.query(`INSERT INTO alert_events (fingerprint, status, starts_at, labels, annotations) VALUES ('fresh', 'firing', now(), '{}', '{}')`);
    await db.query(
      `INSERT INTO alerts (fingerprint, status, labels, annotations, starts_at, last_change) VALUES
         ('old-resolved', 'resolved', '{}', '{}', now() - interval '40 days', now() - interval '40 days'),
         ('old-firing', 'firing', '{}', '{}', now() - interval '40 days', now() - interval '40 days')`,
    );
    await db.query(
      `INSERT INTO classifications (fingerprint, severity, confidence, category, reasoning, recommendations, source, model, prompt_version, latency_ms, created_at)
       VALUES ('old1', 'info', 0.5, 'other', 'r', '[]', 'rules', 'rules', 'rules-v1', 0, now() - interval '40 days')`,
    );
    const run = await runRetention({
      store,
      exclusive: (fn) => db.tryWithLock(1, () => fn()),
      days: 30,
      batchSize: 10,
      intervalMs: 60_000,
      clock: { now: () => Date.now() },
      log: { info: () => undefined, warn: () => undefined },
    });
    expect(run).toEqual({ result: 'ok', deleted: 27 });
    const rows = await db.query<{ fingerprint: string }>('SELECT fingerprint FROM alert_events');
    expect(rows).toEqual([{ fingerprint: 'fresh' }]);
    expect(await db.query('SELECT fingerprint FROM alerts')).toEqual([{ fingerprint: 'old-firing' }]);
    expect(await db.query('SELECT fingerprint FROM classifications')).toEqual([]);
    await db.close();
  });
});
