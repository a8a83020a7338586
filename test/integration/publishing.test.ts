// Publishing journeys against strict local vendor fakes: one webhook reaches every target type
// with a correct request, resolves follow with the vendor's dedup key or stored id, duplicates
// are not re-published, a target that is down gets backoff then delivery, permanent failures
// dead-letter and can be retried, secrets never show, and no target means metrics-only.
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/pg.ts';
import { ErrorEnvelope, ProxyResponse } from '../../src/api/contract.ts';
import {
  DeliveriesResponse,
  PublishingModeResponse,
  PublishingStatsResponse,
  PublishingTargetsResponse,
  RefreshResponse,
  RetryResponse,
  TestSendResponse,
} from '../../src/api/contract-publishing.ts';
import { backends, postgresOnly } from '../helpers/backends.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { fixture, fixtureJson } from '../helpers/fixtures.ts';
import { allTargetsYaml, bodyOf, CREDENTIALS, FAST_WORKER, of } from '../helpers/publishing.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const FIRING = 'am-v4-firing.json';
const RESOLVED = 'am-v4-resolved.json';
const FINGERPRINTS = ['44a691f422eafef8', '44fdbac966a50875'];
/** Deliveries finish after the answer; wait for them, bounded, without sleeping. */
const POLL = { timeout: 15_000, interval: 50 };

async function deliveries(svc: TestService, query = ''): Promise<ReturnType<typeof DeliveriesResponse.parse>> {
  return DeliveriesResponse.parse(await (await svc.get(`/publishing/deliveries?limit=1000${query}`)).json());
}

describe.each(backends())('publishing on $name', (backend) => {
  let fake: FakeVendors;
  let svc: TestService;

  beforeAll(async () => {
    fake = await startFakeVendors({ pagerdutyRoutingKey: CREDENTIALS.pagerduty, slackBotToken: CREDENTIALS.slackBot, rootlyApiKey: CREDENTIALS.rootly, webhookBearer: CREDENTIALS.webhook });
    svc = await startTestService(await backend.fresh(), {}, { configYaml: allTargetsYaml(fake.url) });
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
  });
  afterEach(() => {
    expect(fake.violations).toEqual([]);
  });

  it('sends one webhook to every target type with a correct request', async () => {
    const res = await svc.post('/webhook/proxy', fixture(FIRING));
    expect(res.status).toBe(200);
    const body = ProxyResponse.parse(await res.json());
    expect(body).toMatchObject({ processed_alerts: 2, published_alerts: 2, metrics_only_mode: false, duplicate_alerts: 0 });
    expect(Object.keys(body.publishing_results ?? {}).sort()).toEqual(FINGERPRINTS);
    const seen = await fake.waitFor((r) => r.length >= 12);
    for (const vendor of ['pagerduty', 'slack-webhook', 'slack-api', 'rootly', 'webhook', 'alertmanager'] as const) {
      expect(of(seen, vendor), vendor).toHaveLength(2);
    }
    const pd = of(seen, 'pagerduty').map(bodyOf);
    expect(pd.map((b) => b.dedup_key).sort()).toEqual(FINGERPRINTS);
    expect(pd[0]).toMatchObject({ event_action: 'trigger', routing_key: CREDENTIALS.pagerduty });
    const hook = of(seen, 'webhook')[0]!;
    expect(hook.headers.authorization).toBe(`Bearer ${CREDENTIALS.webhook}`);
    expect(hook.headers['x-team']).toBe('sre');
    const alert = (bodyOf(hook).alerts as { annotations: Record<string, string> }[])[0]!;
    expect(alert.annotations.llm_severity).toBe('warning');
    expect(alert.annotations.llm_confidence).toMatch(/^\d\.\d\d$/);
    await expect.poll(async () => (await deliveries(svc, '&state=succeeded')).total, POLL).toBe(12);
  });

  it('resolves by dedup key, stored Rootly id and Slack thread', async () => {
    const rootlyIds = [...fake.rootlyAlerts().keys()];
    const res = await svc.post('/webhook/proxy', fixture(RESOLVED));
    expect(ProxyResponse.parse(await res.json()).published_alerts).toBe(2);
    const seen = await fake.waitFor((r) => r.length >= 24 + 2);
    const resolves = of(seen, 'pagerduty').map(bodyOf).filter((b) => b.event_action === 'resolve');
    expect(resolves.map((b) => b.dedup_key).sort()).toEqual(FINGERPRINTS);
    const rootlyResolves = of(seen, 'rootly').filter((r) => r.path.endsWith('/resolve'));
    expect(rootlyResolves.map((r) => r.path.split('/')[3]).sort()).toEqual(rootlyIds.sort());
    expect([...fake.rootlyAlerts().values()].every((a) => a.resolved)).toBe(true);
    const updates = of(seen, 'slack-api').filter((r) => r.path.endsWith('chat.update'));
    expect(updates).toHaveLength(2);
    const replies = of(seen, 'slack-api').map(bodyOf).filter((b) => b.thread_ts !== undefined);
    expect(replies).toHaveLength(2);
    const am = of(seen, 'alertmanager').map(bodyOf).flatMap((b) => b as unknown as { endsAt?: string }[]);
    expect(am.filter((a) => a.endsAt).length).toBe(2);
  });

  it('does not publish a duplicate webhook again', async () => {
    const before = fake.requests.length;
    const res = await svc.post('/webhook/proxy', fixture(RESOLVED));
    const body = ProxyResponse.parse(await res.json());
    expect(body).toMatchObject({ duplicate_alerts: 2, published_alerts: 0, publishing_results: null });
    expect((await deliveries(svc)).total).toBe(24);
    expect(fake.requests.length).toBe(before);
  });

  it('lists targets with masked URLs, stats and mode, and never shows a secret', async () => {
    const targets = PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json());
    expect(targets.map((t) => t.name).sort()).toEqual(['hook', 'oncall', 'rootly', 'slack-bot', 'team-slack', 'upstream-am']);
    const slack = targets.find((t) => t.name === 'team-slack')!;
    expect(slack).toMatchObject({ source: 'config', type: 'slack', successful_publishes: 4, health_status: 'healthy' });
    expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
    const stats = PublishingStatsResponse.parse(await (await svc.get('/publishing/stats')).json());
    expect(stats).toMatchObject({ total_targets: 6, active_targets: 6, successful_publishes: 24, dead_lettered: 0, success_rate: 1 });
    const mode = PublishingModeResponse.parse(await (await svc.get('/publishing/mode')).json());
    expect(mode).toMatchObject({ mode: 'intelligent', targets_count: 6 });
    const everything = [JSON.stringify(targets), JSON.stringify(stats), JSON.stringify(await deliveries(svc)), svc.logs.join(''), await (await svc.get('/metrics')).text()].join('\n');
    for (const secret of [CREDENTIALS.pagerduty, CREDENTIALS.slackBot, 'SECRETHOOKPATH', CREDENTIALS.rootly, CREDENTIALS.webhook]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('sends a test alert to a target on demand, and 404s an unknown one', async () => {
    const res = await svc.post('/publishing/test/oncall', {});
    const body = TestSendResponse.parse(await res.json());
    expect(body).toMatchObject({ target_name: 'oncall', success: true, status_code: 202, error_message: null });
    const sent = of(fake.requests, 'pagerduty').map(bodyOf).at(-1)!;
    expect((sent.payload as { class: string }).class).toBe('TestAlert');
    const unknown = await svc.post('/publishing/test/nope', {});
    expect(unknown.status).toBe(404);
    ErrorEnvelope.parse(await unknown.json());
  });

  it('refreshes at most once per 10 s', async () => {
    const first = await svc.post('/publishing/targets/refresh', {});
    expect(RefreshResponse.parse(await first.json()).targets_discovered).toBe(6);
    const second = await svc.post('/publishing/targets/refresh', {});
    expect(second.status).toBe(409);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe.each(backends())('delivery failures on $name', (backend) => {
  let fake: FakeVendors;
  let svc: TestService;
  const yaml = (url: string): string => `
publishing:
${FAST_WORKER}
  targets:
    - name: oncall
      type: pagerduty
      url: ${url}
      credentials: ${CREDENTIALS.pagerduty}
      delivery: { maxAttempts: 4 }
      filter: { namespaces: [payments] }
    - name: hook
      type: webhook
      url: ${url}/hook
      delivery: { maxAttempts: 3 }
`;

  beforeAll(async () => {
    fake = await startFakeVendors();
    svc = await startTestService(await backend.fresh(), { LOG_LEVEL: 'warn' }, { configYaml: yaml(fake.url) });
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
  });

  it('backs off while a target is down, then delivers when it returns', async () => {
    fake.script('pagerduty', { status: 503 }, { status: 429, headers: { 'Retry-After': '0' } }, { status: 500 });
    const firing = fixtureJson<{ alerts: unknown[] }>(FIRING);
    await svc.post('/webhook/proxy', { ...firing, alerts: firing.alerts.slice(0, 1) });
    await fake.waitFor((r) => of(r, 'pagerduty').length === 4);
    await expect.poll(async () => (await deliveries(svc, '&target=oncall')).deliveries[0]?.state, POLL).toBe('succeeded');
    const [row] = (await deliveries(svc, '&target=oncall')).deliveries;
    expect(row).toMatchObject({ attempts: 4, last_status_code: 202, last_error: null });
    const metrics = await (await svc.get('/metrics')).text();
    expect(metrics).toMatch(/alert_history_publishing_failures_total\{target="oncall",reason="server_error"\} 2/);
    expect(metrics).toMatch(/alert_history_publishing_failures_total\{target="oncall",reason="rate_limited"\} 1/);
  });

  it('dead-letters a permanent failure at once, and a manual retry delivers it', async () => {
    fake.script('webhook', { status: 400, body: 'bad request' });
    const alert = { labels: { alertname: 'DiskFull', namespace: 'payments', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T08:00:00Z', status: 'firing' };
    await svc.post('/webhook/proxy', { version: '4', status: 'firing', alerts: [alert] });
    await expect.poll(async () => (await deliveries(svc, '&target=hook&state=dead')).total, POLL).toBe(1);
    const [dead] = (await deliveries(svc, '&target=hook&state=dead')).deliveries;
    expect(dead).toMatchObject({ attempts: 1, last_status_code: 400, last_error_reason: 'client_error' });
    const retried = await svc.post(`/publishing/deliveries/${dead!.id}/retry`, {});
    expect(RetryResponse.parse(await retried.json()).state).toBe('pending');
    await expect.poll(async () => (await deliveries(svc, `&target=hook&state=succeeded&fingerprint=${dead!.fingerprint}`)).total, POLL).toBe(1);
    const again = await svc.post(`/publishing/deliveries/${dead!.id}/retry`, {});
    expect(again.status).toBe(409);
  });

  it('dead-letters after maxAttempts of retryable failures', async () => {
    fake.script('webhook', { status: 502 }, { status: 502 }, { status: 502 });
    const alert = { labels: { alertname: 'NodeDown', namespace: 'infra', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T08:05:00Z', status: 'firing' };
    await svc.post('/webhook/proxy', [alert]);
    await expect.poll(async () => (await deliveries(svc, '&target=hook&state=dead')).total, POLL).toBe(1);
    const [dead] = (await deliveries(svc, '&target=hook&state=dead')).deliveries;
    expect(dead).toMatchObject({ attempts: 3, last_status_code: 502, last_error_reason: 'server_error' });
    expect(dead!.last_error).toContain('gave up after 3 attempts');
  });

  it('keeps a filtered delivery with its reason and sends nothing', async () => {
    const before = of(fake.requests, 'pagerduty').length;
    const alert = { labels: { alertname: 'NodeDown', namespace: 'infra', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T08:05:00Z', status: 'firing' };
    await svc.post('/webhook/proxy', [alert]);
    const filtered = await deliveries(svc, '&target=oncall&state=filtered');
    expect(filtered.deliveries[0]?.filter_reason).toBe('namespace "infra" not in [payments]');
    expect(of(fake.requests, 'pagerduty').length).toBe(before);
  });

  it('rejects a bad deliveries query naming the field', async () => {
    const res = await svc.get('/publishing/deliveries?state=lost');
    expect(res.status).toBe(400);
    expect(ErrorEnvelope.parse(await res.json()).details.fields?.[0]?.path).toBe('state');
  });
});

describe('metrics-only mode', () => {
  it('records and classifies but publishes nothing when no target is enabled', async () => {
    const fake = await startFakeVendors();
    const svc = await startTestService(await backends().at(-1)!.fresh(), {}, {
      configYaml: `publishing:\n  targets:\n    - { name: off, type: webhook, url: ${fake.url}/hook, enabled: false }\n`,
    });
    try {
      const body = ProxyResponse.parse(await (await svc.post('/webhook/proxy', fixture(FIRING))).json());
      expect(body).toMatchObject({ metrics_only_mode: true, published_alerts: 0, processed_alerts: 2, publishing_results: null });
      expect(Object.keys(body.classification_results ?? {})).toHaveLength(2);
      const mode = PublishingModeResponse.parse(await (await svc.get('/publishing/mode')).json());
      expect(mode).toMatchObject({ mode: 'metrics_only', targets_count: 0 });
      expect((await deliveries(svc)).total).toBe(0);
      expect(fake.requests).toHaveLength(0);
    } finally {
      await svc.stop();
      await fake.close();
    }
  });
});

describe('target readiness', () => {
  it('reports a disabled target as not ready, with the reason, and an enabled one as ready', async () => {
    const yaml = 'publishing:\n  targets:\n    - { name: off, type: webhook, url: https://example.invalid/off, enabled: false }\n    - { name: on, type: webhook, url: https://example.invalid/on }\n';
    const svc = await startTestService(await backends().at(-1)!.fresh(), {}, { configYaml: yaml });
    try {
      const targets = PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json());
      expect(targets.find((t) => t.name === 'off')).toMatchObject({ enabled: false, ready: false, ready_reason: 'Disabled', health_status: 'unknown' });
      expect(targets.find((t) => t.name === 'on')).toMatchObject({ enabled: true, ready: true, ready_reason: 'Resolved' });
      const stats = PublishingStatsResponse.parse(await (await svc.get('/publishing/stats')).json());
      expect(stats.targets.map((t) => [t.name, t.ready]).sort()).toEqual([['off', false], ['on', true]]);
    } finally {
      await svc.stop();
    }
  });
});

describe('circuit breaker and shutdown', () => {
  it('opens a failing target circuit, pauses it, and closes after a good probe', async () => {
    const fake = await startFakeVendors();
    const yaml = `publishing:\n${FAST_WORKER}    circuitFailures: 3\n    circuitOpenMs: 400\n  targets:\n    - { name: hook, type: webhook, url: "${fake.url}/hook", delivery: { maxAttempts: 20 } }\n`;
    const svc = await startTestService(await backends().at(-1)!.fresh(), { LOG_LEVEL: 'warn' }, { configYaml: yaml });
    try {
      fake.script('webhook', { status: 503 }, { status: 503 }, { status: 503 });
      await svc.post('/webhook/proxy', [{ labels: { alertname: 'Flaky', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T07:00:00Z', status: 'firing' }]);
      await fake.waitFor((r) => of(r, 'webhook').length === 3);
      const open = PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json())[0]!;
      expect(open).toMatchObject({ circuit_state: 'open', health_status: 'unhealthy' });
      expect(await (await svc.get('/metrics')).text()).toContain('alert_history_publishing_circuit_state{target="hook"} 2');
      await expect.poll(async () => (await deliveries(svc, '&state=succeeded')).total, POLL).toBe(1);
      const closed = PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json())[0]!;
      expect(closed).toMatchObject({ circuit_state: 'closed', health_status: 'healthy' });
      expect(of(fake.requests, 'webhook')).toHaveLength(4);
    } finally {
      await svc.stop();
      await fake.close();
    }
  });

  it.runIf(postgresOnly())('finishes a claimed delivery on shutdown before closing the store', async () => {
    const fake = await startFakeVendors();
    const yaml = `publishing:\n${FAST_WORKER}  targets:\n    - { name: hook, type: webhook, url: "${fake.url}/hook" }\n`;
    const backend = postgresOnly()!;
    const svc = await startTestService(await backend.fresh(), { PROXY_RESPONSE_WAIT_MS: '0' }, { configYaml: yaml });
    const observer = openPostgres({ url: backend.url!, poolSize: 2, connectTimeoutMs: 3_000, statementTimeoutMs: 30_000, logger: pino({ level: 'silent' }) });
    try {
      fake.script('webhook', { hold: true });
      await svc.post('/webhook/proxy', [{ labels: { alertname: 'Draining', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T07:00:00Z', status: 'firing' }]);
      await fake.waitFor((r) => of(r, 'webhook').length === 1);
      expect((await observer.query<{ state: string }>('SELECT state FROM deliveries'))[0]?.state).toBe('sending');
      const stopping = svc.stop();
      fake.release();
      await stopping;
      const [row] = await observer.query<{ state: string; attempts: number }>('SELECT state, attempts FROM deliveries');
      expect(row).toEqual({ state: 'succeeded', attempts: 1 });
    } finally {
      await observer.close();
      await fake.close();
    }
  });
});
