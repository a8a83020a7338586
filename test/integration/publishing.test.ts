// Publishing journeys against strict local vendor fakes: one webhook reaches every target type
// with a correct request, resolves follow with the vendor's dedup key or stored id, duplicates
// are not re-published, a target that is down gets backoff then delivery, permanent failures
// dead-letter and can be retried, secrets never show, and no target means metrics-only.
//
// Cases that share a service are independent of run order: each sends alerts of its own (unique
// names and fingerprints), reads rows, vendor requests and counters of those alerts only (or as a
// difference), and waits until its own sends are done so none is still in flight for the next.
import { randomBytes } from 'node:crypto';
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
import { type FakeVendors, startFakeVendors, type VendorRequest } from '../helpers/fake-vendors.ts';
import { fixture, fixtureJson } from '../helpers/fixtures.ts';
import { allTargetsYaml, bodyOf, CREDENTIALS, FAST_WORKER, of } from '../helpers/publishing.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const FIRING = 'am-v4-firing.json';
const RESOLVED = 'am-v4-resolved.json';
/** Deliveries finish after the answer; wait for them, bounded, without sleeping. */
const POLL = { timeout: 15_000, interval: 50 };
/** Requests one alert state change makes at the six targets of allTargetsYaml (two Slack targets). */
const PER_FIRING = 6;
/** Requests one resolve makes there: Slack bot mode updates the root and replies in its thread. */
const PER_RESOLVE = 7;

type Alert = { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; status: string; fingerprint?: string };

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * The README's firing and resolved bodies as an episode no other case shares: the alert names get
 * a unique suffix and the fingerprints are fresh, so each case is independent of run order.
 */
function episode(): { firing: object; resolved: object; fingerprints: string[]; names: string[] } {
  const suffix = hex(4);
  const fingerprints = [hex(8), hex(8)];
  const rename = (body: { alerts: Alert[] }): object => {
    body.alerts.forEach((a, i) => {
      a.labels.alertname = `${a.labels.alertname}-${suffix}`;
      a.fingerprint = fingerprints[i];
    });
    return body;
  };
  const firing = rename(fixtureJson<{ alerts: Alert[] }>(FIRING));
  return { firing, resolved: rename(fixtureJson<{ alerts: Alert[] }>(RESOLVED)), fingerprints, names: [`KubePodCrashLooping-${suffix}`] };
}

/** One firing alert of a unique name in a namespace. */
function oneAlert(base: string, namespace: string): Alert & { fingerprint: string } {
  return {
    labels: { alertname: `${base}-${hex(4)}`, namespace, severity: 'critical' },
    annotations: {},
    startsAt: '2026-11-22T08:00:00Z',
    status: 'firing',
    fingerprint: hex(8),
  };
}

async function deliveries(svc: TestService, query = ''): Promise<ReturnType<typeof DeliveriesResponse.parse>> {
  return DeliveriesResponse.parse(await (await svc.get(`/publishing/deliveries?limit=1000${query}`)).json());
}

/** The rows of these fingerprints (optionally of one state). */
async function rowsOf(svc: TestService, fingerprints: readonly string[], state?: string): Promise<ReturnType<typeof DeliveriesResponse.parse>['deliveries']> {
  const pages = await Promise.all(fingerprints.map((fp) => deliveries(svc, `&fingerprint=${fp}${state ? `&state=${state}` : ''}`)));
  return pages.flatMap((p) => p.deliveries);
}

/** Waits until `count` rows of these fingerprints succeeded (so no send of theirs is still in flight). */
async function delivered(svc: TestService, fingerprints: readonly string[], count: number): Promise<void> {
  await expect.poll(async () => (await rowsOf(svc, fingerprints, 'succeeded')).length, POLL).toBe(count);
}

/** A counter's value on /metrics (0 when absent). */
async function counter(svc: TestService, line: string): Promise<number> {
  const text = await (await svc.get('/metrics')).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

describe.each(backends())('publishing on $name', (backend) => {
  let fake: FakeVendors;
  let svc: TestService;

  beforeAll(async () => {
    fake = await startFakeVendors({
      pagerdutyRoutingKey: CREDENTIALS.pagerduty,
      slackBotToken: CREDENTIALS.slackBot,
      rootlyApiKey: CREDENTIALS.rootly,
      webhookBearer: CREDENTIALS.webhook,
    });
    svc = await startTestService(await backend.fresh(), {}, { configYaml: allTargetsYaml(fake.url) });
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
  });
  afterEach(() => {
    expect(fake.violations).toEqual([]);
  });

  /** Posts an episode's firing body and waits until all its sends are done; returns what they were. */
  async function fire(ep: ReturnType<typeof episode>): Promise<VendorRequest[]> {
    const before = fake.requests.length;
    const res = await svc.post('/webhook/proxy', ep.firing);
    expect(res.status).toBe(200);
    const body = ProxyResponse.parse(await res.json());
    expect(body).toMatchObject({ processed_alerts: 2, published_alerts: 2, metrics_only_mode: false, duplicate_alerts: 0 });
    expect(Object.keys(body.publishing_results ?? {}).sort()).toEqual([...ep.fingerprints].sort());
    await delivered(svc, ep.fingerprints, 2 * PER_FIRING);
    return (await fake.waitFor((r) => r.length >= before + 2 * PER_FIRING)).slice(before);
  }

  it('sends one webhook to every target type with a correct request', async () => {
    const ep = episode();
    const seen = await fire(ep);
    for (const vendor of ['pagerduty', 'slack-webhook', 'slack-api', 'rootly', 'webhook', 'alertmanager'] as const) {
      expect(of(seen, vendor), vendor).toHaveLength(2);
    }
    const pd = of(seen, 'pagerduty').map(bodyOf);
    expect(pd.map((b) => b.dedup_key).sort()).toEqual([...ep.fingerprints].sort());
    expect(pd[0]).toMatchObject({ event_action: 'trigger', routing_key: CREDENTIALS.pagerduty });
    const hook = of(seen, 'webhook')[0]!;
    expect(hook.headers.authorization).toBe(`Bearer ${CREDENTIALS.webhook}`);
    expect(hook.headers['x-team']).toBe('sre');
    const alert = (bodyOf(hook).alerts as { annotations: Record<string, string> }[])[0]!;
    expect(alert.annotations.llm_severity).toBe('warning');
    expect(alert.annotations.llm_confidence).toMatch(/^\d\.\d\d$/);
  });

  it('resolves by dedup key, stored Rootly id and Slack thread', async () => {
    const ep = episode();
    await fire(ep);
    const ours = (): [string, { attributes: Record<string, unknown>; resolved: boolean }][] =>
      [...fake.rootlyAlerts().entries()].filter(([, a]) => ep.fingerprints.includes(a.attributes.deduplication_key as string));
    const rootlyIds = ours().map(([id]) => id);
    expect(rootlyIds).toHaveLength(2);
    const before = fake.requests.length;
    const res = await svc.post('/webhook/proxy', ep.resolved);
    expect(ProxyResponse.parse(await res.json()).published_alerts).toBe(2);
    await delivered(svc, ep.fingerprints, 2 * PER_FIRING + 2 * PER_FIRING);
    const seen = (await fake.waitFor((r) => r.length >= before + 2 * PER_RESOLVE)).slice(before);
    expect(seen).toHaveLength(2 * PER_RESOLVE);
    const resolves = of(seen, 'pagerduty')
      .map(bodyOf)
      .filter((b) => b.event_action === 'resolve');
    expect(resolves.map((b) => b.dedup_key).sort()).toEqual([...ep.fingerprints].sort());
    const rootlyResolves = of(seen, 'rootly').filter((r) => r.path.endsWith('/resolve'));
    expect(rootlyResolves.map((r) => r.path.split('/')[3]).sort()).toEqual(rootlyIds.sort());
    expect(ours().every(([, a]) => a.resolved)).toBe(true);
    const updates = of(seen, 'slack-api').filter((r) => r.path.endsWith('chat.update'));
    expect(updates).toHaveLength(2);
    const replies = of(seen, 'slack-api')
      .map(bodyOf)
      .filter((b) => b.thread_ts !== undefined);
    expect(replies).toHaveLength(2);
    const am = of(seen, 'alertmanager')
      .map(bodyOf)
      .flatMap((b) => b as unknown as { endsAt?: string }[]);
    expect(am.filter((a) => a.endsAt).length).toBe(2);
  });

  it('does not publish a duplicate webhook again', async () => {
    const ep = episode();
    await fire(ep);
    const before = fake.requests.length;
    const rows = (await rowsOf(svc, ep.fingerprints)).length;
    expect(rows).toBe(2 * PER_FIRING);
    const body = ProxyResponse.parse(await (await svc.post('/webhook/proxy', ep.firing)).json());
    expect(body).toMatchObject({ duplicate_alerts: 2, published_alerts: 0, publishing_results: null });
    expect(await rowsOf(svc, ep.fingerprints)).toHaveLength(rows);
    expect(fake.requests.length).toBe(before);
  });

  it('lists targets with masked URLs, stats and mode, and never shows a secret', async () => {
    const targetsNow = async (): Promise<ReturnType<typeof PublishingTargetsResponse.parse>> =>
      PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json());
    const statsNow = async (): Promise<ReturnType<typeof PublishingStatsResponse.parse>> =>
      PublishingStatsResponse.parse(await (await svc.get('/publishing/stats')).json());
    const slackBefore = (await targetsNow()).find((t) => t.name === 'team-slack')!.successful_publishes;
    const statsBefore = await statsNow();
    await fire(episode());
    const targets = await targetsNow();
    expect(targets.map((t) => t.name).sort()).toEqual(['hook', 'oncall', 'rootly', 'slack-bot', 'team-slack', 'upstream-am']);
    const slack = targets.find((t) => t.name === 'team-slack')!;
    expect(slack).toMatchObject({ source: 'config', type: 'slack', successful_publishes: slackBefore + 2, health_status: 'healthy' });
    expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
    const stats = await statsNow();
    expect(stats).toMatchObject({
      total_targets: 6,
      active_targets: 6,
      successful_publishes: statsBefore.successful_publishes + 2 * PER_FIRING,
      dead_lettered: 0,
      success_rate: 1,
    });
    const mode = PublishingModeResponse.parse(await (await svc.get('/publishing/mode')).json());
    expect(mode).toMatchObject({ mode: 'intelligent', targets_count: 6 });
    const everything = [
      JSON.stringify(targets),
      JSON.stringify(stats),
      JSON.stringify(await deliveries(svc)),
      svc.logs.join(''),
      await (await svc.get('/metrics')).text(),
    ].join('\n');
    for (const secret of [CREDENTIALS.pagerduty, CREDENTIALS.slackBot, 'SECRETHOOKPATH', CREDENTIALS.rootly, CREDENTIALS.webhook]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('sends a test alert to a target on demand, and 404s an unknown one', async () => {
    const before = fake.requests.length;
    const res = await svc.post('/publishing/test/oncall', {});
    const body = TestSendResponse.parse(await res.json());
    expect(body).toMatchObject({ target_name: 'oncall', success: true, status_code: 202, error_message: null });
    const sent = of(fake.requests.slice(before), 'pagerduty').map(bodyOf);
    expect(sent).toHaveLength(1);
    expect((sent[0]!.payload as { class: string }).class).toBe('TestAlert');
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

  /** The one row of a fingerprint at a target. */
  const rowAt = async (target: string, fp: string): Promise<ReturnType<typeof DeliveriesResponse.parse>['deliveries'][number] | undefined> =>
    (await deliveries(svc, `&target=${target}&fingerprint=${fp}`)).deliveries[0];

  it('backs off while a target is down, then delivers when it returns', async () => {
    const failures = (reason: string): Promise<number> => counter(svc, `alert_history_publishing_failures_total{target="oncall",reason="${reason}"}`);
    const [serverErrors, rateLimited] = [await failures('server_error'), await failures('rate_limited')];
    const alert = oneAlert('PaymentsDown', 'payments');
    const before = of(fake.requests, 'pagerduty').length;
    fake.script('pagerduty', { status: 503 }, { status: 429, headers: { 'Retry-After': '0' } }, { status: 500 });
    await svc.post('/webhook/proxy', { version: '4', status: 'firing', alerts: [alert] });
    await fake.waitFor((r) => of(r, 'pagerduty').length === before + 4);
    await expect.poll(async () => (await rowAt('oncall', alert.fingerprint))?.state, POLL).toBe('succeeded');
    expect(await rowAt('oncall', alert.fingerprint)).toMatchObject({ attempts: 4, last_status_code: 202, last_error: null });
    await delivered(svc, [alert.fingerprint], 2);
    expect(await failures('server_error')).toBe(serverErrors + 2);
    expect(await failures('rate_limited')).toBe(rateLimited + 1);
  });

  it('dead-letters a permanent failure at once, and a manual retry delivers it', async () => {
    const alert = oneAlert('DiskFull', 'infra');
    fake.script('webhook', { status: 400, body: 'bad request' });
    await svc.post('/webhook/proxy', { version: '4', status: 'firing', alerts: [alert] });
    await expect.poll(async () => (await rowAt('hook', alert.fingerprint))?.state, POLL).toBe('dead');
    const dead = (await rowAt('hook', alert.fingerprint))!;
    expect(dead).toMatchObject({ attempts: 1, last_status_code: 400, last_error_reason: 'client_error' });
    const retried = await svc.post(`/publishing/deliveries/${dead.id}/retry`, {});
    expect(RetryResponse.parse(await retried.json()).state).toBe('pending');
    await expect.poll(async () => (await rowAt('hook', alert.fingerprint))?.state, POLL).toBe('succeeded');
    const again = await svc.post(`/publishing/deliveries/${dead.id}/retry`, {});
    expect(again.status).toBe(409);
  });

  it('dead-letters after maxAttempts of retryable failures', async () => {
    const alert = oneAlert('NodeDown', 'infra');
    fake.script('webhook', { status: 502 }, { status: 502 }, { status: 502 });
    const res = ProxyResponse.parse(await (await svc.post('/webhook/proxy', [{ ...alert, fingerprint: undefined }])).json());
    const [fp] = Object.keys(res.publishing_results ?? {});
    await expect.poll(async () => (await rowAt('hook', fp!))?.state, POLL).toBe('dead');
    const dead = (await rowAt('hook', fp!))!;
    expect(dead).toMatchObject({ attempts: 3, last_status_code: 502, last_error_reason: 'server_error' });
    expect(dead.last_error).toContain('gave up after 3 attempts');
  });

  it('keeps a filtered delivery with its reason and sends nothing', async () => {
    const before = of(fake.requests, 'pagerduty').length;
    const alert = oneAlert('NodeDown', 'infra');
    await svc.post('/webhook/proxy', { version: '4', status: 'firing', alerts: [alert] });
    const filtered = await rowAt('oncall', alert.fingerprint);
    expect(filtered).toMatchObject({ state: 'filtered', filter_reason: 'namespace "infra" not in [payments]' });
    await delivered(svc, [alert.fingerprint], 1);
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
    const svc = await startTestService(
      await backends().at(-1)!.fresh(),
      {},
      {
        configYaml: `publishing:\n  targets:\n    - { name: off, type: webhook, url: ${fake.url}/hook, enabled: false }\n`,
      },
    );
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
    const yaml =
      'publishing:\n  targets:\n    - { name: off, type: webhook, url: https://example.invalid/off, enabled: false }\n    - { name: on, type: webhook, url: https://example.invalid/on }\n';
    const svc = await startTestService(await backends().at(-1)!.fresh(), {}, { configYaml: yaml });
    try {
      const targets = PublishingTargetsResponse.parse(await (await svc.get('/publishing/targets')).json());
      expect(targets.find((t) => t.name === 'off')).toMatchObject({ enabled: false, ready: false, ready_reason: 'Disabled', health_status: 'unknown' });
      expect(targets.find((t) => t.name === 'on')).toMatchObject({ enabled: true, ready: true, ready_reason: 'Resolved' });
      const stats = PublishingStatsResponse.parse(await (await svc.get('/publishing/stats')).json());
      expect(stats.targets.map((t) => [t.name, t.ready]).sort()).toEqual([
        ['off', false],
        ['on', true],
      ]);
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
      await svc.post('/webhook/proxy', [
        { labels: { alertname: 'Flaky', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T07:00:00Z', status: 'firing' },
      ]);
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
      await svc.post('/webhook/proxy', [
        { labels: { alertname: 'Draining', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T07:00:00Z', status: 'firing' },
      ]);
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
