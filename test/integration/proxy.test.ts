// POST /webhook/proxy through the running service with the strict fake LLM and one webhook
// target: modes, a policy overriding the global mode, filters, duplicates never re-classified,
// the legacy answer shape, and rejected bodies that store nothing.
//
// Each case is independent of run order: it sets the enrichment mode it needs, sends alerts whose
// names (and fingerprints) no other case uses, and counts LLM calls and rows by those names. The
// "stores nothing" cases read alert_events, alerts and deliveries in the database.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyResponse } from '../../src/api/contract.ts';
import type { Db } from '../../src/store/db.ts';
import { backends } from '../helpers/backends.ts';
import { type FakeLlm, startFakeLlm, VALID_VERDICT } from '../helpers/fake-llm.ts';
import { fixture, fixtureJson } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const KEY = 'sk-test-proxy-00000000';
const MODEL = 'gpt-4o-mini';
/** Small enough that the 413 case needs only a few hundred alerts. */
const MAX_BODY_BYTES = 64 * 1024;

type Mode = 'transparent' | 'enriched' | 'transparent_with_recommendations';
type Alert = { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; fingerprint?: string };

function configYaml(hookUrl: string): string {
  return `enrichment:
  policies:
    - name: checkout-llm
      priority: 100
      match: { namespaces: [checkout] }
      mode: enriched
      classification: { model: gpt-4o, instructions: "Checkout outages are always critical.", temperature: 0.2, timeout: 5s, cacheTTL: 2h }
      filter: { dropNoise: true }
publishing:
  worker: { pollIntervalMs: 50 }
  targets:
    - name: hook
      type: webhook
      url: ${hookUrl}
`;
}

/** A name no other case (and no earlier run on the same database) uses. */
const unique = (base: string): string => `${base}-${randomBytes(4).toString('hex')}`;

function alert(name: string, namespace = 'payments', start = '2026-11-22T03:00:00Z'): Alert {
  return { status: 'firing', labels: { alertname: name, namespace, severity: 'warning' }, annotations: { summary: name }, startsAt: start };
}

const envelope = (...alerts: Alert[]): object => ({ version: '4', alerts });

/** A receiver for the webhook target that answers 200 to everything. */
async function startHook(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server };
}

/** Rows in the tables a webhook writes: all of them, and those of alerts with the given names. */
async function rows(
  db: Db,
  names: readonly string[] = [],
): Promise<{ events: number; alerts: number; deliveries: number; named: { events: number; alerts: number; deliveries: number } }> {
  const [r] = await db.query<{ events: number; alerts: number; deliveries: number; ne: number; na: number; nd: number }>(
    `SELECT (SELECT count(*) FROM alert_events)::int AS events,
            (SELECT count(*) FROM alerts)::int AS alerts,
            (SELECT count(*) FROM deliveries)::int AS deliveries,
            (SELECT count(*) FROM alert_events WHERE alertname = ANY($1::text[]))::int AS ne,
            (SELECT count(*) FROM alerts WHERE alertname = ANY($1::text[]))::int AS na,
            (SELECT count(*) FROM deliveries d JOIN alert_events e ON e.id = d.event_id WHERE e.alertname = ANY($1::text[]))::int AS nd`,
    [names],
  );
  return { events: r!.events, alerts: r!.alerts, deliveries: r!.deliveries, named: { events: r!.ne, alerts: r!.na, deliveries: r!.nd } };
}

/** A rejected request: its body, its headers, the status, and the alert names it holds. */
interface Rejected {
  what: string;
  status: number;
  build(): { body: string | Buffer | object; headers?: Record<string, string>; names: string[] };
}

const REJECTED: Rejected[] = [
  {
    what: 'an alert with an invalid status',
    status: 400,
    build() {
      const name = unique('BadStatus');
      const body = fixtureJson<{ alerts: Alert[] }>('bad-payloads/status-invalid.json');
      body.alerts[0]!.labels.alertname = name;
      delete body.alerts[0]!.fingerprint;
      return { body, names: [name] };
    },
  },
  {
    what: 'a valid alert beside an invalid one (not even the valid one is stored)',
    status: 400,
    build() {
      const [good, bad] = [unique('GoodNeighbour'), unique('BadNeighbour')];
      return { body: envelope(alert(good), { ...alert(bad), startsAt: 'yesterday' }), names: [good, bad] };
    },
  },
  {
    what: 'more labels than webhook.maxLabelsPerAlert',
    status: 400,
    build() {
      const name = unique('TooManyLabels');
      const a = alert(name);
      for (let i = 0; i < 257; i++) a.labels[`l${i}`] = 'v';
      return { body: envelope(a), names: [name] };
    },
  },
  {
    what: 'a body that is not JSON',
    status: 400,
    build: () => ({ body: fixture('bad-payloads/not-json.txt'), names: [] }),
  },
  {
    what: 'a plain body claiming Content-Encoding gzip',
    status: 400,
    build() {
      const name = unique('NotGzip');
      return { body: JSON.stringify(envelope(alert(name))), headers: { 'content-encoding': 'gzip' }, names: [name] };
    },
  },
  {
    what: 'a body over webhook.maxBodyBytes',
    status: 413,
    build() {
      const names = Array.from({ length: 600 }, () => unique('Big'));
      const body = JSON.stringify(envelope(...names.map((n) => alert(n))));
      expect(body.length).toBeGreaterThan(MAX_BODY_BYTES);
      return { body, names };
    },
  },
];

describe.each(backends())('POST /webhook/proxy on $name', (backend) => {
  let llm: FakeLlm;
  let hook: { url: string; server: Server };
  let db: Db;
  let svc: TestService;
  const proxy = async (body: object | Buffer): Promise<ReturnType<typeof ProxyResponse.parse>> => {
    const res = await svc.post('/webhook/proxy', body);
    expect(res.status).toBe(200);
    return ProxyResponse.parse(await res.json());
  };
  const setMode = async (mode: Mode): Promise<void> => {
    expect((await svc.post('/enrichment/mode', { mode })).status).toBe(200);
  };
  /** LLM requests that classified an alert of this name. */
  const llmCallsFor = (name: string): FakeLlm['requests'] => llm.requests.filter((r) => JSON.stringify(r.body).includes(name));

  beforeAll(async () => {
    llm = await startFakeLlm({ apiKey: KEY, model: MODEL, otherModels: ['gpt-4o'] });
    hook = await startHook();
    db = await backend.fresh();
    svc = await startTestService(
      db,
      { LLM_API_URL: llm.url, LLM_API_KEY: KEY, LLM_MODEL: MODEL, WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
      { configYaml: configYaml(hook.url) },
    );
  });
  afterAll(async () => {
    await svc?.stop();
    await new Promise((resolve) => hook?.server.close(resolve));
    await llm?.close();
    expect(llm.violations).toEqual([]);
  });

  it('records, classifies and routes each new state change of an Alertmanager body in enriched mode', async () => {
    await setMode('enriched');
    const body = fixtureJson<{ alerts: Alert[] }>('am-v4-firing.json');
    const names = body.alerts.map((a) => (a.labels.alertname = unique(a.labels.alertname!)));
    const fingerprints = body.alerts.map((a) => (a.fingerprint = randomBytes(8).toString('hex')));
    const answer = await proxy(Buffer.from(JSON.stringify(body)));
    expect(answer).toMatchObject({ processed_alerts: 2, duplicate_alerts: 0, filtered_alerts: 0, metrics_only_mode: false, enrichment_mode: 'enriched' });
    expect(Object.keys(answer.classification_results ?? {}).sort()).toEqual([...fingerprints].sort());
    expect(answer.classification_results?.[fingerprints[0]!]).toMatchObject({ severity: 'critical', source: 'llm' });
    expect(Object.keys(answer.publishing_results ?? {}).sort()).toEqual([...fingerprints].sort());
    for (const name of names) expect(llmCallsFor(name)).toHaveLength(1);
    expect((await rows(db, names)).named).toEqual({ events: 2, alerts: 2, deliveries: 2 });
    const history = (await (await svc.get(`/history?fingerprint=${fingerprints[0]}`)).json()) as { total: number };
    expect(history.total).toBe(1);
  });

  it('never classifies or routes a duplicate again', async () => {
    await setMode('enriched');
    const name = unique('Repeated');
    const first = await proxy(envelope(alert(name)));
    expect(first).toMatchObject({ processed_alerts: 1, duplicate_alerts: 0 });
    expect(llmCallsFor(name)).toHaveLength(1);
    const again = await proxy(envelope(alert(name)));
    expect(again).toMatchObject({ processed_alerts: 1, duplicate_alerts: 1, classification_results: null, filtered_alerts: 0, publishing_results: null });
    expect(llmCallsFor(name)).toHaveLength(1);
    expect((await rows(db, [name])).named).toEqual({ events: 1, alerts: 1, deliveries: 1 });
  });

  it('cuts reasoning to 100 characters in the answer, keeping it whole in the API', async () => {
    await setMode('enriched');
    llm.script({ kind: 'valid', verdict: { ...VALID_VERDICT, reasoning: 'r'.repeat(150) } });
    const body = await proxy(envelope(alert(unique('LongReason'))));
    const [fp, c] = Object.entries(body.classification_results ?? {})[0]!;
    expect(c.reasoning).toBe(`${'r'.repeat(100)}...`);
    const full = (await (await svc.get(`/classification/${fp}`)).json()) as { reasoning: string };
    expect(full.reasoning).toHaveLength(150);
  });

  it('asks the configured model in enriched mode', async () => {
    await setMode('enriched');
    const name = unique('DefaultModel');
    await proxy(envelope(alert(name)));
    expect(llmCallsFor(name).map((r) => r.body.model)).toEqual([MODEL]);
  });

  it('does not call the LLM in transparent mode, but a policy overrides the global mode', async () => {
    await setMode('transparent');
    const [plainName, checkoutName] = [unique('QueueSlow'), unique('CheckoutSlow')];
    const plain = await proxy(envelope(alert(plainName)));
    expect(plain).toMatchObject({ enrichment_mode: 'transparent', classification_results: null, filtered_alerts: 0 });
    expect(llmCallsFor(plainName)).toHaveLength(0);
    const checkout = await proxy(envelope(alert(checkoutName, 'checkout')));
    expect(Object.values(checkout.classification_results ?? {})[0]).toMatchObject({ source: 'llm' });
    const sent = llmCallsFor(checkoutName);
    expect(sent).toHaveLength(1);
    const request = sent[0]!.body as { model: string; temperature: number; messages: { content: string }[] };
    expect(request.model).toBe('gpt-4o');
    expect(request.temperature).toBe(0.2);
    expect(request.messages[0]!.content).toContain('Team instructions: Checkout outages are always critical.');
  });

  it('filters what the policy drops, and never filters in transparent_with_recommendations', async () => {
    await setMode('enriched');
    const [noiseName, adviceName] = [unique('Flappy'), unique('Flappy2')];
    llm.script({ kind: 'valid', verdict: { ...VALID_VERDICT, severity: 'noise', confidence: 0.9 } });
    expect(await proxy(envelope(alert(noiseName, 'checkout')))).toMatchObject({ filtered_alerts: 1, published_alerts: 0 });
    await setMode('transparent_with_recommendations');
    llm.script({ kind: 'valid', verdict: { ...VALID_VERDICT, severity: 'noise', confidence: 0.9 } });
    const advice = await proxy(envelope(alert(adviceName)));
    expect(advice).toMatchObject({ filtered_alerts: 0 });
    expect(Object.values(advice.classification_results ?? {})[0]).toMatchObject({ severity: 'noise' });
    const [states] = await db.query<{ noise: string[]; advice: string[] }>(
      `SELECT array(SELECT d.state FROM deliveries d JOIN alert_events e ON e.id = d.event_id WHERE e.alertname = $1) AS noise,
              array(SELECT d.state FROM deliveries d JOIN alert_events e ON e.id = d.event_id WHERE e.alertname = $2) AS advice`,
      [noiseName, adviceName],
    );
    expect(states!.noise).toEqual(['filtered']);
    expect(states!.advice).toHaveLength(1);
    expect(states!.advice[0]).not.toBe('filtered');
  });

  it.each(REJECTED)('rejects $what with $status and stores nothing', async (c) => {
    await setMode('enriched');
    const { body, headers, names } = c.build();
    const before = await rows(db, names);
    const calls = llm.requests.length;
    const res = await svc.post('/webhook/proxy', body, headers);
    expect(res.status).toBe(c.status);
    expect(await rows(db, names)).toEqual({ ...before, named: { events: 0, alerts: 0, deliveries: 0 } });
    expect(llm.requests.length).toBe(calls);
  });
});

describe('POST /webhook/proxy without the webhook credential', () => {
  it('answers 401 to a missing or wrong bearer token and stores nothing; the right one is stored', async () => {
    const token = 'proxy-webhook-token-0123456789';
    const llm = await startFakeLlm({ apiKey: KEY, model: MODEL });
    const hook = await startHook();
    const db = await backends().at(-1)!.fresh();
    const svc = await startTestService(
      db,
      { LLM_API_URL: llm.url, LLM_API_KEY: KEY, LLM_MODEL: MODEL, WEBHOOK_BEARER_TOKEN: token },
      { configYaml: configYaml(hook.url) },
    );
    try {
      const [missing, wrong, right] = [unique('NoToken'), unique('WrongToken'), unique('RightToken')];
      expect((await svc.post('/webhook/proxy', envelope(alert(missing)))).status).toBe(401);
      expect((await svc.post('/webhook/proxy', envelope(alert(wrong)), { authorization: 'Bearer not-the-token' })).status).toBe(401);
      expect(await rows(db, [missing, wrong])).toEqual({ events: 0, alerts: 0, deliveries: 0, named: { events: 0, alerts: 0, deliveries: 0 } });
      expect(llm.requests).toHaveLength(0);
      expect((await svc.post('/webhook/proxy', envelope(alert(right)), { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await rows(db, [right])).named).toEqual({ events: 1, alerts: 1, deliveries: 1 });
    } finally {
      await svc.stop();
      await new Promise((resolve) => hook.server.close(resolve));
      await llm.close();
    }
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
    const res = ProxyResponse.parse(await (await svc.post('/webhook/proxy', envelope(alert(unique('SlowLlm'))))).json());
    expect(res.processed_alerts).toBe(1);
    expect(res.classification_results).toBeNull();
    await svc.stop();
    await llm.close();
  });
});
