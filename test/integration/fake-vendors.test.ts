// The fake vendors must reject what each vendor's documentation forbids and accept what it allows;
// publisher tests rely on an empty `violations` list meaning "the real vendor would take this".
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { fixtureJson } from '../helpers/fixtures.ts';

const PD_KEY = 'e93facc04764012d7bfb002500d5d1a6';
const SLACK_TOKEN = 'xoxb-1111-2222-fakebottoken';
const ROOTLY_KEY = 'rootly_0123456789abcdef';
const HOOK_TOKEN = 'hook-secret-token';
const JSON_TYPE = { 'content-type': 'application/json' };
const SLACK_HEADERS = { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${SLACK_TOKEN}` };
const ROOTLY_HEADERS = { 'content-type': 'application/vnd.api+json', authorization: `Bearer ${ROOTLY_KEY}` };
const HOOK_HEADERS = { ...JSON_TYPE, authorization: `Bearer ${HOOK_TOKEN}` };
const FINGERPRINT = '44a691f422eafef8';
const CHANNEL = 'C0123456789';

let fake: FakeVendors;

beforeAll(async () => {
  fake = await startFakeVendors({ pagerdutyRoutingKey: PD_KEY, slackBotToken: SLACK_TOKEN, rootlyApiKey: ROOTLY_KEY, webhookBearer: HOOK_TOKEN });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.requests.length = 0;
  fake.violations.length = 0;
});

function post(path: string, body: unknown, headers: Record<string, string> = JSON_TYPE): Promise<Response> {
  return fetch(`${fake.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A deep copy of `body` with the dotted `path` set to `value` (undefined drops the field). */
function withField(body: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = copy;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  node[last] = value;
  return copy;
}

async function accepted(send: () => Promise<Response>, status: number): Promise<Response> {
  const violations = fake.violations.length;
  const requests = fake.requests.length;
  const res = await send();
  expect(fake.violations.slice(violations)).toEqual([]);
  expect(res.status).toBe(status);
  expect(fake.requests).toHaveLength(requests + 1);
  return res;
}

async function rejected(send: () => Promise<Response>, status: number): Promise<Response> {
  const violations = fake.violations.length;
  const requests = fake.requests.length;
  const res = await send();
  expect(res.status).toBe(status);
  expect(fake.violations).toHaveLength(violations + 1);
  expect(fake.requests).toHaveLength(requests);
  return res;
}

interface FieldCase {
  name: string;
  path: string;
  value: unknown;
}

describe('PagerDuty Events API v2', () => {
  const trigger = {
    routing_key: PD_KEY,
    event_action: 'trigger',
    dedup_key: FINGERPRINT,
    payload: {
      summary: '[critical] KubePodCrashLooping payments/api',
      source: 'payments-api-6f7c9d8b4-7xk2p',
      severity: 'critical',
      timestamp: '2026-11-20T09:14:27.123456789Z',
      component: 'api',
      group: 'payments',
      class: 'KubePodCrashLooping',
      custom_details: { labels: { alertname: 'KubePodCrashLooping' }, llm_confidence: 0.87 },
    },
    images: [{ src: 'https://grafana.example.invalid/render/panel.png', alt: 'restarts' }],
    links: [{ href: `https://alert-history.example.invalid/alerts/${FINGERPRINT}`, text: 'Alert history' }],
    client: 'alert-history',
    client_url: 'https://alert-history.example.invalid',
  };
  const resolve = { routing_key: PD_KEY, event_action: 'resolve', dedup_key: FINGERPRINT };

  it('accepts a full trigger and answers 202 with the dedup_key', async () => {
    const res = await accepted(() => post('/v2/enqueue', trigger), 202);
    expect(await res.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: FINGERPRINT });
    expect(fake.requests[0]).toMatchObject({ vendor: 'pagerduty', method: 'POST', path: '/v2/enqueue', body: trigger });
    expect(JSON.parse(fake.requests[0]!.rawBody)).toEqual(trigger);
  });

  it('accepts a bare resolve, a 1024-character summary and an offset without a colon', async () => {
    await accepted(() => post('/v2/enqueue', resolve), 202);
    await accepted(() => post('/v2/enqueue', withField(trigger, 'payload.summary', 'é'.repeat(1024))), 202);
    await accepted(() => post('/v2/enqueue', withField(trigger, 'payload.timestamp', '2015-07-17T08:42:58.315+0000')), 202);
  });

  it('generates a dedup_key for a trigger without one', async () => {
    const res = await accepted(() => post('/v2/enqueue', withField(trigger, 'dedup_key', undefined)), 202);
    expect(((await res.json()) as { dedup_key: string }).dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each<FieldCase>([
    { name: 'a 31-character routing_key', path: 'routing_key', value: PD_KEY.slice(1) },
    { name: 'another integration key', path: 'routing_key', value: 'f'.repeat(32) },
    { name: 'an unknown event_action', path: 'event_action', value: 'create' },
    { name: 'a trigger without payload', path: 'payload', value: undefined },
    { name: 'an unknown severity', path: 'payload.severity', value: 'high' },
    { name: 'an empty source', path: 'payload.source', value: '' },
    { name: 'a 1025-character summary', path: 'payload.summary', value: 'x'.repeat(1025) },
    { name: 'a timestamp without an offset', path: 'payload.timestamp', value: '2026-11-20T09:14:27' },
    { name: 'custom_details that is not an object', path: 'payload.custom_details', value: 'labels' },
    { name: 'a 256-character dedup_key', path: 'dedup_key', value: 'k'.repeat(256) },
    { name: 'an image served over http', path: 'images', value: [{ src: 'http://grafana.example.invalid/panel.png' }] },
    { name: 'a link without href', path: 'links', value: [{ text: 'Alert history' }] },
  ])('rejects a trigger with $name (400 invalid event)', async ({ path, value }) => {
    const res = await rejected(() => post('/v2/enqueue', withField(trigger, path, value)), 400);
    expect(await res.json()).toMatchObject({ status: 'invalid event', message: 'Event object is invalid', errors: [expect.any(String)] });
  });

  it('rejects a resolve without dedup_key, a non-JSON content type, garbage and a body over 512 KB', async () => {
    await rejected(() => post('/v2/enqueue', withField(resolve, 'dedup_key', undefined)), 400);
    await rejected(() => post('/v2/enqueue', trigger, { 'content-type': 'text/plain' }), 400);
    await rejected(() => post('/v2/enqueue', '{"routing_key":'), 400);
    await rejected(() => post('/v2/enqueue', withField(trigger, 'payload.custom_details', { blob: 'x'.repeat(530_000) })), 400);
    expect(fake.violations.at(-1)).toMatch(/^pagerduty: .*byte limit/);
  });
});

describe('Slack incoming webhook', () => {
  const section = {
    type: 'section',
    text: { type: 'mrkdwn', text: '*KubePodCrashLooping* in `payments`' },
    fields: [{ type: 'mrkdwn', text: '*Severity*\ncritical' }],
  };
  const message = {
    text: '[critical] KubePodCrashLooping payments/api',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'KubePodCrashLooping' } },
      section,
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'alert-history' }] },
    ],
    attachments: [
      { color: '#E01E5A', blocks: [section] },
      { color: 'good', text: 'resolved' },
    ],
  };
  const hook = '/services/T000/B000/XXXX';

  it('accepts a well-formed message and answers 200 text/plain "ok"', async () => {
    const res = await accepted(() => post(hook, message), 200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('ok');
    expect(fake.requests[0]).toMatchObject({ vendor: 'slack-webhook', path: hook });
  });

  it.each<FieldCase & { error: string }>([
    { name: 'no text', path: 'text', value: undefined, error: 'no_text' },
    { name: 'an empty text', path: 'text', value: '', error: 'no_text' },
    { name: '51 blocks', path: 'blocks', value: Array.from({ length: 51 }, () => ({ type: 'divider' })), error: 'invalid_blocks' },
    { name: 'a block without a type', path: 'blocks', value: [{ text: { type: 'plain_text', text: 'x' } }], error: 'invalid_blocks' },
    { name: 'a 151-character header', path: 'blocks.0.text.text', value: 'h'.repeat(151), error: 'invalid_blocks' },
    { name: 'a mrkdwn header', path: 'blocks.0.text.type', value: 'mrkdwn', error: 'invalid_blocks' },
    { name: 'a 3001-character section', path: 'blocks.1.text.text', value: 's'.repeat(3001), error: 'invalid_blocks' },
    { name: '11 section fields', path: 'blocks.1.fields', value: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })), error: 'invalid_blocks' },
    { name: 'a 2001-character field', path: 'blocks.1.fields.0.text', value: 'f'.repeat(2001), error: 'invalid_blocks' },
    { name: 'an attachment colour that is not good/warning/danger/#RRGGBB', path: 'attachments.0.color', value: 'red', error: 'invalid_payload' },
  ])('rejects $name with 400 $error', async ({ path, value, error }) => {
    const res = await rejected(() => post(hook, withField(message, path, value)), 400);
    expect(await res.text()).toBe(error);
  });

  it('rejects a body that is not JSON or not sent as JSON with 400 invalid_payload', async () => {
    expect(await (await rejected(() => post(hook, 'text=hello'), 400)).text()).toBe('invalid_payload');
    expect(await (await rejected(() => post(hook, message, { 'content-type': 'application/x-www-form-urlencoded' }), 400)).text()).toBe('invalid_payload');
  });
});

interface SlackReply {
  ok: boolean;
  error?: string;
  channel?: string;
  ts?: string;
  warning?: string;
  message?: { text?: string; thread_ts?: string };
}

describe('Slack Web API', () => {
  const root = {
    channel: CHANNEL,
    text: '[critical] KubePodCrashLooping payments/api',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'firing' } }],
  };

  async function slack(method: string, body: unknown, headers: Record<string, string> = SLACK_HEADERS): Promise<SlackReply> {
    const res = await post(`/api/${method}`, body, headers);
    // Slack reports API errors with HTTP 200 and ok:false; only rate limits use 429.
    expect(res.status).toBe(200);
    return (await res.json()) as SlackReply;
  }

  async function slackRejected(method: string, body: unknown, error: string, headers?: Record<string, string>): Promise<void> {
    const violations = fake.violations.length;
    expect(await slack(method, body, headers)).toMatchObject({ ok: false, error });
    expect(fake.violations).toHaveLength(violations + 1);
  }

  it('posts messages, answering with the channel ID and a unique ts', async () => {
    const first = await slack('chat.postMessage', root);
    const second = await slack('chat.postMessage', { ...root, channel: '#alerts' });
    expect(first).toMatchObject({ ok: true, channel: CHANNEL, message: { text: root.text } });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(second).toMatchObject({ ok: true, channel: CHANNEL });
    expect(second.ts).not.toBe(first.ts);
    expect(first.warning).toBeUndefined();
    expect(fake.slackMessages().get(first.ts!)).toEqual({ channel: CHANNEL, text: root.text, updated: 0 });
    expect(fake.violations).toEqual([]);
  });

  it('threads a reply under a ts it issued and updates the root message', async () => {
    const parent = await slack('chat.postMessage', root);
    const reply = await slack('chat.postMessage', { channel: CHANNEL, text: 'Resolved after 38 minutes', thread_ts: parent.ts });
    expect(reply).toMatchObject({ ok: true, message: { thread_ts: parent.ts } });
    expect(fake.slackMessages().get(reply.ts!)).toMatchObject({ thread_ts: parent.ts });
    const updated = await slack('chat.update', { channel: CHANNEL, ts: parent.ts, text: '[resolved] KubePodCrashLooping payments/api' });
    expect(updated).toMatchObject({ ok: true, channel: CHANNEL, ts: parent.ts });
    expect(fake.slackMessages().get(parent.ts!)).toEqual({ channel: CHANNEL, text: '[resolved] KubePodCrashLooping payments/api', updated: 1 });
    expect(fake.violations).toEqual([]);
  });

  it('answers thread_not_found and message_not_found for a ts it did not issue in that channel', async () => {
    const parent = await slack('chat.postMessage', root);
    await slackRejected('chat.postMessage', { ...root, thread_ts: '1700000000.000100' }, 'thread_not_found');
    await slackRejected('chat.postMessage', { ...root, channel: 'C9999999999', thread_ts: parent.ts }, 'thread_not_found');
    await slackRejected('chat.update', { channel: CHANNEL, ts: '1700000000.000100', text: 'x' }, 'message_not_found');
    await slackRejected('chat.update', { channel: 'C9999999999', ts: parent.ts, text: 'x' }, 'message_not_found');
    expect(fake.slackMessages().get(parent.ts!)!.updated).toBe(0);
  });

  it.each<{ name: string; method: string; body: unknown; headers: Record<string, string>; error: string }>([
    { name: 'no Authorization header', method: 'chat.postMessage', body: root, headers: JSON_TYPE, error: 'not_authed' },
    {
      name: 'another bot token',
      method: 'chat.postMessage',
      body: root,
      headers: { ...SLACK_HEADERS, authorization: 'Bearer xoxb-other' },
      error: 'invalid_auth',
    },
    { name: 'a user token', method: 'chat.postMessage', body: root, headers: { ...SLACK_HEADERS, authorization: 'Bearer xoxp-1-2-3' }, error: 'invalid_auth' },
    {
      name: 'a form body',
      method: 'chat.postMessage',
      body: 'channel=C0123456789&text=hi',
      headers: { ...SLACK_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
      error: 'invalid_post_type',
    },
    { name: 'broken JSON', method: 'chat.postMessage', body: '{"channel":', headers: SLACK_HEADERS, error: 'invalid_json' },
    { name: 'a JSON array', method: 'chat.postMessage', body: [root], headers: SLACK_HEADERS, error: 'json_not_object' },
    { name: 'no channel', method: 'chat.postMessage', body: { text: 'x' }, headers: SLACK_HEADERS, error: 'channel_not_found' },
    { name: 'no text', method: 'chat.postMessage', body: { channel: CHANNEL, blocks: root.blocks }, headers: SLACK_HEADERS, error: 'no_text' },
    {
      name: '51 blocks',
      method: 'chat.postMessage',
      body: { ...root, blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) },
      headers: SLACK_HEADERS,
      error: 'invalid_blocks',
    },
    {
      name: 'a bad colour',
      method: 'chat.postMessage',
      body: { ...root, attachments: [{ color: 'E01E5A' }] },
      headers: SLACK_HEADERS,
      error: 'invalid_attachments',
    },
    { name: 'an update without ts', method: 'chat.update', body: { channel: CHANNEL, text: 'x' }, headers: SLACK_HEADERS, error: 'message_not_found' },
  ])('answers HTTP 200 ok:false $error for $name', async ({ method, body, headers, error }) => {
    await slackRejected(method, body, error, headers);
  });

  it('warns about a missing charset but still posts', async () => {
    const reply = await slack('chat.postMessage', root, { ...SLACK_HEADERS, 'content-type': 'application/json' });
    expect(reply).toMatchObject({ ok: true, warning: 'missing_charset' });
    expect(fake.violations).toEqual([]);
  });
});

describe('Rootly alerts API', () => {
  const attributes = {
    source: 'alertmanager',
    summary: '[critical] KubePodCrashLooping payments/api',
    description: 'Container api keeps restarting.\n\n**Reasoning**: the service is down.',
    started_at: '2026-11-20T09:14:27.123456789Z',
    external_id: FINGERPRINT,
    external_url: `https://alert-history.example.invalid/alerts/${FINGERPRINT}`,
    deduplication_key: `${FINGERPRINT}:2026-11-20T09:14:27.123456Z`,
    labels: [
      { key: 'alertname', value: 'KubePodCrashLooping' },
      { key: 'restarts', value: 6 },
      { key: 'paging', value: true },
    ],
    noise: 'not_noise',
    data: { classification: { severity: 'critical', confidence: 0.93 } },
  };
  const doc = { data: { type: 'alerts', attributes } };
  const resolveBody = { data: { type: 'alerts', attributes: { resolution_message: 'Resolved in Alertmanager', resolve_related_incidents: false } } };

  async function create(): Promise<string> {
    const res = await accepted(() => post('/v1/alerts', doc, ROOTLY_HEADERS), 201);
    return ((await res.json()) as { data: { id: string } }).data.id;
  }

  it('creates an alert: 201 JSON:API with a uuid', async () => {
    const res = await accepted(() => post('/v1/alerts', doc, ROOTLY_HEADERS), 201);
    expect(res.headers.get('content-type')).toBe('application/vnd.api+json');
    const body = (await res.json()) as { data: { id: string; type: string; attributes: Record<string, unknown> } };
    expect(body.data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(body.data).toMatchObject({ type: 'alerts', attributes: { summary: attributes.summary, labels: attributes.labels } });
    expect(fake.rootlyAlerts().get(body.data.id)).toEqual({ attributes, resolved: false });
  });

  it('resolves a known id with or without a body', async () => {
    const first = await create();
    const res = await accepted(() => post(`/v1/alerts/${first}/resolve`, resolveBody, ROOTLY_HEADERS), 200);
    expect(await res.json()).toMatchObject({ data: { id: first, type: 'alerts', attributes: { status: 'resolved' } } });
    expect(fake.rootlyAlerts().get(first)!.resolved).toBe(true);
    const second = await create();
    await accepted(() => fetch(`${fake.url}/v1/alerts/${second}/resolve`, { method: 'POST', headers: { authorization: `Bearer ${ROOTLY_KEY}` } }), 200);
    expect(fake.rootlyAlerts().get(second)!.resolved).toBe(true);
  });

  it('answers 404 for an unknown id and 422 for a resolve body with unknown attributes', async () => {
    const res = await rejected(() => post('/v1/alerts/00000000-0000-4000-8000-000000000000/resolve', resolveBody, ROOTLY_HEADERS), 404);
    expect(await res.json()).toMatchObject({ errors: [{ status: '404' }] });
    const id = await create();
    await rejected(() => post(`/v1/alerts/${id}/resolve`, withField(resolveBody, 'data.attributes.status', 'resolved'), ROOTLY_HEADERS), 422);
    expect(fake.rootlyAlerts().get(id)!.resolved).toBe(false);
  });

  it.each<FieldCase & { pointer: string }>([
    { name: 'labels as a map', path: 'data.attributes.labels', value: { alertname: 'X' }, pointer: '/data/attributes/labels' },
    { name: 'a null label value', path: 'data.attributes.labels', value: [{ key: 'team', value: null }], pointer: '/data/attributes/labels' },
    { name: 'the legacy source alert-history-llm', path: 'data.attributes.source', value: 'alert-history-llm', pointer: '/data/attributes/source' },
    { name: 'no summary', path: 'data.attributes.summary', value: undefined, pointer: '/data/attributes/summary' },
    { name: 'noise "yes"', path: 'data.attributes.noise', value: 'yes', pointer: '/data/attributes/noise' },
    { name: 'a started_at that is not ISO 8601', path: 'data.attributes.started_at', value: 'yesterday', pointer: '/data/attributes/started_at' },
    { name: 'an attribute Rootly does not have', path: 'data.attributes.dedup_key', value: FINGERPRINT, pointer: '/data/attributes/dedup_key' },
    { name: 'the type "alert"', path: 'data.type', value: 'alert', pointer: '/data/type' },
  ])('rejects $name with 422 and a JSON:API pointer', async ({ path, value, pointer }) => {
    const res = await rejected(() => post('/v1/alerts', withField(doc, path, value), ROOTLY_HEADERS), 422);
    expect(await res.json()).toMatchObject({ errors: [{ title: expect.any(String), detail: expect.any(String), source: { pointer } }] });
  });

  it('rejects a missing or wrong API key with 401 and plain JSON with 415', async () => {
    await rejected(() => post('/v1/alerts', doc, { 'content-type': 'application/vnd.api+json' }), 401);
    await rejected(() => post('/v1/alerts', doc, { ...ROOTLY_HEADERS, authorization: 'Bearer another-key' }), 401);
    await rejected(() => post('/v1/alerts', doc, { ...ROOTLY_HEADERS, 'content-type': 'application/json' }), 415);
  });
});

describe('generic webhook (Alertmanager v4 body)', () => {
  function classified(): Record<string, unknown> {
    const body = fixtureJson('am-v4-firing.json');
    for (const alert of body.alerts as { annotations: Record<string, string> }[]) {
      Object.assign(alert.annotations, {
        llm_severity: 'critical',
        llm_confidence: '0.87',
        llm_reasoning: 'The pod restarts in a loop.',
        llm_recommendations: 'Roll back; Page the owning team',
      });
    }
    return body;
  }

  it('accepts a classified v4 body and answers 200 {}', async () => {
    const res = await accepted(() => post('/hook/team-a', classified(), HOOK_HEADERS), 200);
    expect(await res.json()).toEqual({});
    expect(fake.requests[0]).toMatchObject({ vendor: 'webhook', path: '/hook/team-a' });
  });

  it.each(['am-v4-firing.json', 'am-v4-resolved.json', 'am-v4-new-fields.json'])('accepts the fixture %s unchanged', async (name) => {
    await accepted(() => post('/hook', fixtureJson(name), HOOK_HEADERS), 200);
  });

  it.each<FieldCase>([
    { name: 'a numeric llm_confidence', path: 'alerts.0.annotations.llm_confidence', value: 0.87 },
    { name: 'an empty llm_severity', path: 'alerts.0.annotations.llm_severity', value: '' },
    { name: 'an unknown llm_severity', path: 'alerts.0.annotations.llm_severity', value: 'high' },
    { name: 'llm_confidence above 1', path: 'alerts.1.annotations.llm_confidence', value: '1.5' },
    { name: 'a null annotation', path: 'alerts.0.annotations.description', value: null },
    { name: 'startsAt without an offset', path: 'alerts.0.startsAt', value: '2026-11-20T09:14:27' },
    { name: 'an impossible startsAt', path: 'alerts.0.startsAt', value: '2026-02-30T09:14:27Z' },
    { name: 'a resolved alert with the zero endsAt', path: 'alerts.0.status', value: 'resolved' },
    { name: 'no alerts', path: 'alerts', value: [] },
    { name: 'a numeric version', path: 'version', value: 4 },
    { name: 'status resolved while alerts fire', path: 'status', value: 'resolved' },
    { name: 'no fingerprint', path: 'alerts.0.fingerprint', value: undefined },
    { name: 'labels without alertname', path: 'alerts.1.labels.alertname', value: undefined },
    { name: 'a commonLabel one alert lacks', path: 'commonLabels.container', value: 'api' },
    { name: 'a negative truncatedAlerts', path: 'truncatedAlerts', value: -1 },
  ])('rejects a body with $name (400)', async ({ path, value }) => {
    const res = await rejected(() => post('/hook', withField(classified(), path, value), HOOK_HEADERS), 400);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it('rejects a missing or wrong bearer with 401, a non-JSON content type with 415 and garbage with 400', async () => {
    await rejected(() => post('/hook', classified()), 401);
    await rejected(() => post('/hook', classified(), { ...HOOK_HEADERS, authorization: 'Bearer nope' }), 401);
    await rejected(() => post('/hook', classified(), { ...HOOK_HEADERS, 'content-type': 'text/plain' }), 415);
    await rejected(() => post('/hook', 'not json', HOOK_HEADERS), 400);
  });
});

describe('Alertmanager POST /api/v2/alerts', () => {
  const alert = {
    labels: { alertname: 'KubePodCrashLooping', namespace: 'payments' },
    annotations: { summary: 'Container keeps restarting' },
    startsAt: '2026-11-20T09:14:27.123456789Z',
    endsAt: '2026-11-20T09:52:40.604117003Z',
    generatorURL: 'http://prometheus.example.invalid:9090/graph?g0.expr=up&g0.tab=1',
  };

  it('accepts postable alerts and answers 200 with an empty body', async () => {
    const res = await accepted(() => post('/api/v2/alerts', [alert, { labels: { alertname: 'Watchdog' } }]), 200);
    expect(await res.text()).toBe('');
    await accepted(() => post('/api/v2/alerts', fixtureJson('am-bare-array.json')), 200);
  });

  it.each<{ name: string; body: unknown }>([
    { name: 'a v4 envelope instead of an array', body: fixtureJson('am-v4-firing.json') },
    { name: 'an empty array', body: [] },
    { name: 'labels without alertname', body: [withField(alert, 'labels.alertname', undefined)] },
    { name: 'a numeric annotation', body: [withField(alert, 'annotations.summary', 3)] },
    { name: 'endsAt before startsAt', body: [withField(alert, 'endsAt', '2026-11-20T09:00:00Z')] },
    { name: 'a startsAt that is not RFC 3339', body: [withField(alert, 'startsAt', '20/11/2026 09:14')] },
    { name: 'a generatorURL that is not a URI', body: [withField(alert, 'generatorURL', 'graph?g0.expr=up')] },
  ])('rejects $name with 400 {code, message}', async ({ body }) => {
    const res = await rejected(() => post('/api/v2/alerts', body), 400);
    expect(await res.json()).toEqual({ code: 400, message: expect.any(String) });
  });

  it('rejects a non-JSON content type with 415', async () => {
    await rejected(() => post('/api/v2/alerts', [alert], { 'content-type': 'text/plain' }), 415);
  });
});

describe('routing, scripts, hold and waitFor', () => {
  const event = { routing_key: PD_KEY, event_action: 'resolve', dedup_key: FINGERPRINT };

  it('answers 404 to unknown endpoints, such as the legacy PagerDuty path, and records a violation', async () => {
    await rejected(() => post('/v2/events', event), 404);
    await rejected(() => fetch(`${fake.url}/v2/enqueue`), 404);
    expect(fake.violations).toEqual(['no such endpoint: POST /v2/events', 'no such endpoint: GET /v2/enqueue']);
  });

  it('gives valid requests the scripted replies in order, then the normal success', async () => {
    fake.script('pagerduty', { status: 503 }, { status: 429, headers: { 'Retry-After': '1' } });
    // A malformed request gets the vendor's error and does not use up the script.
    await rejected(() => post('/v2/enqueue', withField(event, 'dedup_key', undefined)), 400);
    const first = await accepted(() => post('/v2/enqueue', event), 503);
    const second = await accepted(() => post('/v2/enqueue', event), 429);
    expect(second.headers.get('retry-after')).toBe('1');
    await accepted(() => post('/v2/enqueue', event), 202);
    expect(await first.text()).toBe('');
    expect(fake.requests.map((r) => r.vendor)).toEqual(['pagerduty', 'pagerduty', 'pagerduty']);
  });

  it('scripts one vendor at a time and changes no state on a scripted reply', async () => {
    const before = fake.slackMessages().size;
    fake.script('slack-api', { status: 429, headers: { 'Retry-After': '30' }, body: '{"ok":false,"error":"ratelimited"}' });
    await accepted(() => post('/services/T000/B000/XXXX', { text: 'hello' }), 200);
    const limited = await accepted(() => post('/api/chat.postMessage', { channel: CHANNEL, text: 'hello' }, SLACK_HEADERS), 429);
    expect(await limited.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(fake.slackMessages().size).toBe(before);
    await accepted(() => post('/api/chat.postMessage', { channel: CHANNEL, text: 'hello' }, SLACK_HEADERS), 200);
    expect(fake.slackMessages().size).toBe(before + 1);
  });

  it('holds a response until release() and only then applies the success', async () => {
    const before = fake.rootlyAlerts().size;
    fake.script('rootly', { hold: true });
    let answered = false;
    const pending = post('/v1/alerts', { data: { type: 'alerts', attributes: { source: 'api', summary: 'held' } } }, ROOTLY_HEADERS).then((res) => {
      answered = true;
      return res;
    });
    await fake.waitFor((requests) => requests.some((r) => r.vendor === 'rootly'));
    expect(answered).toBe(false);
    expect(fake.rootlyAlerts().size).toBe(before);
    fake.release();
    expect((await pending).status).toBe(201);
    expect(fake.rootlyAlerts().size).toBe(before + 1);
  });

  it('close() ends held requests', async () => {
    const other = await startFakeVendors();
    other.script('alertmanager', { hold: true });
    const outcome = fetch(`${other.url}/api/v2/alerts`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify([{ labels: { alertname: 'Held' } }]) }).then(
      () => 'answered',
      () => 'connection closed',
    );
    await other.waitFor((requests) => requests.length === 1);
    await other.close();
    expect(await outcome).toBe('connection closed');
  });

  it('waitFor resolves on the arrival that makes the predicate true', async () => {
    const waiting = fake.waitFor((requests) => requests.filter((r) => r.vendor === 'alertmanager').length >= 2);
    await post('/api/v2/alerts', [{ labels: { alertname: 'A' } }]);
    await post('/hook', 'malformed', HOOK_HEADERS);
    await post('/api/v2/alerts', [{ labels: { alertname: 'B' } }]);
    const seen = await waiting;
    expect(seen.map((r) => (r.body as { labels: { alertname: string } }[])[0]!.labels.alertname)).toEqual(['A', 'B']);
    expect(await fake.waitFor((requests) => requests.length === 2)).toHaveLength(2);
  });

  it('waitFor rejects with the requests and violations seen when the timeout passes', async () => {
    await post('/hook', 'malformed', HOOK_HEADERS);
    await expect(fake.waitFor((requests) => requests.length > 0, 50)).rejects.toThrow(
      /did not hold within 50 ms; 0 request\(s\).*violations: webhook: the body is not valid JSON/,
    );
  });
});
