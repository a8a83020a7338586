// The classification API and the enrichment mode through the running service, with the strict
// fake LLM, on PostgreSQL/PGlite, with and without Redis.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/pg.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { inject } from 'vitest';
import {
  ClassificationModelsResponse,
  ClassificationResponse,
  ClassificationStatsResponse,
  ClassifyResponse,
  BulkResponse,
  ErrorEnvelope,
  ModeResponse,
} from '../../src/api/contract.ts';
import { backends } from '../helpers/backends.ts';
import { type FakeLlm, startFakeLlm } from '../helpers/fake-llm.ts';
import { fixture } from '../helpers/fixtures.ts';
import { MODE_KEY } from '../../src/store/mode-store.ts';
import { deleteRedisKeys } from '../helpers/redis.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const KEY = 'sk-test-api-000000000';
const MODEL = 'gpt-4o-mini';
const TOKEN = 'api-token-classification-0001';
const auth = { authorization: `Bearer ${TOKEN}` };
const FP = '44a691f422eafef8';

describe.each(backends())('classification API on $name', (backend) => {
  let llm: FakeLlm;
  let svc: TestService;

  beforeAll(async () => {
    llm = await startFakeLlm({ apiKey: KEY, model: MODEL });
    svc = await startTestService(await backend.fresh(), { LLM_API_URL: llm.url, LLM_API_KEY: KEY, LLM_MODEL: MODEL, API_TOKENS: TOKEN });
    await svc.post('/webhook', fixture('am-v4-firing.json'));
  });
  afterAll(async () => {
    await svc?.stop();
    await llm?.close();
    expect(llm.violations).toEqual([]);
  });

  it('classifies a known alert by LLM once, then from the cache', async () => {
    const first = ClassifyResponse.parse(await (await svc.post('/classification/classify', { fingerprint: FP }, auth)).json());
    expect(first).toMatchObject({ cached: false, model: MODEL, result: { source: 'llm', severity: 'critical' } });
    const second = ClassifyResponse.parse(await (await svc.post('/classification/classify', { fingerprint: FP }, auth)).json());
    expect(second).toMatchObject({ cached: true, result: { source: 'cache' } });
    expect(llm.requests).toHaveLength(1);
    const stored = ClassificationResponse.parse(await (await svc.get(`/classification/${FP}`)).json());
    expect(stored).toMatchObject({ fingerprint: FP, severity: 'critical', source: 'llm', model: MODEL });
  });

  it('refreshes past the cache and classifies an ad-hoc alert', async () => {
    const refreshed = ClassifyResponse.parse(await (await svc.post(`/classification/refresh/${FP}`, {}, auth)).json());
    expect(refreshed.cached).toBe(false);
    const adhoc = await svc.post('/classification/classify', { alert: { labels: { alertname: 'DiskFull', severity: 'warning' } } }, auth);
    expect(ClassifyResponse.parse(await adhoc.json()).result.source).toBe('llm');
  });

  it('classifies in bulk and lists unknown fingerprints as errors', async () => {
    const res = BulkResponse.parse(await (await svc.post('/classification/bulk', { fingerprints: [FP, 'ffffffffffffffff'] }, auth)).json());
    expect(res.total_processed).toBe(1);
    expect(res.errors).toEqual([{ fingerprint: 'ffffffffffffffff', error: 'unknown fingerprint' }]);
  });

  it('rejects bad bodies naming the field, unknown alerts with 404, and writes without a token', async () => {
    const bad = await svc.post('/classification/classify', { fingerprint: FP, alert: { labels: {} } }, auth);
    expect(bad.status).toBe(400);
    expect(ErrorEnvelope.parse(await bad.json()).details.fields?.length).toBeGreaterThan(0);
    expect((await svc.post('/classification/bulk', { fingerprints: [] }, auth)).status).toBe(400);
    expect((await svc.post('/classification/classify', '{not json', auth)).status).toBe(400);
    expect((await svc.post('/classification/classify', { fingerprint: 'ffffffffffffffff' }, auth)).status).toBe(404);
    expect((await svc.get('/classification/ffffffffffffffff')).status).toBe(404);
    expect((await svc.post('/classification/classify', { fingerprint: FP })).status).toBe(401);
  });

  it('reports stats, models and metrics', async () => {
    const stats = ClassificationStatsResponse.parse(await (await svc.get('/classification/stats')).json());
    // classify (LLM), classify again (cache), refresh (LLM), ad-hoc (LLM), bulk (cache)
    expect(stats).toMatchObject({ total_requests: 5, cache_hits: 2, llm_requests: 3, circuit_state: 'closed' });
    const models = ClassificationModelsResponse.parse(await (await svc.get('/classification/models')).json());
    expect(models.active).toBe(MODEL);
    expect(models.models.map((m) => m.name)).toEqual([MODEL, 'rules']);
    const text = await (await svc.get('/metrics')).text();
    expect(text).toMatch(/alert_history_classification_total\{severity="critical",source="llm"\} \d+/);
    expect(text).toContain('alert_history_cache_hits_total{cache_type="memory"} 2');
    expect(text).toContain('alert_history_classification_circuit_state 0');
  });

  it('switches the enrichment mode, keeps it in the settings table across a restart', async () => {
    expect(ModeResponse.parse(await (await svc.get('/enrichment/mode')).json())).toEqual({ mode: 'enriched', source: 'default' });
    const invalid = await svc.post('/enrichment/mode', { mode: 'smart' }, auth);
    expect(invalid.status).toBe(400);
    expect(ErrorEnvelope.parse(await invalid.json()).error).toContain('transparent_with_recommendations');
    expect((await svc.post('/enrichment/mode', { mode: 'transparent' })).status).toBe(401);
    const set = ModeResponse.parse(await (await svc.post('/enrichment/mode', { mode: 'transparent' }, auth)).json());
    expect(set).toEqual({ mode: 'transparent', source: 'database' });
    const text = await (await svc.get('/metrics')).text();
    expect(text).toContain('alert_history_enrichment_mode_switches_total{from_mode="enriched",to_mode="transparent"} 1');
    expect(text).toContain('alert_history_enrichment_mode_status{mode="transparent"} 1');
    expect(text).toContain('alert_history_enrichment_mode_status{mode="enriched"} 0');
  });
});

describe('classification without an LLM', () => {
  it('classifies by rules', async () => {
    const svc = await startTestService(await backends().at(-1)!.fresh());
    await svc.post('/webhook', fixture('am-v4-firing.json'));
    const res = ClassifyResponse.parse(await (await svc.post('/classification/classify', { fingerprint: FP })).json());
    expect(res.result).toMatchObject({ source: 'rules', severity: 'warning' });
    expect(ClassificationModelsResponse.parse(await (await svc.get('/classification/models')).json()).active).toBe('rules');
    await svc.stop();
  });
});

const redisUrl = inject('redisUrl');

describe.runIf(redisUrl)('enrichment mode shared through Redis', () => {
  it('is seen by a second instance and survives a restart, with Redis in readiness', async () => {
    const [backend] = backends();
    const a = await startTestService(await backend!.fresh(), { REDIS_URL: redisUrl });
    const b = await startTestService(await backend!.fresh(), { REDIS_URL: redisUrl });
    await a.post('/enrichment/mode', { mode: 'transparent_with_recommendations' });
    expect(ModeResponse.parse(await (await b.get('/enrichment/mode')).json())).toEqual({ mode: 'transparent_with_recommendations', source: 'redis' });
    const ready = (await (await a.get('/readyz')).json()) as { checks: Record<string, { ok: boolean }> };
    expect(ready.checks.redis?.ok).toBe(true);
    await a.stop();
    const c = await startTestService(await backend!.fresh(), { REDIS_URL: redisUrl });
    expect(ModeResponse.parse(await (await c.get('/enrichment/mode')).json())).toEqual({ mode: 'transparent_with_recommendations', source: 'redis' });
    await c.post('/enrichment/mode', { mode: 'enriched' });
    await b.stop();
    await c.stop();
    await deleteRedisKeys(redisUrl, [MODE_KEY]);
  });
});

describe('enrichment mode survives a restart without Redis', () => {
  it('on embedded PGlite, reopening the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ah-mode-'));
    const first = await startTestService(await openPglite({ dataDir }));
    await first.post('/enrichment/mode', { mode: 'transparent' });
    await first.stop();
    const second = await startTestService(await openPglite({ dataDir }));
    expect(ModeResponse.parse(await (await second.get('/enrichment/mode')).json())).toEqual({ mode: 'transparent', source: 'database' });
    await second.stop();
  });

  it.runIf(inject('postgresUrl'))('on PostgreSQL, with a new connection pool', async () => {
    const open = () =>
      openPostgres({ url: inject('postgresUrl'), poolSize: 2, connectTimeoutMs: 2_000, statementTimeoutMs: 5_000, logger: pino({ level: 'silent' }) });
    const first = await startTestService(open());
    await first.post('/enrichment/mode', { mode: 'transparent_with_recommendations' });
    await first.stop();
    const second = await startTestService(open());
    expect(ModeResponse.parse(await (await second.get('/enrichment/mode')).json())).toEqual({ mode: 'transparent_with_recommendations', source: 'database' });
    await second.post('/enrichment/mode', { mode: 'enriched' });
    await second.stop();
  });
});
