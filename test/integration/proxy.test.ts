// POST /webhook/proxy through the running service with the strict fake LLM: modes, a policy
// overriding the global mode, filters, duplicates never re-classified, the legacy answer shape.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyResponse } from '../../src/api/contract.ts';
import { backends } from '../helpers/backends.ts';
import { type FakeLlm, startFakeLlm, VALID_VERDICT } from '../helpers/fake-llm.ts';
import { fixture } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const KEY = 'sk-test-proxy-00000000';
const MODEL = 'gpt-4o-mini';

function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ah-proxy-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    `enrichment:
  policies:
    - name: checkout-llm
      priority: 100
      match: { namespaces: [checkout] }
      mode: enriched
      classification: { model: gpt-4o, instructions: "Checkout outages are always critical.", temperature: 0.2, timeout: 5s, cacheTTL: 2h }
      filter: { dropNoise: true }
`,
  );
  return file;
}

function alertBody(name: string, namespace: string, start: string): object {
  return {
    version: '4',
    alerts: [{ status: 'firing', labels: { alertname: name, namespace, severity: 'warning' }, annotations: { summary: name }, startsAt: start }],
  };
}

describe.each(backends())('POST /webhook/proxy on $name', (backend) => {
  let llm: FakeLlm;
  let svc: TestService;
  const proxy = async (body: object | Buffer): Promise<ReturnType<typeof ProxyResponse.parse>> => {
    const res = await svc.post('/webhook/proxy', body);
    expect(res.status).toBe(200);
    return ProxyResponse.parse(await res.json());
  };

  beforeAll(async () => {
    llm = await startFakeLlm({ apiKey: KEY, model: MODEL, otherModels: ['gpt-4o'] });
    svc = await startTestService(await backend.fresh(), { LLM_API_URL: llm.url, LLM_API_KEY: KEY, LLM_MODEL: MODEL, CONFIG_FILE: configFile() });
  });
  afterAll(async () => {
    await svc?.stop();
    await llm?.close();
    expect(llm.violations).toEqual([]);
  });

  it('records and classifies each new state change in enriched mode', async () => {
    const body = await proxy(fixture('am-v4-firing.json'));
    expect(body).toMatchObject({ processed_alerts: 2, duplicate_alerts: 0, metrics_only_mode: true, enrichment_mode: 'enriched', publishing_results: null, published_alerts: 0 });
    expect(Object.keys(body.classification_results ?? {}).sort()).toEqual(['44a691f422eafef8', '44fdbac966a50875']);
    expect(body.classification_results?.['44a691f422eafef8']).toMatchObject({ severity: 'critical', source: 'llm' });
    expect(llm.requests).toHaveLength(2);
    const history = (await (await svc.get('/history?fingerprint=44a691f422eafef8')).json()) as { total: number };
    expect(history.total).toBe(1);
  });

  it('never classifies a duplicate again', async () => {
    const body = await proxy(fixture('am-v4-firing.json'));
    expect(body).toMatchObject({ processed_alerts: 2, duplicate_alerts: 2, classification_results: null, filtered_alerts: 0 });
    expect(llm.requests).toHaveLength(2);
  });

  it('cuts reasoning to 100 characters in the answer, keeping it whole in the API', async () => {
    llm.script({ kind: 'valid', verdict: { ...VALID_VERDICT, reasoning: 'r'.repeat(150) } });
    const body = await proxy(alertBody('LongReason', 'payments', '2026-11-22T03:00:00Z'));
    const [fp, c] = Object.entries(body.classification_results ?? {})[0]!;
    expect(c.reasoning).toBe(`${'r'.repeat(100)}...`);
    const full = (await (await svc.get(`/classification/${fp}`)).json()) as { reasoning: string };
    expect(full.reasoning).toHaveLength(150);
  });

  it('does not call the LLM in transparent mode, but a policy overrides the global mode', async () => {
    await svc.post('/enrichment/mode', { mode: 'transparent' });
    const before = llm.requests.length;
    const plain = await proxy(alertBody('QueueSlow', 'payments', '2026-11-22T04:00:00Z'));
    expect(plain).toMatchObject({ enrichment_mode: 'transparent', classification_results: null, filtered_alerts: 0 });
    expect(llm.requests.length).toBe(before);
    const checkout = await proxy(alertBody('CheckoutSlow', 'checkout', '2026-11-22T04:00:00Z'));
    expect(Object.values(checkout.classification_results ?? {})[0]).toMatchObject({ source: 'llm' });
    expect(llm.requests.length).toBe(before + 1);
    const sent = llm.requests.at(-1)!.body as { model: string; messages: { content: string }[] };
    expect(sent.model).toBe('gpt-4o');
    expect((sent as unknown as { temperature: number }).temperature).toBe(0.2);
    expect(sent.messages[0]!.content).toContain('Team instructions: Checkout outages are always critical.');
    expect(llm.requests[0]!.body.model).toBe(MODEL);
  });

  it('filters what the policy and the global rules drop', async () => {
    llm.script({ kind: 'valid', verdict: { ...VALID_VERDICT, severity: 'noise', confidence: 0.9 } });
    const noise = await proxy(alertBody('Flappy', 'checkout', '2026-11-22T05:00:00Z'));
    expect(noise).toMatchObject({ filtered_alerts: 1 });
    await svc.post('/enrichment/mode', { mode: 'transparent_with_recommendations' });
    llm.script({ kind: 'valid', verdict: { ...VALID_VERDICT, severity: 'noise', confidence: 0.9 } });
    const advice = await proxy(alertBody('Flappy2', 'payments', '2026-11-22T05:00:00Z'));
    expect(advice).toMatchObject({ filtered_alerts: 0 });
    expect(Object.values(advice.classification_results ?? {})[0]).toMatchObject({ severity: 'noise' });
    await svc.post('/enrichment/mode', { mode: 'enriched' });
  });

  it('rejects hostile bodies like /webhook and stores nothing', async () => {
    const res = await svc.post('/webhook/proxy', fixture('bad-payloads/status-invalid.json'));
    expect(res.status).toBe(400);
  });
});

describe('the proxy answer does not wait past the classification budget', () => {
  it('answers without waiting for a slow classification', async () => {
    const llm = await startFakeLlm({ apiKey: KEY, model: MODEL });
    const svc = await startTestService(await backends().at(-1)!.fresh(), {
      LLM_API_URL: llm.url,
      LLM_API_KEY: KEY,
      LLM_MODEL: MODEL,
      CLASSIFICATION_WEBHOOK_BUDGET_MS: '0',
    });
    llm.script({ kind: 'slow', ms: 300 });
    const res = ProxyResponse.parse(await (await svc.post('/webhook/proxy', alertBody('SlowLlm', 'payments', '2026-11-22T06:00:00Z'))).json());
    expect(res.processed_alerts).toBe(1);
    expect(res.classification_results).toBeNull();
    await svc.stop();
    await llm.close();
  });
});
