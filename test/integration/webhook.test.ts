// POST /webhook on both stores: every fixture, duplicates, HA concurrency, limits, credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope, WebhookResponse } from '../../src/api/contract.ts';
import { backends } from '../helpers/backends.ts';
import { BAD_PAYLOAD_PATHS, rejectedFixtureFiles } from '../helpers/bad-payloads.ts';
import { fixture, fixtureJson } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

async function rowCount(svc: TestService): Promise<{ events: number; alerts: number }> {
  const [row] = await svc.db.query<{ events: number; alerts: number }>(
    'SELECT (SELECT count(*) FROM alert_events) AS events, (SELECT count(*) FROM alerts) AS alerts',
  );
  return row!;
}

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe.each(backends())('POST /webhook on $name', (backend) => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService(await backend.fresh(), { WEBHOOK_MAX_ALERTS: '1000' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it.each(Object.entries(BAD_PAYLOAD_PATHS))('rejects %s with 400 naming %j and stores nothing', async (file, path) => {
    const before = await rowCount(svc);
    const res = await svc.post('/webhook', fixture(`bad-payloads/${file}`));
    expect(res.status).toBe(400);
    const body = ErrorEnvelope.parse(await res.json());
    expect(body.code).toBe('VALIDATION_ERROR');
    expect(body.details.fields?.some((f) => f.path.startsWith(path))).toBe(true);
    expect(await rowCount(svc)).toEqual(before);
  });

  it('covers every bad-payload fixture', () => {
    expect(rejectedFixtureFiles()).toEqual(Object.keys(BAD_PAYLOAD_PATHS).sort());
  });

  it('records am-v4-firing, and a resend adds nothing', async () => {
    const first = WebhookResponse.parse(await json(await svc.post('/webhook', fixture('am-v4-firing.json'))));
    expect(first).toMatchObject({ processed: 2, saved: 2, duplicates: 0 });
    const again = WebhookResponse.parse(await json(await svc.post('/webhook', fixture('am-v4-firing.json'))));
    expect(again).toMatchObject({ processed: 2, saved: 0, duplicates: 2 });
    const [row] = await svc.db.query<{ starts_at: string; ends_at: string | null; generator_url: string }>(
      "SELECT starts_at, ends_at, generator_url FROM alert_events WHERE fingerprint = '44a691f422eafef8'",
    );
    expect(row!.starts_at).toBe('2026-11-20 09:14:27.123456+00');
    expect(row!.ends_at).toBeNull();
    expect(row!.generator_url).toContain('&');
  });

  it('moves the same episode to resolved with am-v4-resolved', async () => {
    const res = WebhookResponse.parse(await json(await svc.post('/webhook', fixture('am-v4-resolved.json'))));
    expect(res.saved).toBe(2);
    const rows = await svc.db.query<{ status: string; event_count: number; ends_at: string }>(
      "SELECT status, event_count, ends_at FROM alerts WHERE fingerprint IN ('44a691f422eafef8', '44fdbac966a50875')",
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.status === 'resolved' && r.event_count === 2)).toBe(true);
    expect(rows[0]!.ends_at).toBe('2026-11-20 09:52:40.604117+00');
  });

  it('records new fields, offsets, the escaped receiver and computed fingerprints', async () => {
    await svc.post('/webhook', fixture('am-v4-new-fields.json'));
    await svc.post('/webhook', fixture('am-v4-no-fingerprint.json'));
    const rows = await svc.db.query<{ fingerprint: string; receiver: string; starts_at: string }>(
      "SELECT fingerprint, receiver, starts_at FROM alert_events WHERE fingerprint IN ('1a284aff3b817a4f', '095c02d3375625f5', '4521e414ee1f83da', '003b0a0f7d3fa569') ORDER BY fingerprint",
    );
    expect(rows.map((r) => r.fingerprint)).toEqual(['003b0a0f7d3fa569', '095c02d3375625f5', '1a284aff3b817a4f', '4521e414ee1f83da']);
    expect(rows.find((r) => r.fingerprint === '1a284aff3b817a4f')).toMatchObject({
      receiver: 'sre\\.checkout',
      starts_at: '2026-11-21 09:05:00.5+00',
    });
    const [extra] = await svc.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM alert_events WHERE labels::text LIKE '%x_alert_extra%' OR annotations::text LIKE '%x_alert_extra%'",
    );
    expect(extra!.n).toBe(0);
  });

  it('accepts the bare array and the 100-alert storm', async () => {
    expect((await svc.post('/webhook', fixture('am-bare-array.json'))).status).toBe(200);
    const storm = WebhookResponse.parse(await json(await svc.post('/webhook', fixture('am-v4-storm-100.json'))));
    expect(storm).toMatchObject({ processed: 100, saved: 100 });
    const resolved = await svc.db.query<{ fingerprint: string }>(
      "SELECT fingerprint FROM alert_events WHERE group_key LIKE '%InstanceDown%' AND status = 'resolved' ORDER BY fingerprint",
    );
    expect(resolved.map((r) => r.fingerprint)).toEqual(['06401c1ea79f0c30', '386c96f5b65d7571', '9ad173e1b526efcf', 'af4c0f723446a765', 'afcf94761ca0f40d']);
  });

  it('stores __proto__ labels as ordinary keys without polluting prototypes', async () => {
    const res = await svc.post('/webhook', fixture('bad-payloads/proto-pollution-keys.json'));
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const history = await json<{ alerts: { labels: Record<string, string> }[] }>(await svc.get('/history?fingerprint=fc3c5a3935817f29'));
    expect(Object.keys(history.alerts[0]!.labels).sort()).toEqual(['__proto__', 'alertname', 'constructor', 'hasOwnProperty']);
  });

  it('leaves exactly one event per state change after 20 concurrent identical webhooks (HA pair)', async () => {
    const body = fixtureJson<{ alerts: { startsAt: string; labels: Record<string, string> }[] }>('am-v4-firing.json');
    body.alerts.forEach((a) => {
      a.startsAt = '2026-11-22T01:00:00.000000001Z';
      a.labels.ha = 'pair';
      delete (a as { fingerprint?: string }).fingerprint;
    });
    const responses = await Promise.all(Array.from({ length: 20 }, () => svc.post('/webhook', body)));
    const results = await Promise.all(responses.map((r) => json<{ saved: number; duplicates: number }>(r)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(results.reduce((n, r) => n + r.saved, 0)).toBe(2);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(38);
    const [row] = await svc.db.query<{ n: number }>('SELECT count(*) AS n FROM alert_events WHERE labels @> \'{"ha":"pair"}\'');
    expect(row!.n).toBe(2);
  });

  it('takes the same handler with a query string and a trailing slash', async () => {
    for (const path of ['/webhook?source=am', '/webhook/']) {
      const res = await svc.post(path, fixture('am-v4-firing.json'), { 'x-request-id': 'spelling-1' });
      expect(res.status).toBe(200);
      expect(WebhookResponse.parse(await res.json())).toMatchObject({ processed: 2, request_id: 'spelling-1' });
    }
  });

  it('answers 415 for a non-JSON content type and stores nothing', async () => {
    const before = await rowCount(svc);
    const res = await svc.post('/webhook', fixture('am-v4-firing.json'), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(ErrorEnvelope.parse(await res.json()).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await rowCount(svc)).toEqual(before);
  });

  it('answers 413 over the 10 MiB default, and 400 naming a 2 MiB label', async () => {
    const body = fixtureJson<{ alerts: Record<string, unknown>[] }>('am-v4-firing.json');
    body.alerts = [body.alerts[0]!];
    (body.alerts[0]!.annotations as Record<string, string>).huge = 'a'.repeat(11 * 1024 * 1024);
    const big = await svc.post('/webhook', body);
    expect(big.status).toBe(413);
    expect(ErrorEnvelope.parse(await big.json()).code).toBe('PAYLOAD_TOO_LARGE');
    delete (body.alerts[0]!.annotations as Record<string, string>).huge;
    (body.alerts[0]!.labels as Record<string, string>).pod = 'a'.repeat(2 * 1024 * 1024);
    delete body.alerts[0]!.fingerprint;
    const label = await svc.post('/webhook', body);
    expect(label.status).toBe(400);
    const err = ErrorEnvelope.parse(await label.json());
    expect(err.details.fields?.map((f) => f.path)).toContain('alerts[0].labels.pod');
    expect(JSON.stringify(err)).not.toContain('aaaaaaaaaa');
  });

  it('counts rejections in alert_history_webhook_errors_total', async () => {
    const text = await (await svc.get('/metrics')).text();
    expect(text).toMatch(/alert_history_webhook_errors_total\{code="VALIDATION_ERROR"\} \d+/);
    expect(text).toMatch(/alert_history_webhook_events_total\{status="firing",alertname="KubePodCrashLooping",namespace="payments"\} 4/);
  });
});

describe.each(backends())('webhook limits and credentials on $name', (backend) => {
  let svc: TestService;
  const token = 'webhook-token-0123456789';

  beforeAll(async () => {
    svc = await startTestService(await backend.fresh(), {
      WEBHOOK_MAX_BODY_BYTES: String(1024 * 1024),
      WEBHOOK_MAX_ALERTS: '50',
      WEBHOOK_BEARER_TOKEN: token,
      WEBHOOK_USERNAME: 'alertmanager',
      WEBHOOK_PASSWORD: 'basic-password-1',
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('needs the bearer or basic credential', async () => {
    const none = await svc.post('/webhook', fixture('am-v4-firing.json'));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await svc.post('/webhook', fixture('am-v4-firing.json'), { authorization: 'Bearer nope-nope-nope-nope' });
    expect(wrong.status).toBe(401);
    const bearer = await svc.post('/webhook', fixture('am-v4-firing.json'), { authorization: `Bearer ${token}` });
    expect(bearer.status).toBe(200);
    const basic = Buffer.from('alertmanager:basic-password-1').toString('base64');
    expect((await svc.post('/webhook', fixture('am-v4-firing.json'), { authorization: `Basic ${basic}` })).status).toBe(200);
  });

  it('never logs the credential', () => {
    expect(svc.logs.join('')).not.toContain(token);
  });

  it('applies the configured body and alert-count limits', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const body = fixtureJson<{ alerts: Record<string, unknown>[] }>('am-v4-firing.json');
    (body.alerts[0]!.labels as Record<string, string>).pod = 'a'.repeat(2 * 1024 * 1024);
    expect((await svc.post('/webhook', body, auth)).status).toBe(413);
    const storm = await svc.post('/webhook', fixture('am-v4-storm-100.json'), auth);
    expect(storm.status).toBe(400);
    expect(ErrorEnvelope.parse(await storm.json()).details.fields?.[0]?.path).toBe('alerts');
  });
});
